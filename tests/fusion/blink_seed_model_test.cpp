// The real `parla motion` with the shipped weights: the default seed comes from the
// audio file's content (each clip its own blinks and head motion, the same file always
// the same track), an explicit --seed still wins, and blinks continue to the end of the
// 11 s JFK clip. Needs the built `parla` beside the tests (a full build).
#include <gtest/gtest.h>

#include "core/core.h"
#include "tests/fusion/generator_fixture.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::Channel;
using parla::MotionTrack;
using parla::testing::shell_quote;

std::string q(const fs::path& p) { return shell_quote(p.string()); }
fs::path speech(const std::string& name) { return parla::testing::shared_media_dir() / "speech" / name; }

MotionTrack motion(const fs::path& audio, const fs::path& out, const std::string& extra = "") {
  auto r = parla::testing::run_command(q(parla::testing::parla_executable()) + " motion -q " + q(audio) + " -o " +
                                       q(out) + " " + extra + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return parla::read_motion_track(out);
}

std::vector<int> blink_onsets(const MotionTrack& t) {
  std::vector<int> onsets;
  for (int i = 1; i < t.frame_count(); ++i) {
    onsets.push_back(i);
    if (!(t.value(i, Channel::EyeBlinkLeft) >= 0.5f && t.value(i - 1, Channel::EyeBlinkLeft) < 0.5f)) onsets.pop_back();
  }
  return onsets;
}

TEST(BlinkSeed, DefaultSeedComesFromTheAudioContent) {
  parla::testing::ScratchDir dir;
  fs::copy_file(speech("jfk_en_male.wav"), dir / "copy.wav");
  MotionTrack a = motion(speech("jfk_en_male.wav"), dir / "a.json");
  MotionTrack again = motion(speech("jfk_en_male.wav"), dir / "again.json");
  MotionTrack copy = motion(dir / "copy.wav", dir / "copy.json");
  MotionTrack zero = motion(speech("jfk_en_male.wav"), dir / "zero.json", "--seed 0");
  EXPECT_EQ(a.frames, again.frames);  // same input, same video
  EXPECT_EQ(a.frames, copy.frames);   // the content decides, not the file's name
  EXPECT_NE(blink_onsets(a), blink_onsets(zero)) << "the default seed is still 0";
  EXPECT_NE(parla::testing::channel_values(a, Channel::HeadYaw), parla::testing::channel_values(zero, Channel::HeadYaw));
}

TEST(BlinkSeed, TwoClipsBlinkAtDifferentFrames) {
  parla::testing::ScratchDir dir;
  auto jfk = blink_onsets(motion(speech("jfk_en_male.wav"), dir / "jfk.json"));
  auto book = blink_onsets(motion(speech("librivox_en_male.wav"), dir / "book.json"));
  // Over the length both have (7.1 s).
  std::erase_if(jfk, [](int f) { return f >= 177; });
  std::erase_if(book, [](int f) { return f >= 177; });
  EXPECT_FALSE(jfk.empty());
  EXPECT_NE(jfk, book);
}

TEST(BlinkSeed, AnExplicitSeedWins) {
  parla::testing::ScratchDir dir;
  MotionTrack a = motion(speech("jfk_en_male.wav"), dir / "a.json", "--seed 7");
  MotionTrack b = motion(speech("jfk_en_male.wav"), dir / "b.json", "--seed 7");
  MotionTrack c = motion(speech("jfk_en_male.wav"), dir / "c.json", "--seed 8");
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_NE(a.frames, c.frames);
}

TEST(BlinkSeed, BlinksContinueToTheEndOfTheJfkClip) {
  parla::testing::ScratchDir dir;
  for (const std::string seed : {"", "--seed 0", "--seed 1", "--seed 2"}) {
    MotionTrack t = motion(speech("jfk_en_male.wav"), dir / "t.json", seed);
    auto onsets = blink_onsets(t);
    ASSERT_FALSE(onsets.empty()) << seed;
    EXPECT_GE(onsets.back(), t.frame_count() - 6 * 25) << seed << ": last blink at frame " << onsets.back();
    EXPECT_GE(onsets.size(), 2u) << seed;
  }
}

}  // namespace
