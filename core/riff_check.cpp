// RIFF chunk walk before FFmpeg: INFO entries that claim more than the file holds.
#include "core/riff_check.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>

namespace parla {
namespace {

constexpr int kMaxDepth = 4;
constexpr int kMaxChunks = 4096;

using FourCC = std::array<char, 4>;

std::string printable(const FourCC& id) {
  std::string text;
  for (char c : id) text += (c >= 0x20 && c < 0x7f && c != '\'') ? c : '?';
  return text;
}

class Walker {
 public:
  Walker(std::ifstream& in, std::uint64_t file_size) : in_(in), size_(file_size) {}

  // Chunks in [begin, end); the problem found, if any.
  std::optional<std::string> walk(std::uint64_t begin, std::uint64_t end, int depth, bool info) {
    std::uint64_t at = begin;
    while (at + 8 <= end && ++chunks_ <= kMaxChunks) {
      FourCC id;
      std::uint32_t size = 0;
      if (!read(at, id) || !read_u32(at + 4, size)) return std::nullopt;
      std::uint64_t body = at + 8, body_end = body + size;
      if (info && body_end > size_) {
        return "its INFO entry '" + printable(id) + "' at byte " + std::to_string(at) + " claims " +
               std::to_string(size) + " bytes; the file holds " + std::to_string(size_);
      }
      FourCC type;
      if (!info && id == FourCC{'L', 'I', 'S', 'T'} && size >= 4 && depth < kMaxDepth &&
          read(body, type) && type != FourCC{'m', 'o', 'v', 'i'}) {
        bool is_info = type == FourCC{'I', 'N', 'F', 'O'};
        if (auto problem = walk(body + 4, std::min(body_end, size_), depth + 1, is_info)) return problem;
      }
      if (body_end > size_) return std::nullopt;  // a data chunk of a stream, or truncated
      at = body_end + (size & 1);                // chunks are padded to even sizes
    }
    return std::nullopt;
  }

 private:
  bool read(std::uint64_t at, FourCC& out) {
    in_.seekg(static_cast<std::streamoff>(at));
    return static_cast<bool>(in_.read(out.data(), 4));
  }
  bool read_u32(std::uint64_t at, std::uint32_t& out) {
    std::array<unsigned char, 4> b;
    in_.seekg(static_cast<std::streamoff>(at));
    if (!in_.read(reinterpret_cast<char*>(b.data()), 4)) return false;
    out = b[0] | b[1] << 8 | b[2] << 16 | static_cast<std::uint32_t>(b[3]) << 24;
    return true;
  }

  std::ifstream& in_;
  std::uint64_t size_;
  int chunks_ = 0;
};

}  // namespace

std::optional<std::string> riff_info_problem(const std::filesystem::path& path) {
  std::error_code ec;
  std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size < 12) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  FourCC riff, form;
  if (!in.read(riff.data(), 4) || riff != FourCC{'R', 'I', 'F', 'F'}) return std::nullopt;
  in.seekg(8);
  if (!in.read(form.data(), 4)) return std::nullopt;
  return Walker(in, size).walk(12, size, 0, false);
}

}  // namespace parla
