// Shared helpers for Parla's tests: where the bundled and shared media live, scratch
// directories, and fixtures made with the real ffmpeg / espeak-ng command-line tools.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace parla::testing {

// data/ of this checkout (sample, models).
std::filesystem::path data_dir();
// ../shared/media beside the checkout (real recordings and portraits).
std::filesystem::path shared_media_dir();
// The built `parla` executable.
std::filesystem::path parla_executable();

// A fresh empty directory removed when the object dies.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// A whole file's bytes ("" when it cannot be read).
std::string file_bytes(const std::filesystem::path& path);

// Result of running a command through /bin/sh.
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
CommandResult run_command(const std::string& command);
// Single-quotes a string for /bin/sh.
std::string shell_quote(const std::string& text);

// Runs `ffmpeg -v error -y <args>`; throws std::runtime_error with its output on failure.
void ffmpeg(const std::string& args);
// Writes a sine tone (Hz, seconds) to `path` in whatever format its extension selects.
void make_tone(const std::filesystem::path& path, double hz, double seconds, int rate = 16000);
// Speaks `text` with espeak-ng into a 16 kHz mono WAV.
void make_speech(const std::filesystem::path& path, const std::string& text);
// About 9 s of espeak-ng speech: a sentence, a 2-second pause, another sentence, as a
// 16 kHz mono WAV (for generators: speech, silence and phrase edges in one clip).
void make_speech_with_pause(const std::filesystem::path& path);

// Reads a 16 kHz mono WAV or any audio through ffprobe: duration in seconds.
double probe_duration(const std::filesystem::path& path, const std::string& stream = "");

}  // namespace parla::testing
