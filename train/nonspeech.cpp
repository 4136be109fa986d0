// Synthetic music: the non-speech input the motion models must not lip-sync to.
#include <algorithm>
#include <cmath>

#include "train/random.h"
#include "train/train.h"

namespace parla::train {

std::vector<float> synth_music(double seconds, std::uint64_t seed) {
  Random rng(seed ^ 0x6D75736963ull);
  const auto samples = static_cast<std::int64_t>(seconds * kSampleRate);
  std::vector<double> mix(static_cast<size_t>(std::max<std::int64_t>(samples, 0)), 0.0);
  const double two_pi = 6.283185307179586;
  double root_midi = rng.uniform(45, 57);
  // Tones: chords over a random progression, each note an ADSR-shaped harmonic tone.
  for (std::int64_t start = 0; start < samples;) {
    auto length = static_cast<std::int64_t>(rng.uniform(0.15, 0.8) * kSampleRate);
    int voices = 1 + static_cast<int>(rng.uniform(0, 3));
    static constexpr int kScale[] = {0, 2, 4, 5, 7, 9, 11, 12, 14, 16};
    for (int v = 0; v < voices; ++v) {
      double midi = root_midi + 12 + kScale[static_cast<int>(rng.uniform(0, 10))];
      double hz = 440.0 * std::pow(2.0, (midi - 69) / 12.0);
      double amp = rng.uniform(0.05, 0.12);
      int harmonics = 2 + static_cast<int>(rng.uniform(0, 6));
      double decay = rng.uniform(0.5, 4.0);  // 1/s
      for (std::int64_t i = 0; i < length && start + i < samples; ++i) {
        double s = static_cast<double>(i) / kSampleRate;
        double env = std::min(1.0, s / 0.01) * std::exp(-s * decay);
        double y = 0;
        for (int h = 1; h <= harmonics; ++h) y += std::sin(two_pi * hz * h * s) / h;
        mix[start + i] += amp * env * y;
      }
    }
    // Bass on the root, an octave or two down.
    double bass_hz = 440.0 * std::pow(2.0, (root_midi - 12 - 69) / 12.0);
    for (std::int64_t i = 0; i < length && start + i < samples; ++i) {
      double s = static_cast<double>(i) / kSampleRate;
      mix[start + i] += 0.12 * std::exp(-s * 2.0) * std::sin(two_pi * bass_hz * s);
    }
    // Percussion: a decaying noise burst (hi-hat / snare) at the note onset.
    if (rng.uniform() < 0.7) {
      double decay = rng.uniform(20, 60), amp = rng.uniform(0.05, 0.2);
      for (std::int64_t i = 0; i < kSampleRate / 5 && start + i < samples; ++i) {
        mix[start + i] += amp * std::exp(-decay * i / kSampleRate) * rng.uniform(-1, 1);
      }
    }
    if (rng.uniform() < 0.25) root_midi += kScale[static_cast<int>(rng.uniform(0, 5))] - 4;
    root_midi = std::clamp(root_midi, 40.0, 60.0);
    start += length;
  }
  double peak = 1e-9;
  for (double v : mix) peak = std::max(peak, std::abs(v));
  std::vector<float> out(mix.size());
  for (size_t i = 0; i < mix.size(); ++i) out[i] = static_cast<float>(0.5 * mix[i] / peak);
  return out;
}

}  // namespace parla::train
