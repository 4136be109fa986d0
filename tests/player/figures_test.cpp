// Figures (player/figures.h): the live latency and A/V offset statistics, in constant
// memory. Count, mean, min and max exact; percentiles within 1 % of a sorted copy's.
#include "player/figures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace parla::player {
namespace {

double exact_percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(i, 1, values.size()) - 1];
}

TEST(Figures, MatchAnExactComputationOnLatencyLikeData) {
  // Latencies as live measures them: mostly 10-40 ms, a tail to 1.5 s.
  std::mt19937 rng(7);
  std::lognormal_distribution<double> body(std::log(0.02), 0.4);
  std::uniform_real_distribution<double> tail(0.1, 1.5);
  std::uniform_real_distribution<double> coin(0, 1);
  Figures figures;
  std::vector<double> values;
  for (int k = 0; k < 90000; ++k) {  // one hour of frames at 25 fps
    double v = coin(rng) < 0.02 ? tail(rng) : body(rng);
    figures.add(v);
    values.push_back(v);
  }
  EXPECT_EQ(figures.count(), 90000);
  double sum = 0;
  for (double v : values) sum += v;
  EXPECT_NEAR(figures.mean(), sum / values.size(), 1e-12);
  EXPECT_EQ(figures.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(figures.max(), *std::max_element(values.begin(), values.end()));
  for (double p : {1.0, 50.0, 95.0, 99.0, 100.0}) {
    double exact = exact_percentile(values, p);
    EXPECT_NEAR(figures.percentile(p), exact, 0.01 * exact) << "p" << p;
  }
  double recent = 0;
  for (size_t j = values.size() - 25; j < values.size(); ++j) recent += values[j];
  EXPECT_NEAR(figures.recent_mean(25), recent / 25, 1e-12);
}

TEST(Figures, EmptySmallAndNegative) {
  Figures figures;
  EXPECT_EQ(figures.count(), 0);
  EXPECT_EQ(figures.mean(), 0);
  EXPECT_EQ(figures.percentile(95), 0);
  EXPECT_EQ(figures.recent_mean(25), 0);
  // A/V offsets are signed: min, max and mean stay exact, percentiles stay inside them.
  for (double v : {-0.03, 0.01, -0.01, 0.02}) figures.add(v);
  EXPECT_DOUBLE_EQ(figures.mean(), -0.0025);
  EXPECT_EQ(figures.min(), -0.03);
  EXPECT_EQ(figures.max(), 0.02);
  EXPECT_EQ(figures.percentile(10), -0.03);
  EXPECT_NEAR(figures.percentile(100), 0.02, 0.0002);
  EXPECT_DOUBLE_EQ(figures.recent_mean(2), 0.005);
  EXPECT_DOUBLE_EQ(figures.recent_mean(1000), -0.0025);  // only four values so far
}

}  // namespace
}  // namespace parla::player
