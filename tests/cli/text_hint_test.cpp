// The text hint on the real binary: `parla motion speech.wav --text "..."` closes the lips
// at the text's p/b/m where the track without it does not, text that is not what the
// audio says leaves the track as it was with a warning, and bad usage exits 2.
#include <gtest/gtest.h>

#include "core/core.h"
#include "text/text.h"
#include "tests/support/testing.h"

namespace {
using parla::testing::CommandResult;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

constexpr const char* kText =
    "Maybe people put pepper in the soup. Bob bought a big blue boat, and Pam kept a map.";

class TextHintCli : public ::testing::Test {
 protected:
  void SetUp() override { parla::testing::make_speech(speech, kText); }

  CommandResult parla(const std::string& args) {
    return parla::testing::run_command(
        shell_quote(parla::testing::parla_executable().string()) + " " + args + " 2>&1");
  }
  std::string q(const std::filesystem::path& p) const { return shell_quote(p.string()); }

  // Runs of frames with mouthClose >= 0.5.
  static int closure_runs(const parla::MotionTrack& t) {
    int runs = 0;
    for (std::int64_t k = 0; k < t.frame_count(); ++k) {
      bool shut = t.value(k, parla::Channel::MouthClose) >= 0.5f;
      bool before = k > 0 && t.value(k - 1, parla::Channel::MouthClose) >= 0.5f;
      runs += shut && !before;
    }
    return runs;
  }

  ScratchDir dir;
  std::filesystem::path speech = dir / "speech.wav";
};

TEST_F(TextHintCli, MotionWithTextClosesTheLipsAtTheBilabials) {
  CommandResult plain = parla("motion " + q(speech) + " -o " + q(dir / "plain.json"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  CommandResult hinted =
      parla("motion " + q(speech) + " --text " + shell_quote(kText) + " -o " + q(dir / "t.json"));
  ASSERT_EQ(hinted.exit_code, 0) << hinted.output;
  EXPECT_NE(hinted.output.find("text hint: "), std::string::npos) << hinted.output;
  EXPECT_EQ(hinted.output.find("warning"), std::string::npos) << hinted.output;
  parla::MotionTrack a = parla::read_motion_track(dir / "plain.json");
  parla::MotionTrack b = parla::read_motion_track(dir / "t.json");
  ASSERT_EQ(a.frame_count(), b.frame_count());
  // The p/b/m times: the espeak-ng command line's default voice speaks as the library does.
  parla::text::SpokenText truth = parla::text::speak_text(kText, {.voice = "en"});
  int bilabials = 0, closed_with = 0, closed_without = 0;
  for (const parla::text::Phone& p : truth.phones) {
    if (p.viseme != parla::text::Viseme::Bilabial) continue;
    ++bilabials;
    float best_a = 0, best_b = 0;
    for (std::int64_t k = p.start_sample / 640; k <= p.end_sample / 640 && k < b.frame_count(); ++k) {
      best_a = std::max(best_a, a.value(k, parla::Channel::MouthClose));
      best_b = std::max(best_b, b.value(k, parla::Channel::MouthClose));
    }
    closed_without += best_a >= 0.9f;
    closed_with += best_b >= 0.9f;
  }
  EXPECT_GE(bilabials, 17);
  EXPECT_GE(closed_with, bilabials - 1) << "without the text: " << closed_without;
  EXPECT_GE(closed_with, closed_without);
  // No more closures than the text has p/b/m (pepper's and Bob's may share a run).
  EXPECT_LE(closure_runs(b), bilabials) << "without the text: " << closure_runs(a);
  // The same words from a file give the same track.
  parla::write_text_file(dir / "words.txt", std::string(kText) + "\n");
  CommandResult from_file = parla("motion " + q(speech) + " --text-file " + q(dir / "words.txt") +
                                  " -q -o " + q(dir / "f.json"));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.output;
  EXPECT_EQ(parla::read_motion_track(dir / "f.json").frames, b.frames);
}

TEST_F(TextHintCli, OtherWordsWarnAndChangeNothing) {
  ASSERT_EQ(parla("motion " + q(speech) + " -q -o " + q(dir / "plain.json")).exit_code, 0);
  CommandResult r = parla("motion " + q(speech) + " -q --text " +
                          shell_quote("Seven silly geese sat still on the icy lake, hissing at "
                                      "the ducks all day long.") +
                          " -o " + q(dir / "t.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("warning: text hint: the text does not seem to match the audio"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(parla::read_motion_track(dir / "t.json").frames,
            parla::read_motion_track(dir / "plain.json").frames);
}

TEST_F(TextHintCli, BadUsageExitsTwo) {
  parla::write_text_file(dir / "words.txt", kText);
  for (const std::string& args : std::vector<std::string>{
           "--text hi --text-file " + q(dir / "words.txt"), "--text-file " + q(dir / "nope.txt"),
           "--text hi --text-voice no-such-voice", "--text-voice de"}) {
    CommandResult r = parla("motion " + q(speech) + " " + args + " -o " + q(dir / "t.json"));
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "t.json")) << args;
  }
  CommandResult r = parla("render " + q(parla::testing::data_dir() / "sample" / "portrait.png") +
                          " " + q(speech) + " --motion x.json --text hi -o " + q(dir / "o.mp4"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST_F(TextHintCli, HelpListsTheOptions) {
  for (const std::string command : {"motion", "render"}) {
    CommandResult r = parla(command + " --help");
    ASSERT_EQ(r.exit_code, 0);
    for (const std::string option : {"--text", "--text-file", "--text-voice"})
      EXPECT_NE(r.output.find(option), std::string::npos) << command << " " << option;
  }
}

}  // namespace
