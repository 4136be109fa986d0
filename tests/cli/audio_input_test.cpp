// `-` for audio from standard input and --start / --duration (ffmpeg's -ss / -t), on the
// real binary with real speech: the part is what is rendered, and nothing is left behind.
#include <gtest/gtest.h>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::shell_quote;

class AudioInputTest : public ::testing::Test {
 protected:
  std::string parla() const { return shell_quote(parla::testing::parla_executable().string()); }
  std::string jfk() const {
    return shell_quote((parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav").string());
  }
  std::string q(const fs::path& p) const { return shell_quote(p.string()); }
  // Temporary audio directories this process tree left in TMPDIR.
  static int leftovers(const fs::path& tmp) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(tmp)) n += e.path().filename().string().rfind("parla-audio-", 0) == 0;
    return n;
  }
  parla::testing::ScratchDir dir;
};

TEST_F(AudioInputTest, StandardInputGivesTheSameTrackAsTheFile) {
  auto from_file = parla::testing::run_command(parla() + " motion " + jfk() + " -o " + q(dir / "a.json"));
  auto from_pipe = parla::testing::run_command("cat " + jfk() + " | TMPDIR=" + q(dir.path()) + " " + parla() +
                                               " motion - -o " + q(dir / "b.json"));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.output;
  ASSERT_EQ(from_pipe.exit_code, 0) << from_pipe.output;
  auto a = parla::read_motion_track(dir / "a.json"), b = parla::read_motion_track(dir / "b.json");
  ASSERT_EQ(a.frame_count(), b.frame_count());
  // Same audio bytes: same content seed, same motion.
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_EQ(leftovers(dir.path()), 0);
}

TEST_F(AudioInputTest, StartAndDurationRenderThatPart) {
  auto r = parla::testing::run_command("TMPDIR=" + q(dir.path()) + " " + parla() + " render " +
                                       q(parla::testing::data_dir() / "sample" / "portrait.png") + " " + jfk() +
                                       " --start 2.5 --duration 4 --size 256 -o " + q(dir / "part.mp4"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(parla::testing::probe_duration(dir / "part.mp4", "a:0"), 4.0, 0.05);
  EXPECT_NEAR(parla::testing::probe_duration(dir / "part.mp4", "v:0"), 4.0, 0.05);
  EXPECT_EQ(leftovers(dir.path()), 0);

  // The motion of the part is the motion of the part's audio: 100 frames.
  auto m = parla::testing::run_command(parla() + " motion " + jfk() + " --start 2.5 --duration 4 -o " +
                                       q(dir / "p.json"));
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(parla::read_motion_track(dir / "p.json").frame_count(), 100);
}

TEST_F(AudioInputTest, BadPartsAndEmptyInputAreRejected) {
  auto past = parla::testing::run_command("TMPDIR=" + q(dir.path()) + " " + parla() + " motion " + jfk() +
                                          " --start 30 -o " + q(dir / "t.json"));
  EXPECT_EQ(past.exit_code, 2) << past.output;
  EXPECT_NE(past.output.find("jfk_en_male.wav"), std::string::npos) << past.output;
  EXPECT_NE(past.output.find("past its end"), std::string::npos) << past.output;
  auto empty = parla::testing::run_command("TMPDIR=" + q(dir.path()) + " " + parla() + " motion - -o " +
                                           q(dir / "t.json") + " < /dev/null");
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  EXPECT_NE(empty.output.find("standard input"), std::string::npos) << empty.output;
  EXPECT_FALSE(fs::exists(dir / "t.json"));
  EXPECT_EQ(leftovers(dir.path()), 0);
}

}  // namespace
