// Parla's RealFft against FFTW3 (single precision) and KISS FFT on the transform the
// log-mel front end runs: the power spectrum of a 400-sample Hann-windowed frame
// zero-padded to 512 (audio/features.cpp), one thread. RealFft was a hand-written radix-2
// FFT until FFTW replaced it behind the same interface (#14); the library lines show
// what a change of library would bring. They run interleaved in each repeat, so a loaded
// machine slows them alike; the figures are medians of thread CPU time over the repeats,
// each also as a ratio to RealFft's in the same repeat. Accuracy: the largest error of
// each against a double-precision DFT, relative to the frame's peak bin. (The MEASURE
// plan's wisdom is reused by the ESTIMATE plan made after it, so their lines may match.)
//
//   build/bench/bench_fft [repeats=31] [frames_per_repeat=2000]
#include <fftw3.h>
#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "audio/fft.h"
#include "bench/support.h"

using namespace parla;

namespace {

constexpr int kFftSize = 512;
constexpr int kWindowSamples = 400;
constexpr int kBins = kFftSize / 2 + 1;
constexpr int kDistinctFrames = 64;  // inputs cycled through, so no run sees one frame only

// Hann-windowed noise with a few harmonics, zero-padded: what the feature path transforms.
std::vector<std::vector<float>> make_frames() {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.f, 0.05f);
  std::vector<std::vector<float>> frames(kDistinctFrames, std::vector<float>(kFftSize, 0.f));
  for (int f = 0; f < kDistinctFrames; ++f) {
    const double f0_hz = 100.0 + 3.0 * f;
    for (int n = 0; n < kWindowSamples; ++n) {
      double hann = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / kWindowSamples);
      double voice = 0.0;
      for (int h = 1; h <= 8; ++h)
        voice += std::sin(2.0 * std::numbers::pi * f0_hz * h * n / 16000.0) / h;
      frames[f][n] = static_cast<float>(hann * (0.3 * voice + noise(rng)));
    }
  }
  return frames;
}

std::vector<double> reference_power(const std::vector<float>& x) {
  std::vector<double> power(kBins);
  for (int k = 0; k < kBins; ++k) {
    std::complex<double> sum;
    for (int n = 0; n < kFftSize; ++n) {
      sum +=
          static_cast<double>(x[n]) * std::polar(1.0, -2.0 * std::numbers::pi * k * n / kFftSize);
    }
    power[k] = std::norm(sum);
  }
  return power;
}

// One implementation: `power(in, out)` writes kBins values.
struct Candidate {
  std::string name;
  std::function<void(const float*, float*)> power;
  std::vector<double> seconds;  // per repeat
  double max_error = 0.0;       // vs the double DFT, relative to the frame's peak power
};

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 31;
  const int frames_per_repeat = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2000;
  const auto frames = make_frames();

  audio::RealFft parla_fft(kFftSize);

  // FFTW: one plan made once (as a FeatureExtractor would), executed on new arrays.
  // MEASURE times candidate algorithms at plan time; ESTIMATE is a heuristic plan.
  float* fftw_in = fftwf_alloc_real(kFftSize);
  fftwf_complex* fftw_out = fftwf_alloc_complex(kBins);
  bench::Stopwatch plan_clock;
  fftwf_plan measured = fftwf_plan_dft_r2c_1d(kFftSize, fftw_in, fftw_out, FFTW_MEASURE);
  const double plan_seconds = plan_clock.seconds();
  fftwf_plan estimated = fftwf_plan_dft_r2c_1d(kFftSize, fftw_in, fftw_out, FFTW_ESTIMATE);
  auto fftw_power = [&](fftwf_plan plan, const float* in, float* out) {
    std::copy(in, in + kFftSize, fftw_in);  // the plan's aligned input
    fftwf_execute(plan);
    for (int k = 0; k < kBins; ++k)
      out[k] = fftw_out[k][0] * fftw_out[k][0] + fftw_out[k][1] * fftw_out[k][1];
  };

  kiss_fftr_cfg kiss = kiss_fftr_alloc(kFftSize, /*inverse_fft=*/0, nullptr, nullptr);
  std::vector<kiss_fft_cpx> kiss_out(kBins);

  std::vector<Candidate> candidates;
  candidates.push_back({"parla RealFft",
                        [&](const float* in, float* out) { parla_fft.power_spectrum(in, out); },
                        {},
                        0});
  candidates.push_back({"FFTW3f MEASURE",
                        [&](const float* in, float* out) { fftw_power(measured, in, out); },
                        {},
                        0});
  candidates.push_back({"FFTW3f ESTIMATE",
                        [&](const float* in, float* out) { fftw_power(estimated, in, out); },
                        {},
                        0});
  candidates.push_back({"KISS FFT",
                        [&](const float* in, float* out) {
                          kiss_fftr(kiss, in, kiss_out.data());
                          for (int k = 0; k < kBins; ++k)
                            out[k] = kiss_out[k].r * kiss_out[k].r + kiss_out[k].i * kiss_out[k].i;
                        },
                        {},
                        0});

  // Accuracy on every distinct frame.
  std::vector<float> power(kBins);
  for (const auto& frame : frames) {
    std::vector<double> want = reference_power(frame);
    double peak = *std::max_element(want.begin(), want.end());
    for (Candidate& c : candidates) {
      c.power(frame.data(), power.data());
      for (int k = 0; k < kBins; ++k)
        c.max_error = std::max(c.max_error, std::abs(power[k] - want[k]) / peak);
    }
  }

  float sink = 0.f;
  for (int r = 0; r < repeats; ++r) {
    for (Candidate& c : candidates) {
      const double start = bench::thread_cpu_seconds();
      for (int i = 0; i < frames_per_repeat; ++i) {
        c.power(frames[i % kDistinctFrames].data(), power.data());
        sink += power[i % kBins];
      }
      c.seconds.push_back(bench::thread_cpu_seconds() - start);
    }
  }

  std::printf(
      "power spectrum of a %d-point frame, %d frames per repeat, %d repeats, medians of thread CPU "
      "time\n",
      kFftSize, frames_per_repeat, repeats);
  std::printf("FFTW_MEASURE planning took %.1f ms (once per plan)\n", plan_seconds * 1e3);
  std::printf("%-16s %10s %14s %16s\n", "", "us/frame", "vs RealFft", "max rel. error");
  for (const Candidate& c : candidates) {
    std::vector<double> ratios;
    for (int r = 0; r < repeats; ++r) ratios.push_back(c.seconds[r] / candidates[0].seconds[r]);
    std::printf("%-16s %10.3f %13.2fx %16.2e\n", c.name.c_str(),
                bench::median(c.seconds) / frames_per_repeat * 1e6, bench::median(ratios), c.max_error);
  }
  if (sink == 12345.f) std::puts("");  // keeps the loops

  kiss_fftr_free(kiss);
  fftwf_destroy_plan(measured);
  fftwf_destroy_plan(estimated);
  fftwf_free(fftw_in);
  fftwf_free(fftw_out);
  return 0;
}
