// Private to cli: the stages subcommands share — scanning an audio file, turning it
// into motion — each streaming so a long file runs in bounded memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

#include "cli/args.h"
#include "core/core.h"
#include "fusion/fusion.h"

namespace parla::cli {

struct AudioScan {
  std::int64_t samples = 0;  // at 16 kHz mono
  float peak = 0.f;          // largest |sample|
  int source_channels = 0;
  double seconds() const { return samples / 16000.0; }
};

// Decodes the whole file once (streaming) to learn its length and level. Throws
// InputError naming the file when it holds no samples, or when it is pure silence
// (peak below -80 dBFS) unless `allow_silence`.
AudioScan scan_audio(const std::filesystem::path& path, bool allow_silence);

struct MotionOptions {
  std::string generator;  // name for fusion::make_generator
  fusion::GeneratorParams params;
};

// --generator, --steps, --seed and --weights of render, motion, play and live.
std::vector<OptionSpec> generator_options();
// Without --seed, the seed comes from `audio_path`'s bytes when given (each clip its own
// blinks and head motion, the same file always the same), else 0 (live microphone).
MotionOptions motion_options_from_args(const ParsedArgs& args, const std::filesystem::path& audio_path = {});

// Audio file → MotionTrack at 25 fps: streaming decode → features → generator, in one
// decode pass that also fills `scan` (length, level) and rejects what scan_audio
// rejects. `show_progress` draws a bar on a terminal.
MotionTrack motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, bool show_progress, AudioScan& scan);

// Called with each run of motion frames (25 fps, clamped to the channel ranges) as the
// generator emits them, and the 16 kHz samples decoded so far. May throw to stop.
using MotionSink = std::function<void(std::span<const MotionFrame> frames, std::int64_t samples_decoded)>;

// motion_from_audio handing the frames to `sink` as they are ready instead of keeping
// them (memory stays bounded for any length); the frames and `scan` are the same. The
// silence check runs at the end, before the generator's last frames.
void stream_motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, bool show_progress, AudioScan& scan,
                              const MotionSink& sink);

}  // namespace parla::cli
