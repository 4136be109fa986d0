// The progress bar on a real terminal (script(1) gives the binary a pty): `motion`
// counts seconds of audio, not samples.
#include <gtest/gtest.h>

#include <regex>

#include "tests/support/testing.h"

namespace {
using parla::testing::shell_quote;

TEST(Progress, MotionCountsSecondsOfAudio) {
  parla::testing::ScratchDir dir;
  auto speech = dir / "speech.wav";
  parla::testing::make_speech(speech, "Counting the seconds of this sentence, not its samples.");
  std::string cmd = shell_quote(parla::testing::parla_executable().string()) + " motion " +
                    shell_quote(speech.string()) + " -o " + shell_quote((dir / "t.json").string());
  auto r = parla::testing::run_command("script -q -e -c " + shell_quote(cmd) + " /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex(R"((\d+\.\d)/(\d+\.\d) s)"))) << r.output;
  double total = std::stod(m[2]);
  EXPECT_NEAR(total, parla::testing::probe_duration(speech), 0.2);
  EXPECT_EQ(r.output.find("/" + std::to_string(static_cast<long>(total * 16000))), std::string::npos);
}

}  // namespace

namespace {

// "7.10 s" out of a summary line.
double seconds_in(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"((\d+\.\d\d) s)"))) return -1;
  return std::stod(m[1]);
}

TEST(Progress, MotionAndRenderReportTheSameDuration) {
  parla::testing::ScratchDir dir;
  auto raw = dir / "raw.wav", speech = dir / "speech.wav";
  parla::testing::make_speech(raw, "Seven seconds and a tenth of speech, padded with a little quiet at the end.");
  parla::testing::ffmpeg("-i " + shell_quote(raw.string()) + " -af apad -t 7.1 " + shell_quote(speech.string()));
  std::string exe = shell_quote(parla::testing::parla_executable().string());
  auto motion = parla::testing::run_command(exe + " motion " + shell_quote(speech.string()) + " -o " +
                                            shell_quote((dir / "t.json").string()));
  auto render = parla::testing::run_command(exe + " render " +
                                            shell_quote((parla::testing::data_dir() / "sample" / "portrait.png").string()) +
                                            " " + shell_quote(speech.string()) + " --size 256 -o " +
                                            shell_quote((dir / "o.mp4").string()));
  ASSERT_EQ(motion.exit_code, 0) << motion.output;
  ASSERT_EQ(render.exit_code, 0) << render.output;
  EXPECT_NEAR(seconds_in(motion.output), 7.10, 0.005) << motion.output;
  EXPECT_EQ(seconds_in(motion.output), seconds_in(render.output)) << motion.output << render.output;
}

}  // namespace
