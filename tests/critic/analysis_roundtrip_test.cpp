// The round trip the critic is calibrated on (tests/critic/round_trip.h) on each shared
// portrait: jawOpen must read back with Pearson r >= 0.9 and a slope within 30 % of 1
// on every portrait (docs/critic.md "Video analysis: landmarks → channels" lists the
// figures). `rig_gallery roundtrip` reads back other tracks too.
#include <gtest/gtest.h>

#include <string>

#include "tests/critic/round_trip.h"
#include "tests/support/testing.h"

namespace parla::critic {
namespace {

namespace fs = std::filesystem;
using testing::compare;
using testing::Fit;

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, RenderedTrackReadsBack) {
  const fs::path path = GetParam() == "portrait.png"
                            ? testing::data_dir() / "sample" / "portrait.png"
                            : testing::shared_media_dir() / "portraits" / GetParam();
  const Image portrait = video::load_image(path);
  video::Rig rig(portrait, video::fit_face(portrait, path.string()));
  const MotionTrack truth = testing::known_track();
  const MotionTrack estimate = testing::read_back(rig, truth);
  ASSERT_EQ(estimate.frame_count(), testing::kRoundTripFrames) << "the face was lost on a frame";

  const Fit jaw = compare(truth, estimate, Channel::JawOpen);
  std::printf("%s: jawOpen r %.3f slope %.3f\n", GetParam().c_str(), jaw.r, jaw.slope);
  EXPECT_GE(jaw.r, 0.9);
  EXPECT_NEAR(jaw.slope, 1.0, 0.3);
  const Fit close = compare(truth, estimate, Channel::MouthClose);
  std::printf("%s: mouthClose r %.3f slope %.3f\n", GetParam().c_str(), close.r, close.slope);
  EXPECT_GT(close.r, 0.3);
  // Head angles: same signs and about the same size.
  for (Channel c : {Channel::HeadYaw, Channel::HeadRoll, Channel::HeadPitch}) {
    const Fit head = compare(truth, estimate, c);
    std::printf("%s: %s r %.3f slope %.3f\n", GetParam().c_str(),
                std::string(channel_info(c).name).c_str(), head.r, head.slope);
    EXPECT_GT(head.r, c == Channel::HeadPitch ? 0.6 : 0.9);
    EXPECT_GT(head.slope, c == Channel::HeadPitch ? 0.3 : 0.6);
    EXPECT_LT(head.slope, 1.6);
  }
  // Blinks, except on the Mona Lisa: dlib's lid points do not follow her painted lids.
  // Both eyes blink together in the track; the two eyes' estimates are averaged (on the
  // 256 px crop an eye is ~10 px wide, and one eye's lid points alone are noisy).
  if (GetParam() != "mona_lisa.jpg") {
    MotionTrack both = estimate;
    for (MotionFrame& f : both.frames) {
      f[index(Channel::EyeBlinkLeft)] =
          0.5f * (f[index(Channel::EyeBlinkLeft)] + f[index(Channel::EyeBlinkRight)]);
    }
    const Fit blink = compare(truth, both, Channel::EyeBlinkLeft);
    std::printf("%s: eyeBlink (both eyes) r %.3f slope %.3f\n", GetParam().c_str(), blink.r, blink.slope);
    EXPECT_GT(blink.r, 0.6);
  }
}

INSTANTIATE_TEST_SUITE_P(Portraits, RoundTrip,
                         ::testing::Values("portrait.png", "obama.jpg", "mona_lisa.jpg",
                                           "illustration.png"),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           std::erase(name, '_');
                           return name;
                         });

}  // namespace
}  // namespace parla::critic
