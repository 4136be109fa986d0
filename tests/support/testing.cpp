#include "tests/support/testing.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

namespace parla::testing {
namespace fs = std::filesystem;

namespace {
// Every parla the tests run caches portrait fits here, never in the user's home
// (tests of the cache itself set their own XDG_CACHE_HOME).
const bool kPrivateFitCache = [] {
  ::setenv("XDG_CACHE_HOME", (fs::temp_directory_path() / "parla-test-cache").c_str(), /*overwrite=*/1);
  return true;
}();
}  // namespace

fs::path data_dir() { return PARLA_TEST_DATA_DIR; }
fs::path shared_media_dir() { return PARLA_TEST_SHARED_MEDIA_DIR; }
fs::path parla_executable() { return PARLA_TEST_PARLA_EXE; }

ScratchDir::ScratchDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() /
          ("parla-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buf{};
  while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) result.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void ffmpeg(const std::string& args) {
  auto r = run_command("ffmpeg -nostdin -v error -y " + args);
  if (r.exit_code != 0) throw std::runtime_error("ffmpeg " + args + " failed: " + r.output);
}

void make_tone(const fs::path& path, double hz, double seconds, int rate) {
  ffmpeg("-f lavfi -i " + shell_quote("sine=frequency=" + std::to_string(hz) + ":sample_rate=" +
                                      std::to_string(rate) + ":duration=" + std::to_string(seconds)) +
         " " + shell_quote(path.string()));
}

void make_speech(const fs::path& path, const std::string& text) {
  fs::path raw = path.string() + ".espeak.wav";
  auto r = run_command("espeak-ng -w " + shell_quote(raw.string()) + " " + shell_quote(text));
  if (r.exit_code != 0) throw std::runtime_error("espeak-ng failed: " + r.output);
  ffmpeg("-i " + shell_quote(raw.string()) + " -ar 16000 -ac 1 " + shell_quote(path.string()));
  fs::remove(raw);
}

void make_speech_with_pause(const fs::path& path) {
  fs::path a = path.string() + ".a.wav", b = path.string() + ".b.wav";
  make_speech(a, "The quick brown fox jumps over the lazy dog, and then it rests.");
  make_speech(b, "Maybe people should put more pepper in the soup.");
  ffmpeg("-i " + shell_quote(a.string()) + " -f lavfi -t 2 -i anullsrc=r=16000:cl=mono -i " +
         shell_quote(b.string()) + " -filter_complex concat=n=3:v=0:a=1 " + shell_quote(path.string()));
  fs::remove(a);
  fs::remove(b);
}

double probe_duration(const fs::path& path, const std::string& stream) {
  std::string select = stream.empty() ? "-show_entries format=duration"
                                      : "-select_streams " + stream + " -show_entries stream=duration";
  auto r = run_command("ffprobe -v error " + select + " -of csv=p=0 " + shell_quote(path.string()));
  if (r.exit_code != 0) throw std::runtime_error("ffprobe failed: " + r.output);
  return std::stod(r.output);
}

}  // namespace parla::testing
