// The MN training negatives (critic/perturb.h) on real motion: the classic generator's
// track for the sample speech with pauses around it. Every perturbation keeps the track's
// shape and ranges, is the same for the same seed, and changes what it claims to.
#include "critic/perturb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "fusion/fusion.h"
#include "tests/support/testing.h"

namespace parla::critic {
namespace {

constexpr int kJaw = index(Channel::JawOpen);
constexpr int kYaw = index(Channel::HeadYaw);
constexpr int kBlinkL = index(Channel::EyeBlinkLeft);

// 1.5 s of silence, the sample sentence (8.3 s), 2.5 s of silence: motion and per-frame
// speech flags (a motion frame is speech when any of its four feature frames is).
struct Clip {
  MotionTrack track;
  std::vector<char> speech;  // char, not bool: std::vector<bool> has no span
  std::span<const bool> speech_span() const {
    return {reinterpret_cast<const bool*>(speech.data()), speech.size()};
  }
};

const Clip& clip() {
  static const Clip c = [] {
    std::vector<float> speech = audio::decode_audio(testing::data_dir() / "sample" / "speech.flac");
    std::vector<float> pcm(static_cast<size_t>(1.5 * audio::kSampleRate), 0.f);
    pcm.insert(pcm.end(), speech.begin(), speech.end());
    pcm.resize(pcm.size() + static_cast<size_t>(2.5 * audio::kSampleRate), 0.f);
    audio::Features features = audio::compute_features(pcm);
    auto generator = fusion::make_generator("classic", {.seed = 3});
    Clip out;
    out.track = fusion::generate_motion(features.frames, *generator);
    out.speech.assign(out.track.frames.size(), 0);
    for (size_t i = 0; i < features.frames.size(); ++i) {
      if (features.frames[i].speech && i / 4 < out.speech.size()) out.speech[i / 4] = 1;
    }
    return out;
  }();
  return c;
}

std::vector<Perturbation> all_perturbations() {
  std::vector<Perturbation> v;
  for (int i = 0; i < kPerturbationCount; ++i) v.push_back(static_cast<Perturbation>(i));
  return v;
}

MotionTrack perturb(Perturbation p, std::uint64_t seed = 1, const MotionTrack* other = nullptr) {
  return perturb_motion(clip().track, p, clip().speech_span(), other, seed);
}

std::vector<float> channel(const MotionTrack& t, int c) {
  std::vector<float> v;
  for (const auto& f : t.frames) v.push_back(f[c]);
  return v;
}
double mean(const std::vector<float>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}
double stddev(const std::vector<float>& v) {
  double m = mean(v), s = 0;
  for (float x : v) s += (x - m) * (x - m);
  return std::sqrt(s / v.size());
}
// Mean absolute frame-to-frame step.
double mean_step(const std::vector<float>& v) {
  double s = 0;
  for (size_t i = 1; i < v.size(); ++i) s += std::abs(v[i] - v[i - 1]);
  return s / (v.size() - 1);
}
// Energy of the second difference: what a low-pass removes first.
double high_frequency(const std::vector<float>& v) {
  double s = 0;
  for (size_t i = 2; i < v.size(); ++i) s += std::pow(v[i] - 2 * v[i - 1] + v[i - 2], 2);
  return s;
}
// Blinks a minute: rising crossings of 0.5 on the left lid.
double blinks_per_minute(const MotionTrack& t) {
  int count = 0;
  for (size_t i = 1; i < t.frames.size(); ++i) {
    count += t.frames[i - 1][kBlinkL] < 0.5f && t.frames[i][kBlinkL] >= 0.5f;
  }
  return count / (t.duration_seconds() / 60.0);
}

TEST(Perturb, TheFixtureIsRealSpeechWithPausesAndBlinks) {
  const Clip& c = clip();
  ASSERT_GT(c.track.duration_seconds(), 11.0);
  int silent = static_cast<int>(std::count(c.speech.begin(), c.speech.end(), 0));
  EXPECT_GT(silent, 50);
  EXPECT_LT(silent, static_cast<int>(c.speech.size()) - 100);
  EXPECT_GT(blinks_per_minute(c.track), 0.0);
}

TEST(Perturb, KeepsLengthRangesAndIsDeterministic) {
  for (Perturbation p : all_perturbations()) {
    SCOPED_TRACE(std::string(perturbation_name(p)));
    MotionTrack a = perturb(p, 7), b = perturb(p, 7);
    ASSERT_EQ(a.frames.size(), clip().track.frames.size());
    EXPECT_EQ(a.fps, clip().track.fps);
    EXPECT_EQ(a.frames, b.frames);
    EXPECT_NE(a.frames, clip().track.frames);
    for (const auto& f : a.frames) {
      for (int c = 0; c < kChannelCount; ++c) {
        ASSERT_GE(f[c], channel_table()[c].min) << channel_table()[c].name;
        ASSERT_LE(f[c], channel_table()[c].max) << channel_table()[c].name;
      }
    }
  }
}

TEST(Perturb, SeedsPickDifferentPlaces) {
  for (Perturbation p :
       {Perturbation::Jitter, Perturbation::Freeze, Perturbation::Loop, Perturbation::Swap,
        Perturbation::MouthInSilence, Perturbation::BlinkStorm}) {
    EXPECT_NE(perturb(p, 1).frames, perturb(p, 2).frames) << perturbation_name(p);
  }
}

TEST(Perturb, JitterShakesEveryGroup) {
  MotionTrack out = perturb(Perturbation::Jitter);
  for (Channel c : {Channel::JawOpen, Channel::EyeLookX, Channel::BrowInnerUp, Channel::HeadYaw,
                    Channel::HeadPitch, Channel::HeadX}) {
    int i = index(c);
    // The jaw already moves a lot from frame to frame in speech; the rest barely does.
    double factor = c == Channel::JawOpen ? 1.5 : 2.0;
    EXPECT_GT(mean_step(channel(out, i)), factor * mean_step(channel(clip().track, i)))
        << channel_info(c).name;
  }
}

TEST(Perturb, FreezeHoldsEveryChannelForASecondOrMore) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    MotionTrack out = perturb(Perturbation::Freeze, seed);
    int run = 1, longest = 1;
    for (size_t i = 1; i < out.frames.size(); ++i) {
      run = out.frames[i] == out.frames[i - 1] ? run + 1 : 1;
      longest = std::max(longest, run);
    }
    EXPECT_GE(longest, 25) << "seed " << seed;
  }
}

TEST(Perturb, OverSmoothingRemovesArticulation) {
  MotionTrack out = perturb(Perturbation::OverSmooth);
  for (int c : {kJaw, index(Channel::MouthClose), kYaw, index(Channel::HeadPitch)}) {
    // The head is smooth already, the mouth is not.
    double factor = c < kMouthChannelCount ? 0.1 : 0.25;
    EXPECT_LT(high_frequency(channel(out, c)), factor * high_frequency(channel(clip().track, c)))
        << channel_table()[c].name;
  }
  // The jaw no longer closes between syllables: its range within speech shrinks.
  EXPECT_LT(stddev(channel(out, kJaw)), 0.8 * stddev(channel(clip().track, kJaw)));
  EXPECT_EQ(channel(out, kBlinkL), channel(clip().track, kBlinkL));
}

TEST(Perturb, LoopRepeatsAShortStretch) {
  MotionTrack out = perturb(Perturbation::Loop, 4);
  int best = 0;
  for (int period = 10; period <= 20; ++period) {
    int repeats = 0;
    for (size_t i = 0; i + period < out.frames.size(); ++i) {
      repeats += out.frames[i] == out.frames[i + period];
    }
    best = std::max(best, repeats);
  }
  EXPECT_GE(best, 50);  // ≥ 2 s of frames equal to the frame one period later
}

TEST(Perturb, AmplifyAndDampenScaleTheDeviations) {
  MotionTrack amp = perturb(Perturbation::Amplify), damp = perturb(Perturbation::Dampen);
  for (int c : {kYaw, index(Channel::HeadPitch), index(Channel::BrowInnerUp), kJaw}) {
    double sd = stddev(channel(clip().track, c));
    SCOPED_TRACE(std::string(channel_table()[c].name));
    EXPECT_GT(stddev(channel(amp, c)), 1.6 * sd);  // ×2..3 less what clamping cuts
    EXPECT_GT(stddev(channel(damp, c)), 0.19 * sd);
    EXPECT_LT(stddev(channel(damp, c)), 0.41 * sd);
    EXPECT_NEAR(mean(channel(damp, c)), mean(channel(clip().track, c)), 1e-3);
  }
}

TEST(Perturb, ReverseRunsBackwards) {
  MotionTrack out = perturb(Perturbation::Reverse);
  const auto& in = clip().track.frames;
  for (size_t i = 0; i < in.size(); ++i) ASSERT_EQ(out.frames[i], in[in.size() - 1 - i]);
}

TEST(Perturb, SwapTakesTheOtherClipsMotion) {
  // The other clip: the same speech, generated with another seed and played backwards.
  MotionTrack other = perturb(Perturbation::Reverse);
  other.frames.resize(other.frames.size() + 40, other.frames.back());
  MotionTrack out = perturb(Perturbation::Swap, 1, &other);
  auto it =
      std::search(other.frames.begin(), other.frames.end(), out.frames.begin(), out.frames.end());
  EXPECT_NE(it, other.frames.end());
  // A shorter other clip is played forwards and backwards to fill the length.
  MotionTrack short_other;
  short_other.frames.assign(other.frames.begin(), other.frames.begin() + 60);
  MotionTrack filled = perturb(Perturbation::Swap, 1, &short_other);
  EXPECT_EQ(filled.frames[0], short_other.frames[0]);
  EXPECT_EQ(filled.frames[60], short_other.frames[58]);
  // Without one: the clip's own frames, out of time.
  MotionTrack self = perturb(Perturbation::Swap, 1);
  EXPECT_NEAR(mean(channel(self, kJaw)), mean(channel(clip().track, kJaw)), 1e-4);
  EXPECT_NE(self.frames, clip().track.frames);
}

TEST(Perturb, MouthMovesInSilenceOnly) {
  MotionTrack out = perturb(Perturbation::MouthInSilence);
  const Clip& c = clip();
  std::vector<float> before_silent, after_silent;
  for (size_t i = 0; i < c.speech.size(); ++i) {
    if (c.speech[i]) {
      ASSERT_EQ(out.frames[i], c.track.frames[i]) << "speech frame " << i;
    } else {
      before_silent.push_back(c.track.frames[i][kJaw]);
      after_silent.push_back(out.frames[i][kJaw]);
    }
  }
  EXPECT_GT(mean(after_silent), mean(before_silent) + 0.08);
  EXPECT_GT(stddev(after_silent), 0.08);
  EXPECT_GT(mean_step(after_silent), 3 * mean_step(before_silent) + 0.02);
}

TEST(Perturb, NoBlinksHoldsTheLidsOpen) {
  std::vector<float> lid = channel(clip().track, kBlinkL);
  ASSERT_GT(*std::max_element(lid.begin(), lid.end()), 0.5f);
  MotionTrack out = perturb(Perturbation::NoBlinks);
  for (int c : {kBlinkL, index(Channel::EyeBlinkRight)}) {
    std::vector<float> v = channel(out, c);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), 0.2f);
  }
  EXPECT_EQ(blinks_per_minute(out), 0.0);
}

TEST(Perturb, BlinkStormBlinksAtLeastOnceASecond) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    MotionTrack out = perturb(Perturbation::BlinkStorm, seed);
    EXPECT_GE(blinks_per_minute(out), 60.0) << "seed " << seed;
    EXPECT_LE(blinks_per_minute(out), 130.0) << "seed " << seed;
  }
}

TEST(Perturb, NamesAreDistinct) {
  std::vector<std::string> names;
  for (Perturbation p : all_perturbations()) names.emplace_back(perturbation_name(p));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
}

}  // namespace
}  // namespace parla::critic
