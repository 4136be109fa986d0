// The shipped critic heads (data/models/critic) on MotionTracks, as the experts' ranking
// uses them: the learned generator's track is in sync, a track shifted in time reports
// the shift, perturbations score lower on MN, and a bad weight directory is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "audio/audio.h"
#include "critic/critic.h"
#include "critic/perturb.h"
#include "fusion/fusion.h"
#include "tests/support/testing.h"

namespace {
using namespace parla;

struct Fixture {
  audio::Features features;
  MotionTrack learned, classic;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture x;
    parla::testing::ScratchDir dir;
    parla::testing::make_speech(dir / "s.wav",
                         "Maybe people should put more pepper in the soup, said the cook. Bob bought "
                         "a big blue boat, and we will meet him by the beach at nine.");
    x.features = audio::compute_features(audio::decode_audio(dir / "s.wav"));
    auto learned = fusion::make_generator("learned", {.seed = 3});
    auto classic = fusion::make_generator("classic", {.seed = 3});
    x.learned = fusion::generate_motion(x.features.frames, *learned);
    x.classic = fusion::generate_motion(x.features.frames, *classic);
    return x;
  }();
  return f;
}

critic::Critic& shipped() {
  static critic::Critic c;
  return c;
}

TEST(CriticModel, TheLearnedGeneratorIsInSync) {
  critic::LsResult r = shipped().score_ls(fixture().learned, fixture().features);
  EXPECT_LE(std::abs(r.offset_frames), 1);
  EXPECT_GT(r.confidence, 0.f);
  EXPECT_GT(r.score, 50.f);
  EXPECT_EQ(r.offset_curve.size(), 31u);
  EXPECT_EQ(r.per_second_score.size(), static_cast<size_t>(std::ceil(fixture().learned.duration_seconds())));
}

TEST(CriticModel, AShiftedTrackReportsItsShift) {
  // The picture 5 frames late: the audio leads by 5.
  MotionTrack late = fixture().learned;
  late.frames.insert(late.frames.begin(), 5, late.frames.front());
  late.frames.resize(fixture().learned.frames.size());
  critic::LsResult r = shipped().score_ls(late, fixture().features);
  EXPECT_NEAR(r.offset_frames, 5, 1);
  EXPECT_LT(r.score, shipped().score_ls(fixture().learned, fixture().features).score);
}

TEST(CriticModel, PerturbedMotionScoresLower) {
  const MotionTrack& track = fixture().learned;
  std::unique_ptr<bool[]> flags(new bool[track.frames.size()]);
  for (size_t t = 0; t < track.frames.size(); ++t) {
    bool any = false;
    for (size_t r = 4 * t; r < 4 * t + 4 && r < fixture().features.frames.size(); ++r) {
      any = any || fixture().features.frames[r].speech;
    }
    flags[t] = any;
  }
  const float natural = shipped().score_mn(track, fixture().features).score;
  for (auto p : {critic::Perturbation::Jitter, critic::Perturbation::Freeze, critic::Perturbation::Reverse}) {
    MotionTrack moved = critic::perturb_motion(track, p, std::span<const bool>(flags.get(), track.frames.size()),
                                               nullptr, 11);
    EXPECT_LT(shipped().score_mn(moved, fixture().features).score, natural) << critic::perturbation_name(p);
  }
}

TEST(CriticModel, PreparedAudioGivesTheSameScores) {
  const Fixture& f = fixture();
  critic::ClipAudio audio = shipped().prepare_audio(f.features, f.learned.frame_count());
  for (const MotionTrack* m : {&f.learned, &f.classic}) {
    EXPECT_NEAR(shipped().score_ls(*m, audio).score, shipped().score_ls(*m, f.features).score, 1e-3);
    EXPECT_NEAR(shipped().score_mn(*m, audio).score, shipped().score_mn(*m, f.features).score, 1e-3);
  }
  // The classic generator's lips follow the audio less well.
  EXPECT_LT(shipped().score_ls(f.classic, audio).score, shipped().score_ls(f.learned, audio).score);
  MotionTrack shorter = f.learned;
  shorter.frames.pop_back();
  EXPECT_THROW(shipped().score_ls(shorter, audio), InputError);
}

TEST(CriticModel, ScoresAMotionTrackWithoutPixels) {
  critic::ScoreReport r = shipped().score_motion(fixture().learned, fixture().features, "learned");
  EXPECT_FALSE(r.vq.has_value());
  EXPECT_EQ(r.energy_db.size(), fixture().learned.frames.size());
  EXPECT_GT(r.mn.stats.blinks_per_minute, 0);
  EXPECT_FALSE(r.worst_seconds.empty());
}

TEST(CriticModel, ADirectoryWithoutHeadsIsRefused) {
  parla::testing::ScratchDir dir;
  critic::CriticParams params;
  params.models_dir = dir.path();
  EXPECT_THROW(critic::Critic{params}, InputError);
}

}  // namespace
