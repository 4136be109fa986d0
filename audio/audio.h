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
// different threads. Errors: opening throws parla::InputError naming the file for a
// missing file, a file that is not media, one with no audio stream, or audio that is
// corrupt or empty before its first sample; parla::Error for failures mid-stream (an
// I/O error). Damaged packets mid-stream are skipped, and a file truncated part-way
// decodes up to the cut. FFmpeg's own log is silenced; its error text goes into the
// exception messages instead.
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

inline constexpr int kSampleRate = 16000;   // samples per second of analysis PCM
inline constexpr int kFeatureRate = 100;    // feature frames per second
inline constexpr int kHopSamples = 160;     // 10 ms at 16 kHz
inline constexpr int kWindowSamples = 400;  // 25 ms analysis window (mel, energy)
inline constexpr int kMelBins = 80;
inline constexpr double kMelMinHz = 20.0;    // lower edge of the first mel filter
inline constexpr double kMelMaxHz = 8000.0;  // upper edge of the last mel filter

// What to decode to. The defaults are the analysis format.
struct DecodeParams {
  int sample_rate = kSampleRate;  // output samples per second, 8000..384000
  int channels = 1;  // 1..8; 1 = downmix (average), 2 = stereo (a mono source is duplicated)
};

struct AudioInfo {
  std::string codec;           // e.g. "mp3", "aac"
  int source_sample_rate = 0;  // Hz, as stored in the file
  int source_channels = 0;
  double duration_seconds = 0;  // from the container; 0 when unknown
};

// Streams decoded, resampled, interleaved float PCM (nominally [-1, 1]) from the best
// audio stream of a file. Memory stays bounded whatever the file length. The
// constructor decodes up to the first sample, so every input error surfaces there.
class AudioDecoder {
 public:
  explicit AudioDecoder(const std::filesystem::path& path, DecodeParams params = {});
  ~AudioDecoder();
  AudioDecoder(AudioDecoder&&) noexcept;
  AudioDecoder& operator=(AudioDecoder&&) noexcept;

  // Fills `out` with up to out.size() samples (interleaved when multichannel; always a
  // multiple of the channel count, so out.size() must be at least that); returns how
  // many were written, 0 at the end of the stream.
  size_t read(std::span<float> out);
  const AudioInfo& info() const;
  const DecodeParams& params() const;
  // Damaged packets skipped so far (each one a gap in the output).
  int64_t skipped_packets() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The whole file at once. Throws InputError naming the file when it holds no audio,
// is corrupt before any sample decodes, or decodes to zero samples.
std::vector<float> decode_audio(const std::filesystem::path& path, DecodeParams params = {});

// Largest absolute sample in dBFS (20·log10 max|x|), -100 for digital silence. Cheap:
// the CLI uses it to tell a silent input from a quiet one.
float peak_dbfs(std::span<const float> samples);

// ---------------------------------------------------------------------------------
// Features. Frame i describes the windows centred at sample i * 160 (i * 10 ms);
// samples outside the signal count as zeros. A signal of N samples gives ceil(N / 160)
// frames. See docs/audio.md for the algorithms and their sources.

// The HTK mel scale, 2595 · log10(1 + hz / 700), used by the filterbank.
double hz_to_mel(double hz);
double mel_to_hz(double mel);
// Centre frequency of mel filter `bin` (0..kMelBins-1): filters are triangles in mel,
// evenly spaced between kMelMinHz and kMelMaxHz.
double mel_bin_center_hz(int bin);

struct FeatureParams {
  double f0_min_hz = 60.0;          // lowest pitch searched, 40..f0_max_hz
  double f0_max_hz = 500.0;         // highest pitch searched, up to 1000
  double voicing_threshold = 0.45;  // voicing strength above which a frame is voiced
  float silence_floor_db = -60.f;   // energy below this is never voiced nor speech
  float vad_margin_db = 10.f;       // speech must exceed the noise floor by this much
  int vad_hangover_frames = 20;     // speech stays on this long after the last voiced frame
};

struct FeatureFrame {
  std::array<float, kMelBins> log_mel;  // natural log of mel power, floored at 1e-10
  float energy_db = -100.f;             // RMS of the 25 ms window in dBFS (full-scale square = 0)
  float f0_hz = 0.f;                    // pitch, 0 when unvoiced
  float voicing = 0.f;                  // voicing strength 0..1 (1 - YIN aperiodicity)
  bool speech = false;                  // voice activity decision (causal)
};

struct Features {
  std::vector<FeatureFrame> frames;  // at kFeatureRate per second
  double seconds_per_frame() const { return 1.0 / kFeatureRate; }
};

// Streaming extractor: push PCM (16 kHz mono) in chunks of any size; completed frames
// are appended to `out` (the caller may consume and clear it between pushes). finish()
// flushes the tail; the extractor then starts a new signal. The numbers are identical
// to compute_features over the concatenated input, whatever the chunking.
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
