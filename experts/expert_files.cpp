// The TLPO experts' files on the LibTorch side: save_lora_set / load_lora_set and the
// gate module with save_gate / load_gate (format: runtime.h "TLPO experts").
#include <cmath>
#include <fstream>

#include "experts/experts.h"

namespace parla::experts {
namespace {

torch::Tensor int64_scalar(std::int64_t v) { return torch::tensor({v}, torch::kInt64); }

}  // namespace

void write_archive(const std::filesystem::path& path, std::string_view what,
                   const std::function<void(torch::serialize::OutputArchive&)>& fill,
                   std::span<const std::filesystem::path> inputs) {
  OutputFile out(path, inputs);
  std::ofstream file(out.temp_path(), std::ios::binary);
  try {
    torch::serialize::OutputArchive archive;
    fill(archive);
    // The writer-function form names the zip's inner folder "archive"; saving to a path
    // would name it after the temporary file, so the bytes would differ run to run.
    archive.save_to([&file](const void* data, size_t size) {
      file.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
      return file ? size : 0;
    });
  } catch (const c10::Error& e) {
    throw Error("cannot write " + std::string(what) + " " + quoted(path) + ": " +
                e.what_without_backtrace());
  }
  file.close();
  if (!file) throw Error("cannot write " + std::string(what) + " " + quoted(path));
  out.commit();
}

void save_lora_set(const LoraSet& set, int dimension, const std::filesystem::path& path) {
  if (dimension < 0 || dimension >= kExpertCount) {
    throw Error("save_lora_set: dimension " + std::to_string(dimension) + " is not 0..2");
  }
  if (set.adapters.empty()) throw Error("save_lora_set: LoRA set '" + set.name + "' is empty");
  const std::int64_t rank = set.adapters.begin()->second.a.size(0);
  write_archive(path, "expert file", [&](torch::serialize::OutputArchive& archive) {
    torch::NoGradGuard no_grad;
    for (const auto& [name, adapter] : set.adapters) {
      if (adapter.a.size(0) != rank || adapter.b.size(1) != rank) {
        throw Error("save_lora_set: layer " + name + " of set '" + set.name +
                    "' has another rank than " + std::to_string(rank));
      }
      const std::string stem = lora_tensor_stem(name);
      archive.write(stem + "_a", adapter.a.detach().to(torch::kFloat32).contiguous());
      archive.write(stem + "_b", adapter.b.detach().to(torch::kFloat32).contiguous());
    }
    archive.write("lora_rank", int64_scalar(rank));
    archive.write("lora_dimension", int64_scalar(dimension));
  });
}

LoraSet load_lora_set(const std::filesystem::path& path, const ModelConfig& config) {
  PlainLoraSet plain = read_lora_set(path, config);
  LoraSet set{plain.name, {}};
  for (const auto& [name, l] : plain.adapters) {
    // The plain adapter holds Aᵀ [in, rank] and Bᵀ [rank, out].
    torch::Tensor a_t = torch::from_blob(const_cast<float*>(l.a_t.data()), {l.in, l.padded_rank})
                            .slice(1, 0, l.rank);
    torch::Tensor b_t = torch::from_blob(const_cast<float*>(l.b_t.data()), {l.padded_rank, l.out})
                            .slice(0, 0, l.rank);
    set.adapters[name] = LoraAdapter{a_t.t().contiguous(), b_t.t().contiguous()};
  }
  return set;
}

ExpertGateImpl::ExpertGateImpl(const ExpertGateOptions& options) : options_(options) {
  const int in = 2 * options.frequencies + options.embedding;
  layer_embedding = register_parameter("gate_layer_embedding",
                                       torch::randn({options.layers, options.embedding}) * 0.5);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  fc1_weight = register_parameter("gate_fc1_weight",
                                  torch::rand({options.hidden, in}) * (2 * bound) - bound);
  fc1_bias = register_parameter("gate_fc1_bias", torch::zeros({options.hidden}));
  fc2_weight = register_parameter("gate_fc2_weight", torch::zeros({kExpertCount, options.hidden}));
  fc2_bias = register_parameter("gate_fc2_bias", torch::zeros({kExpertCount}));
  frequencies_ = register_buffer("gate_frequencies", int64_scalar(options.frequencies));
}

torch::Tensor ExpertGateImpl::forward(const torch::Tensor& t) {
  const int64_t batch = t.size(0), layers = options_.layers;
  torch::Tensor k = torch::arange(1, options_.frequencies + 1, torch::kFloat32);  // [F]
  torch::Tensor angle =
      t.to(torch::kFloat32).unsqueeze(1) * k.unsqueeze(0) * static_cast<float>(M_PI);
  torch::Tensor phi = torch::cat({torch::sin(angle), torch::cos(angle)}, 1);  // [B, 2F]
  torch::Tensor input =
      torch::cat({phi.unsqueeze(1).expand({batch, layers, phi.size(1)}),
                  layer_embedding.unsqueeze(0).expand({batch, layers, options_.embedding})},
                 2);                                                               // [B, L, 2F + E]
  torch::Tensor h = torch::silu(torch::matmul(input, fc1_weight.t()) + fc1_bias);  // [B, L, H]
  torch::Tensor g = 2 * torch::sigmoid(torch::matmul(h, fc2_weight.t()) + fc2_bias);  // [B, L, 3]
  return g.transpose(1, 2);                                                           // [B, 3, L]
}

void save_gate(ExpertGate& gate, const std::filesystem::path& path) {
  write_archive(path, "gate file",
                [&](torch::serialize::OutputArchive& archive) { gate->save(archive); });
}

ExpertGate load_gate(const std::filesystem::path& path) {
  check_input_file(path, "gate file");
  const TensorMap tensors = read_tensor_file(path);
  auto shape = [&](const char* name, int axis) -> int {
    auto it = tensors.find(name);
    if (it == tensors.end() || static_cast<int>(it->second.shape.size()) <= axis) {
      throw InputError("gate file " + quoted(path) + " has no tensor '" + name + "'");
    }
    return static_cast<int>(it->second.shape[axis]);
  };
  auto f = tensors.find("gate_frequencies");
  if (f == tensors.end() || f->second.ints.size() != 1) {
    throw InputError("gate file " + quoted(path) + " has no 'gate_frequencies'");
  }
  ExpertGateOptions options{shape("gate_layer_embedding", 0), shape("gate_layer_embedding", 1),
                            shape("gate_fc1_weight", 0), static_cast<int>(f->second.ints[0])};
  (void)PlainExpertGate(tensors, options.layers, quoted(path));  // checks every shape and value
  ExpertGate gate(options);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    gate->load(archive);
  } catch (const c10::Error& e) {
    throw InputError("cannot load gate " + quoted(path) + ": " + e.what_without_backtrace());
  }
  return gate;
}

}  // namespace parla::experts
