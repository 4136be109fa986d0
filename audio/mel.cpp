// HTK mel scale and Kaldi-style filters: triangles that are linear in mel (not Hz),
// peak 1 at their centre, evaluated at each FFT bin's frequency (Kaldi
// feat/mel-computations.cc; Young et al., The HTK Book, §5.4).
#include "audio/mel.h"

#include <algorithm>
#include <cmath>

#include "audio/audio.h"

namespace parla::audio {

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

namespace {

double mel_edge(int index, int bins, double min_hz, double max_hz) {
  double lo = hz_to_mel(min_hz), hi = hz_to_mel(max_hz);
  return lo + index * (hi - lo) / (bins + 1);
}

}  // namespace

double mel_bin_center_hz(int bin) {
  return mel_to_hz(mel_edge(bin + 1, kMelBins, kMelMinHz, kMelMaxHz));
}

MelFilterbank::MelFilterbank(int fft_size, int sample_rate, int bins, double min_hz,
                             double max_hz) {
  const int fft_bins = fft_size / 2 + 1;
  filters_.resize(bins);
  for (int b = 0; b < bins; ++b) {
    double left = mel_edge(b, bins, min_hz, max_hz);
    double centre = mel_edge(b + 1, bins, min_hz, max_hz);
    double right = mel_edge(b + 2, bins, min_hz, max_hz);
    Filter& filter = filters_[b];
    filter.first_fft_bin = -1;
    for (int k = 0; k < fft_bins; ++k) {
      double mel = hz_to_mel(static_cast<double>(k) * sample_rate / fft_size);
      double weight = 0.0;
      if (mel > left && mel < right) {
        weight = mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
      }
      if (weight <= 0.0) {
        if (filter.first_fft_bin >= 0) break;  // past the triangle
        continue;
      }
      if (filter.first_fft_bin < 0) filter.first_fft_bin = k;
      filter.weights.push_back(static_cast<float>(weight));
    }
    if (filter.first_fft_bin < 0) filter.first_fft_bin = 0;  // narrower than one FFT bin
  }
}

void MelFilterbank::apply(const float* power, float* mel) const {
  for (size_t b = 0; b < filters_.size(); ++b) {
    const Filter& filter = filters_[b];
    const float* p = power + filter.first_fft_bin;
    float sum = 0.f;
    for (size_t i = 0; i < filter.weights.size(); ++i) sum += filter.weights[i] * p[i];
    mel[b] = sum;
  }
}

}  // namespace parla::audio
