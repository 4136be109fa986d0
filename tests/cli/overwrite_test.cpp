// -y / -n like ffmpeg's, on the real binary: -n leaves an existing output untouched
// (exit 2), -y replaces it, a terminal is asked (script(1) gives the binary a pty).
#include <gtest/gtest.h>

#include <fstream>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::shell_quote;

class Overwrite : public ::testing::Test {
 protected:
  void SetUp() override {
    speech = dir / "speech.wav";
    parla::testing::make_speech(speech, "Overwrite me, or not.");
    track = dir / "t.json";
    std::ofstream(track) << "keep me";
  }
  std::string motion_cmd(const std::string& flags) const {
    return shell_quote(parla::testing::parla_executable().string()) + " motion " +
           shell_quote(speech.string()) + " -o " + shell_quote(track.string()) + " " + flags;
  }
  std::string content() const { return parla::read_text_file(track); }

  parla::testing::ScratchDir dir;
  fs::path speech, track;
};

TEST_F(Overwrite, NeverKeepsTheFile) {
  auto r = parla::testing::run_command(motion_cmd("-n"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("t.json"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not overwriting"), std::string::npos) << r.output;
  EXPECT_EQ(content(), "keep me");
}

TEST_F(Overwrite, YesReplacesIt) {
  auto r = parla::testing::run_command(motion_cmd("-y"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(content().find("\"channels\""), std::string::npos);
}

TEST_F(Overwrite, ATerminalIsAsked) {
  auto no = parla::testing::run_command("printf 'n\\n' | script -q -e -c " +
                                        shell_quote(motion_cmd("")) + " /dev/null");
  EXPECT_EQ(no.exit_code, 2) << no.output;
  EXPECT_NE(no.output.find("Overwrite? [y/N]"), std::string::npos) << no.output;
  EXPECT_EQ(content(), "keep me");
  auto yes = parla::testing::run_command("printf 'y\\n' | script -q -e -c " +
                                         shell_quote(motion_cmd("")) + " /dev/null");
  EXPECT_EQ(yes.exit_code, 0) << yes.output;
  EXPECT_NE(content().find("\"channels\""), std::string::npos);
}

}  // namespace
