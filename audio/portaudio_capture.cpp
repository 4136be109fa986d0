// CaptureStream: microphone samples into a lock-free ring, each callback stamped with
// its wall time so the player can measure audio → picture latency.
#include <portaudio.h>

#include <cmath>

#include "audio/audio.h"
#include "audio/portaudio_util.h"

namespace parla::audio {

struct CaptureStream::State {
  explicit State(size_t ring_samples) : samples(ring_samples), stamps(4096) {}

  // Set before start(), read-only afterwards.
  AudioDeviceInfo device;
  double latency_s = 0;
  PaStream* stream = nullptr;  // owned by the main thread

  SpscRing<float> samples;        // callback → consumer
  SpscRing<CaptureStamp> stamps;  // callback → consumer, one per accepted buffer
  std::int64_t accepted = 0;      // callback-private running total

  std::atomic<std::int64_t> callbacks{0};
  std::atomic<std::int64_t> samples_in{0};
  std::atomic<std::int64_t> dropped{0};
  std::atomic<std::int64_t> overflows{0};
  std::atomic<bool> finished{false};

  // The real-time callback body: no allocation, no locks, no exceptions. A buffer that
  // does not fit is dropped whole (and counted) so sample indices stay contiguous.
  void take(const float* in, unsigned long frames, PaStreamCallbackFlags flags) noexcept {
    std::int64_t now_ns = steady_now_ns();
    callbacks.fetch_add(1, std::memory_order_relaxed);
    if (flags & paInputOverflow) overflows.fetch_add(1, std::memory_order_relaxed);
    if (!in) return;
    if (!samples.push({in, frames})) {
      dropped.fetch_add(static_cast<std::int64_t>(frames), std::memory_order_relaxed);
      return;
    }
    accepted += static_cast<std::int64_t>(frames);
    samples_in.store(accepted, std::memory_order_relaxed);
    CaptureStamp stamp{accepted, now_ns};
    stamps.push({&stamp, 1});  // a full stamp ring only coarsens the latency figure
  }
};

namespace {

int capture_callback(const void* input, void*, unsigned long frames,
                     const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags flags, void* user) {
  static_cast<CaptureStream::State*>(user)->take(static_cast<const float*>(input), frames, flags);
  return paContinue;
}

void capture_finished(void* user) {
  static_cast<CaptureStream::State*>(user)->finished.store(true, std::memory_order_release);
}

}  // namespace

CaptureStream::CaptureStream(CaptureParams params)
    : state_(std::make_unique<State>(
          static_cast<size_t>(std::ceil(params.ring_seconds * params.sample_rate)))) {
  State& s = *state_;
  s.device = pa::resolve_device(params.device, /*input=*/true);
  PaStreamParameters in{};
  in.device = s.device.index;
  in.channelCount = 1;
  in.sampleFormat = paFloat32;
  in.suggestedLatency = params.latency_seconds > 0
                            ? params.latency_seconds
                            : Pa_GetDeviceInfo(in.device)->defaultLowInputLatency;
  pa::check(Pa_OpenStream(&s.stream, &in, nullptr, params.sample_rate, paFramesPerBufferUnspecified,
                          paNoFlag, capture_callback, &s),
            "cannot open audio input " + std::to_string(s.device.index) + " ('" + s.device.name +
                "') at " + std::to_string(params.sample_rate) + " Hz mono (see --list-devices)");
  Pa_SetStreamFinishedCallback(s.stream, capture_finished);
  const PaStreamInfo* info = Pa_GetStreamInfo(s.stream);
  s.latency_s = info ? info->inputLatency : in.suggestedLatency;
}

CaptureStream::~CaptureStream() {
  if (state_ && state_->stream) {
    Pa_AbortStream(state_->stream);
    Pa_CloseStream(state_->stream);
  }
}

void CaptureStream::start() {
  pa::check(Pa_StartStream(state_->stream),
            "cannot start audio input '" + state_->device.name + "' (see --list-devices)");
}

void CaptureStream::stop() {
  if (Pa_IsStreamActive(state_->stream) == 1) Pa_StopStream(state_->stream);
}

size_t CaptureStream::read(std::span<float> out) { return state_->samples.pop(out); }

bool CaptureStream::next_stamp(CaptureStamp& stamp) { return state_->stamps.pop({&stamp, 1}) == 1; }

bool CaptureStream::active() const {
  return !state_->finished.load(std::memory_order_acquire) &&
         Pa_IsStreamActive(state_->stream) == 1;
}

double CaptureStream::input_latency_seconds() const { return state_->latency_s; }
const AudioDeviceInfo& CaptureStream::device() const { return state_->device; }

CaptureStats CaptureStream::stats() const {
  return {state_->callbacks.load(std::memory_order_relaxed),
          state_->samples_in.load(std::memory_order_relaxed),
          state_->dropped.load(std::memory_order_relaxed),
          state_->overflows.load(std::memory_order_relaxed)};
}

}  // namespace parla::audio
