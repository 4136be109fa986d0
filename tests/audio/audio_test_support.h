// Helpers shared by the audio tests: synthetic signals and simple measurements that do
// not go through the code under test.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "core/core.h"

namespace parla::audio::test {

inline std::vector<float> sine(double hz, double seconds, double amplitude = 0.5,
                               int rate = 16000) {
  std::vector<float> out(static_cast<size_t>(seconds * rate));
  for (size_t n = 0; n < out.size(); ++n) {
    out[n] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * hz * n / rate));
  }
  return out;
}

inline std::vector<float> white_noise(double seconds, double amplitude, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.f, 1.f);
  std::vector<float> out(static_cast<size_t>(seconds * 16000));
  for (float& x : out) x = static_cast<float>(amplitude) * uniform(rng);
  return out;
}

// Frequency of a clean tone from its rising zero crossings, interpolated between
// samples; measured over [begin, end).
inline double zero_crossing_hz(const std::vector<float>& pcm, size_t begin, size_t end, int rate,
                               int stride = 1) {
  double first = -1, last = -1;
  int crossings = 0;
  for (size_t n = begin + stride; n < end; n += stride) {
    float a = pcm[n - stride], b = pcm[n];
    if (a < 0.f && b >= 0.f) {
      double at = (n - stride) / static_cast<double>(stride) + a / (a - b);
      if (first < 0)
        first = at;
      else
        ++crossings;
      last = at;
    }
  }
  return crossings > 0 ? crossings * rate / (last - first) : 0.0;
}

// Runs `body`, expecting an InputError whose message names `file` and contains `problem`.
inline void expect_input_error(const std::function<void()>& body, const std::string& file,
                               const std::string& problem) {
  try {
    body();
    ADD_FAILURE() << "no InputError for " << file;
  } catch (const InputError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  }
}

}  // namespace parla::audio::test
