#include "cli/pipeline.h"

#include <cmath>
#include <vector>

#include "audio/audio.h"
#include "cli/progress.h"

namespace parla::cli {
namespace {
constexpr size_t kChunkSamples = 16000;  // 1 s of 16 kHz audio per read
constexpr float kSilencePeak = 1e-4f;    // -80 dBFS
}  // namespace

AudioScan scan_audio(const std::filesystem::path& path, bool allow_silence) {
  check_input_file(path, "audio");
  audio::AudioDecoder decoder(path);
  AudioScan scan;
  scan.source_channels = decoder.info().source_channels;
  std::vector<float> chunk(kChunkSamples);
  while (size_t n = decoder.read(chunk)) {
    scan.samples += static_cast<std::int64_t>(n);
    for (size_t i = 0; i < n; ++i) scan.peak = std::max(scan.peak, std::fabs(chunk[i]));
  }
  if (scan.samples == 0)
    throw InputError("audio " + quoted(path) + " has no samples (zero length)");
  if (scan.peak < kSilencePeak && !allow_silence) {
    throw InputError("audio " + quoted(path) +
                     " is pure silence (peak below -80 dBFS): nothing to animate "
                     "(--allow-silence renders it anyway)");
  }
  return scan;
}

MotionOptions motion_options_from_args(const ParsedArgs& args) {
  MotionOptions options{args.value_or("generator", fusion::default_generator_name()), {}};
  options.params.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
  options.params.steps = static_cast<int>(args.integer("steps", fusion::kDefaultSteps, 1, 50));
  return options;
}

MotionTrack motion_from_audio(const std::filesystem::path& path, const MotionOptions& options,
                              Progress* progress, std::int64_t progress_total_samples) {
  auto generator = fusion::make_generator(options.generator, options.params);
  audio::AudioDecoder decoder(path);
  audio::FeatureExtractor extractor;
  audio::Features features;
  MotionTrack track;
  std::vector<float> chunk(kChunkSamples);
  std::int64_t decoded = 0;
  while (size_t n = decoder.read(chunk)) {
    decoded += static_cast<std::int64_t>(n);
    extractor.push({chunk.data(), n}, features);
    generator->push(features.frames, track.frames);
    features.frames.clear();  // consumed: memory stays bounded
    if (progress) progress->update(std::min(decoded, progress_total_samples));
  }
  extractor.finish(features);
  generator->push(features.frames, track.frames);
  generator->finish(track.frames);
  track.clamp_to_ranges();
  return track;
}

}  // namespace parla::cli
