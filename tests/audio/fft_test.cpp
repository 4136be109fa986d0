#include "audio/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <thread>
#include <vector>

namespace parla::audio {
namespace {

std::vector<std::complex<double>> naive_dft(const std::vector<float>& x) {
  const size_t n = x.size();
  std::vector<std::complex<double>> out(n / 2 + 1);
  for (size_t k = 0; k <= n / 2; ++k) {
    for (size_t t = 0; t < n; ++t) {
      out[k] += static_cast<double>(x[t]) *
                std::polar(1.0, -2.0 * std::numbers::pi * static_cast<double>(k * t) / n);
    }
  }
  return out;
}

class RealFftTest : public ::testing::TestWithParam<int> {};

TEST_P(RealFftTest, MatchesDirectDft) {
  const int size = GetParam();
  std::mt19937 rng(size);
  std::normal_distribution<float> normal;
  std::vector<float> x(size);
  for (float& v : x) v = normal(rng);

  RealFft fft(size);
  std::vector<std::complex<float>> got(size / 2 + 1);
  fft.forward(x.data(), got.data());
  std::vector<float> power(size / 2 + 1);
  fft.power_spectrum(x.data(), power.data());
  auto want = naive_dft(x);
  for (int k = 0; k <= size / 2; ++k) {
    EXPECT_NEAR(got[k].real(), want[k].real(), 1e-3 * std::sqrt(size)) << "bin " << k;
    EXPECT_NEAR(got[k].imag(), want[k].imag(), 1e-3 * std::sqrt(size)) << "bin " << k;
    EXPECT_NEAR(power[k], std::norm(want[k]), 1e-3 * size + 1e-4 * std::norm(want[k]));
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, RealFftTest, ::testing::Values(4, 8, 64, 512, 1024));

TEST(RealFft, RejectsSizesThatAreNotPowersOfTwo) {
  EXPECT_THROW(RealFft(400), std::invalid_argument);
  EXPECT_THROW(RealFft(2), std::invalid_argument);
}

// Feature extractors are made and run on several threads at once (batch workers, the
// library's renders): plans made concurrently must work and give the same spectra.
TEST(RealFft, PlansAndTransformsOnManyThreadsAtOnce) {
  std::vector<float> x(1024);  // the longest transform below reads 1024 samples
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  for (float& v : x) v = normal(rng);
  std::vector<float> want(257);
  RealFft(512).power_spectrum(x.data(), want.data());

  constexpr int kThreads = 8;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        RealFft fft(round % 2 ? 512 : 256 << (t % 3));
        std::vector<float> power(fft.size() / 2 + 1);
        fft.power_spectrum(x.data(), power.data());
        if (fft.size() == 512 && power != want) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace parla::audio
