// Private to cli: the audio a command reads, as given by the user: a file, `-` for
// standard input (ffmpeg's convention), and --start / --duration (ffmpeg's -ss / -t) for
// a part of it. Standard input is copied to a temporary file (the render reads its audio
// more than once); a part is decoded once into a temporary 48 kHz float WAV. Temporary
// files are removed when the AudioInput is destroyed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/args.h"

namespace parla::cli {

class AudioInput {
 public:
  // `arg` is the AUDIO positional. Throws InputError naming the file for a --start past
  // its end, an empty part, or an empty standard input.
  AudioInput(const std::string& arg, const ParsedArgs& args);
  ~AudioInput();
  AudioInput(const AudioInput&) = delete;
  AudioInput& operator=(const AudioInput&) = delete;

  // What the stages read (the file itself when neither `-` nor a part was asked for).
  const std::filesystem::path& path() const { return path_; }
  // The file the user named (for "same file as the output" checks); empty for stdin.
  const std::filesystem::path& original() const { return original_; }

 private:
  void prepare(const std::string& arg, const ParsedArgs& args);
  void remove_temp();

  std::filesystem::path path_;
  std::filesystem::path original_;
  std::filesystem::path temp_dir_;  // empty when nothing temporary was made
  std::vector<int> temp_slots_;     // register_temp_path slots: the dir and its files
};

// `message` with every temporary audio path an AudioInput made replaced by what the
// user typed ("'-' (standard input)", or the file a --start part came from), so an
// error found later in the decoded copy names the input, not a file in /tmp. Called by
// run_command on every error it prints; thread-safe.
std::string name_inputs_in_message(std::string message);

// --start and --duration, for the commands that read an audio file.
std::vector<OptionSpec> audio_part_options();

}  // namespace parla::cli
