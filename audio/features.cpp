// FeatureExtractor and compute_features. Every frame is computed from a copy of the
// samples around its centre (zeros outside the signal), and is emitted only once all
// of them have arrived, so the numbers cannot depend on how the input was chunked;
// compute_features is the extractor fed in one piece.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "audio/audio.h"
#include "audio/fft.h"
#include "audio/mel.h"
#include "audio/pitch.h"
#include "audio/vad.h"

namespace parla::audio {

namespace {

constexpr int kFftSize = 512;             // the 400-sample window, zero-padded
constexpr float kLogMelFloor = 1e-10f;    // power floor before the log
constexpr float kEnergyFloorDb = -100.f;  // dBFS reported for digital silence
// Consumed samples are dropped from the front of the buffer once this many pile up.
constexpr int64_t kCompactSamples = 1 << 14;

void check_params(const FeatureParams& p) {
  if (!(p.f0_min_hz >= 40.0 && p.f0_max_hz <= 1000.0 && p.f0_min_hz < p.f0_max_hz)) {
    throw std::invalid_argument("FeatureParams: need 40 <= f0_min_hz < f0_max_hz <= 1000");
  }
  if (p.vad_hangover_frames < 0) {
    throw std::invalid_argument("FeatureParams: vad_hangover_frames must be >= 0");
  }
}

}  // namespace

struct FeatureExtractor::State {
  explicit State(FeatureParams p)
      : params(p),
        fft(kFftSize),
        mel(kFftSize, kSampleRate, kMelBins, kMelMinHz, kMelMaxHz),
        pitch(p.f0_min_hz, p.f0_max_hz),
        vad(p.silence_floor_db, p.vad_margin_db, p.vad_hangover_frames) {
    half_span = std::max(kWindowSamples / 2, pitch.half_span_samples());
    window.resize(kWindowSamples);
    for (int n = 0; n < kWindowSamples; ++n) {  // periodic Hann
      window[n] =
          static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / kWindowSamples));
    }
    frame_samples.resize(2 * static_cast<size_t>(half_span));
    fft_input.assign(kFftSize, 0.f);
    power.resize(kFftSize / 2 + 1);
  }

  FeatureParams params;
  RealFft fft;
  MelFilterbank mel;
  PitchTracker pitch;
  VoiceActivity vad;
  int half_span = 0;  // samples each side of a frame centre that a frame reads

  std::vector<float> buffer;  // input samples from buffer_start on
  int64_t buffer_start = 0;   // global index of buffer[0]
  int64_t total_samples = 0;  // samples pushed since the signal began
  int64_t next_frame = 0;

  std::vector<float> window;         // [kWindowSamples]
  std::vector<float> frame_samples;  // [2 * half_span], centre at half_span
  std::vector<float> fft_input;      // [kFftSize]
  std::vector<float> power;          // [kFftSize / 2 + 1]

  void emit(Features& out);
  void compact();
};

void FeatureExtractor::State::emit(Features& out) {
  const int64_t centre = next_frame * kHopSamples;
  const int64_t first = centre - half_span;
  for (int64_t i = 0; i < 2 * half_span; ++i) {
    int64_t g = first + i;
    frame_samples[i] = (g < 0 || g >= total_samples) ? 0.f : buffer[g - buffer_start];
  }
  const float* mid = frame_samples.data() + half_span;
  const float* win = mid - kWindowSamples / 2;
  FeatureFrame& frame = out.frames.emplace_back();

  double sum_squares = 0.0;
  for (int n = 0; n < kWindowSamples; ++n) sum_squares += static_cast<double>(win[n]) * win[n];
  double rms = std::sqrt(sum_squares / kWindowSamples);
  frame.energy_db = rms < 1e-5 ? kEnergyFloorDb : static_cast<float>(20.0 * std::log10(rms));

  for (int n = 0; n < kWindowSamples; ++n) fft_input[n] = win[n] * window[n];
  fft.power_spectrum(fft_input.data(), power.data());
  mel.apply(power.data(), frame.log_mel.data());
  for (float& v : frame.log_mel) v = std::log(std::max(v, kLogMelFloor));

  bool audible = frame.energy_db >= params.silence_floor_db;
  PitchEstimate p = audible ? pitch.estimate(mid) : PitchEstimate{};
  frame.voicing = p.voicing;
  bool voiced = audible && p.voicing >= params.voicing_threshold;
  frame.f0_hz = voiced ? p.f0_hz : 0.f;
  frame.speech = vad.update(frame.energy_db, voiced);
  ++next_frame;
}

void FeatureExtractor::State::compact() {
  int64_t keep_from = next_frame * kHopSamples - half_span;
  int64_t dead = keep_from - buffer_start;
  if (dead >= kCompactSamples && dead * 2 >= static_cast<int64_t>(buffer.size())) {
    buffer.erase(buffer.begin(), buffer.begin() + dead);
    buffer_start = keep_from;
  }
}

FeatureExtractor::FeatureExtractor(FeatureParams params) {
  check_params(params);
  state_ = std::make_unique<State>(params);
}

FeatureExtractor::~FeatureExtractor() = default;
FeatureExtractor::FeatureExtractor(FeatureExtractor&&) noexcept = default;
FeatureExtractor& FeatureExtractor::operator=(FeatureExtractor&&) noexcept = default;

void FeatureExtractor::push(std::span<const float> samples, Features& out) {
  State& s = *state_;
  s.buffer.insert(s.buffer.end(), samples.begin(), samples.end());
  s.total_samples += static_cast<int64_t>(samples.size());
  while (s.next_frame * kHopSamples + s.half_span <= s.total_samples) s.emit(out);
  s.compact();
}

void FeatureExtractor::finish(Features& out) {
  State& s = *state_;
  const int64_t frame_count = (s.total_samples + kHopSamples - 1) / kHopSamples;
  while (s.next_frame < frame_count) s.emit(out);
  FeatureParams params = s.params;
  state_ = std::make_unique<State>(params);
}

int FeatureExtractor::latency_samples() const { return state_->half_span; }

Features compute_features(std::span<const float> samples, FeatureParams params) {
  FeatureExtractor extractor(params);
  Features features;
  features.frames.reserve((samples.size() + kHopSamples - 1) / kHopSamples);
  // Chunks keep the extractor's buffer small; the numbers do not depend on them.
  constexpr size_t kChunk = 1 << 16;
  for (size_t at = 0; at < samples.size(); at += kChunk) {
    extractor.push(samples.subspan(at, std::min(kChunk, samples.size() - at)), features);
  }
  extractor.finish(features);
  return features;
}

}  // namespace parla::audio
