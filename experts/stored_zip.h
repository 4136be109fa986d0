// Private to experts/: a read-only view of an uncompressed ("stored") ZIP archive mapped
// into memory, as torch::save writes them. The central directory gives every entry's
// size and CRC-32; an entry's bytes are checked against its CRC when read. The file is
// mapped, not copied: page-cache pages cost far less to map than fresh heap pages.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace parla::experts {

class StoredZip {
 public:
  // Maps the whole file. Throws InputError naming `path` when it cannot be read or
  // is not a ZIP archive (no end-of-central-directory record, entries out of bounds).
  explicit StoredZip(const std::filesystem::path& path);

  // Entry names in archive order.
  const std::vector<std::string>& names() const { return names_; }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  // The bytes of an entry, valid while this object lives. Throws InputError naming the file and the entry when it is
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

  struct Unmap {
    std::size_t size;  // no initialiser: default-constructible inside the incomplete class
    void operator()(const std::uint8_t* data) const;
  };

  std::filesystem::path path_;
  std::unique_ptr<const std::uint8_t, Unmap> mapping_;  // owns the mapped file
  std::span<const std::uint8_t> bytes_;                 // the mapped file
  std::vector<std::string> names_;
  std::map<std::string, Entry> entries_;
};

}  // namespace parla::experts
