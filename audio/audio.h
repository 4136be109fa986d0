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

// What audio a decoder accepts (docs/limits.md); anything else is an InputError that
// names the file. The longest input is core's kMaxInputSeconds (4 hours), checked
// against the header on opening and against the samples actually decoded.
inline constexpr int kMinSourceSampleRate = 4000;     // Hz; below is a lying header
inline constexpr int kMaxSourceSampleRate = 768000;   // Hz
inline constexpr int kMaxSourceChannels = 8;          // 7.1 is the widest layout read
inline constexpr float kMaxSampleMagnitude = 64.f;    // |sample|; full scale is 1

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

// =================================================================================
// PortAudio playback and capture (used by the player; built with PARLA_BUILD_PLAYER).
//
//   parla::audio::PortAudioSession session;                 // Pa_Initialize .. Terminate
//   parla::audio::PlaybackStream out(pcm48k_stereo, 48000, 2);
//   out.start();
//   double heard_s = out.audible_seconds();                 // the player's master clock
//   parla::audio::CaptureStream mic({.device = -1});        // 16 kHz mono into a ring
//   mic.start();
//   size_t n = mic.read(chunk);                             // worker thread
//
// Real-time contract: the PortAudio callbacks touch only the lock-free members named
// below (SpscRing, std::atomic counters, a seqlock snapshot); they never allocate, lock,
// block, log or throw. Every other member function is for non-real-time threads, as
// each comment says. Setup (session, open, start) throws parla::Error with a message
// that names the device and suggests the way out (`--no-audio`, `--list-devices`).

#include <algorithm>
#include <atomic>
#include <optional>

namespace parla::audio {

// Steady-clock nanoseconds: the time base of every wall-time stamp below.
std::int64_t steady_now_ns();

// A fixed-capacity single-producer single-consumer ring of trivially copyable values.
// push() from exactly one thread (e.g. a PortAudio callback), pop() from exactly one
// other; both are wait-free and never allocate. Capacity is rounded up to a power of 2.
template <typename T>
class SpscRing {
 public:
  explicit SpscRing(size_t min_capacity) {
    size_t capacity = 1;
    while (capacity < min_capacity) capacity <<= 1;
    slots_.resize(capacity);
    mask_ = capacity - 1;
  }
  size_t capacity() const { return slots_.size(); }
  // Producer: appends all of `values` or nothing; false when there is not room.
  bool push(std::span<const T> values) {
    size_t head = head_.load(std::memory_order_relaxed);
    size_t tail = tail_.load(std::memory_order_acquire);
    if (slots_.size() - (head - tail) < values.size()) return false;
    for (size_t i = 0; i < values.size(); ++i) slots_[(head + i) & mask_] = values[i];
    head_.store(head + values.size(), std::memory_order_release);
    return true;
  }
  // Consumer: moves up to out.size() values into `out`; returns how many.
  size_t pop(std::span<T> out) {
    size_t tail = tail_.load(std::memory_order_relaxed);
    size_t head = head_.load(std::memory_order_acquire);
    size_t n = std::min(out.size(), head - tail);
    for (size_t i = 0; i < n; ++i) out[i] = slots_[(tail + i) & mask_];
    tail_.store(tail + n, std::memory_order_release);
    return n;
  }
  // Either side: values waiting (a snapshot).
  size_t size() const {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
  }

 private:
  std::vector<T> slots_;
  size_t mask_ = 0;
  alignas(64) std::atomic<size_t> head_{0};  // written by the producer only
  alignas(64) std::atomic<size_t> tail_{0};  // written by the consumer only
};

struct AudioDeviceInfo {
  int index = -1;                 // PortAudio device index (--input-device N)
  std::string name;
  std::string host_api;           // "ALSA", "JACK", ...
  int max_input_channels = 0;
  int max_output_channels = 0;
  double default_sample_rate = 0; // Hz
  bool default_input = false;
  bool default_output = false;
};

// Pa_Initialize for the object's lifetime (ALSA's probing noise on stderr is muted).
// Create one on the main thread before any stream; streams must die before it.
class PortAudioSession {
 public:
  PortAudioSession();
  ~PortAudioSession();
  PortAudioSession(const PortAudioSession&) = delete;
  PortAudioSession& operator=(const PortAudioSession&) = delete;
  std::vector<AudioDeviceInfo> devices() const;
  // The default output / input device, or nullopt when there is none.
  std::optional<AudioDeviceInfo> default_output() const;
  std::optional<AudioDeviceInfo> default_input() const;
};

// Human-readable device table for `--list-devices`.
std::string format_device_table(const std::vector<AudioDeviceInfo>& devices);

struct PlaybackParams {
  int device = -1;                // PortAudio index; -1 = the default output
  double latency_seconds = 0.0;   // suggested output latency; 0 = the device's default
};

// Counters readable from any thread while the stream runs.
struct PlaybackStats {
  std::int64_t callbacks = 0;
  std::int64_t underruns = 0;     // callbacks flagged paOutputUnderflow
  std::int64_t frames_played = 0; // media frames handed to the device
};

// Plays an in-memory track of interleaved float PCM. The callback copies from the track
// at an atomic position and publishes (position after this buffer, delay until that
// position is heard, wall time) through a seqlock, so any thread can read the audible
// time mpv-style: position − delay + time since the callback.
class PlaybackStream {
 public:
  PlaybackStream(std::vector<float> pcm, int sample_rate, int channels, PlaybackParams params = {});
  ~PlaybackStream();
  PlaybackStream(const PlaybackStream&) = delete;
  PlaybackStream& operator=(const PlaybackStream&) = delete;

  // Main thread. Throws Error naming the device when the stream cannot start.
  void start();
  void stop();
  // Main thread: while paused the callback plays silence and the position holds.
  void set_paused(bool paused);
  bool paused() const;
  // Main thread: while muted the callback plays silence but the position runs on, so the
  // audible time (and a clock on it) keeps going and unmuting needs no seek.
  void set_muted(bool muted);
  // Main thread: jump to a time (clamped to the track); applied by the next callback.
  void seek(double seconds);
  // Main thread: true from seek() until a callback has applied it (the audible time and
  // last_callback_ns() still describe the old position until then).
  bool seek_pending() const;
  // Any thread: the media time now reaching the listener, seconds (never negative).
  double audible_seconds() const;
  // Any thread: the delay the last callback reported (output latency + buffer), seconds.
  double delay_seconds() const;
  // Any thread: steady_now_ns() of the last callback that advanced the position.
  std::int64_t last_callback_ns() const;
  // Main thread: false once PortAudio stopped the stream (device gone, stream error).
  bool active() const;
  double duration_seconds() const;
  int sample_rate() const;
  PlaybackStats stats() const;

  struct State;  // private; public so the C callback can reach it

 private:
  std::unique_ptr<State> state_;
};

struct CaptureParams {
  int device = -1;               // PortAudio index; -1 = the default input
  int sample_rate = kSampleRate; // Hz, mono
  double ring_seconds = 2.0;     // capacity of the lock-free ring
  double latency_seconds = 0.0;  // suggested input latency; 0 = the device's low default
};

// One capture callback: after it the ring had received `end_sample` samples in total;
// the callback ran at `wall_ns` (steady_now_ns()).
struct CaptureStamp {
  std::int64_t end_sample = 0;
  std::int64_t wall_ns = 0;
};

struct CaptureStats {
  std::int64_t callbacks = 0;
  std::int64_t samples = 0;          // samples accepted into the ring
  std::int64_t dropped_samples = 0;  // lost because the ring was full (reader too slow)
  std::int64_t overflows = 0;        // callbacks flagged paInputOverflow
};

// Microphone → lock-free ring. The callback pushes samples and a CaptureStamp; one
// consumer thread reads both in order.
class CaptureStream {
 public:
  explicit CaptureStream(CaptureParams params = {});
  ~CaptureStream();
  CaptureStream(const CaptureStream&) = delete;
  CaptureStream& operator=(const CaptureStream&) = delete;

  void start();  // main thread; throws Error naming the device
  void stop();   // main thread
  // Consumer thread: up to out.size() samples, oldest first; 0 when none are waiting.
  size_t read(std::span<float> out);
  // Consumer thread: the next callback stamp, oldest first.
  bool next_stamp(CaptureStamp& stamp);
  bool active() const;                  // main thread
  double input_latency_seconds() const; // any thread; PortAudio's figure for the stream
  const AudioDeviceInfo& device() const;
  CaptureStats stats() const;           // any thread

  struct State;  // private; public so the C callback can reach it

 private:
  std::unique_ptr<State> state_;
};

}  // namespace parla::audio
