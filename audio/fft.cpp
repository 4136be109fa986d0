// The real transform packs the N real samples as N/2 complex ones (even + i·odd),
// runs an iterative decimation-in-time complex FFT, then splits the result into the
// spectrum of the real signal (Numerical Recipes §12.3; Sorensen et al. 1987).
#include "audio/fft.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace parla::audio {

RealFft::RealFft(int size) : size_(size), half_(size / 2) {
  if (size < 4 || (size & (size - 1)) != 0) {
    throw std::invalid_argument("RealFft size must be a power of two >= 4, got " +
                                std::to_string(size));
  }
  int bits = 0;
  while ((1 << bits) < half_) ++bits;
  bit_reverse_.resize(half_);
  for (int i = 0; i < half_; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
    bit_reverse_[i] = r;
  }
  twiddle_.resize(std::max(1, half_ / 2));
  for (int k = 0; k < half_ / 2; ++k) {
    double angle = -2.0 * std::numbers::pi * k / half_;
    twiddle_[k] = {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
  }
  split_.resize(half_ + 1);
  for (int k = 0; k <= half_; ++k) {
    double angle = -2.0 * std::numbers::pi * k / size_;
    split_[k] = {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
  }
  work_.resize(half_ + 1);
  spectrum_.resize(half_ + 1);
}

void RealFft::forward(const float* in, std::complex<float>* out) {
  std::complex<float>* z = work_.data();
  for (int i = 0; i < half_; ++i) {
    int j = bit_reverse_[i];
    z[j] = {in[2 * i], in[2 * i + 1]};
  }
  // Butterflies on split real/imaginary arithmetic: std::complex multiplication
  // carries NaN/inf checks that GCC does not drop without -ffast-math.
  for (int span = 1; span < half_; span *= 2) {
    int stride = half_ / (2 * span);
    for (int start = 0; start < half_; start += 2 * span) {
      for (int k = 0; k < span; ++k) {
        const std::complex<float> w = twiddle_[k * stride];
        std::complex<float>& a = z[start + k];
        std::complex<float>& b = z[start + k + span];
        float br = b.real() * w.real() - b.imag() * w.imag();
        float bi = b.real() * w.imag() + b.imag() * w.real();
        float ar = a.real(), ai = a.imag();
        a = {ar + br, ai + bi};
        b = {ar - br, ai - bi};
      }
    }
  }
  // Split: X[k] = E[k] + W^k O[k], with E and O recovered from Z[k] and conj(Z[N/2-k]).
  z[half_] = z[0];
  for (int k = 0; k <= half_; ++k) {
    std::complex<float> zk = z[k];
    std::complex<float> zc = std::conj(z[half_ - k]);
    float er = 0.5f * (zk.real() + zc.real()), ei = 0.5f * (zk.imag() + zc.imag());
    // O = (zk - zc) / (2i)
    float orr = 0.5f * (zk.imag() - zc.imag()), oi = -0.5f * (zk.real() - zc.real());
    const std::complex<float> w = split_[k];
    out[k] = {er + orr * w.real() - oi * w.imag(), ei + orr * w.imag() + oi * w.real()};
  }
}

void RealFft::power_spectrum(const float* in, float* power) {
  forward(in, spectrum_.data());
  for (int k = 0; k <= half_; ++k) {
    power[k] = spectrum_[k].real() * spectrum_[k].real() + spectrum_[k].imag() * spectrum_[k].imag();
  }
}

}  // namespace parla::audio
