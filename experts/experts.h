// experts: the neural modules of the learned motion generator (DESIGN.md "Motion
// generator") in LibTorch, for training: an audio encoder (1-D convolutions over 100 Hz
// features → one token per 40 ms motion frame), a denoiser transformer over a window of
// motion frames plus prefix frames of earlier motion, conditioned on the diffusion
// timestep through adaptive layer norm, LoRA hooks on every projection, and the weight
// file. Inference runs the same maths without LibTorch (experts/runtime.h, PlainModel,
// target parla::experts_runtime); TorchNetwork here is its LibTorch reference.
//
//   parla::experts::MotionModel model = parla::experts::load_model("data/models/base/base.pt");
//   torch::Tensor feats = parla::experts::feature_tensor(frames);          // [4T, 83]
//   torch::Tensor tokens = model->encode(model->normalize_features(feats).unsqueeze(0));
//   torch::Tensor v = model->denoiser->forward(x_t, roles, tokens, t, /*lora=*/nullptr);
//
// This header includes <torch/torch.h>: only the few translation units that train or
// check the model include it (train/, critic/, experts/model.cpp, tests, bench).
// Thread safety: a module is used from one thread at a time. Errors: load_model throws
// parla::InputError naming the file for a missing or incompatible weight file.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audio/audio.h"
#include "core/core.h"
#include "experts/runtime.h"

namespace parla::experts {

// Feature frames → [N, kFeatureDims] (not normalised).
torch::Tensor feature_tensor(std::span<const audio::FeatureFrame> frames);
// The same speech from another voice, for training: raw feature rows [R, kFeatureDims]
// with the mel axis stretched by `tract_factor` (vocal-tract length: a formant at mel bin
// b moves to b · factor; bins past the top repeat the top one) and voiced F0 scaled by
// `f0_factor`. In place.
void warp_voice(torch::Tensor& raw_rows, double tract_factor, double f0_factor);

// ---------------------------------------------------------------------------------
// LoRA (llama.cpp style): y = W x + Σ_e scale_e · B_e (A_e x).

struct LoraAdapter {
  torch::Tensor a;  // [rank, in]
  torch::Tensor b;  // [out, rank]
};

// One expert's adapters, keyed by the LoRA layer's stable name ("blocks.0.attn_qkv").
struct LoraSet {
  std::string name;  // "ls", "mn", "vq", ...
  std::map<std::string, LoraAdapter> adapters;
};

// The adapters applied in one forward call, each with its own scale (0 = off).
struct LoraMix {
  std::vector<const LoraSet*> sets;
  std::vector<float> scales;  // one per set
  // Optional (training the gate): per-(sample, set, layer) scales [B, sets, L] that
  // multiply `scales`, differentiable; layer l is layer_names[l] (Denoiser::lora_layers
  // order). Undefined = `scales` alone.
  torch::Tensor layer_scales;
  std::vector<std::string> layer_names;
};

struct LoraLinearOptions {
  int in = 0;
  int out = 0;
  std::string name;  // stable key of this layer's adapters
};

// A linear layer that adds the adapters named after it when a LoraMix is given.
class LoraLinearImpl : public torch::nn::Module {
 public:
  explicit LoraLinearImpl(const LoraLinearOptions& options);
  // x: [..., in] → [..., out]
  torch::Tensor forward(const torch::Tensor& x, const LoraMix* lora);
  const std::string& lora_name() const { return options_.name; }
  int in_features() const { return options_.in; }
  int out_features() const { return options_.out; }

  torch::nn::Linear linear{nullptr};

 private:
  LoraLinearOptions options_;
};
TORCH_MODULE(LoraLinear);

// ---------------------------------------------------------------------------------
// Modules.

// [B, 4T, kFeatureDims] normalised features → [B, T, d_model] audio tokens: the 4
// feature frames of each motion frame stacked, then 1-D convolutions at 25 Hz.
class AudioEncoderImpl : public torch::nn::Module {
 public:
  explicit AudioEncoderImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& features);

 private:
  static constexpr int kConvWidth = 5;  // frames per temporal convolution
  torch::nn::Linear frame_in{nullptr}, conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, out{nullptr};
};
TORCH_MODULE(AudioEncoder);

// One transformer block with adaLN-Zero timestep modulation.
class DenoiserBlockImpl : public torch::nn::Module {
 public:
  DenoiserBlockImpl(const ModelConfig& config, const std::string& name);
  // h: [B, T, D], c: [B, D] conditioning → [B, T, D]
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& c, const LoraMix* lora);

  LoraLinear attn_qkv{nullptr}, attn_out{nullptr}, mlp_in{nullptr}, mlp_out{nullptr};

 private:
  int heads_;
  torch::nn::Linear modulation{nullptr};  // c → 6 D (shift, scale, gate) × (attn, mlp)
};
TORCH_MODULE(DenoiserBlock);

// v-prediction denoiser over a window of motion frames.
class DenoiserImpl : public torch::nn::Module {
 public:
  explicit DenoiserImpl(const ModelConfig& config);
  // x: [B, T, 20] normalised motion (x_t at Noisy positions, clean at Prefix, 0 at
  // Missing); roles: [B, T] int64 (Role); tokens: [B, T, D] audio tokens; t: [B]
  // diffusion time in [0, 1]. Returns the predicted v: [B, T, 20].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& roles,
                        const torch::Tensor& tokens, const torch::Tensor& t, const LoraMix* lora);
  // Every LoRA-capable layer, in a stable order.
  std::vector<LoraLinear> lora_layers() const;

  torch::nn::ModuleList blocks{nullptr};

 private:
  ModelConfig config_;
  torch::nn::Linear motion_in{nullptr}, time_mlp1{nullptr}, time_mlp2{nullptr}, final_mod{nullptr},
      motion_out{nullptr};
  torch::nn::Embedding role_embedding{nullptr};
  torch::Tensor position;  // [max_frames, D]
};
TORCH_MODULE(Denoiser);

// Encoder + denoiser + the normalisation statistics of the training split, the unit
// saved in a weight file.
class MotionModelImpl : public torch::nn::Module {
 public:
  explicit MotionModelImpl(const ModelConfig& config);
  const ModelConfig& config() const { return config_; }

  // [..., kFeatureDims] raw → normalised, and motion [..., 20] to and from model space.
  torch::Tensor normalize_features(const torch::Tensor& features) const;
  torch::Tensor normalize_motion(const torch::Tensor& motion) const;
  torch::Tensor denormalize_motion(const torch::Tensor& motion) const;
  // [B, 4T, kFeatureDims] normalised → [B, T, D]
  torch::Tensor encode(const torch::Tensor& features) { return encoder->forward(features); }
  void set_statistics(const torch::Tensor& feature_mean, const torch::Tensor& feature_std,
                      const torch::Tensor& motion_mean, const torch::Tensor& motion_std);
  const torch::Tensor& feature_mean() const { return feature_mean_; }
  const torch::Tensor& feature_std() const { return feature_std_; }
  const torch::Tensor& motion_mean() const { return motion_mean_; }
  const torch::Tensor& motion_std() const { return motion_std_; }

  AudioEncoder encoder{nullptr};
  Denoiser denoiser{nullptr};

 private:
  ModelConfig config_;
  torch::Tensor config_tensor_;  // the config as int64, saved so a file rebuilds its model
  torch::Tensor feature_mean_, feature_std_, motion_mean_, motion_std_;
};
TORCH_MODULE(MotionModel);

int64_t parameter_count(const torch::nn::Module& module);

// Writes the archive `fill` fills to `path` through core's OutputFile (a temporary file
// renamed into place; `inputs` are refused as the output). The zip's inner folder is
// always "archive", not the file's name, so the same tensors give the same bytes whatever
// the path or the temporary name. A LibTorch error is an Error naming `what` and the path.
void write_archive(const std::filesystem::path& path, std::string_view what,
                   const std::function<void(torch::serialize::OutputArchive&)>& fill,
                   std::span<const std::filesystem::path> inputs = {});

// Weight files: every parameter and buffer under its registered name, the config
// included. Saving goes through write_archive (`inputs`: paths the output must not be).
void save_model(MotionModel& model, const std::filesystem::path& path,
                std::span<const std::filesystem::path> inputs = {});
MotionModel load_model(const std::filesystem::path& path);
// Weight-space interpolation of two fine-tunes of one start (WiSE-FT): every parameter
// (1 − mix)·a + mix·b. Throws InputError when the configs or the normalisation statistics
// differ, or mix is outside 0..1.
MotionModel interpolate_models(MotionModel& a, MotionModel& b, double mix);

// A LoRA set on every LoRA layer of `denoiser` with rank `rank`, A ~ N(0, 1/in) and
// B ~ N(0, b_std²) (b_std = 0 gives the usual zero-initialised adapter to train).
LoraSet random_lora_set(const Denoiser& denoiser, std::string name, int rank, float b_std,
                        std::uint64_t seed);

// ---------------------------------------------------------------------------------
// Diffusion schedule: cosine, continuous time t ∈ [0, 1]; x_t = α x_0 + σ ε with
// α = cos(πt/2), σ = sin(πt/2); the model predicts v = α ε − σ x_0.

torch::Tensor schedule_alpha(const torch::Tensor& t);
torch::Tensor schedule_sigma(const torch::Tensor& t);

// ---------------------------------------------------------------------------------
// The LibTorch model behind the runtime's interface: the reference the plain model is
// checked and timed against (tests, bench). A LoRA mix runs through LoraMix::layer_scales
// (one scale per set and layer, as the plain model takes them).

class TorchNetwork final : public MotionNetwork {
 public:
  explicit TorchNetwork(MotionModel model) : model_(std::move(model)) {}
  const ModelConfig& config() const override { return model_->config(); }
  void normalize_features(float* features, int rows) const override;
  void denormalize_motion(float* motion, int rows) const override;
  void encode(const float* features, int frames, float* tokens) override;
  void denoise(const float* x, const Role* roles, const float* tokens, int frames, float t,
               const PlainLoraMix* lora, float* v) override;

 private:
  MotionModel model_;
};

// The same adapters for the plain model.
PlainLoraSet to_plain(const LoraSet& set);

// ---------------------------------------------------------------------------------
// TLPO experts' files (runtime.h "TLPO experts" has the format; the runtime reads them
// with read_lora_set / read_gate). Saving writes a temporary file and renames it.

// One expert: `set` must hold an adapter of one rank for every LoRA layer; dimension
// 0 ls, 1 mn, 2 vq.
void save_lora_set(const LoraSet& set, int dimension, const std::filesystem::path& path);
// An expert file back as tensors (checked against `config` as read_lora_set does).
LoraSet load_lora_set(const std::filesystem::path& path, const ModelConfig& config);

struct ExpertGateOptions {
  int layers = 16;      // LoRA layers L (Denoiser::lora_layers().size())
  int embedding = 16;   // layer embedding width E
  int hidden = 64;      // hidden width H
  int frequencies = 8;  // time features F (sin and cos of (k+1)πt, k < F)
};

// The timestep × layer gate g(t, l) = 2 σ(fc2 · SiLU(fc1 · [φ(t), emb_l] + b1) + b2) ∈
// (0, 2)³. Parameters registered under the file's flat names ("gate_fc1_weight", ...);
// fc2 starts at zero, so g ≡ 1 (the uniform merge) until trained.
class ExpertGateImpl : public torch::nn::Module {
 public:
  explicit ExpertGateImpl(const ExpertGateOptions& options);
  // t: [B] diffusion time in [0, 1] → [B, 3, L]: LoraMix::layer_scales as they are (with
  // LoraMix::scales the user's per-expert scales).
  torch::Tensor forward(const torch::Tensor& t);
  const ExpertGateOptions& options() const { return options_; }

  torch::Tensor layer_embedding, fc1_weight, fc1_bias, fc2_weight, fc2_bias;

 private:
  ExpertGateOptions options_;
  torch::Tensor frequencies_;  // int64 [1], saved so a file rebuilds its gate
};
TORCH_MODULE(ExpertGate);

void save_gate(ExpertGate& gate, const std::filesystem::path& path);
ExpertGate load_gate(const std::filesystem::path& path);

}  // namespace parla::experts
