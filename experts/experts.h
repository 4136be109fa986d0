// experts: the neural modules of the learned motion generator (DESIGN.md "Motion
// generator"): an audio encoder (1-D convolutions over 100 Hz features → one token per
// 40 ms motion frame), a denoiser transformer over a window of motion frames plus
// prefix frames of earlier motion, conditioned on the diffusion timestep through
// adaptive layer norm, LoRA hooks on every projection, and the weight file.
//
//   parla::experts::MotionModel model = parla::experts::load_model("data/models/base/base.pt");
//   torch::Tensor feats = parla::experts::feature_tensor(frames);          // [4T, 83]
//   torch::Tensor tokens = model->encode(model->normalize_features(feats).unsqueeze(0));
//   torch::Tensor v = model->denoiser->forward(x_t, roles, tokens, t, /*lora=*/nullptr);
//
// This header includes <torch/torch.h>: only the few translation units that run the
// model include it (fusion/learned_generator.cpp, train/base_trainer.cpp, tests).
// Thread safety: a module is used from one thread at a time. Errors: load_model throws
// parla::InputError naming the file for a missing or incompatible weight file.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "core/core.h"

namespace parla::experts {

inline constexpr int kFeatureDims = audio::kMelBins + 3;  // log-mel, energy, log F0, voicing
inline constexpr int kFeaturesPerMotionFrame = audio::kFeatureRate / 25;  // 4
// Windows: kPrefixFrames of earlier motion, then 1..kMaxNewFrames frames to generate.
inline constexpr int kPrefixFrames = 10;
inline constexpr int kMaxNewFrames = 50;

// Model input of one feature frame: 80 log-mels, energy (dB / 10), log F0 relative to
// 150 Hz (0 when unvoiced) and voicing. Written to `out` (kFeatureDims floats).
void feature_vector(const audio::FeatureFrame& frame, float* out);
// The raw feature vector of digital silence: pads a partial last motion frame.
void silence_feature_vector(float* out);
// Feature frames → [N, kFeatureDims] (not normalised).
torch::Tensor feature_tensor(std::span<const audio::FeatureFrame> frames);
// The same speech from another voice, for training: raw feature rows [R, kFeatureDims]
// with the mel axis stretched by `tract_factor` (vocal-tract length: a formant at mel bin
// b moves to b · factor; bins past the top repeat the top one) and voiced F0 scaled by
// `f0_factor`. In place.
void warp_voice(torch::Tensor& raw_rows, double tract_factor, double f0_factor);

// Roles of the positions of a denoiser window.
enum class Role : std::int64_t {
  Noisy = 0,    // a frame being generated: holds x_t
  Prefix = 1,   // an earlier frame, clean, given as context
  Missing = 2,  // a prefix slot with no history (start of input, prefix dropout): holds 0
};

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

struct ModelConfig {
  int encoder_channels = 128;  // audio encoder width
  int d_model = 128;           // transformer width
  int layers = 4;              // transformer blocks
  int heads = 4;               // attention heads (d_model divisible by heads)
  int mlp_hidden = 256;        // hidden width of each block's MLP
  int max_frames = 72;         // longest window (prefix + generated frames)
};

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

// Weight files: every parameter and buffer under its registered name, the config
// included. Saving writes a temporary file and renames it into place.
void save_model(MotionModel& model, const std::filesystem::path& path);
MotionModel load_model(const std::filesystem::path& path);

// A LoRA set on every LoRA layer of `denoiser` with rank `rank`, A ~ N(0, 1/in) and
// B ~ N(0, b_std²) (b_std = 0 gives the usual zero-initialised adapter to train).
LoraSet random_lora_set(const Denoiser& denoiser, std::string name, int rank, float b_std,
                        std::uint64_t seed);

// ---------------------------------------------------------------------------------
// Diffusion schedule: cosine, continuous time t ∈ [0, 1]; x_t = α x_0 + σ ε with
// α = cos(πt/2), σ = sin(πt/2); the model predicts v = α ε − σ x_0.

torch::Tensor schedule_alpha(const torch::Tensor& t);
torch::Tensor schedule_sigma(const torch::Tensor& t);

}  // namespace parla::experts
