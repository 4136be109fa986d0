#include "cli/pipeline.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <optional>
#include <span>
#include <vector>

#include "audio/audio.h"
#include "cli/progress.h"
#include "experts/runtime.h"

namespace parla::cli {

std::vector<OptionSpec> generator_options() {
  return {{"generator", 0, "NAME", "motion generator: learned (default) or classic"},
          {"steps", 0, "K", "diffusion steps of the learned generator, 1..50 (default 2)"},
          {"seed", 0, "S", "random seed for head motion, blinks and gaze (default: from the audio's bytes)"},
          {"weights", 0, "FILE", "weights of the learned generator (default: data/models/base)"},
          {"jaw-gain", 0, "G", "jaw opening, x G: 0..3 (default 1; 0.7 subtler, 1.3 wider)"},
          {"head-motion", 0, "A", "head motion amplitude, x A: 0..3 (default 1; 0 keeps the head still)"},
          {"expression", 0, "E", "brow and smile intensity, x E: 0..3 (default 1)"},
          {"blink-rate", 0, "N", "blinks per minute, 0..60 (default: natural, ~19 in speech; 0 never)"},
          {"experts", 0, "on|off|uniform",
           "TLPO experts fused by the timestep x layer gate (default: on when data/models/experts holds them; uniform: g = 1)"},
          {"experts-dir", 0, "DIR", "experts to fuse: ls.pt, mn.pt, vq.pt, gate.pt (default data/models/experts)"},
          {"expert-scale", 0, "ls=A,mn=B,vq=C",
           "scale of each expert's gate, 0..4 (default 1 each; any subset; 0 turns one off)"},
          {"base-jaw", 0, "on|off",
           "with experts, jawOpen and mouthClose from the base model's own chain (default on; off: the experts decide them too)"}};
}

std::array<float, 3> parse_per_expert(const std::string& text, const std::string& option, float fallback,
                                      float max) {
  std::array<float, 3> value{fallback, fallback, fallback};
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, end - start);
    const std::size_t eq = part.find('=');
    const std::string name = part.substr(0, eq);
    const auto* it = std::find(experts::kExpertNames.begin(), experts::kExpertNames.end(), name);
    if (it == experts::kExpertNames.end()) throw InputError(option + ": unknown expert '" + name + "' (ls, mn, vq)");
    const std::string number = eq == std::string::npos ? "" : part.substr(eq + 1);
    char* rest = nullptr;
    const double v = std::strtod(number.c_str(), &rest);
    if (number.empty() || *rest != '\0' || !(v >= 0 && v <= max)) {
      char range[32];
      std::snprintf(range, sizeof range, "0..%g", max);
      throw InputError(option + ": " + name + " needs a value " + range + ", not '" + number + "'");
    }
    value[it - experts::kExpertNames.begin()] = static_cast<float>(v);
    start = end + 1;
  }
  return value;
}

void expert_params_from_args(const ParsedArgs& args, fusion::GeneratorParams& params) {
  // An explicit request for the experts (--experts on|uniform, --expert-scale) reads the
  // default dir as if given, so missing weights are an error rather than the base model.
  params.experts_dir = args.value_or("experts-dir", "");
  const std::string mode = args.value_or("experts", "");
  if (mode == "off") {
    params.fusion = fusion::GeneratorParams::Fusion::Off;
  } else if (mode == "uniform") {
    params.fusion = fusion::GeneratorParams::Fusion::Uniform;
  } else if (!mode.empty() && mode != "on") {
    throw InputError("--experts: expected on, off or uniform, not '" + mode + "'");
  }
  const std::string base_jaw = args.value_or("base-jaw", "on");
  if (base_jaw != "on" && base_jaw != "off") throw InputError("--base-jaw: expected on or off, not '" + base_jaw + "'");
  params.base_jaw = base_jaw == "on";
  if (auto scale = args.value("expert-scale")) params.expert_scale = parse_per_expert(*scale, "--expert-scale", 1, 4);
  if ((!mode.empty() || args.has("expert-scale")) && params.experts_dir.empty()) {
    params.experts_dir = fusion::default_experts_dir();
  }
}

MotionOptions motion_options_from_args(const ParsedArgs& args, const std::filesystem::path& audio_path) {
  MotionOptions options{args.value_or("generator", fusion::default_generator_name()), {}};
  bool from_content = !args.has("seed") && !audio_path.empty() && std::filesystem::is_regular_file(audio_path);
  options.params.seed = from_content ? content_seed(audio_path)
                                     : static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
  options.params.steps = static_cast<int>(args.integer("steps", fusion::kDefaultSteps, 1, 50));
  options.params.weights = args.value_or("weights", "");
  options.params.style.jaw_gain = static_cast<float>(args.number("jaw-gain", 1.0, 0.0, 3.0));
  options.params.style.head_motion = static_cast<float>(args.number("head-motion", 1.0, 0.0, 3.0));
  options.params.style.expression = static_cast<float>(args.number("expression", 1.0, 0.0, 3.0));
  options.params.blink_rate = args.number("blink-rate", -1.0, 0.0, 60.0);
  expert_params_from_args(args, options.params);
  return options;
}

void stream_motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, bool show_progress, AudioScan& scan,
                              const MotionSink& sink) {
  std::optional<Progress> progress;  // sized by the container's duration once it is open
  auto update = [&](std::int64_t done, std::int64_t expected) {
    if (!progress) progress.emplace("motion", expected, show_progress, audio::kSampleRate, "s");
    progress->update(done);
  };
  pipeline::stream_motion_from_audio(path, generator, allow_silence, scan, sink, update);
  if (progress) progress->finish("");
}

MotionTrack motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, bool show_progress, AudioScan& scan) {
  MotionTrack track;
  stream_motion_from_audio(path, generator, allow_silence, show_progress, scan,
                           [&](std::span<const MotionFrame> frames, std::int64_t) {
                             track.frames.insert(track.frames.end(), frames.begin(), frames.end());
                           });
  return track;
}

}  // namespace parla::cli
