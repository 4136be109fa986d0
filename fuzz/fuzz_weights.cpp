// Weight files (`--weights FILE`, data/models/base/base.pt): the LibTorch-free reader
// of torch::save archives (experts/stored_zip.cpp, experts/weights_file.cpp) through
// experts::read_tensor_file and experts::PlainModel's constructor, the loader the
// learned generator uses. Two modes, by the input's first bytes:
//  - "PK\x03\x04" or "PK\x05\x06": the input is the whole file (ZIP structure, CRCs);
//  - anything else: the input is the pickle, stored as archive/data.pkl in a valid
//    stored ZIP beside storages archive/data/0 .. 15 of 256 bytes each (64 float32 or
//    32 int64 values), so mutations reach the pickle machine past the CRC checks.
// The same file then goes through the TLPO experts' readers (read_lora_set, read_gate).
#include <cmath>
#include <vector>

#include "experts/runtime.h"
#include "fuzz/fuzz_support.h"
#include "tests/experts/zip_builder.h"

namespace {

constexpr int kStorages = 16;
constexpr std::size_t kStorageBytes = 256;

std::vector<std::uint8_t> wrap_pickle(const std::uint8_t* data, std::size_t size) {
  std::vector<std::vector<std::uint8_t>> storages;
  for (int k = 0; k < kStorages; ++k) {
    std::vector<std::uint8_t> storage(kStorageBytes);
    for (std::size_t i = 0; i < storage.size(); ++i) storage[i] = static_cast<std::uint8_t>(k * 31 + i);
    storages.push_back(std::move(storage));
  }
  return parla::testing::weight_file(std::string(reinterpret_cast<const char*>(data), size), storages);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parla;
  static fuzz::MemoryFile file;
  const bool whole_file = size >= 4 && data[0] == 'P' && data[1] == 'K' &&
                          ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));
  const std::filesystem::path* path = nullptr;
  if (whole_file) {
    path = &file.hold(data, size);
  } else {
    const std::vector<std::uint8_t> zip = wrap_pickle(data, size);
    path = &file.hold(zip.data(), zip.size());
  }
  fuzz::expect_clean(path->string(), fuzz::Allow::InputErrorOnly, [&] {
    const experts::TensorMap tensors = experts::read_tensor_file(*path);
    for (const auto& [name, tensor] : tensors) {
      std::int64_t numel = 1;
      for (std::int64_t d : tensor.shape) {
        if (d < 0) fuzz::fail("accepted a negative dimension", name);
        numel *= d;
      }
      const std::size_t held = tensor.dtype == experts::TensorData::DType::Float32
                                   ? tensor.floats.size() : tensor.ints.size();
      if (static_cast<std::size_t>(numel) != held) fuzz::fail("tensor size differs from its shape", name);
    }
  });
  // The model loader maps the file itself (not through read_tensor_file).
  fuzz::expect_clean(path->string(), fuzz::Allow::InputErrorOnly, [&] {
    experts::PlainModel model(*path);
    const experts::ModelConfig& c = model.config();
    if (c.d_model <= 0 || c.heads <= 0 || c.max_frames <= 0) fuzz::fail("accepted an invalid config");
  });
  // The TLPO experts' readers on top of read_tensor_file: every shape, dtype and value
  // check of an expert file and a gate file (experts/expert_set_file.cpp, expert_mix.cpp).
  fuzz::expect_clean(path->string(), fuzz::Allow::InputErrorOnly, [&] {
    const experts::PlainLoraSet set = experts::read_lora_set(*path, experts::ModelConfig{});
    if (set.adapters.size() != experts::lora_layer_shapes(experts::ModelConfig{}).size()) {
      fuzz::fail("accepted an expert file without every layer");
    }
  });
  fuzz::expect_clean(path->string(), fuzz::Allow::InputErrorOnly, [&] {
    const experts::PlainExpertGate gate = experts::read_gate(*path, /*layers=*/16);
    float g[16 * experts::kExpertCount];
    for (float t : {0.f, 0.5f, 1.f}) {
      gate.evaluate(t, g);
      for (float v : g) {
        if (!(v >= 0.f && v <= 2.f)) fuzz::fail("gate value outside [0, 2]");
      }
    }
  });
  return 0;
}
