// Input checks, text I/O and OutputFile: outputs appear only when complete.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/core.h"

namespace parla {
namespace fs = std::filesystem;

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

std::string excerpt(std::string_view bytes, std::size_t max_chars) {
  std::string out;
  char hex[8];
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      if (out.size() + 1 > max_chars) return out + "...";
      out += static_cast<char>(c);
    } else {
      if (out.size() + 4 > max_chars) return out + "...";
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string text_position(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') ++line, line_start = i + 1;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

std::string capped_message(std::string_view message) {
  std::string line(message.substr(0, std::min(message.size(), kMaxErrorChars)));
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';  // one message, one line
  }
  if (message.size() > kMaxErrorChars) line.replace(kMaxErrorChars - 3, 3, "...");
  return line;
}

void check_input_file(const fs::path& path, std::string_view what) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    throw InputError("cannot open " + std::string(what) + " " + quoted(path) +
                     ": no such file");
  }
  if (fs::is_directory(status)) {
    throw InputError("cannot open " + std::string(what) + " " + quoted(path) +
                     ": it is a directory");
  }
  if (::access(path.c_str(), R_OK) != 0) {
    throw InputError("cannot open " + std::string(what) + " " + quoted(path) +
                     ": permission denied");
  }
}

std::string read_text_file(const fs::path& path) {
  check_input_file(path, "file");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) throw Error("cannot read " + quoted(path));
  return text.str();
}

void write_text_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write " + quoted(path));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.flush();
  if (!out) throw Error("cannot write " + quoted(path) + ": write failed (disk full?)");
}

namespace {

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

OutputFile::OutputFile(fs::path final_path, std::span<const fs::path> inputs)
    : final_path_(std::move(final_path)) {
  if (final_path_.empty()) throw InputError("output path is empty");
  std::error_code ec;
  if (fs::is_directory(final_path_, ec)) {
    throw InputError("cannot write output " + quoted(final_path_) +
                     ": it is a directory; give a file name");
  }
  if (!final_path_.has_filename()) {
    throw InputError("cannot write output " + quoted(final_path_) + ": no file name");
  }
  for (const auto& input : inputs) {
    if (same_file(input, final_path_)) {
      throw InputError("cannot write output " + quoted(final_path_) +
                       ": it is also an input; choose another output path");
    }
  }
  fs::path dir = final_path_.parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) {
    throw InputError("cannot write output " + quoted(final_path_) + ": directory " +
                     quoted(dir) + " does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw InputError("cannot write output " + quoted(final_path_) + ": directory " +
                     quoted(dir) + " is not writable");
  }
  if (fs::exists(final_path_, ec) && ::access(final_path_.c_str(), W_OK) != 0) {
    throw InputError("cannot write output " + quoted(final_path_) +
                     ": the existing file is not writable");
  }
  static std::atomic<int> counter{0};
  std::string temp_name = "." + final_path_.stem().string() + ".partial-" +
                          std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                          final_path_.extension().string();
  temp_path_ = dir / temp_name;
  temp_slot_ = register_temp_path(temp_path_);
}

OutputFile::OutputFile(fs::path final_path, std::initializer_list<fs::path> inputs)
    : OutputFile(std::move(final_path), std::span<const fs::path>(inputs.begin(), inputs.size())) {}

OutputFile::~OutputFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_path_, ec);
  }
  unregister_temp_path(temp_slot_);
}

void OutputFile::commit() {
  check_interrupted();  // a signal means: leave nothing behind, not even a finished file
  std::error_code ec;
  if (!fs::exists(temp_path_, ec)) {
    throw Error("cannot finish " + quoted(final_path_) + ": nothing was written");
  }
  fs::rename(temp_path_, final_path_, ec);
  if (ec) throw Error("cannot move output into place at " + quoted(final_path_) + ": " + ec.message());
  committed_ = true;
}

}  // namespace parla
