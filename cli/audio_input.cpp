#include "cli/audio_input.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>

#include "audio/audio.h"
#include "core/core.h"
#include "pipeline/pipeline.h"

namespace parla::cli {
namespace {

constexpr int kPartRate = 48000;  // Hz of a decoded part: what the MP4 muxes anyway

std::filesystem::path make_temp_dir() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("parla-audio-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

// Temporary path (quoted as in messages) -> what to show instead; entries live for the
// process, as the error naming them is printed after the AudioInput is gone.
std::mutex g_names_mutex;
std::vector<std::pair<std::string, std::string>> g_names;  // guarded by g_names_mutex

void name_temp_as(const std::filesystem::path& temp, const std::string& shown) {
  std::lock_guard lock(g_names_mutex);
  g_names.emplace_back(quoted(temp), shown);
}

}  // namespace

std::string name_inputs_in_message(std::string message) {
  std::lock_guard lock(g_names_mutex);
  for (const auto& [temp, shown] : g_names) {
    for (size_t at = message.find(temp); at != std::string::npos; at = message.find(temp, at + shown.size())) {
      message.replace(at, temp.size(), shown);
    }
  }
  return message;
}

std::vector<OptionSpec> audio_part_options() {
  return {{"start", 0, "S", "start this many seconds into the audio (like ffmpeg -ss; default 0)"},
          {"duration", 0, "S", "use only this many seconds of the audio (like ffmpeg -t)"}};
}

AudioInput::AudioInput(const std::string& arg, const ParsedArgs& args) {
  try {
    prepare(arg, args);
  } catch (...) {
    remove_temp();  // the destructor does not run for a throwing constructor
    throw;
  }
}

void AudioInput::prepare(const std::string& arg, const ParsedArgs& args) {
  const double start_s = args.number("start", 0.0, 0.0, 1e7);
  const double duration_s = args.number("duration", 0.0, 0.0, 1e7);
  if (args.has("duration") && duration_s <= 0) throw InputError("--duration must be more than 0 s");
  std::filesystem::path source = arg;
  if (arg == "-") {
    temp_dir_ = make_temp_dir();
    source = temp_dir_ / "stdin";
    temp_slots_ = {register_temp_path(temp_dir_), register_temp_path(source)};
    name_temp_as(source, "'-' (standard input)");
    std::ofstream out(source, std::ios::binary);
    out << std::cin.rdbuf();
    out.close();
    if (std::filesystem::file_size(source) == 0) {
      throw InputError("audio from standard input ('-') is empty");
    }
  } else {
    original_ = source;
    check_input_file(source, "audio");
  }
  path_ = source;
  if (!args.has("start") && !args.has("duration")) return;

  audio::AudioDecoder probe(source);
  const int channels = std::clamp(probe.info().source_channels, 1, 2);
  audio::AudioDecoder decoder(source, {.sample_rate = kPartRate, .channels = channels});
  const auto first = static_cast<std::int64_t>(std::llround(start_s * kPartRate)) * channels;
  const std::int64_t last = args.has("duration")
                                ? first + static_cast<std::int64_t>(std::llround(duration_s * kPartRate)) * channels
                                : INT64_MAX;
  std::vector<float> part, chunk(4800 * channels);
  std::int64_t at = 0;  // interleaved samples decoded so far
  while (at < last) {
    size_t n = decoder.read(chunk);
    if (n == 0) break;
    std::int64_t lo = std::max(at, first), hi = std::min<std::int64_t>(at + n, last);
    if (hi > lo) part.insert(part.end(), chunk.begin() + (lo - at), chunk.begin() + (hi - at));
    at += static_cast<std::int64_t>(n);
  }
  if (part.empty()) {
    char what[160];
    std::snprintf(what, sizeof what, "--start %.2f s is past its end (%.2f s)", start_s,
                  at / double(kPartRate * channels));
    throw InputError("audio " + quoted(arg == "-" ? std::filesystem::path("-") : source) + ": " + what);
  }
  if (temp_dir_.empty()) {
    temp_dir_ = make_temp_dir();
    temp_slots_.push_back(register_temp_path(temp_dir_));
  }
  char name[96];
  std::snprintf(name, sizeof name, "%s@%.2fs.wav", arg == "-" ? "stdin" : source.stem().c_str(), start_s);
  path_ = temp_dir_ / name;
  temp_slots_.push_back(register_temp_path(path_));
  name_temp_as(path_, arg == "-" ? "'-' (standard input)" : quoted(source));
  pipeline::write_float_wav(path_, part, kPartRate, channels);
}

AudioInput::~AudioInput() { remove_temp(); }

void AudioInput::remove_temp() {
  if (temp_dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(temp_dir_, ec);
  temp_dir_.clear();
  for (int slot : temp_slots_) unregister_temp_path(slot);
  temp_slots_.clear();
}

}  // namespace parla::cli
