// --jaw-gain, --head-motion, --expression and --blink-rate on the real binary with the
// shipped model: each changes what it names, relative to the same run without it.
#include <gtest/gtest.h>

#include <cmath>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::Channel;
using parla::testing::shell_quote;

class MotionControls : public ::testing::Test {
 protected:
  // The track of the JFK clip (11 s of real speech) with `options`.
  parla::MotionTrack motion(const std::string& options) {
    fs::path out = dir / ("t" + std::to_string(runs++) + ".json");
    auto r = parla::testing::run_command(
        shell_quote(parla::testing::parla_executable().string()) + " motion " +
        shell_quote((parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav").string()) +
        " -o " + shell_quote(out.string()) + " " + options);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return parla::read_motion_track(out);
  }
  static double mean_abs(const parla::MotionTrack& t, Channel c) {
    double sum = 0;
    for (const auto& f : t.frames) sum += std::fabs(f[parla::index(c)]);
    return sum / t.frames.size();
  }
  static int blinks(const parla::MotionTrack& t) {
    int count = 0;
    bool shut = false;
    for (const auto& f : t.frames) {
      bool now = f[parla::index(Channel::EyeBlinkLeft)] > 0.5f;
      count += now && !shut;
      shut = now;
    }
    return count;
  }

  parla::testing::ScratchDir dir;
  int runs = 0;
};

TEST_F(MotionControls, EachGainScalesItsChannels) {
  parla::MotionTrack base = motion("");
  parla::MotionTrack styled = motion("--jaw-gain 0.5 --head-motion 0 --expression 2");
  ASSERT_EQ(base.frame_count(), styled.frame_count());
  EXPECT_NEAR(mean_abs(styled, Channel::JawOpen), 0.5 * mean_abs(base, Channel::JawOpen), 1e-3);
  EXPECT_EQ(mean_abs(styled, Channel::HeadYaw), 0.0);
  EXPECT_EQ(mean_abs(styled, Channel::HeadPitch), 0.0);
  EXPECT_GT(mean_abs(styled, Channel::BrowInnerUp), 1.5 * mean_abs(base, Channel::BrowInnerUp));
  EXPECT_EQ(mean_abs(styled, Channel::MouthClose), mean_abs(base, Channel::MouthClose));
}

TEST_F(MotionControls, BlinkRate) {
  int natural = blinks(motion(""));
  EXPECT_GE(natural, 2);
  EXPECT_EQ(blinks(motion("--blink-rate 0")), 0);
  EXPECT_GT(blinks(motion("--blink-rate 45")), natural);
}

TEST_F(MotionControls, OutOfRangeIsRejected) {
  auto r = parla::testing::run_command(
      shell_quote(parla::testing::parla_executable().string()) + " motion " +
      shell_quote((parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav").string()) + " -o " +
      shell_quote((dir / "t.json").string()) + " --jaw-gain 9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--jaw-gain"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "t.json"));
}

}  // namespace
