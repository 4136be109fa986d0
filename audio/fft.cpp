// The real transform packs the N real samples as N/2 complex ones (even + i·odd),
// runs an iterative decimation-in-time complex FFT, then splits the result into the
// spectrum of the real signal (Numerical Recipes §12.3; Sorensen et al. 1987). Real
// and imaginary parts live in separate arrays: std::complex arithmetic compiled to
// shuffles and store-forwarding stalls and ran 5× slower.
#include "audio/fft.h"

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
  twiddle_re_.resize(half_);
  twiddle_im_.resize(half_);
  for (int span = 1; span < half_; span *= 2) {
    for (int k = 0; k < span; ++k) {
      double angle = -std::numbers::pi * k / span;
      twiddle_re_[span - 1 + k] = static_cast<float>(std::cos(angle));
      twiddle_im_[span - 1 + k] = static_cast<float>(std::sin(angle));
    }
  }
  split_re_.resize(half_ + 1);
  split_im_.resize(half_ + 1);
  for (int k = 0; k <= half_; ++k) {
    double angle = -2.0 * std::numbers::pi * k / size_;
    split_re_[k] = static_cast<float>(std::cos(angle));
    split_im_[k] = static_cast<float>(std::sin(angle));
  }
  re_.resize(half_ + 1);
  im_.resize(half_ + 1);
}

void RealFft::transform(const float* in) {
  float* re = re_.data();
  float* im = im_.data();
  for (int i = 0; i < half_; ++i) {
    int j = bit_reverse_[i];
    re[j] = in[2 * i];
    im[j] = in[2 * i + 1];
  }
  for (int span = 1; span < half_; span *= 2) {
    const float* wr = twiddle_re_.data() + span - 1;
    const float* wi = twiddle_im_.data() + span - 1;
    for (int start = 0; start < half_; start += 2 * span) {
      float* ar = re + start;
      float* ai = im + start;
      float* br = ar + span;
      float* bi = ai + span;
      for (int k = 0; k < span; ++k) {
        float tr = br[k] * wr[k] - bi[k] * wi[k];
        float ti = br[k] * wi[k] + bi[k] * wr[k];
        br[k] = ar[k] - tr;
        bi[k] = ai[k] - ti;
        ar[k] += tr;
        ai[k] += ti;
      }
    }
  }
  // Split: X[k] = E[k] + W^k O[k], where E = (Z[k] + conj Z[N/2-k]) / 2 and
  // O = (Z[k] - conj Z[N/2-k]) / 2i. Pairs (k, N/2-k) are computed together, in place.
  re[half_] = re[0];
  im[half_] = im[0];
  for (int k = 0; k <= half_ / 2; ++k) {
    const int m = half_ - k;
    float zr = re[k], zi = im[k], cr = re[m], ci = -im[m];
    // Bin k.
    float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
    float orr = 0.5f * (zi - ci), oi = -0.5f * (zr - cr);
    float xk_re = er + orr * split_re_[k] - oi * split_im_[k];
    float xk_im = ei + orr * split_im_[k] + oi * split_re_[k];
    // Bin m: the same with the roles of Z[k] and Z[m] exchanged.
    float zr2 = re[m], zi2 = im[m], cr2 = re[k], ci2 = -im[k];
    float er2 = 0.5f * (zr2 + cr2), ei2 = 0.5f * (zi2 + ci2);
    float or2 = 0.5f * (zi2 - ci2), oi2 = -0.5f * (zr2 - cr2);
    float xm_re = er2 + or2 * split_re_[m] - oi2 * split_im_[m];
    float xm_im = ei2 + or2 * split_im_[m] + oi2 * split_re_[m];
    re[k] = xk_re;
    im[k] = xk_im;
    re[m] = xm_re;
    im[m] = xm_im;
  }
}

void RealFft::forward(const float* in, std::complex<float>* out) {
  transform(in);
  for (int k = 0; k <= half_; ++k) out[k] = {re_[k], im_[k]};
}

void RealFft::power_spectrum(const float* in, float* power) {
  transform(in);
  for (int k = 0; k <= half_; ++k) power[k] = re_[k] * re_[k] + im_[k] * im_[k];
}

}  // namespace parla::audio
