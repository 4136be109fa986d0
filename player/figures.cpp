// Figures: constant-memory running statistics (see figures.h).
#include "player/figures.h"

#include <algorithm>
#include <cmath>

namespace parla::player {
namespace {

constexpr double kLowest = 1e-6;   // upper edge of the lowest bin
constexpr double kHighest = 1e3;   // values above land in the highest bin
const double kLogStep = std::log(1.01);
const size_t kBins = static_cast<size_t>(std::ceil(std::log(kHighest / kLowest) / kLogStep)) + 2;

size_t bin_of(double value) {
  if (!(value > kLowest)) return 0;  // also NaN
  auto i = static_cast<size_t>(std::log(value / kLowest) / kLogStep) + 1;
  return std::min(i, kBins - 1);
}

// The geometric middle of bin i (i ≥ 1): kLowest · 1.01^(i − 0.5).
double middle_of(size_t i) { return kLowest * std::exp((static_cast<double>(i) - 0.5) * kLogStep); }

}  // namespace

Figures::Figures() : bins_(kBins, 0) {}

void Figures::add(double value) {
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  ++bins_[bin_of(value)];
  recent_[recent_next_] = value;
  recent_next_ = (recent_next_ + 1) % kRecent;
}

double Figures::mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0; }
double Figures::min() const { return count_ ? min_ : 0; }
double Figures::max() const { return count_ ? max_ : 0; }

double Figures::percentile(double p) const {
  if (count_ == 0) return 0;
  // The rank of the nearest-rank percentile, 1-based, as a sorted copy would give.
  auto rank = static_cast<std::int64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::int64_t>(rank, 1, count_);
  std::int64_t seen = 0;
  for (size_t i = 0; i < bins_.size(); ++i) {
    seen += bins_[i];
    if (seen < rank) continue;
    if (i == 0) return min_;  // at or below 1 µs: the smallest is the best estimate
    return std::clamp(middle_of(i), min_, max_);
  }
  return max_;
}

double Figures::recent_mean(size_t n) const {
  size_t k = std::min({n, kRecent, static_cast<size_t>(count_)});
  if (k == 0) return 0;
  double sum = 0;
  for (size_t j = 1; j <= k; ++j) sum += recent_[(recent_next_ + kRecent - j) % kRecent];
  return sum / static_cast<double>(k);
}

}  // namespace parla::player
