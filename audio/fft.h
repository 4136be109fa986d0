// A radix-2 FFT for real input, sized once, with precomputed twiddles and bit-reversal
// table: the log-mel front end needs thousands of 512-point transforms per second.
#pragma once

#include <complex>
#include <vector>

namespace parla::audio {

class RealFft {
 public:
  // `size`: a power of two, at least 4.
  explicit RealFft(int size);
  int size() const { return size_; }

  // Spectrum of `in` (size() samples): bins 0..size()/2 into `out` (size()/2 + 1).
  void forward(const float* in, std::complex<float>* out);
  // |X[k]|² for k = 0..size()/2 into `power` (size()/2 + 1 values).
  void power_spectrum(const float* in, float* power);

 private:
  // Leaves the spectrum in re_/im_ (bins 0..half_).
  void transform(const float* in);

  int size_;
  int half_;                      // complex FFT length, size_ / 2
  std::vector<int> bit_reverse_;  // [half_]
  // Twiddles of every butterfly stage, stage by stage: the stage joining blocks of
  // `span` holds exp(-iπk/span), k < span, at offset span - 1, so its inner loop
  // reads them contiguously and vectorises.
  std::vector<float> twiddle_re_, twiddle_im_;
  std::vector<float> split_re_, split_im_;  // exp(-2πik/size_), k <= half_
  std::vector<float> re_, im_;              // work, split real/imaginary [half_ + 1]
};

}  // namespace parla::audio
