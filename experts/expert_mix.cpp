// The timestep × layer gate of gate.pt without LibTorch, and ExpertMix: the three
// experts' scales for one denoiser call (runtime.h "TLPO experts").
#include <cmath>

#include "experts/runtime.h"

namespace parla::experts {
namespace {

// A float32 tensor of exactly `shape` with finite values, or InputError naming `source`.
const std::vector<float>& gate_tensor(const TensorMap& tensors, const std::string& name,
                                      const std::vector<std::int64_t>& shape,
                                      const std::string& source) {
  auto it = tensors.find(name);
  if (it == tensors.end())
    throw InputError("gate file " + source + " has no tensor '" + name + "'");
  const TensorData& t = it->second;
  if (t.dtype != TensorData::DType::Float32 || t.shape != shape ||
      static_cast<std::int64_t>(t.floats.size()) != t.numel()) {
    std::string want;
    for (std::int64_t s : shape) want += (want.empty() ? "" : ", ") + std::to_string(s);
    throw InputError("gate file " + source + ": tensor '" + name + "' is not float32 [" + want +
                     "]");
  }
  for (float v : t.floats) {
    if (!std::isfinite(v)) {
      throw InputError("gate file " + source + ": tensor '" + name + "' holds non-finite values");
    }
  }
  return t.floats;
}

std::int64_t dim(const TensorMap& tensors, const std::string& name, int axis,
                 const std::string& source) {
  auto it = tensors.find(name);
  if (it == tensors.end())
    throw InputError("gate file " + source + " has no tensor '" + name + "'");
  if (static_cast<int>(it->second.shape.size()) <= axis) {
    throw InputError("gate file " + source + ": tensor '" + name + "' has too few axes");
  }
  return it->second.shape[axis];
}

float silu(float x) { return x / (1.f + std::exp(-x)); }

}  // namespace

PlainExpertGate::PlainExpertGate(const TensorMap& tensors, int layers, const std::string& source)
    : layers_(layers) {
  auto f = tensors.find("gate_frequencies");
  if (f == tensors.end() || f->second.dtype != TensorData::DType::Int64 ||
      f->second.ints.size() != 1 || f->second.ints[0] < 1 || f->second.ints[0] > 64) {
    throw InputError("gate file " + source + ": 'gate_frequencies' must be int64 [1] in 1..64");
  }
  frequencies_ = static_cast<int>(f->second.ints[0]);
  const std::int64_t embedding = dim(tensors, "gate_layer_embedding", 1, source);
  const std::int64_t hidden = dim(tensors, "gate_fc1_weight", 0, source);
  if (embedding < 1 || embedding > 4096 || hidden < 1 || hidden > 4096) {
    throw InputError("gate file " + source + ": embedding and hidden widths must be 1..4096");
  }
  hidden_ = static_cast<int>(hidden);
  const std::int64_t in = 2 * frequencies_ + embedding;
  const auto& emb = gate_tensor(tensors, "gate_layer_embedding", {layers, embedding}, source);
  const auto& w1 = gate_tensor(tensors, "gate_fc1_weight", {hidden, in}, source);
  const auto& b1 = gate_tensor(tensors, "gate_fc1_bias", {hidden}, source);
  fc2_ = gate_tensor(tensors, "gate_fc2_weight", {kExpertCount, hidden}, source);
  fc2_bias_ = gate_tensor(tensors, "gate_fc2_bias", {kExpertCount}, source);

  // fc1 · [φ(t), emb_l] = fc1_time · φ(t) + fc1_layer · emb_l: the layer half once, here.
  const int two_f = 2 * frequencies_;
  fc1_time_.resize(static_cast<std::size_t>(hidden_) * two_f);
  layer_pre_.resize(static_cast<std::size_t>(layers) * hidden_);
  for (int h = 0; h < hidden_; ++h) {
    const float* row = &w1[static_cast<std::size_t>(h) * in];
    std::copy_n(row, two_f, &fc1_time_[static_cast<std::size_t>(h) * two_f]);
    for (int l = 0; l < layers; ++l) {
      float sum = b1[h];
      for (std::int64_t e = 0; e < embedding; ++e) sum += row[two_f + e] * emb[l * embedding + e];
      layer_pre_[static_cast<std::size_t>(l) * hidden_ + h] = sum;
    }
  }
  phi_.resize(two_f);
  time_pre_.resize(hidden_);
}

void PlainExpertGate::evaluate(float t, float* out) const {
  const float pi = static_cast<float>(M_PI);
  for (int k = 0; k < frequencies_; ++k) {
    const float angle = static_cast<float>(k + 1) * pi * t;
    phi_[k] = std::sin(angle);
    phi_[frequencies_ + k] = std::cos(angle);
  }
  const int two_f = 2 * frequencies_;
  for (int h = 0; h < hidden_; ++h) {
    float sum = 0.f;
    for (int i = 0; i < two_f; ++i)
      sum += fc1_time_[static_cast<std::size_t>(h) * two_f + i] * phi_[i];
    time_pre_[h] = sum;
  }
  for (int l = 0; l < layers_; ++l) {
    const float* pre = &layer_pre_[static_cast<std::size_t>(l) * hidden_];
    for (int e = 0; e < kExpertCount; ++e) {
      float z = fc2_bias_[e];
      const float* w = &fc2_[static_cast<std::size_t>(e) * hidden_];
      for (int h = 0; h < hidden_; ++h) z += w[h] * silu(time_pre_[h] + pre[h]);
      out[l * kExpertCount + e] = 2.f / (1.f + std::exp(-z));
    }
  }
}

PlainExpertGate read_gate(const std::filesystem::path& path, int layers) {
  check_input_file(path, "gate file");
  return PlainExpertGate(read_tensor_file(path), layers, quoted(path));
}

std::vector<std::string> missing_expert_files(const std::filesystem::path& dir) {
  std::vector<std::string> missing;
  for (std::string_view expert : kExpertNames) {
    std::string name = std::string(expert) + ".pt";
    if (!std::filesystem::is_regular_file(dir / name)) missing.push_back(name);
  }
  if (!std::filesystem::is_regular_file(dir / kGateFileName)) missing.emplace_back(kGateFileName);
  return missing;
}

ExpertMix::ExpertMix(const std::filesystem::path& dir, const ModelConfig& config, bool with_gate)
    : layers_(static_cast<int>(lora_layer_shapes(config).size())) {
  for (int e = 0; e < kExpertCount; ++e) {
    const std::filesystem::path path = dir / (std::string(kExpertNames[e]) + ".pt");
    sets_[e] = read_lora_set(path, config);
    if (sets_[e].name != kExpertNames[e]) {
      throw InputError("expert file " + quoted(path) + " holds the '" + sets_[e].name +
                       "' expert, not '" + std::string(kExpertNames[e]) + "'");
    }
  }
  if (with_gate) gate_.emplace(read_gate(dir / kGateFileName, layers_));
  g_.resize(static_cast<std::size_t>(layers_) * kExpertCount);
}

void ExpertMix::fill(float t, ExpertFusionMode mode, const std::array<float, kExpertCount>& scale,
                     PlainLoraMix& mix) const {
  mix.sets.resize(kExpertCount);
  for (int e = 0; e < kExpertCount; ++e) mix.sets[e] = &sets_[e];
  mix.scales.resize(static_cast<std::size_t>(kExpertCount) * layers_);
  if (mode == ExpertFusionMode::Gate) {
    if (!gate_) throw Error("ExpertMix: gate mode without a gate file");
    gate_->evaluate(t, g_.data());
  }
  for (int e = 0; e < kExpertCount; ++e) {
    for (int l = 0; l < layers_; ++l) {
      const float g = mode == ExpertFusionMode::Gate ? g_[l * kExpertCount + e] : 1.f;
      mix.scales[static_cast<std::size_t>(e) * layers_ + l] = scale[e] * g;
    }
  }
}

}  // namespace parla::experts
