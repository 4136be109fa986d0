// F0 and voicing strength per frame by YIN (de Cheveigné & Kawahara, JASA 2002): the
// lag search runs on the signal decimated to 8 kHz, and the best lag is then refined
// on the 16 kHz samples with parabolic interpolation.
#pragma once

#include <vector>

namespace parla::audio {

struct PitchEstimate {
  float f0_hz = 0.f;    // best period's frequency (always set; voicing says if it means anything)
  float voicing = 0.f;  // 1 - YIN's cumulative-mean-normalised difference at that period, 0..1
};

class PitchTracker {
 public:
  // Searches pitches in [f0_min_hz, f0_max_hz] on 16 kHz input.
  PitchTracker(double f0_min_hz, double f0_max_hz);
  // Samples each side of the frame centre that estimate() reads.
  int half_span_samples() const { return half_span_; }
  // `centre` points at the frame's centre sample inside a buffer holding at least
  // half_span_samples() samples on each side.
  PitchEstimate estimate(const float* centre);

 private:
  int lag_min_8k_;                 // shortest period searched, 8 kHz samples
  int lag_max_8k_;                 // longest period searched, 8 kHz samples
  int window_8k_;                  // YIN integration window, 8 kHz samples
  int span_8k_;                    // decimated samples analysed: window + longest lag
  int half_span_;                  // 16 kHz samples needed each side of the centre
  std::vector<float> lowpass_;     // anti-alias FIR for 2:1 decimation, odd length
  std::vector<float> even_, odd_;  // input split into phases for decimation
  std::vector<float> decimated_;   // [span_8k_], then zero padding for lag blocks
  std::vector<float> difference_;  // YIN d(τ), τ = 0..lag_max_8k_
};

}  // namespace parla::audio
