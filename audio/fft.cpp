// FFTW's real-to-complex transform on arrays FFTW allocated (aligned for its SIMD
// kernels); the caller's data is copied in and out, so any pointer works. Plans use
// FFTW_ESTIMATE: chosen without timing runs, so a plan, and the features computed with
// it, are the same on every run of a machine (FFTW_MEASURE was no faster here, took
// 0.1-0.2 s to plan and may pick another algorithm, with other rounding, on each run).
#include "audio/fft.h"

#include <fftw3.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>

namespace parla::audio {

struct RealFft::Plan {
  float* in = nullptr;           // [size]
  fftwf_complex* out = nullptr;  // [size / 2 + 1]
  fftwf_plan plan = nullptr;

  ~Plan() {
    if (plan) fftwf_destroy_plan(plan);
    fftwf_free(out);
    fftwf_free(in);
  }
};

RealFft::RealFft(int size) : size_(size), plan_(std::make_unique<Plan>()) {
  if (size < 4 || (size & (size - 1)) != 0) {
    throw std::invalid_argument("RealFft size must be a power of two >= 4, got " +
                                std::to_string(size));
  }
  // Planning and destroying plans touch FFTW's global state; this installs FFTW's own
  // lock around them, which also covers an embedding program's fftwf_ planner calls.
  static std::once_flag thread_safe;
  std::call_once(thread_safe, [] { fftwf_make_planner_thread_safe(); });
  plan_->in = fftwf_alloc_real(static_cast<size_t>(size));
  plan_->out = fftwf_alloc_complex(static_cast<size_t>(size / 2 + 1));
  if (!plan_->in || !plan_->out) throw std::bad_alloc();
  plan_->plan = fftwf_plan_dft_r2c_1d(size, plan_->in, plan_->out, FFTW_ESTIMATE);
  if (!plan_->plan)
    throw std::runtime_error("FFTW cannot plan a " + std::to_string(size) + "-point FFT");
}

RealFft::~RealFft() = default;

void RealFft::transform(const float* in) {
  std::copy(in, in + size_, plan_->in);
  fftwf_execute(plan_->plan);
}

void RealFft::forward(const float* in, std::complex<float>* out) {
  transform(in);
  for (int k = 0; k <= size_ / 2; ++k) out[k] = {plan_->out[k][0], plan_->out[k][1]};
}

void RealFft::power_spectrum(const float* in, float* power) {
  transform(in);
  for (int k = 0; k <= size_ / 2; ++k) {
    power[k] = plan_->out[k][0] * plan_->out[k][0] + plan_->out[k][1] * plan_->out[k][1];
  }
}

}  // namespace parla::audio
