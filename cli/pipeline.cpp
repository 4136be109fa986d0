#include "cli/pipeline.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <span>
#include <vector>

#include "audio/audio.h"
#include "cli/progress.h"

namespace parla::cli {
namespace {
constexpr size_t kChunkSamples = 16000;  // 1 s of 16 kHz audio per read
constexpr float kSilencePeak = 1e-4f;    // -80 dBFS

// Counts samples and tracks the peak of one decoded chunk.
void add_to_scan(AudioScan& scan, std::span<const float> chunk) {
  scan.samples += static_cast<std::int64_t>(chunk.size());
  for (float v : chunk) scan.peak = std::max(scan.peak, std::fabs(v));
}

// Throws InputError for zero-length audio, or for pure silence unless allowed.
void check_sound(const AudioScan& scan, const std::filesystem::path& path, bool allow_silence) {
  if (scan.samples == 0)
    throw InputError("audio " + quoted(path) + " has no samples (zero length)");
  // Shorter than one motion frame: nothing to animate, and too short for render's
  // 48 kHz conversion to yield a sample, so every command refuses it alike.
  constexpr std::int64_t kMinSamples = static_cast<std::int64_t>(audio::kSampleRate / kMotionFps);
  if (scan.samples < kMinSamples) {
    throw InputError("audio " + quoted(path) + " lasts " + std::to_string(scan.samples) +
                     " samples at 16 kHz; the shortest Parla animates is one frame (40 ms)");
  }
  if (scan.peak < kSilencePeak && !allow_silence) {
    throw InputError("audio " + quoted(path) +
                     " is pure silence (peak below -80 dBFS): nothing to animate "
                     "(--allow-silence renders it anyway)");
  }
}

// FNV-1a over the file's bytes, kept to 53 bits (what --seed accepts, so a printed seed
// can be passed back): the same file always gives the same motion, another file other.
std::uint64_t content_seed(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::uint64_t hash = 0xcbf29ce484222325ull;
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    for (std::streamsize k = 0; k < in.gcount(); ++k) {
      hash = (hash ^ static_cast<unsigned char>(buffer[k])) * 0x100000001b3ull;
    }
  }
  return hash & ((1ull << 53) - 1);
}

}  // namespace

AudioScan scan_audio(const std::filesystem::path& path, bool allow_silence) {
  check_input_file(path, "audio");
  audio::AudioDecoder decoder(path);
  AudioScan scan;
  scan.source_channels = decoder.info().source_channels;
  std::vector<float> chunk(kChunkSamples);
  while (size_t n = decoder.read(chunk)) add_to_scan(scan, {chunk.data(), n});
  check_sound(scan, path, allow_silence);
  return scan;
}

std::vector<OptionSpec> generator_options() {
  return {{"generator", 0, "NAME", "motion generator: learned (default) or classic"},
          {"steps", 0, "K", "diffusion steps of the learned generator, 1..50 (default 2)"},
          {"seed", 0, "S", "random seed for head motion, blinks and gaze (default: from the audio's bytes)"},
          {"weights", 0, "FILE", "weights of the learned generator (default: data/models/base)"},
          {"jaw-gain", 0, "G", "jaw opening, x G: 0..3 (default 1; 0.7 subtler, 1.3 wider)"},
          {"head-motion", 0, "A", "head motion amplitude, x A: 0..3 (default 1; 0 keeps the head still)"},
          {"expression", 0, "E", "brow and smile intensity, x E: 0..3 (default 1)"},
          {"blink-rate", 0, "N", "blinks per minute, 0..60 (default: natural, ~19 in speech; 0 never)"}};
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
  return options;
}

void stream_motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, bool show_progress, AudioScan& scan,
                              const MotionSink& sink) {
  check_input_file(path, "audio");
  audio::AudioDecoder decoder(path);
  scan = AudioScan{};
  scan.source_channels = decoder.info().source_channels;
  // The container's duration sizes the bar; the decoded count is the truth.
  auto expected_samples = static_cast<std::int64_t>(decoder.info().duration_seconds * audio::kSampleRate);
  Progress progress("motion", expected_samples, show_progress, audio::kSampleRate, "s");
  audio::FeatureExtractor extractor;
  audio::Features features;
  MotionTrack batch;  // frames emitted by one push, clamped and handed on
  auto hand_on = [&] {
    batch.clamp_to_ranges();
    if (!batch.frames.empty()) sink(batch.frames, scan.samples);
    batch.frames.clear();
  };
  std::vector<float> chunk(kChunkSamples);
  while (size_t n = decoder.read(chunk)) {
    check_interrupted();
    add_to_scan(scan, {chunk.data(), n});
    extractor.push({chunk.data(), n}, features);
    generator.push(features.frames, batch.frames);
    features.frames.clear();  // consumed: memory stays bounded
    hand_on();
    progress.update(std::min(scan.samples, expected_samples));
  }
  progress.finish("");
  check_sound(scan, path, allow_silence);
  extractor.finish(features);
  generator.push(features.frames, batch.frames);
  generator.finish(batch.frames);
  hand_on();
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
