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
