// Test support (tests/experts, fuzz/fuzz_weights.cpp): stored ZIP archives and torch
// pickles built byte by byte, for weight files no trainer would write.
//
//   std::vector<std::uint8_t> zip = parla::testing::stored_zip({{"archive/data.pkl", pickle}});
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parla::testing {

inline std::uint32_t zip_crc32(const std::vector<std::uint8_t>& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (std::uint8_t byte : bytes) {
    crc ^= byte;
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline void put_le(std::vector<std::uint8_t>& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

using ZipEntries = std::vector<std::pair<std::string, std::vector<std::uint8_t>>>;

// A stored (uncompressed) ZIP of `entries` with correct CRCs, each entry's data
// aligned to 64 bytes as torch::save aligns them (the reader refuses misaligned storages).
inline std::vector<std::uint8_t> stored_zip(const ZipEntries& entries) {
  std::vector<std::uint8_t> out, directory;
  for (const auto& [name, bytes] : entries) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = zip_crc32(bytes);
    const auto size = static_cast<std::uint32_t>(bytes.size());
    const std::size_t padding = (64 - (out.size() + 30 + name.size()) % 64) % 64;
    const std::size_t extra = padding == 0 ? 0 : (padding < 4 ? padding + 64 : padding);
    put_le(out, 0x04034b50, 4);
    put_le(out, 20, 2), put_le(out, 0, 2), put_le(out, 0, 2), put_le(out, 0, 2), put_le(out, 0, 2);
    put_le(out, crc, 4), put_le(out, size, 4), put_le(out, size, 4);
    put_le(out, static_cast<std::uint32_t>(name.size()), 2);
    put_le(out, static_cast<std::uint32_t>(extra), 2);
    out.insert(out.end(), name.begin(), name.end());
    if (extra > 0) {  // padding in an extra field of its own ("FB", as torch::save writes)
      put_le(out, 0x4246, 2), put_le(out, static_cast<std::uint32_t>(extra - 4), 2);
      out.insert(out.end(), extra - 4, 'Z');
    }
    out.insert(out.end(), bytes.begin(), bytes.end());

    put_le(directory, 0x02014b50, 4);
    put_le(directory, 20, 2), put_le(directory, 20, 2), put_le(directory, 0, 2);
    put_le(directory, 0, 2), put_le(directory, 0, 2), put_le(directory, 0, 2);
    put_le(directory, crc, 4), put_le(directory, size, 4), put_le(directory, size, 4);
    put_le(directory, static_cast<std::uint32_t>(name.size()), 2);
    put_le(directory, 0, 2), put_le(directory, 0, 2), put_le(directory, 0, 2), put_le(directory, 0, 2);
    put_le(directory, 0, 4), put_le(directory, offset, 4);
    directory.insert(directory.end(), name.begin(), name.end());
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out.insert(out.end(), directory.begin(), directory.end());
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 2), put_le(out, 0, 2);
  put_le(out, static_cast<std::uint32_t>(entries.size()), 2);
  put_le(out, static_cast<std::uint32_t>(entries.size()), 2);
  put_le(out, static_cast<std::uint32_t>(directory.size()), 4), put_le(out, directory_offset, 4);
  put_le(out, 0, 2);
  return out;
}

// Pickle (protocol 2) pieces as torch.save writes them.
namespace pickle {

inline std::string text(const std::string& s) {  // BINUNICODE
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out += static_cast<char>((s.size() >> (8 * i)) & 0xff);
  return out + s;
}
inline std::string integer(std::int32_t v) {  // BININT
  std::string out = "J";
  for (int i = 0; i < 4; ++i) out += static_cast<char>((static_cast<std::uint32_t>(v) >> (8 * i)) & 0xff);
  return out;
}
inline std::string tuple(const std::vector<std::string>& items) {
  std::string out = "(";
  for (const auto& item : items) out += item;
  return out + "t";
}
// torch._utils._rebuild_tensor_v2 over storage `key` (FloatStorage or LongStorage).
inline std::string tensor(const std::string& key, const std::string& storage_type, std::int32_t numel,
                          std::int32_t offset, const std::vector<std::int32_t>& shape,
                          const std::vector<std::int32_t>& stride) {
  std::vector<std::string> dims, strides;
  for (std::int32_t d : shape) dims.push_back(integer(d));
  for (std::int32_t s : stride) strides.push_back(integer(s));
  const std::string storage =
      tuple({text("storage"), "ctorch\n" + storage_type + "\n", text(key), text("cpu"), integer(numel)}) + "Q";
  return "ctorch._utils\n_rebuild_tensor_v2\n" +
         tuple({storage, integer(offset), tuple(dims), tuple(strides), "\x89",
                "ccollections\nOrderedDict\n)R"}) +
         "R";
}
// A dict of named tensors (Python torch.save's form): {name: tensor, ...}.
inline std::string dict(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "\x80\x02}(";
  for (const auto& [name, value] : items) out += text(name) + value;
  return out + "u.";
}

}  // namespace pickle

// A weight file holding `pickle` as archive/data.pkl and `storages` as archive/data/<i>.
inline std::vector<std::uint8_t> weight_file(const std::string& pickle,
                                             const std::vector<std::vector<std::uint8_t>>& storages) {
  ZipEntries entries;
  entries.emplace_back("archive/data.pkl", std::vector<std::uint8_t>(pickle.begin(), pickle.end()));
  for (std::size_t i = 0; i < storages.size(); ++i) {
    entries.emplace_back("archive/data/" + std::to_string(i), storages[i]);
  }
  entries.emplace_back("archive/version", std::vector<std::uint8_t>{'3', '\n'});
  return stored_zip(entries);
}

}  // namespace parla::testing
