// Stored-ZIP reading: end-of-central-directory → central directory → local headers.
// Sizes and CRCs come from the central directory (torch::save writes data descriptors,
// so the local headers hold zeros); local headers give only where the data starts.
#include "experts/stored_zip.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "core/core.h"

namespace parla::experts {
namespace {

constexpr std::uint32_t kEndOfDirectory = 0x06054b50;
constexpr std::uint32_t kDirectoryEntry = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::size_t kEndOfDirectorySize = 22;
constexpr std::size_t kDirectoryEntrySize = 46;
constexpr std::size_t kLocalHeaderSize = 30;

std::uint32_t le16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }
std::uint32_t le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
// An entry name for messages: names come from the file, so only an escaped excerpt.
std::string entry_name(const std::string& name) { return "'" + excerpt(name, 64) + "'"; }

}  // namespace

void StoredZip::fail(const std::string& problem) const {
  throw InputError("cannot read weight file " + quoted(path_) + ": " + problem);
}

StoredZip::StoredZip(const std::filesystem::path& path) : path_(path) {
  check_input_file(path, "weight file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    fail(reason);
  }
  if (info.st_size > 0) {
    void* map = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ,
                       MAP_PRIVATE | MAP_POPULATE, fd, 0);
    const int error = errno;
    ::close(fd);
    if (map == MAP_FAILED) fail(std::string("cannot map: ") + std::strerror(error));
    bytes_ = {static_cast<const std::uint8_t*>(map), static_cast<std::size_t>(info.st_size)};
    mapping_ = decltype(mapping_)(bytes_.data(), Unmap{bytes_.size()});
  } else {
    ::close(fd);
  }

  // The end record sits in the last 22 + 65535 (comment) bytes.
  const std::size_t n = bytes_.size();
  if (n < kEndOfDirectorySize) fail("not a ZIP archive (too short)");
  std::size_t end = n - kEndOfDirectorySize;
  const std::size_t lowest = n > kEndOfDirectorySize + 65535 ? n - kEndOfDirectorySize - 65535 : 0;
  while (le32(&bytes_[end]) != kEndOfDirectory) {
    if (end == lowest) fail("not a ZIP archive (no end of central directory)");
    --end;
  }
  const std::uint8_t* e = &bytes_[end];
  const std::uint32_t count = le16(e + 10), directory_size = le32(e + 12),
                      directory_offset = le32(e + 16);
  if (count == 0xffff || directory_offset == 0xffffffffu) fail("ZIP64 archives are not supported");
  if (std::uint64_t{directory_offset} + directory_size > end) fail("truncated central directory");

  std::size_t pos = directory_offset;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (pos + kDirectoryEntrySize > end || le32(&bytes_[pos]) != kDirectoryEntry) {
      fail("corrupt central directory");
    }
    const std::uint8_t* d = &bytes_[pos];
    Entry entry{static_cast<std::uint16_t>(le16(d + 10)), le32(d + 16), le32(d + 24), le32(d + 20),
                le32(d + 42)};
    const std::size_t name_length = le16(d + 28), extra_length = le16(d + 30),
                      comment_length = le16(d + 32);
    if (pos + kDirectoryEntrySize + name_length > end) fail("corrupt central directory");
    std::string name(reinterpret_cast<const char*>(d + kDirectoryEntrySize), name_length);
    if (entry.size == 0xffffffffu || entry.local_offset == 0xffffffffu) {
      fail("ZIP64 entry " + entry_name(name) + " is not supported");
    }
    names_.push_back(name);
    entries_[name] = entry;
    pos += kDirectoryEntrySize + name_length + extra_length + comment_length;
  }
}

void StoredZip::Unmap::operator()(const std::uint8_t* data) const {
  ::munmap(const_cast<std::uint8_t*>(data), size);
}

std::span<const std::uint8_t> StoredZip::read(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) fail("missing entry " + entry_name(name));
  const Entry& entry = it->second;
  if (entry.method != 0) {
    fail("entry " + entry_name(name) + " is compressed (method " + std::to_string(entry.method) +
         "); only stored entries are supported");
  }
  if (entry.compressed_size != entry.size) fail("entry " + entry_name(name) + " has inconsistent sizes");
  if (entry.local_offset + kLocalHeaderSize > bytes_.size() ||
      le32(&bytes_[entry.local_offset]) != kLocalHeader) {
    fail("corrupt local header of " + entry_name(name));
  }
  const std::uint8_t* h = &bytes_[entry.local_offset];
  const std::uint64_t data = entry.local_offset + kLocalHeaderSize + le16(h + 26) + le16(h + 28);
  if (data + entry.size > bytes_.size()) fail("truncated entry " + entry_name(name));
  std::span<const std::uint8_t> out(bytes_.data() + data, entry.size);
  // zlib's crc32 takes uInt lengths; entries here are far below 4 GiB (checked above).
  if (::crc32(0L, out.data(), static_cast<uInt>(out.size())) != entry.crc32) {
    fail("CRC mismatch in entry " + entry_name(name) + " (corrupt file)");
  }
  return out;
}

}  // namespace parla::experts
