// The round trip the critic is calibrated on: a known MotionTrack rendered by Parla's own
// rig, tracked back by FaceTracker and estimate_motion. Shared by the test
// (analysis_roundtrip_test.cpp, one track) and `rig_gallery roundtrip` (any number of
// tracks: one track's figures move by ±0.02-0.06 from track to track, docs/rig.md).
#pragma once

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "critic/critic.h"
#include "video/video.h"

namespace parla::testing {

constexpr int kRoundTripFrames = 150;

// Smooth Gaussian noise (a moving sum of `width` neighbours each side), unit-ish spread.
inline std::vector<float> smooth_noise(std::mt19937& rng, int width) {
  std::normal_distribution<float> normal;
  std::vector<float> raw(kRoundTripFrames), out(kRoundTripFrames);
  for (float& v : raw) v = normal(rng);
  for (int i = 0; i < kRoundTripFrames; ++i) {
    float sum = 0;
    int count = 0;
    for (int k = -width; k <= width; ++k) {
      if (i + k >= 0 && i + k < kRoundTripFrames) sum += raw[i + k], ++count;
    }
    out[i] = sum / std::sqrt(static_cast<float>(count));
  }
  return out;
}

// Speech-like mouth (jaw 0..0.9 at syllable rate, lips pressed when nearly shut),
// blinks, and a moderate head motion. The test's track is seed 11.
inline MotionTrack known_track(unsigned seed = 11) {
  std::mt19937 rng(seed);
  const auto jaw = smooth_noise(rng, 2), press = smooth_noise(rng, 1), blink = smooth_noise(rng, 1);
  const auto yaw = smooth_noise(rng, 6), pitch = smooth_noise(rng, 6), roll = smooth_noise(rng, 6);
  MotionTrack track;
  track.frames.assign(kRoundTripFrames, neutral_frame());
  for (int i = 0; i < kRoundTripFrames; ++i) {
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

// The track as the critic reads it back from `rig`'s 256² crop (the critic's own
// analysis size); empty where FaceTracker lost the face on any frame.
inline MotionTrack read_back(const video::Rig& rig, const MotionTrack& truth) {
  video::Renderer renderer(rig, {.framing = video::Framing::Crop, .size = 256, .threads = 1});
  critic::FaceTracker tracker({.keep_crops = false});
  std::vector<critic::FaceObservation> observations;
  for (const MotionFrame& frame : truth.frames) {
    observations.push_back(tracker.observe(renderer.render(frame)));
    if (!observations.back().found) return {};
  }
  return critic::estimate_motion(observations, kMotionFps);
}

struct Fit {
  double r = 0, slope = 0;
};
// Pearson r and the least-squares slope of `estimate` on `truth`, over the pairs both
// have.
inline Fit fit(const std::vector<double>& truth, const std::vector<double>& estimate) {
  const size_t n = std::min(truth.size(), estimate.size());
  if (n == 0) return {};
  double mt = 0, me = 0;
  for (size_t i = 0; i < n; ++i) mt += truth[i], me += estimate[i];
  mt /= static_cast<double>(n), me /= static_cast<double>(n);
  double ste = 0, stt = 0, see = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = truth[i] - mt, e = estimate[i] - me;
    ste += t * e, stt += t * t, see += e * e;
  }
  return {ste / std::sqrt(std::max(1e-12, stt * see)), ste / std::max(1e-12, stt)};
}
// ... of one channel of two tracks, frame by frame.
inline Fit compare(const MotionTrack& truth, const MotionTrack& estimate, Channel c) {
  std::vector<double> t, e;
  const size_t n = std::min(truth.frames.size(), estimate.frames.size());
  for (size_t i = 0; i < n; ++i) {
    t.push_back(truth.value(static_cast<int>(i), c));
    e.push_back(estimate.value(static_cast<int>(i), c));
  }
  return fit(t, e);
}

}  // namespace parla::testing
