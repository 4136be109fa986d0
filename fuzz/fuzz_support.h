// Shared by the libFuzzer harnesses (fuzz/*.cpp, docs/limits.md "Fuzzing"): the input
// bytes as a file the real readers open by path, and the oracles every harness applies
// on top of ASan + UBSan: a refusal is parla::InputError (exit 2) or, where a reader's
// contract allows it, parla::Error (exit 1) — never another exception — and its message
// is one printable line Parla could show (valid UTF-8, no control bytes, not the input
// echoed at length).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/core.h"

namespace parla::fuzz {

// Prints why and aborts: libFuzzer saves the input as a crash.
[[noreturn]] inline void fail(std::string_view why, std::string_view detail = {}) {
  std::fprintf(stderr, "\nFUZZ ORACLE: %.*s%s%.*s\n", static_cast<int>(why.size()), why.data(),
               detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The longest refusal message accepted: the CLI cuts at kMaxErrorChars, so a longer one
// only matters when the input is echoed into it (a 1 MB number, a whole line).
inline constexpr std::size_t kMaxMessageBytes = 600;

// Aborts unless `message` is valid UTF-8 without control bytes and at most
// kMaxMessageBytes long.
inline void check_message(std::string_view message) {
  if (message.empty()) fail("empty error message");
  if (message.size() > kMaxMessageBytes) fail("error message too long", excerpt(message, 300));
  for (std::size_t i = 0; i < message.size();) {
    const auto c = static_cast<unsigned char>(message[i]);
    if (c < 0x20 || c == 0x7f) fail("control byte in error message", excerpt(message, 300));
    if (c < 0x80) {
      ++i;
      continue;
    }
    // A lead byte (2-byte C2..DF, 3-byte E0..EF, 4-byte F0..F4) and its continuations.
    const int extra = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= message.size()) {
      fail("invalid UTF-8 in error message", excerpt(message, 300));
    }
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(message[i + k]) & 0xc0) != 0x80) {
        fail("invalid UTF-8 in error message", excerpt(message, 300));
      }
    }
    i += 1 + extra;
  }
}

// Coverage the instrumentation cannot see. FFmpeg (a Debian build) carries no coverage,
// so to libFuzzer a PNG and a BMP that both decode look alike and one of them is dropped
// from the corpus. note() turns what a harness learns about an input (the demuxer that
// claimed it, its codec, the kind of refusal) into libFuzzer "extra counters": one more
// feature per distinct word, which keeps such inputs apart. Digits are skipped, so
// "sample rate 1 Hz" and "sample rate 2 Hz" count as one.
inline constexpr std::size_t kExtraCounters = 1 << 12;
__attribute__((used, section("__libfuzzer_extra_counters"))) inline std::uint8_t
    extra_counters[kExtraCounters];

inline void note(std::string_view what) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : what) {
    if (c >= '0' && c <= '9') continue;
    hash = (hash ^ c) * 0x100000001b3ull;
  }
  std::uint8_t& counter = extra_counters[hash % kExtraCounters];
  if (counter < 255) ++counter;
}

// A small number under a name ("channels" 2), digits kept.
inline void note(std::string_view what, std::uint64_t value) {
  note(std::string(what) + "=" + std::string(1, static_cast<char>('a' + value % 26)) +
       std::string(1, static_cast<char>('a' + value / 26 % 26)));
}
// floor(log2(value)) + 1, 0 for 0: a size class.
inline std::uint64_t magnitude(std::uint64_t value) {
  std::uint64_t bits = 0;
  while (value) ++bits, value >>= 1;
  return bits;
}

// The kind of a refusal: its message after the file's name, up to the first quoted
// excerpt of the input, without numbers ("': not valid JSON at line , column  near ").
inline void note_refusal(std::string_view message, std::string_view name) {
  const std::size_t at = message.find(name);
  std::string_view kind =
      at == std::string_view::npos ? message : message.substr(std::min(at + name.size() + 1, message.size()));
  kind = kind.substr(0, kind.find_first_of("'\""));
  note(kind);
}

// What a harness accepts besides InputError.
enum class Allow { InputErrorOnly, AnyParlaError };

// Runs `body`; a parla::InputError (or, with Allow::AnyParlaError, a parla::Error) is a
// clean refusal whose message is checked and must contain `name` (the file as the
// reader was given it); anything else aborts.
template <typename Body>
void expect_clean(std::string_view name, Allow allow, Body&& body) {
  auto check = [&](const char* message) {
    check_message(message);
    note_refusal(message, name);
    if (std::string_view(message).find(name) == std::string_view::npos) {
      fail("error message does not name the input", excerpt(message, 300));
    }
  };
  try {
    body();
  } catch (const InputError& e) {
    check(e.what());
  } catch (const Error& e) {
    if (allow != Allow::AnyParlaError) fail("parla::Error where only InputError is allowed", excerpt(e.what(), 300));
    check(e.what());
  } catch (const std::exception& e) {
    fail("unexpected exception type (not a parla::Error)", excerpt(e.what(), 300));
  }
}

// One in-memory file (memfd) holding the current input, reachable by path as
// /proc/self/fd/N, so the harness calls the very functions the CLI calls on a path.
class MemoryFile {
 public:
  MemoryFile() {
    fd_ = ::memfd_create("parla-fuzz-input", MFD_CLOEXEC);
    if (fd_ < 0) fail("memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Replaces the file's contents with `size` bytes at `data`.
  const std::filesystem::path& hold(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0) fail("ftruncate failed");
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) fail("pwrite failed");
      done += static_cast<std::size_t>(n);
    }
    return path_;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace parla::fuzz
