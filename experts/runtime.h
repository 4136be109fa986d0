// experts runtime: the motion model for inference without LibTorch. It reads the same
// weight file the trainer writes (a torch::save archive, read by experts/weights_file.cpp)
// and runs the audio encoder and the denoiser in plain C++ on one thread, with the maths
// of experts/model.cpp (the LibTorch modules, used for training and as the reference).
// Loading takes milliseconds; the torch side (experts/experts.h) includes this header.
//
//   parla::experts::PlainModel model("data/models/base/base.pt");
//   model.normalize_features(rows, 4 * frames);                  // [4T, kFeatureDims] in place
//   model.encode(rows, frames, tokens);                          // → [T, D]
//   model.denoise(x, roles, tokens, frames, /*t=*/0.5f, /*lora=*/nullptr, v);  // → [T, 20]
//
// Every array is row-major float, its shape given beside the call. Thread safety: a
// model holds its scratch buffers, so it is used from one thread at a time (distinct
// models may run on distinct threads). Errors: loading throws parla::InputError naming
// the file (missing, truncated or corrupt, compressed entries, missing tensors).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// Roles of the positions of a denoiser window.
enum class Role : std::int64_t {
  Noisy = 0,    // a frame being generated: holds x_t
  Prefix = 1,   // an earlier frame, clean, given as context
  Missing = 2,  // a prefix slot with no history (start of input, prefix dropout): holds 0
};

struct ModelConfig {
  int encoder_channels = 128;  // audio encoder width
  int d_model = 128;           // transformer width
  int layers = 4;              // transformer blocks
  int heads = 4;               // attention heads (d_model divisible by heads)
  int mlp_hidden = 256;        // hidden width of each block's MLP
  int max_frames = 72;         // longest window (prefix + generated frames)
};

// ---------------------------------------------------------------------------------
// Weight files without LibTorch: every tensor of a torch::save archive (an uncompressed
// ZIP holding a pickle of modules or dicts, and one raw entry per storage) under its
// dotted name ("denoiser.blocks.0.attn_qkv.linear.weight"). Only float32 and int64
// tensors exist in Parla's files; anything else is an InputError naming the file.

struct TensorData {
  enum class DType { Float32, Int64 };
  DType dtype = DType::Float32;
  std::vector<std::int64_t> shape;
  std::vector<float> floats;        // the values, row-major, when Float32
  std::vector<std::int64_t> ints;   // the values, row-major, when Int64
  std::int64_t numel() const;
};
using TensorMap = std::map<std::string, TensorData>;

TensorMap read_tensor_file(const std::filesystem::path& path);

// ---------------------------------------------------------------------------------
// LoRA without LibTorch (the same adapters as experts::LoraSet): y += s · B (A x).

struct PlainLora {
  int rank = 0, in = 0, out = 0;
  // rank rounded up to 16, the matmul kernels' column tile (a rank-4 product would run
  // their scalar tail); the padding is zeros, so it adds exactly nothing.
  int padded_rank = 0;
  std::vector<float> a_t;  // Aᵀ: [in, padded_rank]
  std::vector<float> b_t;  // Bᵀ: [padded_rank, out]
};
// a: [rank, in], b: [out, rank] as in experts::LoraAdapter.
PlainLora make_plain_lora(int rank, int in, int out, const float* a, const float* b);

// One expert's adapters keyed by LoRA layer name ("blocks.0.attn_qkv").
struct PlainLoraSet {
  std::string name;
  std::map<std::string, PlainLora> adapters;
};

// The adapters of one denoiser call. Set s acts on LoRA layer l (the order of
// PlainModel::lora_layer_names) with scales[s · lora_layer_count + l]; 0 = off. A scale
// per (set, layer) lets the timestep × layer gate drive it.
struct PlainLoraMix {
  std::vector<const PlainLoraSet*> sets;
  std::vector<float> scales;  // [sets, lora layers]
};

// ---------------------------------------------------------------------------------
// TLPO experts (issue #11, docs/learned_generator.md "Experts"): three LoRA sets, one per
// preference dimension, fused per diffusion time t and LoRA layer l by a gate g(t, l).
// Files (torch::serialize::OutputArchive, flat names; written by experts::save_lora_set
// and experts::save_gate):
//   ls.pt, mn.pt, vq.pt: "<stem>_a" float32 [rank, in], "<stem>_b" float32 [out, rank] for
//     every LoRA layer (stem = its name with '.' → '_'), "lora_rank" and "lora_dimension"
//     (0 ls, 1 mn, 2 vq) int64 [1].
//   gate.pt: "gate_layer_embedding" [L, E], "gate_fc1_weight" [H, 2F + E],
//     "gate_fc1_bias" [H], "gate_fc2_weight" [3, H], "gate_fc2_bias" [3] float32 and
//     "gate_frequencies" int64 [1] = F; g(t, l) = 2 σ(fc2 · SiLU(fc1 · [φ(t), emb_l])),
//     φ(t) = sin((k+1)πt), k < F, then cos((k+1)πt).

inline constexpr int kExpertCount = 3;  // set order everywhere: ls, mn, vq
inline constexpr std::array<std::string_view, kExpertCount> kExpertNames{"ls", "mn", "vq"};
inline constexpr std::string_view kGateFileName = "gate.pt";

// One LoRA-capable layer of the denoiser: its stable name and shape.
struct LoraLayerShape {
  std::string name;  // "blocks.0.attn_qkv"
  int in = 0, out = 0;
};
// The LoRA layers of a model of this config in mix order (= PlainModel::lora_layer_names).
std::vector<LoraLayerShape> lora_layer_shapes(const ModelConfig& config);
// "blocks.0.attn_qkv" → "blocks_0_attn_qkv": the tensor-name stem in expert files.
std::string lora_tensor_stem(const std::string& layer_name);

// One expert file: an adapter for every LoRA layer of `config`, each checked against the
// layer's shape (finite float32 values, rank 1..1024). The set is named after its
// lora_dimension ("ls", "mn", "vq"). InputError naming the file otherwise.
PlainLoraSet read_lora_set(const std::filesystem::path& path, const ModelConfig& config);

// The gate of gate.pt without LibTorch. evaluate() uses scratch held here: one thread at
// a time, and it allocates nothing.
class PlainExpertGate {
 public:
  // InputError naming `source` unless the tensors are complete, finite and of the
  // spec's shapes with L = `layers`.
  PlainExpertGate(const TensorMap& tensors, int layers, const std::string& source);
  int layers() const { return layers_; }
  // g(t, l) for every LoRA layer l: out [layers, kExpertCount], each in (0, 2). t ∈ [0, 1].
  void evaluate(float t, float* out) const;

 private:
  int layers_ = 0, hidden_ = 0, frequencies_ = 0;
  std::vector<float> fc1_time_;   // fc1's columns for φ(t): [H, 2F]
  std::vector<float> layer_pre_;  // fc1 · [0, emb_l] + b1 per layer: [L, H]
  std::vector<float> fc2_, fc2_bias_;          // [3, H], [3]
  mutable std::vector<float> phi_, time_pre_;  // scratch: [2F], [H]
};
PlainExpertGate read_gate(const std::filesystem::path& path, int layers);

// How the experts' scales follow the gate: Gate = s_e · g_e(t, l); Uniform = s_e (the
// uniform merge, g ≡ 1).
enum class ExpertFusionMode { Gate, Uniform };

// The files of an experts directory (ls.pt, mn.pt, vq.pt, gate.pt) that are missing.
std::vector<std::string> missing_expert_files(const std::filesystem::path& dir);

// The three experts (and the gate) of one directory, as the learned generator applies
// them. Read-only after loading except the gate's scratch: one thread at a time.
class ExpertMix {
 public:
  // dir/{ls,mn,vq}.pt, and dir/gate.pt when `with_gate`; InputError naming the missing
  // or broken file (or an expert file holding another dimension).
  ExpertMix(const std::filesystem::path& dir, const ModelConfig& config, bool with_gate);
  bool has_gate() const { return gate_.has_value(); }
  const PlainLoraSet& set(int expert) const { return sets_[expert]; }
  // The mix of one denoiser call at diffusion time t: mix.sets = the three sets,
  // mix.scales[e · L + l] = scale[e] · g_e(t, l) (Gate) or scale[e] (Uniform). The scales
  // vector is sized on the first call; later calls allocate nothing.
  void fill(float t, ExpertFusionMode mode, const std::array<float, kExpertCount>& scale,
            PlainLoraMix& mix) const;

 private:
  int layers_ = 0;
  std::array<PlainLoraSet, kExpertCount> sets_;
  std::optional<PlainExpertGate> gate_;
  mutable std::vector<float> g_;  // scratch: [L, 3]
};

// ---------------------------------------------------------------------------------

// The motion model as the learned generator uses it. PlainModel is the runtime one;
// the LibTorch model implements it too (experts/experts.h), for reference and tests.
class MotionNetwork {
 public:
  virtual ~MotionNetwork() = default;
  virtual const ModelConfig& config() const = 0;
  // In place: raw features [rows, kFeatureDims] → normalised; motion [rows, 20] from
  // model space to channel values.
  virtual void normalize_features(float* features, int rows) const = 0;
  virtual void denormalize_motion(float* motion, int rows) const = 0;
  // Normalised features [4 · frames, kFeatureDims] → audio tokens [frames, d_model].
  virtual void encode(const float* features, int frames, float* tokens) = 0;
  // x: [frames, 20] normalised motion (x_t at Noisy, clean at Prefix, 0 at Missing);
  // roles: [frames]; tokens: [frames, d_model]; t ∈ [0, 1] diffusion time → v [frames, 20].
  // frames ≤ config().max_frames.
  virtual void denoise(const float* x, const Role* roles, const float* tokens, int frames,
                       float t, const PlainLoraMix* lora, float* v) = 0;
};

// The encoder and denoiser in plain C++: weights transposed once at load to [in, out],
// scratch sized for max_frames at load, so a call allocates nothing.
class PlainModel final : public MotionNetwork {
 public:
  explicit PlainModel(const std::filesystem::path& weights);
  PlainModel(const TensorMap& tensors, const std::string& source);  // source: for messages
  ~PlainModel() override;
  PlainModel(PlainModel&&) noexcept;
  PlainModel& operator=(PlainModel&&) noexcept;

  const ModelConfig& config() const override;
  void normalize_features(float* features, int rows) const override;
  void denormalize_motion(float* motion, int rows) const override;
  void encode(const float* features, int frames, float* tokens) override;
  void denoise(const float* x, const Role* roles, const float* tokens, int frames, float t,
               const PlainLoraMix* lora, float* v) override;
  // The LoRA layers in mix order: "blocks.<l>.attn_qkv", attn_out, mlp_in, mlp_out.
  const std::vector<std::string>& lora_layer_names() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parla::experts
