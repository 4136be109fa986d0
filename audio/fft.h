// The real FFT of the log-mel front end, through FFTW (single precision): a plan made
// once per size, executed for each frame. The front end runs thousands of 512-point
// transforms per second; FFTW takes 0.35 us for one where the hand-written radix-2 FFT
// it replaced took 2.0 us (bench/bench_fft.cpp, docs/benchmarks.md "FFT").
#pragma once

#include <complex>
#include <memory>

namespace parla::audio {

// Thread safety: distinct RealFfts may be made, used and destroyed on any threads at
// once (FFTW's planner is made thread-safe before the first plan); one RealFft is used
// by one thread at a time.
class RealFft {
 public:
  // `size`: a power of two, at least 4.
  explicit RealFft(int size);
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;
  int size() const { return size_; }

  // Spectrum of `in` (size() samples): bins 0..size()/2 into `out` (size()/2 + 1).
  void forward(const float* in, std::complex<float>* out);
  // |X[k]|² for k = 0..size()/2 into `power` (size()/2 + 1 values).
  void power_spectrum(const float* in, float* power);

 private:
  // Leaves the spectrum of `in` in the plan's output array.
  void transform(const float* in);

  struct Plan;
  int size_;
  std::unique_ptr<Plan> plan_;
};

}  // namespace parla::audio
