// Audio file → motion: one streaming decode pass feeding features and the generator.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <span>
#include <vector>

#include "audio/audio.h"
#include "pipeline/pipeline.h"

namespace parla::pipeline {
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

}  // namespace

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

void stream_motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, AudioScan& scan, const MotionSink& sink,
                              const DecodeProgress& progress) {
  check_input_file(path, "audio");
  audio::AudioDecoder decoder(path);
  scan = AudioScan{};
  scan.source_channels = decoder.info().source_channels;
  // The container's duration sizes a progress bar; the decoded count is the truth.
  auto expected_samples = static_cast<std::int64_t>(decoder.info().duration_seconds * audio::kSampleRate);
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
    if (progress) progress(std::min(scan.samples, expected_samples), expected_samples);
  }
  check_sound(scan, path, allow_silence);
  extractor.finish(features);
  generator.push(features.frames, batch.frames);
  generator.finish(batch.frames);
  hand_on();
}

MotionTrack motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, AudioScan& scan, const DecodeProgress& progress) {
  MotionTrack track;
  stream_motion_from_audio(
      path, generator, allow_silence, scan,
      [&](std::span<const MotionFrame> frames, std::int64_t) {
        track.frames.insert(track.frames.end(), frames.begin(), frames.end());
      },
      progress);
  return track;
}

}  // namespace parla::pipeline
