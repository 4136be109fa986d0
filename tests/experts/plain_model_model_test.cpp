// The plain (LibTorch-free) motion model against the LibTorch one on the shipped
// weights (data/models/base/base.pt): the reader returns every tensor torch::load does,
// bit for bit, and the encoder and denoiser agree within 1e-4 on random inputs, with
// and without a mix of random LoRA sets, scaled per set and per layer; the TLPO experts'
// files round-trip, and the gate-scaled mix matches the LibTorch denoiser.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
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

// ---------------------------------------------------------------------------------
// TLPO experts: the files written by save_lora_set / save_gate, read by the runtime, and
// the plain mix with per-layer gate scales against Denoiser::forward with layer_scales.

class ExpertFiles : public PlainModelVsTorch {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("parla_expert_files_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ExpertFiles, LoraSetRoundTripsThroughTheRuntimeReader) {
  experts::Denoiser denoiser = (*torch_model_)->denoiser;
  experts::LoraSet mn = experts::random_lora_set(denoiser, "mn", /*rank=*/6, /*b_std=*/0.05f, 11);
  experts::save_lora_set(mn, /*dimension=*/1, dir_ / "mn.pt");
  const experts::ModelConfig& config = (*torch_model_)->config();
  experts::PlainLoraSet read = experts::read_lora_set(dir_ / "mn.pt", config);
  experts::PlainLoraSet expected = experts::to_plain(mn);
  EXPECT_EQ(read.name, "mn");
  ASSERT_EQ(read.adapters.size(), plain_model_->lora_layer_names().size());
  for (const std::string& name : plain_model_->lora_layer_names()) {
    const experts::PlainLora& a = read.adapters.at(name);
    const experts::PlainLora& b = expected.adapters.at(name);
    EXPECT_EQ(a.rank, 6);
    EXPECT_EQ(a.a_t, b.a_t) << name;
    EXPECT_EQ(a.b_t, b.b_t) << name;
  }
  experts::LoraSet back = experts::load_lora_set(dir_ / "mn.pt", config);
  EXPECT_TRUE(torch::equal(back.adapters.at("blocks.2.mlp_in").b, mn.adapters.at("blocks.2.mlp_in").b));

  // Against a model of another width: an InputError naming the file and the tensor.
  experts::ModelConfig wider = config;
  wider.d_model *= 2;
  try {
    experts::read_lora_set(dir_ / "mn.pt", wider);
    FAIL() << "read a set of another shape";
  } catch (const parla::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("mn.pt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("blocks_0_attn_qkv_a"), std::string::npos) << e.what();
  }
  // An expert file under another expert's name.
  std::filesystem::copy_file(dir_ / "mn.pt", dir_ / "ls.pt");
  experts::save_lora_set(mn, 2, dir_ / "vq.pt");
  EXPECT_THROW(experts::ExpertMix(dir_, config, /*with_gate=*/false), parla::InputError);
}

TEST_F(ExpertFiles, GateAndMixMatchTheTorchDenoiser) {
  experts::Denoiser denoiser = (*torch_model_)->denoiser;
  const experts::ModelConfig& config = (*torch_model_)->config();
  std::vector<experts::LoraSet> sets;
  for (int e = 0; e < experts::kExpertCount; ++e) {
    sets.push_back(experts::random_lora_set(denoiser, std::string(experts::kExpertNames[e]),
                                            /*rank=*/4 + 2 * e, /*b_std=*/0.05f, 20 + e));
    experts::save_lora_set(sets[e], e, dir_ / (std::string(experts::kExpertNames[e]) + ".pt"));
  }
  const int layers = static_cast<int>(plain_model_->lora_layer_names().size());
  torch::manual_seed(3);
  experts::ExpertGate gate(experts::ExpertGateOptions{.layers = layers});
  {
    c10::InferenceMode inference;
    EXPECT_TRUE(torch::allclose(gate->forward(torch::tensor({0.3f})), torch::ones({1, 3, layers})));
  }
  {
    torch::NoGradGuard no_grad;  // a gate far from g ≡ 1
    gate->fc2_weight.normal_(0, 1.5);
    gate->fc2_bias.normal_(0, 0.5);
  }
  experts::save_gate(gate, dir_ / "gate.pt");
  EXPECT_TRUE(experts::missing_expert_files(dir_).empty());
  experts::ExpertGate reloaded = experts::load_gate(dir_ / "gate.pt");

  experts::ExpertMix mix(dir_, config, /*with_gate=*/true);
  const std::array<float, 3> scale{1.f, 0.5f, 1.7f};
  Window w = window(60, 91);
  for (float t : {1.f, 0.5f, 0.137f}) {
    c10::InferenceMode inference;
    torch::Tensor g = gate->forward(torch::tensor({t}));  // [1, 3, L]
    EXPECT_TRUE(torch::allclose(g, reloaded->forward(torch::tensor({t}))));
    EXPECT_GT((g - 1).abs().max().item<float>(), 0.2f);  // the layers differ
    experts::PlainLoraMix plain;
    mix.fill(t, experts::ExpertFusionMode::Gate, scale, plain);
    ASSERT_EQ(plain.scales.size(), static_cast<std::size_t>(3 * layers));
    for (int e = 0; e < 3; ++e) {
      for (int l = 0; l < layers; ++l) {
        EXPECT_NEAR(plain.scales[e * layers + l], scale[e] * g[0][e][l].item<float>(), 1e-5f);
      }
    }
    experts::LoraMix torch_mix{{&sets[0], &sets[1], &sets[2]},
                               {scale[0], scale[1], scale[2]},
                               g,
                               plain_model_->lora_layer_names()};
    torch::Tensor v = denoiser->forward(w.x, w.roles, w.tokens, torch::full({1}, t), &torch_mix);
    torch::Tensor base = denoiser->forward(w.x, w.roles, w.tokens, torch::full({1}, t), nullptr);
    EXPECT_GT((v - base).abs().max().item<float>(), 1e-2f) << t;
    EXPECT_LT(max_abs_diff(v, plain_denoise(w, t, &plain)), 1e-4f) << t;

    // Uniform: s_e on every layer.
    mix.fill(t, experts::ExpertFusionMode::Uniform, scale, plain);
    experts::LoraMix uniform{{&sets[0], &sets[1], &sets[2]}, {scale[0], scale[1], scale[2]}, {}, {}};
    torch::Tensor v_uniform =
        denoiser->forward(w.x, w.roles, w.tokens, torch::full({1}, t), &uniform);
    EXPECT_LT(max_abs_diff(v_uniform, plain_denoise(w, t, &plain)), 1e-4f) << t;
    EXPECT_GT((v_uniform - v).abs().max().item<float>(), 1e-3f) << t;
  }
}

}  // namespace
