// The motion model's modules on random weights: shapes, LoRA hooks (scale 0 is the
// base model, the effect is linear in the scale, names are stable), weight files.
#include <gtest/gtest.h>

#include <cmath>

#include "experts/experts.h"
#include "tests/support/testing.h"

namespace {
namespace experts = parla::experts;

experts::ModelConfig small_config() {
  experts::ModelConfig c;
  c.encoder_channels = 32;
  c.d_model = 32;
  c.layers = 2;
  c.heads = 4;
  c.mlp_hidden = 64;
  c.max_frames = 24;
  return c;
}

struct Inputs {
  torch::Tensor x, roles, tokens, t;
};

Inputs inputs(experts::MotionModel& model, int frames) {
  torch::manual_seed(3);
  torch::Tensor features =
      torch::randn({2, frames * experts::kFeaturesPerMotionFrame, experts::kFeatureDims});
  torch::Tensor roles = torch::zeros({2, frames}, torch::kInt64);
  roles.slice(1, 0, 4).fill_(static_cast<int64_t>(experts::Role::Prefix));
  return {torch::randn({2, frames, parla::kChannelCount}), roles, model->encode(features),
          torch::tensor({0.3f, 0.9f})};
}

// A model whose zero-initialised output layers are randomised, so inputs matter.
experts::MotionModel random_model() {
  torch::manual_seed(1);
  experts::MotionModel model(small_config());
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) {
    if (p.abs().sum().item<float>() == 0.f) p.normal_(0, 0.05);
  }
  model->eval();
  return model;
}

TEST(MotionModel, ShapesAndTokensPerMotionFrame) {
  experts::MotionModel model = random_model();
  Inputs in = inputs(model, 16);
  EXPECT_EQ(in.tokens.sizes(), (std::vector<int64_t>{2, 16, 32}));
  torch::Tensor v = model->denoiser->forward(in.x, in.roles, in.tokens, in.t, nullptr);
  EXPECT_EQ(v.sizes(), (std::vector<int64_t>{2, 16, parla::kChannelCount}));
  EXPECT_TRUE(torch::isfinite(v).all().item<bool>());
}

TEST(MotionModel, LoraScaleZeroIsTheBaseAndTheEffectIsLinear) {
  experts::MotionModel model = random_model();
  Inputs in = inputs(model, 12);
  experts::LoraSet set =
      experts::random_lora_set(model->denoiser, "ls", /*rank=*/4, /*b_std=*/0.05f, /*seed=*/9);
  EXPECT_EQ(set.adapters.size(), 4u * 2u);  // 4 projections × 2 blocks
  EXPECT_TRUE(set.adapters.count("blocks.1.mlp_out"));
  torch::NoGradGuard no_grad;
  torch::Tensor base = model->denoiser->forward(in.x, in.roles, in.tokens, in.t, nullptr);
  experts::LoraMix off{{&set}, {0.f}};
  EXPECT_TRUE(torch::equal(base, model->denoiser->forward(in.x, in.roles, in.tokens, in.t, &off)));
  experts::LoraMix on{{&set}, {1.f}};
  torch::Tensor adapted = model->denoiser->forward(in.x, in.roles, in.tokens, in.t, &on);
  EXPECT_GT((adapted - base).abs().max().item<float>(), 1e-3f);
  // One layer in isolation: the adapter term is exactly scale · B A x.
  experts::LoraLinear layer = model->denoiser->lora_layers()[0];
  torch::Tensor h = torch::randn({3, layer->in_features()});
  experts::LoraMix half{{&set}, {0.5f}};
  torch::Tensor expected =
      layer->linear->forward(h) +
      0.5f * torch::matmul(torch::matmul(h, set.adapters.at(layer->lora_name()).a.t()),
                           set.adapters.at(layer->lora_name()).b.t());
  EXPECT_TRUE(torch::allclose(layer->forward(h, &half), expected, 1e-5, 1e-6));
}

TEST(MotionModel, WeightFileRoundTripKeepsConfigStatisticsAndOutputs) {
  experts::MotionModel model = random_model();
  model->set_statistics(
      torch::full({experts::kFeatureDims}, 2.f), torch::full({experts::kFeatureDims}, 3.f),
      torch::full({parla::kChannelCount}, 0.1f), torch::full({parla::kChannelCount}, 0.5f));
  parla::testing::ScratchDir dir;
  experts::save_model(model, dir / "m.pt");
  experts::MotionModel loaded = experts::load_model(dir / "m.pt");
  EXPECT_EQ(loaded->config().d_model, 32);
  EXPECT_EQ(loaded->config().layers, 2);
  Inputs a = inputs(model, 10), b = inputs(loaded, 10);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(model->denoiser->forward(a.x, a.roles, a.tokens, a.t, nullptr),
                           loaded->denoiser->forward(b.x, b.roles, b.tokens, b.t, nullptr)));
  torch::Tensor m = torch::ones({1, parla::kChannelCount});
  EXPECT_TRUE(
      torch::allclose(loaded->normalize_motion(m), torch::full({1, parla::kChannelCount}, 1.8f)));
  // The same tensors give the same bytes under any name (the archive's inner folder is
  // fixed, not the temporary file's name), so a re-made weight file has the same sha256;
  // and the plain runtime reads it.
  std::filesystem::create_directories(dir / "elsewhere");
  experts::save_model(model, dir / "elsewhere" / "base model.pt");
  EXPECT_EQ(parla::testing::file_bytes(dir / "m.pt"),
            parla::testing::file_bytes(dir / "elsewhere" / "base model.pt"));
  EXPECT_EQ(experts::PlainModel(dir / "elsewhere" / "base model.pt").config().d_model, 32);
}

// WiSE-FT merge (parla train merge): mix 0 and 1 are the inputs exactly, 0.5 the mean of
// every parameter, the statistics are kept; other statistics or a mix outside 0..1 throw.
TEST(MotionModel, InterpolationMixesEveryParameterOfTwoFineTunes) {
  experts::MotionModel a = random_model();
  experts::MotionModel b = random_model();
  {
    torch::NoGradGuard no_grad;
    for (auto& p : b->parameters()) p.add_(torch::randn_like(p) * 0.1);
  }
  auto pa = a->named_parameters(), pb = b->named_parameters();
  experts::MotionModel first = experts::interpolate_models(a, b, 0.0);
  experts::MotionModel second = experts::interpolate_models(a, b, 1.0);
  experts::MotionModel half = experts::interpolate_models(a, b, 0.5);
  int64_t count = 0;
  for (auto& p : half->named_parameters()) {
    EXPECT_TRUE(torch::allclose(p.value(), (pa[p.key()] + pb[p.key()]) / 2, 1e-6, 1e-7)) << p.key();
    EXPECT_TRUE(torch::equal(first->named_parameters()[p.key()], pa[p.key()])) << p.key();
    EXPECT_TRUE(torch::allclose(second->named_parameters()[p.key()], pb[p.key()], 0, 1e-7)) << p.key();
    ++count;
  }
  EXPECT_GT(count, 0);
  EXPECT_EQ(static_cast<size_t>(count), pa.size());
  EXPECT_TRUE(torch::equal(half->motion_std(), a->motion_std()));
  EXPECT_THROW(experts::interpolate_models(a, b, 1.5), parla::InputError);
  b->set_statistics(a->feature_mean(), a->feature_std(), a->motion_mean(), a->motion_std() * 2);
  EXPECT_THROW(experts::interpolate_models(a, b, 0.5), parla::InputError);
}

TEST(MotionModel, LoadingANonModelFileNamesIt) {
  parla::testing::ScratchDir dir;
  parla::write_text_file(dir / "bad.pt", "not a weight file");
  try {
    experts::load_model(dir / "bad.pt");
    FAIL() << "expected InputError";
  } catch (const parla::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.pt"), std::string::npos);
  }
}

}  // namespace

namespace {

// Voice warping for training: a formant moves up the mel axis by the tract factor, voiced
// F0 moves by the F0 factor, unvoiced frames keep F0 0, the other features stay.
TEST(WarpVoice, StretchesTheMelAxisAndScalesVoicedF0) {
  constexpr int kMel = parla::audio::kMelBins;
  torch::Tensor rows = torch::zeros({2, experts::kFeatureDims});
  rows.slice(1, 0, kMel).fill_(-5.f);
  rows[0][30] = 3.f;  // a formant peak at bin 30 in both rows
  rows[1][30] = 3.f;
  rows[0][kMel] = 6.f;                   // energy
  rows[0][kMel + 1] = std::log(0.8f);    // voiced: F0 120 Hz
  rows[0][kMel + 2] = 1.f;               // voicing
  rows[1][kMel + 1] = 0.f;               // unvoiced
  torch::Tensor before = rows.clone();

  experts::warp_voice(rows, 1.1, 1.25);
  EXPECT_EQ(rows[0].slice(0, 0, kMel).argmax().item<int64_t>(), 33);  // 30 · 1.1
  EXPECT_NEAR(rows[0][kMel + 1].item<float>(), std::log(0.8f * 1.25f), 1e-5);
  EXPECT_EQ(rows[1][kMel + 1].item<float>(), 0.f);
  EXPECT_EQ(rows[0][kMel].item<float>(), 6.f);
  EXPECT_EQ(rows[0][kMel + 2].item<float>(), 1.f);
  EXPECT_NEAR(rows[0][79].item<float>(), -5.f, 1e-6);  // the top bin repeats, no wrap-around

  torch::Tensor same = before.clone();
  experts::warp_voice(same, 1.0, 1.0);
  EXPECT_TRUE(torch::allclose(same, before));
}

}  // namespace
