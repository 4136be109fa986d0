// The real-speech metric on real clips: two realtalk clips tracked into labels (a held-out
// speaker's and a training speaker's), the cache, the speaker mapping, and the shipped
// learned generator and the energy baseline scored against the tracked lips.
#include <gtest/gtest.h>

#include <algorithm>

#include "audio/audio.h"
#include "fusion/fusion.h"
#include "tests/train/realtalk_support.h"
#include "train/train.h"

namespace parla::train {
namespace {

using testing::kTrainClip;
using testing::kValClip;

std::vector<float> learned_jaw(const RealLabels& clip) {
  auto gen = fusion::make_generator("learned");
  MotionTrack track = fusion::generate_motion(audio::compute_features(clip.pcm).frames, *gen);
  std::vector<float> jaw;
  for (const auto& f : track.frames) jaw.push_back(f[index(Channel::JawOpen)]);
  return jaw;
}

TEST(RealSpeech, TrackedLabelsAndTheMetricOnTwoRealClips) {
  parla::testing::ScratchDir dir;
  testing::make_realtalk_subset(dir / "realtalk", {kValClip, kTrainClip});
  std::vector<RealLabels> clips = real_labels(dir / "realtalk", dir / "labels.bin");
  ASSERT_EQ(clips.size(), 2u);
  EXPECT_EQ(clips[0].file, kValClip);
  EXPECT_EQ(clips[0].split, Split::Val);
  EXPECT_EQ(clips[1].split, Split::Train);
  for (const RealLabels& c : clips) {
    EXPECT_NEAR(c.frames(), c.pcm.size() / 640.0, 2.0);
    const auto confident = std::count_if(c.confidence.begin(), c.confidence.end(),
                                         [](float v) { return v >= kRealMinConfidence; });
    EXPECT_GT(confident, 0.4 * c.frames()) << c.file;  // E3: 46 % (a turned face in places)
    // One clip per speaker: its speech-frame median maps onto the synthetic median.
    std::vector<float> speech;
    for (size_t k = 0; k < c.jaw.size(); ++k) {
      EXPECT_GE(c.jaw[k], 0.f);
      EXPECT_LE(c.jaw[k], 1.f);
      if (c.speech[k] && c.confidence[k] >= kRealMinConfidence) speech.push_back(c.jaw[k]);
    }
    std::sort(speech.begin(), speech.end());
    EXPECT_NEAR(speech[(speech.size() - 1) / 2], kSyntheticJawQuantiles[1], 0.02) << c.file;
  }
  // The cache gives the same labels back without tracking.
  std::vector<RealLabels> again = real_labels(dir / "realtalk", dir / "labels.bin");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].jaw, clips[0].jaw);
  EXPECT_EQ(again[1].confidence, clips[1].confidence);

  // The learned generator follows the real lips, the energy baseline less so, and the
  // same prediction shifted by half a second does not.
  RealSpeechScorer learned, energy, shifted;
  for (const RealLabels& c : clips) {
    std::vector<float> jaw = learned_jaw(c);
    learned.add(c, jaw);
    energy.add(c, energy_jaw(c.pcm));
    std::rotate(jaw.begin(), jaw.begin() + 12, jaw.end());
    shifted.add(c, jaw);
  }
  RealSpeechScores l = learned.scores(), e = energy.scores(), s = shifted.scores();
  EXPECT_GT(l.pooled_r, 0.45);
  EXPECT_GT(e.pooled_r, 0.15);
  EXPECT_GT(l.pooled_r, e.pooled_r);
  EXPECT_LT(s.pooled_r, l.pooled_r - 0.3);
  EXPECT_LE(std::abs(l.best_lag_frames), 2);
  EXPECT_GE(l.best_lag_r, l.pooled_r);
  EXPECT_EQ(l.clip_r.size(), 2u);
}

}  // namespace
}  // namespace parla::train
