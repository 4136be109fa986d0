// Private to experts/: a read-only view of an uncompressed ("stored") ZIP archive held
// in memory, as torch::save writes them. The central directory gives every entry's
// size and CRC-32; an entry's bytes are checked against its CRC when read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace parla::experts {

class StoredZip {
 public:
  // Reads the whole file. Throws InputError naming `path` when it cannot be read or
  // is not a ZIP archive (no end-of-central-directory record, entries out of bounds).
  explicit StoredZip(const std::filesystem::path& path);

  // Entry names in archive order.
  const std::vector<std::string>& names() const { return names_; }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  // The bytes of an entry. Throws InputError naming the file and the entry when it is
  // missing, compressed (only stored entries are supported) or fails its CRC check.
  std::span<const std::uint8_t> read(const std::string& name) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Entry {
    std::uint16_t method = 0;          // 0 = stored
    std::uint32_t crc32 = 0;
    std::uint64_t size = 0;            // uncompressed bytes
    std::uint64_t compressed_size = 0;
    std::uint64_t local_offset = 0;    // offset of the local file header
  };
  [[noreturn]] void fail(const std::string& problem) const;

  std::filesystem::path path_;
  std::vector<std::uint8_t> bytes_;
  std::vector<std::string> names_;
  std::map<std::string, Entry> entries_;
};

}  // namespace parla::experts
