// The plain (LibTorch-free) motion model against the LibTorch one on the shipped
// weights (data/models/base/base.pt): the reader returns every tensor torch::load does,
// bit for bit, and the encoder and denoiser agree within 1e-4 on random inputs, with
// and without a mix of random LoRA sets, scaled per set and per layer.
#include <gtest/gtest.h>

#include <cstring>

#include "experts/experts.h"
#include "tests/support/testing.h"

namespace {
namespace experts = parla::experts;

std::filesystem::path base_weights() {
  return parla::testing::data_dir() / "models" / "base" / "base.pt";
}

float max_abs_diff(const torch::Tensor& expected, const std::vector<float>& actual) {
  torch::Tensor a = torch::from_blob(const_cast<float*>(actual.data()),
                                     {static_cast<int64_t>(actual.size())});
  return (expected.reshape({-1}) - a).abs().max().item<float>();
}

class PlainModelVsTorch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    torch_model_ = new experts::MotionModel(experts::load_model(base_weights()));
    plain_model_ = new experts::PlainModel(base_weights());
  }
  static void TearDownTestSuite() {
    delete torch_model_;
    delete plain_model_;
  }

  // Random normalised features [4T, F], motion [T, 20], roles and the torch tokens.
  struct Window {
    torch::Tensor features, x, roles, tokens;
    std::vector<experts::Role> plain_roles;
  };
  static Window window(int frames, std::uint64_t seed) {
    torch::manual_seed(seed);
    Window w;
    w.features = torch::randn({1, frames * experts::kFeaturesPerMotionFrame, experts::kFeatureDims});
    w.x = torch::randn({1, frames, parla::kChannelCount});
    w.roles = torch::full({1, frames}, static_cast<int64_t>(experts::Role::Noisy), torch::kInt64);
    for (int p = 0; p < std::min(frames, experts::kPrefixFrames); ++p) {
      w.roles[0][p] = static_cast<int64_t>(p < 3 ? experts::Role::Missing : experts::Role::Prefix);
    }
    for (int p = 0; p < frames; ++p) {
      w.plain_roles.push_back(static_cast<experts::Role>(w.roles[0][p].item<int64_t>()));
    }
    c10::InferenceMode inference;
    w.tokens = (*torch_model_)->encode(w.features);
    return w;
  }
  static std::vector<float> plain_denoise(const Window& w, float t,
                                          const experts::PlainLoraMix* mix) {
    const int frames = static_cast<int>(w.x.size(1));
    std::vector<float> v(frames * parla::kChannelCount);
    plain_model_->denoise(w.x.data_ptr<float>(), w.plain_roles.data(), w.tokens.data_ptr<float>(),
                          frames, t, mix, v.data());
    return v;
  }

  static experts::MotionModel* torch_model_;
  static experts::PlainModel* plain_model_;
};
experts::MotionModel* PlainModelVsTorch::torch_model_ = nullptr;
experts::PlainModel* PlainModelVsTorch::plain_model_ = nullptr;

TEST_F(PlainModelVsTorch, ReaderGivesExactlyWhatTorchLoads) {
  experts::TensorMap tensors = experts::read_tensor_file(base_weights());
  std::size_t count = 0;
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    ++count;
    ASSERT_TRUE(tensors.count(name)) << name;
    const experts::TensorData& d = tensors.at(name);
    ASSERT_EQ(d.shape, t.sizes().vec()) << name;
    torch::Tensor c = t.contiguous();
    if (t.scalar_type() == torch::kInt64) {
      EXPECT_EQ(0, std::memcmp(d.ints.data(), c.data_ptr<std::int64_t>(), 8 * c.numel())) << name;
    } else {
      ASSERT_EQ(t.scalar_type(), torch::kFloat32) << name;
      EXPECT_EQ(0, std::memcmp(d.floats.data(), c.data_ptr<float>(), 4 * c.numel())) << name;
    }
  };
  for (const auto& p : (*torch_model_)->named_parameters()) check(p.key(), p.value());
  for (const auto& b : (*torch_model_)->named_buffers()) check(b.key(), b.value());
  EXPECT_EQ(tensors.size(), count);
  EXPECT_GT(count, 60u);
  EXPECT_EQ(plain_model_->config().d_model, (*torch_model_)->config().d_model);
  EXPECT_EQ(plain_model_->config().layers, (*torch_model_)->config().layers);
}

TEST_F(PlainModelVsTorch, NormalisationMatches) {
  torch::manual_seed(1);
  torch::Tensor raw = torch::randn({7, experts::kFeatureDims}) * 5;
  std::vector<float> plain(raw.data_ptr<float>(), raw.data_ptr<float>() + raw.numel());
  plain_model_->normalize_features(plain.data(), 7);
  EXPECT_LT(max_abs_diff((*torch_model_)->normalize_features(raw), plain), 1e-5f);
  torch::Tensor motion = torch::randn({5, parla::kChannelCount});
  std::vector<float> m(motion.data_ptr<float>(), motion.data_ptr<float>() + motion.numel());
  plain_model_->denormalize_motion(m.data(), 5);
  EXPECT_LT(max_abs_diff((*torch_model_)->denormalize_motion(motion), m), 1e-5f);
}

TEST_F(PlainModelVsTorch, EncoderMatches) {
  for (int frames : {60, 13, 1}) {
    Window w = window(frames, 10 + frames);
    std::vector<float> tokens(frames * plain_model_->config().d_model);
    plain_model_->encode(w.features.data_ptr<float>(), frames, tokens.data());
    float diff = max_abs_diff(w.tokens, tokens);
    EXPECT_LT(diff, 1e-4f) << frames << " frames";
    EXPECT_GT(w.tokens.abs().max().item<float>(), 0.1f);  // not trivially zero
  }
}

TEST_F(PlainModelVsTorch, DenoiserMatches) {
  for (int frames : {60, 23}) {
    Window w = window(frames, 30 + frames);
    for (float t : {1.f, 0.5f, 0.137f}) {
      c10::InferenceMode inference;
      torch::Tensor v = (*torch_model_)->denoiser->forward(w.x, w.roles, w.tokens,
                                                           torch::full({1}, t), nullptr);
      float diff = max_abs_diff(v, plain_denoise(w, t, nullptr));
      EXPECT_LT(diff, 1e-4f) << frames << " frames, t " << t;
      EXPECT_GT(v.abs().max().item<float>(), 0.1f);
    }
  }
}

TEST_F(PlainModelVsTorch, DenoiserWithALoraMixMatches) {
  experts::Denoiser denoiser = (*torch_model_)->denoiser;
  experts::LoraSet ls = experts::random_lora_set(denoiser, "ls", /*rank=*/8, /*b_std=*/0.05f, 5);
  experts::LoraSet mn = experts::random_lora_set(denoiser, "mn", /*rank=*/4, /*b_std=*/0.05f, 6);
  experts::PlainLoraSet plain_ls = experts::to_plain(ls), plain_mn = experts::to_plain(mn);
  const std::vector<std::string>& layers = plain_model_->lora_layer_names();
  ASSERT_EQ(layers.size(), denoiser->lora_layers().size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    EXPECT_EQ(layers[l], denoiser->lora_layers()[l]->lora_name());
  }
  Window w = window(60, 77);
  const float t = 0.42f;

  // Uniform scales per set.
  c10::InferenceMode inference;
  experts::LoraMix torch_mix{{&ls, &mn}, {0.7f, -0.4f}};
  torch::Tensor v = denoiser->forward(w.x, w.roles, w.tokens, torch::full({1}, t), &torch_mix);
  torch::Tensor base = denoiser->forward(w.x, w.roles, w.tokens, torch::full({1}, t), nullptr);
  experts::PlainLoraMix mix{{&plain_ls, &plain_mn}, {}};
  for (float s : {0.7f, -0.4f}) mix.scales.insert(mix.scales.end(), layers.size(), s);
  EXPECT_GT((v - base).abs().max().item<float>(), 1e-2f);  // the adapters matter
  EXPECT_LT(max_abs_diff(v, plain_denoise(w, t, &mix)), 1e-4f);

  // Per layer: "ls" on the even LoRA layers only; the torch side drops the others.
  experts::LoraSet ls_even{"ls", {}};
  for (std::size_t l = 0; l < layers.size(); l += 2) ls_even.adapters[layers[l]] = ls.adapters.at(layers[l]);
  experts::LoraMix torch_even{{&ls_even}, {1.3f}};
  torch::Tensor v_even =
      denoiser->forward(w.x, w.roles, w.tokens, torch::full({1}, t), &torch_even);
  experts::PlainLoraMix even{{&plain_ls, &plain_mn}, std::vector<float>(2 * layers.size(), 0.f)};
  for (std::size_t l = 0; l < layers.size(); l += 2) even.scales[l] = 1.3f;
  EXPECT_LT(max_abs_diff(v_even, plain_denoise(w, t, &even)), 1e-4f);
  EXPECT_GT((v_even - v).abs().max().item<float>(), 1e-2f);
}

}  // namespace
