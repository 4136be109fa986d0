// audio: decode any audio FFmpeg reads (or a video's audio track) to float PCM, in
// one piece or as a stream of chunks in bounded memory, and turn 16 kHz mono PCM into
// per-frame features (log-mel, energy, F0, voicing, voice activity) at 100 frames/s.
//
//   std::vector<float> pcm = parla::audio::decode_audio("talk.mp3");  // 16 kHz mono
//   parla::audio::Features f = parla::audio::compute_features(pcm);
//   // Streaming gives the same numbers in bounded memory:
//   parla::audio::AudioDecoder dec("long.flac");
//   parla::audio::FeatureExtractor fx;
//   std::vector<float> chunk(4096);
//   while (size_t n = dec.read(chunk)) fx.push({chunk.data(), n}, f);
//   fx.finish(f);
//
// Thread safety: objects are single-threaded; distinct objects may be used from
// different threads. Errors: opening throws parla::InputError for a missing file or
// a file with no decodable audio, parla::Error for failures mid-stream.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/core.h"

namespace parla::audio {

inline constexpr int kSampleRate = 16000;     // samples per second of analysis PCM
inline constexpr int kFeatureRate = 100;      // feature frames per second
inline constexpr int kHopSamples = 160;       // 10 ms at 16 kHz
inline constexpr int kMelBins = 80;

// What to decode to. The defaults are the analysis format.
struct DecodeParams {
  int sample_rate = kSampleRate;  // output samples per second
  int channels = 1;               // 1 = downmix to mono, 2 = stereo (mono is duplicated)
};

struct AudioInfo {
  std::string codec;             // e.g. "mp3", "aac"
  int source_sample_rate = 0;    // Hz, as stored in the file
  int source_channels = 0;
  double duration_seconds = 0;   // from the container; 0 when unknown
};

// Streams decoded, resampled, interleaved float PCM in [-1, 1] from the best audio
// stream of a file. Memory stays bounded whatever the file length.
class AudioDecoder {
 public:
  explicit AudioDecoder(const std::filesystem::path& path, DecodeParams params = {});
  ~AudioDecoder();
  AudioDecoder(AudioDecoder&&) noexcept;
  AudioDecoder& operator=(AudioDecoder&&) noexcept;

  // Fills `out` with up to out.size() samples (interleaved when stereo; a multiple
  // of the channel count); returns how many were written, 0 at the end of the stream.
  size_t read(std::span<float> out);
  const AudioInfo& info() const;
  const DecodeParams& params() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The whole file at once. Throws InputError naming the file when it holds no audio,
// is corrupt before any sample decodes, or decodes to zero samples.
std::vector<float> decode_audio(const std::filesystem::path& path, DecodeParams params = {});

// ---------------------------------------------------------------------------------
// Features. Frame i describes the 25 ms window centred at i * 10 ms; a signal of N
// samples gives ceil(N / 160) frames.

struct FeatureParams {
  double f0_min_hz = 60.0;          // lowest pitch searched
  double f0_max_hz = 500.0;         // highest pitch searched
  double voicing_threshold = 0.45;  // voicing strength above which a frame is voiced
  float silence_floor_db = -60.f;   // energy treated as digital silence
};

struct FeatureFrame {
  std::array<float, kMelBins> log_mel;  // natural log of mel power, floored at 1e-10
  float energy_db = -100.f;             // RMS energy of the 25 ms window, dBFS
  float f0_hz = 0.f;                    // pitch, 0 when unvoiced
  float voicing = 0.f;                  // voicing strength 0..1
  bool speech = false;                  // voice activity decision
};

struct Features {
  std::vector<FeatureFrame> frames;  // at kFeatureRate per second
  double seconds_per_frame() const { return 1.0 / kFeatureRate; }
};

// Streaming extractor: push PCM (16 kHz mono) in chunks of any size; completed frames
// are appended to `out`. finish() flushes the tail. Identical numbers to
// compute_features over the concatenated input.
class FeatureExtractor {
 public:
  explicit FeatureExtractor(FeatureParams params = {});
  ~FeatureExtractor();
  FeatureExtractor(FeatureExtractor&&) noexcept;
  FeatureExtractor& operator=(FeatureExtractor&&) noexcept;

  void push(std::span<const float> samples, Features& out);
  void finish(Features& out);
  // Samples of look-ahead a frame needs past its centre before it can be emitted.
  int latency_samples() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Features compute_features(std::span<const float> samples, FeatureParams params = {});

}  // namespace parla::audio
