#include "cli/pipeline.h"

#include <algorithm>
#include <cmath>
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
  if (scan.peak < kSilencePeak && !allow_silence) {
    throw InputError("audio " + quoted(path) +
                     " is pure silence (peak below -80 dBFS): nothing to animate "
                     "(--allow-silence renders it anyway)");
  }
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
          {"seed", 0, "S", "random seed for head motion, blinks and gaze (default 0)"},
          {"weights", 0, "FILE", "weights of the learned generator (default: data/models/base)"}};
}

MotionOptions motion_options_from_args(const ParsedArgs& args) {
  MotionOptions options{args.value_or("generator", fusion::default_generator_name()), {}};
  options.params.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
  options.params.steps = static_cast<int>(args.integer("steps", fusion::kDefaultSteps, 1, 50));
  options.params.weights = args.value_or("weights", "");
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
  Progress progress("motion", expected_samples, show_progress);
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
