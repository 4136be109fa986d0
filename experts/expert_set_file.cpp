// Expert files (ls.pt, mn.pt, vq.pt) read without LibTorch: one LoRA adapter per
// denoiser LoRA layer, each checked against the layer it adapts (runtime.h "TLPO experts").
#include <algorithm>
#include <cmath>

#include "experts/runtime.h"

namespace parla::experts {
namespace {

constexpr std::int64_t kMaxLoraRank = 1024;

const TensorData& tensor(const TensorMap& tensors, const std::string& name, TensorData::DType dtype,
                         const std::vector<std::int64_t>& shape, const std::string& source) {
  auto it = tensors.find(name);
  if (it == tensors.end()) {
    throw InputError("expert file " + source + " has no tensor '" + name + "'");
  }
  const TensorData& t = it->second;
  auto shape_text = [](const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
  };
  if (t.dtype != dtype || t.shape != shape) {
    throw InputError("expert file " + source + ": tensor '" + name + "' is " +
                     (t.dtype == TensorData::DType::Float32 ? "float32 " : "int64 ") +
                     shape_text(t.shape) + ", expected " +
                     (dtype == TensorData::DType::Float32 ? "float32 " : "int64 ") +
                     shape_text(shape));
  }
  const std::size_t size = dtype == TensorData::DType::Float32 ? t.floats.size() : t.ints.size();
  if (static_cast<std::int64_t>(size) != t.numel()) {
    throw InputError("expert file " + source + ": tensor '" + name + "' is truncated");
  }
  if (dtype == TensorData::DType::Float32 &&
      !std::all_of(t.floats.begin(), t.floats.end(), [](float v) { return std::isfinite(v); })) {
    throw InputError("expert file " + source + ": tensor '" + name + "' holds non-finite values");
  }
  return t;
}

}  // namespace

std::vector<LoraLayerShape> lora_layer_shapes(const ModelConfig& config) {
  const int d = config.d_model;
  std::vector<LoraLayerShape> out;
  for (int l = 0; l < config.layers; ++l) {
    const std::string block = "blocks." + std::to_string(l);
    out.push_back({block + ".attn_qkv", d, 3 * d});
    out.push_back({block + ".attn_out", d, d});
    out.push_back({block + ".mlp_in", d, config.mlp_hidden});
    out.push_back({block + ".mlp_out", config.mlp_hidden, d});
  }
  return out;
}

std::string lora_tensor_stem(const std::string& layer_name) {
  std::string stem = layer_name;
  std::replace(stem.begin(), stem.end(), '.', '_');
  return stem;
}

PlainLoraSet read_lora_set(const std::filesystem::path& path, const ModelConfig& config) {
  check_input_file(path, "expert file");
  const TensorMap tensors = read_tensor_file(path);
  const std::string source = quoted(path);
  using DType = TensorData::DType;
  const std::int64_t rank = tensor(tensors, "lora_rank", DType::Int64, {1}, source).ints[0];
  const std::int64_t dimension =
      tensor(tensors, "lora_dimension", DType::Int64, {1}, source).ints[0];
  if (rank < 1 || rank > kMaxLoraRank) {
    throw InputError("expert file " + source + ": lora_rank " + std::to_string(rank) +
                     " is not in 1.." + std::to_string(kMaxLoraRank));
  }
  if (dimension < 0 || dimension >= kExpertCount) {
    throw InputError("expert file " + source + ": lora_dimension " + std::to_string(dimension) +
                     " is not 0 (ls), 1 (mn) or 2 (vq)");
  }
  PlainLoraSet set{std::string(kExpertNames[dimension]), {}};
  const int r = static_cast<int>(rank);
  for (const LoraLayerShape& layer : lora_layer_shapes(config)) {
    const std::string stem = lora_tensor_stem(layer.name);
    const TensorData& a = tensor(tensors, stem + "_a", DType::Float32, {rank, layer.in}, source);
    const TensorData& b = tensor(tensors, stem + "_b", DType::Float32, {layer.out, rank}, source);
    set.adapters[layer.name] =
        make_plain_lora(r, layer.in, layer.out, a.floats.data(), b.floats.data());
  }
  return set;
}

}  // namespace parla::experts
