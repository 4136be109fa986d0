// PlaybackStream: an in-memory track played through PortAudio, with the audible-time
// clock the player syncs video to (mpv's `pts - ao_get_delay()`).
#include <portaudio.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "audio/audio.h"
#include "audio/portaudio_util.h"

namespace parla::audio {

static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(std::atomic<double>::is_always_lock_free);

namespace {
// A seek request packs its frame (up to 2^40: 260 days at 48 kHz) with a generation
// number, so the clock can tell when the callback has applied exactly the last one.
constexpr int kSeekFrameBits = 40;
constexpr std::int64_t kSeekFrameMask = (std::int64_t{1} << kSeekFrameBits) - 1;
constexpr std::int64_t kSeekGenerations = std::int64_t{1} << (62 - kSeekFrameBits);
}  // namespace

struct PlaybackStream::State {
  // Set before start(), read-only afterwards.
  std::vector<float> pcm;  // interleaved
  int rate = 0;            // Hz
  int channels = 0;
  std::int64_t total_frames = 0;
  AudioDeviceInfo device;
  double static_latency_s = 0;  // Pa_GetStreamInfo()->outputLatency
  PaStream* stream = nullptr;   // owned by the main thread

  // Written by the callback only.
  std::int64_t position = 0;  // next media frame to play; callback-private

  // Main thread → callback: a seek as (generation << kSeekFrameBits) | frame, or -1.
  std::atomic<std::int64_t> seek_request{-1};
  std::int64_t seeks_requested = 0;  // main thread only
  std::atomic<bool> paused{false};
  std::atomic<bool> muted{false};

  // Callback → any thread: a seqlock snapshot (even `seq` = consistent).
  std::atomic<std::uint64_t> seq{0};
  std::atomic<std::int64_t> snap_end_frame{0};  // media frame just after the last written
  std::atomic<double> snap_delay_s{0};          // seconds until snap_end_frame is heard
  std::atomic<std::int64_t> snap_wall_ns{0};    // when the callback published it
  std::atomic<std::int64_t> snap_seek_gen{0};   // the last seek applied (its generation)

  std::atomic<std::int64_t> callbacks{0};
  std::atomic<std::int64_t> underruns{0};
  std::atomic<std::int64_t> frames_played{0};
  std::atomic<bool> finished{false};  // stream stopped by PortAudio

  std::int64_t applied_seek_gen = 0;  // callback-private, published with each snapshot

  void publish(std::int64_t end_frame, double delay_s, std::int64_t wall_ns) {
    std::uint64_t s = seq.load(std::memory_order_relaxed);
    seq.store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    snap_end_frame.store(end_frame, std::memory_order_relaxed);
    snap_delay_s.store(delay_s, std::memory_order_relaxed);
    snap_wall_ns.store(wall_ns, std::memory_order_relaxed);
    snap_seek_gen.store(applied_seek_gen, std::memory_order_relaxed);
    seq.store(s + 2, std::memory_order_release);
  }

  struct Snapshot {
    std::int64_t end_frame = 0;  // media frame just after the last written
    double delay_s = 0;          // seconds until end_frame is heard
    std::int64_t wall_ns = 0;    // when the callback published it; 0 = never
    std::int64_t seek_gen = 0;   // the generation of the last seek it reflects
  };

  Snapshot read_snapshot() const {
    for (;;) {
      std::uint64_t s1 = seq.load(std::memory_order_acquire);
      if (s1 & 1) continue;
      Snapshot snap;
      snap.end_frame = snap_end_frame.load(std::memory_order_relaxed);
      snap.delay_s = snap_delay_s.load(std::memory_order_relaxed);
      snap.wall_ns = snap_wall_ns.load(std::memory_order_relaxed);
      snap.seek_gen = snap_seek_gen.load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (seq.load(std::memory_order_relaxed) == s1) return snap;
    }
  }

  // The real-time callback body: no allocation, no locks, no exceptions.
  void fill(float* out, unsigned long frames, const PaStreamCallbackTimeInfo* time_info,
            PaStreamCallbackFlags flags) noexcept {
    std::int64_t now_ns = steady_now_ns();
    callbacks.fetch_add(1, std::memory_order_relaxed);
    if (flags & paOutputUnderflow) underruns.fetch_add(1, std::memory_order_relaxed);
    std::int64_t seek = seek_request.exchange(-1, std::memory_order_acq_rel);
    bool seeked = seek >= 0;
    if (seeked) {
      position = seek & kSeekFrameMask;
      applied_seek_gen = seek >> kSeekFrameBits;
    }
    size_t samples = static_cast<size_t>(frames) * channels;
    if (paused.load(std::memory_order_acquire)) {
      std::memset(out, 0, samples * sizeof(float));
      // Paused: the clock settles on `position` once the buffered audio has played.
      if (seeked) publish(position, 0.0, now_ns);
      return;
    }
    std::int64_t n = std::clamp<std::int64_t>(total_frames - position, 0, frames);
    if (muted.load(std::memory_order_acquire)) {
      std::memset(out, 0, static_cast<size_t>(n) * channels * sizeof(float));
    } else {
      std::memcpy(out, pcm.data() + position * channels,
                  static_cast<size_t>(n) * channels * sizeof(float));
    }
    std::memset(out + n * channels, 0,
                (samples - static_cast<size_t>(n) * channels) * sizeof(float));
    position += n;
    frames_played.fetch_add(n, std::memory_order_relaxed);
    if (n == 0 && !seeked) return;  // past the end: the last snapshot keeps the clock running
    // Delay until the end of this buffer is heard: PortAudio's DAC time when the host
    // reports one, else the stream's nominal output latency.
    double buffer_s = static_cast<double>(frames) / rate;
    double delay_s = static_latency_s + buffer_s;
    if (time_info && time_info->outputBufferDacTime > 0 && time_info->currentTime > 0 &&
        time_info->outputBufferDacTime >= time_info->currentTime) {
      delay_s = (time_info->outputBufferDacTime - time_info->currentTime) + buffer_s;
    }
    // Frames written past the end of the track are silence: the media end is what counts.
    publish(position, delay_s - static_cast<double>(frames - n) / rate, now_ns);
  }
};

namespace {

int playback_callback(const void*, void* output, unsigned long frames,
                      const PaStreamCallbackTimeInfo* time_info, PaStreamCallbackFlags flags,
                      void* user) {
  static_cast<PlaybackStream::State*>(user)->fill(static_cast<float*>(output), frames, time_info,
                                                  flags);
  return paContinue;
}

void playback_finished(void* user) {
  static_cast<PlaybackStream::State*>(user)->finished.store(true, std::memory_order_release);
}

}  // namespace

PlaybackStream::PlaybackStream(std::vector<float> pcm, int sample_rate, int channels,
                               PlaybackParams params)
    : state_(std::make_unique<State>()) {
  if (sample_rate <= 0 || channels <= 0 || pcm.size() % channels != 0) {
    throw Error("playback: bad PCM layout (" + std::to_string(pcm.size()) + " samples, " +
                std::to_string(channels) + " channels, " + std::to_string(sample_rate) + " Hz)");
  }
  State& s = *state_;
  s.pcm = std::move(pcm);
  s.rate = sample_rate;
  s.channels = channels;
  s.total_frames = static_cast<std::int64_t>(s.pcm.size() / channels);
  s.device = pa::resolve_device(params.device, /*input=*/false);
  PaStreamParameters out{};
  out.device = s.device.index;
  out.channelCount = std::min(channels, s.device.max_output_channels);
  if (out.channelCount != channels) {
    throw Error("audio output device '" + s.device.name + "' has " +
                std::to_string(s.device.max_output_channels) + " channels, the track needs " +
                std::to_string(channels));
  }
  out.sampleFormat = paFloat32;
  out.suggestedLatency = params.latency_seconds > 0
                             ? params.latency_seconds
                             : Pa_GetDeviceInfo(out.device)->defaultHighOutputLatency;
  pa::check(Pa_OpenStream(&s.stream, nullptr, &out, sample_rate, paFramesPerBufferUnspecified,
                          paNoFlag, playback_callback, &s),
            "cannot open audio output '" + s.device.name + "' at " + std::to_string(sample_rate) +
                " Hz (use --no-audio to play silently)");
  Pa_SetStreamFinishedCallback(s.stream, playback_finished);
  const PaStreamInfo* info = Pa_GetStreamInfo(s.stream);
  s.static_latency_s = info ? info->outputLatency : out.suggestedLatency;
}

PlaybackStream::~PlaybackStream() {
  if (state_ && state_->stream) {
    Pa_AbortStream(state_->stream);
    Pa_CloseStream(state_->stream);
  }
}

void PlaybackStream::start() {
  pa::check(Pa_StartStream(state_->stream),
            "cannot start audio output '" + state_->device.name + "' (use --no-audio)");
}

void PlaybackStream::stop() {
  if (Pa_IsStreamActive(state_->stream) == 1) Pa_StopStream(state_->stream);
}

void PlaybackStream::set_paused(bool paused) {
  state_->paused.store(paused, std::memory_order_release);
}
bool PlaybackStream::paused() const { return state_->paused.load(std::memory_order_acquire); }
void PlaybackStream::set_muted(bool muted) { state_->muted.store(muted, std::memory_order_release); }

void PlaybackStream::seek(double seconds) {
  State& s = *state_;
  auto frame = std::clamp<std::int64_t>(std::llround(seconds * s.rate), 0, s.total_frames);
  s.seeks_requested = (s.seeks_requested + 1) % kSeekGenerations;
  s.seek_request.store((s.seeks_requested << kSeekFrameBits) | frame, std::memory_order_release);
}

bool PlaybackStream::seek_pending() const {
  return state_->read_snapshot().seek_gen != state_->seeks_requested;
}

double PlaybackStream::audible_seconds() const {
  auto snap = state_->read_snapshot();
  if (snap.wall_ns == 0) return 0.0;  // nothing played yet
  double since_s = static_cast<double>(steady_now_ns() - snap.wall_ns) * 1e-9;
  // The clock never runs past what was written: a stalled device freezes it.
  double behind_s = std::max(0.0, snap.delay_s - since_s);
  return std::max(0.0, static_cast<double>(snap.end_frame) / state_->rate - behind_s);
}

double PlaybackStream::delay_seconds() const {
  auto snap = state_->read_snapshot();
  return snap.wall_ns == 0 ? state_->static_latency_s : snap.delay_s;
}

std::int64_t PlaybackStream::last_callback_ns() const { return state_->read_snapshot().wall_ns; }

bool PlaybackStream::active() const {
  return !state_->finished.load(std::memory_order_acquire) &&
         Pa_IsStreamActive(state_->stream) == 1;
}

double PlaybackStream::duration_seconds() const {
  return static_cast<double>(state_->total_frames) / state_->rate;
}

int PlaybackStream::sample_rate() const { return state_->rate; }

PlaybackStats PlaybackStream::stats() const {
  return {state_->callbacks.load(std::memory_order_relaxed),
          state_->underruns.load(std::memory_order_relaxed),
          state_->frames_played.load(std::memory_order_relaxed)};
}

}  // namespace parla::audio
