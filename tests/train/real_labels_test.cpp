// Real-speaker labels without video: the speaker mapping onto the synthetic scale, the
// training versions of a clip (speed stretches the labels, unconfident frames are never
// labels), and the real-speech metric's pooling, lag search and confidence mask.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "train/train.h"

namespace parla::train {
namespace {

// A clip of `frames` motion frames: a noise burst audio, jaw a slow ramp 0..1, a tracking
// gap (confidence 0) over frames [40, 60).
RealLabels ramp_clip(int frames) {
  RealLabels c;
  c.file = "ramp.mp4";
  c.speaker = "test";
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.f, 0.1f);
  c.pcm.resize(static_cast<size_t>(frames) * kSamplesPerMotionFrame);
  for (float& v : c.pcm) v = normal(rng);
  for (int k = 0; k < frames; ++k) {
    c.jaw.push_back(static_cast<float>(k) / static_cast<float>(frames - 1));
    c.raw_jaw.push_back(c.jaw.back());
    c.close.push_back(0);
    c.confidence.push_back(k >= 40 && k < 60 ? 0.f : 0.9f);
    c.speech.push_back(1);
  }
  return c;
}

TEST(RealLabels, SpeakerQuantilesMapOntoTheSyntheticOnes) {
  const std::array<float, 3> wide = {0.1f, 0.4f, 0.8f}, small = {0.02f, 0.1f, 0.2f};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(map_quantiles(wide[i], wide, kSyntheticJawQuantiles), kSyntheticJawQuantiles[i],
                1e-5);
    EXPECT_NEAR(map_quantiles(small[i], small, kSyntheticJawQuantiles), kSyntheticJawQuantiles[i],
                1e-5);
  }
  // Half-way between p50 and p90 of a small mouth means half-way on the synthetic scale.
  EXPECT_NEAR(map_quantiles(0.15f, small, kSyntheticJawQuantiles),
              (kSyntheticJawQuantiles[1] + kSyntheticJawQuantiles[2]) / 2, 1e-5);
  EXPECT_EQ(map_quantiles(-1.f, small, kSyntheticJawQuantiles), 0.f);  // clamped to 0..1
  EXPECT_EQ(map_quantiles(5.f, small, kSyntheticJawQuantiles), 1.f);
  // Monotone.
  float last = -1;
  for (float v = 0; v < 0.3f; v += 0.01f) {
    float m = map_quantiles(v, small, kSyntheticJawQuantiles);
    EXPECT_GE(m, last);
    last = m;
  }
}

// --real-shut-zero: a shut reading maps to 0 whatever the speaker's p10; from p10 up the map
// is the plain one; below it a straight line, monotone, never under 0.
TEST(RealLabels, ShutAtZeroMapKeepsShutLipsShut) {
  const std::array<float, 3> low = {0.02f, 0.3f, 0.6f};  // a speaker whose p10 is nearly shut
  EXPECT_GT(map_quantiles(0.f, low, kSyntheticJawQuantiles), 0.09f);  // the plain map: ajar
  EXPECT_EQ(map_quantiles_shut_at_zero(0.f, low, kSyntheticJawQuantiles), 0.f);
  EXPECT_EQ(map_quantiles_shut_at_zero(-0.5f, low, kSyntheticJawQuantiles), 0.f);
  EXPECT_NEAR(map_quantiles_shut_at_zero(0.01f, low, kSyntheticJawQuantiles),
              kSyntheticJawQuantiles[0] / 2, 1e-6);
  for (float v : {0.02f, 0.1f, 0.3f, 0.45f, 0.9f})
    EXPECT_EQ(map_quantiles_shut_at_zero(v, low, kSyntheticJawQuantiles),
              map_quantiles(v, low, kSyntheticJawQuantiles));
  float last = -1;
  for (float v = 0; v < 0.7f; v += 0.005f) {
    const float m = map_quantiles_shut_at_zero(v, low, kSyntheticJawQuantiles);
    EXPECT_GE(m, last) << v;
    last = m;
  }
}

TEST(RealLabels, CleanVersionKeepsLabelsAndMasksUnconfidentFrames) {
  RealLabels clip = ramp_clip(150);
  RealVariant v = real_variant(clip, 0, 1, {});
  EXPECT_EQ(v.speed, 1.0);
  EXPECT_EQ(v.pcm, clip.pcm);
  ASSERT_EQ(v.jaw.size(), 150u);
  for (int k = 0; k < 150; ++k) {
    EXPECT_NEAR(v.jaw[k], clip.jaw[k], 1e-6);
    // A frame next to the gap counts only if both source frames it reads are confident.
    EXPECT_EQ(v.label[k], k < 40 || k >= 60) << k;
  }
}

TEST(RealLabels, AugmentedVersionsStretchLabelsWithTheSpeed) {
  RealLabels clip = ramp_clip(150);
  bool some_faster = false, some_slower = false;
  for (int version = 1; version <= 6; ++version) {
    RealVariant v = real_variant(clip, version, 100 + version, {});
    EXPECT_GE(v.speed, 0.89);
    EXPECT_LE(v.speed, 1.11);
    some_faster |= v.speed > 1.01, some_slower |= v.speed < 0.99;
    EXPECT_NEAR(static_cast<double>(v.pcm.size()), clip.pcm.size() / v.speed, 2.0);
    ASSERT_EQ(static_cast<int64_t>(v.jaw.size()),
              motion_frames_for(static_cast<int64_t>(v.pcm.size())));
    int gap = 0;
    for (size_t k = 0; k < v.jaw.size(); ++k) {
      const double source = std::min(k * v.speed, 149.0);
      EXPECT_NEAR(v.jaw[k], source / 149.0, 1e-3) << "version " << version << " frame " << k;
      // Frames reading the tracking gap are never labels; every other frame is.
      const bool in_gap = source > 39.0 && source < 60.0;
      EXPECT_EQ(v.label[k], !in_gap) << "version " << version << " frame " << k;
      gap += !v.label[k];
    }
    EXPECT_NEAR(gap, 21 / v.speed, 2.0);
  }
  EXPECT_TRUE(some_faster);
  EXPECT_TRUE(some_slower);
}

TEST(RealLabels, ClipsReadOutOfSyncHaveTheirLabelsMovedOntoTheAudio) {
  RealLabels clip = ramp_clip(150);
  // Within the sync head's tolerance: the clip as it is.
  clip.av_offset = -1;
  RealLabels same = sync_corrected(clip);
  EXPECT_EQ(same.jaw, clip.jaw);
  EXPECT_EQ(same.confidence, clip.confidence);
  EXPECT_EQ(same.av_offset, -1);
  // The sound 3 frames late: what is heard at frame k was seen at frame k - 3.
  clip.av_offset = -3;
  RealLabels late = sync_corrected(clip);
  EXPECT_EQ(late.av_offset, 0);
  EXPECT_EQ(late.pcm, clip.pcm);
  EXPECT_EQ(late.speech, clip.speech);
  ASSERT_EQ(late.frames(), 150);
  for (int k = 0; k < 150; ++k) {
    if (k < 3) {
      EXPECT_LT(late.confidence[k], kRealMinConfidence) << k;  // seen before the video began
      continue;
    }
    EXPECT_EQ(late.jaw[k], clip.jaw[k - 3]) << k;
    EXPECT_EQ(late.raw_jaw[k], clip.raw_jaw[k - 3]) << k;
    EXPECT_EQ(late.confidence[k], clip.confidence[k - 3]) << k;
  }
  // The sound 2 frames early: frames seen after the video ended carry no label.
  clip.av_offset = 2;
  RealLabels early = sync_corrected(clip);
  for (int k = 0; k < 148; ++k) EXPECT_EQ(early.jaw[k], clip.jaw[k + 2]) << k;
  EXPECT_LT(early.confidence[148], kRealMinConfidence);
  EXPECT_LT(early.confidence[149], kRealMinConfidence);
}

TEST(RealSpeechScorer, PerfectDelayedAndMaskedPredictions) {
  RealLabels clip = ramp_clip(200);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  for (float& v : clip.jaw) v = uniform(rng);  // white labels: r drops to ~0 off the right lag
  // The prediction is the label three frames late, with garbage where tracking failed.
  std::vector<float> late(200, 0.f);
  for (int k = 0; k < 200; ++k) late[k] = k >= 3 ? clip.jaw[k - 3] : 0.5f;
  for (int k = 40; k < 60; ++k) clip.jaw[k] = 1.f - late[k];  // unconfident: must not count
  RealSpeechScorer scorer;
  scorer.add(clip, late);
  scorer.add(clip, late);
  RealSpeechScores s = scorer.scores();
  EXPECT_EQ(s.clips, 2);
  EXPECT_EQ(s.best_lag_frames, 3);
  EXPECT_GT(s.best_lag_r, 0.999);
  EXPECT_LT(std::abs(s.pooled_r), 0.3);
  EXPECT_EQ(s.lag_r.size(), 2u * kRealMaxLagFrames + 1);
  EXPECT_EQ(s.frames, 2 * 180);  // 20 unconfident frames per clip left out

  RealSpeechScorer exact;
  std::vector<float> same = clip.jaw;
  for (int k = 40; k < 60; ++k) same[k] = 0;  // differs only where tracking failed
  exact.add(clip, same);
  RealSpeechScores e = exact.scores();
  EXPECT_GT(e.pooled_r, 0.999);
  EXPECT_GT(e.median_clip_r, 0.999);
  EXPECT_EQ(e.best_lag_frames, 0);
  EXPECT_NEAR(e.spread, 1.0, 1e-6);

  // Lips that move half as much as the tracked ones: r cannot see it, the spread does.
  RealSpeechScorer half;
  std::vector<float> halved = same;
  for (float& v : halved) v = 0.1f + 0.5f * v;
  half.add(clip, halved);
  RealSpeechScores h = half.scores();
  EXPECT_GT(h.pooled_r, 0.999);
  EXPECT_NEAR(h.spread, 0.5, 1e-4);
}

TEST(RealSpeechScorer, EnergyBaselineFollowsLoudness) {
  std::vector<float> pcm(static_cast<size_t>(4 * kSampleRate), 0.f);
  std::mt19937 rng(9);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (size_t i = 0; i < pcm.size(); ++i) {  // 0.5 s bursts: loud, silent, quiet, ...
    const int segment = static_cast<int>(i / (kSampleRate / 2));
    const float level = segment % 2 ? 0.0005f : (segment % 4 == 0 ? 0.3f : 0.03f);
    pcm[i] = level * normal(rng);
  }
  std::vector<float> jaw = energy_jaw(pcm);
  ASSERT_EQ(jaw.size(), 100u);
  for (float v : jaw) {
    EXPECT_GE(v, 0.f);
    EXPECT_LE(v, 1.f);
  }
  EXPECT_GT(jaw[6], 0.9f);             // loud
  EXPECT_LT(jaw[18], 0.1f);            // silent
  EXPECT_GT(jaw[31], jaw[18] + 0.3f);  // quiet speech above silence
  EXPECT_LT(jaw[31], jaw[6]);
}

}  // namespace
}  // namespace parla::train
