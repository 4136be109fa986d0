// A tiny base-model training run on a tiny real corpus: the loss falls, the outputs
// (weights, loss.csv, loss.png) appear, a second run resumes from the checkpoint, and
// the weights drive the learned generator.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "audio/audio.h"
#include "experts/experts.h"
#include "fusion/fusion.h"
#include "tests/support/testing.h"
#include "train/spread_loss.h"
#include "train/train.h"

namespace {
using namespace parla::train;
namespace fs = std::filesystem;

struct Row {
  int step;
  double train_loss, val_loss;
};

std::vector<Row> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    Row r{};
    char comma;
    ss >> r.step >> comma >> r.train_loss >> comma >> r.val_loss;
    rows.push_back(r);
  }
  return rows;
}

// The lips' amplitude term: 0 for an exact prediction and for one that only moves the
// window's mean; (sd/2)² for one at half the label's amplitude; masked frames, other rows
// and channels beyond `channels` do not count.
TEST(BaseTrainer, SpreadLossAsksForTheLabelsAmplitude) {
  const int64_t frames = 40;
  torch::Tensor wave = torch::sin(torch::arange(frames, torch::kFloat32) * 0.5f);  // [N]
  torch::Tensor x0 = torch::zeros({3, frames, 2});
  x0.select(2, 0).copy_(wave.expand({3, frames}));
  x0.select(2, 1).copy_(3 * wave.expand({3, frames}));  // channel 1: left out below
  torch::Tensor mask = torch::ones_like(x0);
  torch::Tensor all = torch::ones({3}, torch::kBool);
  const double sd = std::sqrt(((wave - wave.mean()).pow(2)).mean().item<double>());

  EXPECT_NEAR(window_spread_loss(x0, x0, mask, all, 1).item<double>(), 0, 1e-5);
  EXPECT_NEAR(window_spread_loss(x0 + 0.7, x0, mask, all, 1).item<double>(), 0, 1e-5);
  EXPECT_NEAR(window_spread_loss(x0 * 0.5, x0, mask, all, 1).item<double>(), sd * sd / 4, 1e-4);
  EXPECT_NEAR(window_spread_loss(x0 * 0.5, x0, mask, all, 2).item<double>(),
              (sd * sd / 4 + 9 * sd * sd / 4) / 2, 1e-4);

  // Only row 1 at t = 1, and it predicts exactly: rows 0 and 2 are wrong but not counted.
  torch::Tensor guess = x0 * 0.5;
  guess[1].copy_(x0[1]);
  torch::Tensor row1 = torch::tensor({false, true, false});
  EXPECT_NEAR(window_spread_loss(guess, x0, mask, row1, 1).item<double>(), 0, 1e-5);

  // Frames masked out (a real window's unconfident frames) do not count: a prediction
  // flat there but right elsewhere costs nothing; under 4 frames left, the pair is skipped.
  torch::Tensor partial = x0.clone();
  partial.slice(1, 20).zero_();
  torch::Tensor half_mask = mask.clone();
  half_mask.slice(1, 20).zero_();
  EXPECT_NEAR(window_spread_loss(partial, x0, half_mask, all, 1).item<double>(), 0, 1e-5);
  EXPECT_GT(window_spread_loss(partial, x0, mask, all, 1).item<double>(), 0.01);
  torch::Tensor few = mask.clone();
  few.slice(1, 3).zero_();
  EXPECT_EQ(window_spread_loss(x0 * 0.5, x0, few, all, 1).item<double>(), 0);
}

TEST(BaseTrainer, TinyRunLossFallsWritesOutputsAndResumes) {
  parla::testing::ScratchDir dir;
  CorpusParams corpus;
  corpus.hours = 0.01;  // 36 s of speech
  corpus.seed = 3;
  corpus.shard_minutes = 0.3;
  generate_corpus(corpus, dir / "corpus");

  BaseTrainParams p;
  p.corpus = dir / "corpus";
  p.out_dir = dir / "run";
  p.steps = 60;
  p.batch = 8;
  p.learning_rate = 3e-3;
  p.checkpoint_every = 20;
  p.d_model = 32;
  p.layers = 1;
  p.encoder_channels = 32;
  BaseTrainReport r = train_base(p);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.step, 60);
  std::vector<Row> rows = read_csv(p.out_dir / "loss.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_LT(rows.back().train_loss, rows.front().train_loss);
  EXPECT_LT(rows.back().val_loss, rows.front().val_loss);
  EXPECT_TRUE(fs::exists(p.out_dir / "loss.png"));
  EXPECT_EQ(parla::read_text_file(p.out_dir / "loss.png").substr(1, 3), "PNG");

  p.steps = 80;  // resumes at step 60
  r = train_base(p);
  EXPECT_EQ(r.step, 80);
  rows = read_csv(p.out_dir / "loss.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows.back().step, 80);

  auto gen = parla::fusion::make_generator("learned", {.weights = p.out_dir / "base.pt"});
  std::vector<float> pcm(16000, 0.f);
  parla::MotionTrack t =
      parla::fusion::generate_motion(parla::audio::compute_features(pcm).frames, *gen);
  EXPECT_EQ(t.frame_count(), 25);

  // Fine-tuning from those weights: their config and statistics, not the params'; the
  // weights move; the voice warp, pure-noise windows, closure and spread weights are on.
  BaseTrainParams fine = p;
  fine.out_dir = dir / "fine";
  fine.init = p.out_dir / "base.pt";
  fine.steps = 20;
  fine.d_model = 64;  // ignored: the file's config wins
  fine.warp = 0.15;
  fine.pure_noise_share = 0.5;
  fine.closure_weight = 5;
  fine.spread_weight = 2;
  r = train_base(fine);
  EXPECT_TRUE(r.finished);
  EXPECT_TRUE(std::isfinite(r.val_loss));
  parla::experts::MotionModel before = parla::experts::load_model(fine.init);
  parla::experts::MotionModel after = parla::experts::load_model(fine.out_dir / "base.pt");
  EXPECT_EQ(after->config().d_model, 32);
  EXPECT_TRUE(torch::equal(after->feature_mean(), before->feature_mean()));
  EXPECT_TRUE(torch::equal(after->motion_std(), before->motion_std()));
  double moved = 0;
  auto old_params = before->named_parameters();
  for (const auto& item : after->named_parameters())
    moved += (item.value() - old_params[item.key()]).abs().sum().item<double>();
  EXPECT_GT(moved, 0.0);
}

}  // namespace
