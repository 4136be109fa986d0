// Private to cli: the generator options subcommands share, and the stages of pipeline/
// (scanning an audio file, turning it into motion) with a progress bar.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

#include "cli/args.h"
#include "core/core.h"
#include "fusion/fusion.h"
#include "pipeline/pipeline.h"

namespace parla::cli {

// The shared stages live in pipeline/ (the library runs the same ones).
using pipeline::AudioScan;
using pipeline::content_seed;
using pipeline::MotionSink;
using pipeline::scan_audio;

struct MotionOptions {
  std::string generator;  // name for fusion::make_generator
  fusion::GeneratorParams params;
};

// --generator, --steps, --seed, --weights, the style and the experts' options of render,
// motion, play, live and batch jobs.
std::vector<OptionSpec> generator_options();
// --experts, --experts-dir, --expert-scale and --base-jaw into params (fusion, experts_dir, expert_scale, base_jaw); bad values throw InputError.
void expert_params_from_args(const ParsedArgs& args, fusion::GeneratorParams& params);
// "ls=1,mn=0.5" → those experts' values, the others `fallback`; each in 0..max. InputError
// naming `option` and the bad part.
std::array<float, 3> parse_per_expert(const std::string& text, const std::string& option, float fallback,
                                      float max);
// Without --seed, the seed comes from `audio_path`'s bytes when given (each clip its own
// blinks and head motion, the same file always the same), else 0 (live microphone).
MotionOptions motion_options_from_args(const ParsedArgs& args, const std::filesystem::path& audio_path = {});

// pipeline::motion_from_audio and stream_motion_from_audio with a progress bar on a
// terminal when `show_progress`.
MotionTrack motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, bool show_progress, AudioScan& scan);
void stream_motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, bool show_progress, AudioScan& scan,
                              const MotionSink& sink);

}  // namespace parla::cli
