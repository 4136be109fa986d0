// Private to experts/: the tensors of a torch::save archive as views into the mapped
// file (experts/weights_file.cpp), so a loader copies each value once, straight into
// the layout it wants (PlainModel: linear weights transposed). read_tensor_file
// (runtime.h) is the owning convenience over it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "experts/runtime.h"
#include "experts/stored_zip.h"

namespace parla::experts {

// A strided view of little-endian values: element (i0, i1, ...) lies at
// data[offset + Σ i_d · stride[d]] (in elements). Checked to lie inside its storage.
struct TensorView {
  TensorData::DType dtype = TensorData::DType::Float32;
  std::vector<std::int64_t> shape, stride;
  std::int64_t offset = 0;
  const void* data = nullptr;  // element 0 of the storage
  std::int64_t numel() const;
};

// Copies the view's values to dst row-major (floats or int64s, as its dtype).
void copy_values(const TensorView& view, void* dst);
// The same values seen transposed: a 2-D view with its axes swapped.
TensorView transposed(TensorView view);
// A view of an owned tensor.
TensorView view_of(const TensorData& tensor);

class TensorArchive {
 public:
  // Maps the file and reads its pickle; InputError naming the file when it is broken.
  explicit TensorArchive(const std::filesystem::path& path);
  // Views valid while this archive lives, by dotted name.
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }

 private:
  StoredZip zip_;
  std::map<std::string, TensorView> tensors_;
};

}  // namespace parla::experts
