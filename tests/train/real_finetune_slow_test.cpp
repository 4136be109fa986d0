// A tiny co-training run on a tiny synthetic corpus plus three real clips: the real
// windows load (training speakers only), the run finishes and the weights drive the
// learned generator; held-out speakers alone are refused.
#include <gtest/gtest.h>

#include "audio/audio.h"
#include "fusion/fusion.h"
#include "tests/train/realtalk_support.h"
#include "train/train.h"

namespace parla::train {
namespace {

namespace fs = std::filesystem;

TEST(RealFineTune, TinyCoTrainingRunWithRealClips) {
  parla::testing::ScratchDir dir;
  CorpusParams corpus;
  corpus.hours = 0.01;
  corpus.seed = 3;
  corpus.shard_minutes = 0.3;
  generate_corpus(corpus, dir / "corpus");
  testing::make_realtalk_subset(
      dir / "realtalk", {testing::kValClip, testing::kTrainClip, "rizkiarm_LipNet__brbk7n.mp4"});

  BaseTrainParams p;
  p.corpus = dir / "corpus";
  p.out_dir = dir / "run";
  p.steps = 30;
  p.batch = 8;
  p.checkpoint_every = 15;
  p.d_model = 32;
  p.layers = 1;
  p.encoder_channels = 32;
  p.realtalk = dir / "realtalk";
  p.real_share = 0.5;
  p.real_variants = 2;
  BaseTrainReport r = train_base(p);
  EXPECT_TRUE(r.finished);
  EXPECT_TRUE(std::isfinite(r.val_loss));
  EXPECT_TRUE(fs::exists(dir / "run" / "cache" / "realtalk-labels.bin"));
  // Trained on the sync-corrected labels by default (train::sync_corrected).
  EXPECT_TRUE(fs::exists(dir / "run" / "cache" / "real-features-v2-s0-sync.pt"));
  // The labels cache holds all three clips; training used the two training speakers'.
  std::vector<RealLabels> labels =
      real_labels(p.realtalk, dir / "run" / "cache" / "realtalk-labels.bin");
  EXPECT_EQ(labels.size(), 3u);

  fusion::GeneratorParams g;
  g.weights = dir / "run" / "base.pt";
  auto gen = fusion::make_generator("learned", g);
  MotionTrack track = fusion::generate_motion(audio::compute_features(labels[1].pcm).frames, *gen);
  EXPECT_EQ(track.frame_count(), motion_frames_for(static_cast<int64_t>(labels[1].pcm.size())));

  // Only a held-out speaker: nothing to train on.
  testing::make_realtalk_subset(dir / "val-only", {testing::kValClip});
  p.realtalk = dir / "val-only";
  p.out_dir = dir / "run2";
  p.real_labels = dir / "val-only-labels.bin";
  EXPECT_THROW(train_base(p), InputError);
}

}  // namespace
}  // namespace parla::train
