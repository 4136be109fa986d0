// The mel filterbank: power spectrum (FFT bins) → kMelBins band energies. Each filter
// stores only its non-zero weights, so applying the bank costs about two multiplies
// per FFT bin.
#pragma once

#include <vector>

namespace parla::audio {

class MelFilterbank {
 public:
  // `fft_size` samples at `sample_rate` Hz; `bins` triangles from min_hz to max_hz.
  MelFilterbank(int fft_size, int sample_rate, int bins, double min_hz, double max_hz);
  int bins() const { return static_cast<int>(filters_.size()); }
  // Band powers from `power` (fft_size / 2 + 1 values) into `mel` (bins() values).
  void apply(const float* power, float* mel) const;

 private:
  struct Filter {
    int first_fft_bin = 0;
    std::vector<float> weights;  // for FFT bins first_fft_bin, first_fft_bin + 1, ...
  };
  std::vector<Filter> filters_;
};

}  // namespace parla::audio
