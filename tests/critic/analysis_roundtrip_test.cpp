// The round trip the critic is calibrated on: a known MotionTrack rendered by Parla's own
// rig on each shared portrait, tracked back by FaceTracker and estimate_motion. jawOpen
// must read back with Pearson r >= 0.9 and a slope within 30 % of 1 on every portrait
// (docs/critic.md "Video analysis: landmarks → channels" lists the figures).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "critic/critic.h"
#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::critic {
namespace {

namespace fs = std::filesystem;

constexpr int kFrames = 150;

// Smooth Gaussian noise (a moving sum of `width` neighbours each side), unit-ish spread.
std::vector<float> smooth_noise(std::mt19937& rng, int width) {
  std::normal_distribution<float> normal;
  std::vector<float> raw(kFrames), out(kFrames);
  for (float& v : raw) v = normal(rng);
  for (int i = 0; i < kFrames; ++i) {
    float sum = 0;
    int count = 0;
    for (int k = -width; k <= width; ++k) {
      if (i + k >= 0 && i + k < kFrames) sum += raw[i + k], ++count;
    }
    out[i] = sum / std::sqrt(static_cast<float>(count));
  }
  return out;
}

// Speech-like mouth (jaw 0..0.9 at syllable rate, lips pressed when nearly shut),
// blinks, and a moderate head motion.
MotionTrack known_track() {
  std::mt19937 rng(11);
  const auto jaw = smooth_noise(rng, 2), press = smooth_noise(rng, 1), blink = smooth_noise(rng, 1);
  const auto yaw = smooth_noise(rng, 6), pitch = smooth_noise(rng, 6), roll = smooth_noise(rng, 6);
  MotionTrack track;
  track.frames.assign(kFrames, neutral_frame());
  for (int i = 0; i < kFrames; ++i) {
    MotionFrame& f = track.frames[i];
    const float j = std::clamp(0.25f + 0.25f * jaw[i], 0.f, 0.9f);
    f[index(Channel::JawOpen)] = j;
    f[index(Channel::MouthClose)] = j < 0.12f ? std::clamp(0.5f + 0.5f * press[i], 0.f, 1.f) : 0.f;
    const float b = blink[i] > 1.3f ? 1.f : 0.f;
    f[index(Channel::EyeBlinkLeft)] = f[index(Channel::EyeBlinkRight)] = b;
    f[index(Channel::HeadYaw)] = 0.08f * yaw[i];
    f[index(Channel::HeadPitch)] = 0.05f * pitch[i];
    f[index(Channel::HeadRoll)] = 0.04f * roll[i];
  }
  return track;
}

struct Fit {
  double r = 0, slope = 0;
};
// Pearson r and the least-squares slope of `estimate` on `truth`.
Fit compare(const MotionTrack& truth, const MotionTrack& estimate, Channel c) {
  double mt = 0, me = 0;
  const int n = static_cast<int>(std::min(truth.frames.size(), estimate.frames.size()));
  for (int i = 0; i < n; ++i) mt += truth.value(i, c), me += estimate.value(i, c);
  mt /= n, me /= n;
  double ste = 0, stt = 0, see = 0;
  for (int i = 0; i < n; ++i) {
    const double t = truth.value(i, c) - mt, e = estimate.value(i, c) - me;
    ste += t * e, stt += t * t, see += e * e;
  }
  return {ste / std::sqrt(std::max(1e-12, stt * see)), ste / std::max(1e-12, stt)};
}

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, RenderedTrackReadsBack) {
  const fs::path path = GetParam() == "portrait.png"
                            ? testing::data_dir() / "sample" / "portrait.png"
                            : testing::shared_media_dir() / "portraits" / GetParam();
  const Image portrait = video::load_image(path);
  video::Rig rig(portrait, video::fit_face(portrait, path.string()));
  video::Renderer renderer(rig, {.framing = video::Framing::Crop, .size = 256, .threads = 1});
  const MotionTrack truth = known_track();
  FaceTracker tracker({.keep_crops = false});
  std::vector<FaceObservation> observations;
  for (const MotionFrame& frame : truth.frames)
    observations.push_back(tracker.observe(renderer.render(frame)));
  for (const FaceObservation& o : observations) ASSERT_TRUE(o.found);
  const MotionTrack estimate = estimate_motion(observations, kMotionFps);
  ASSERT_EQ(estimate.frame_count(), kFrames);

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
