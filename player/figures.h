// Private to player: running figures of one quantity over a whole run (the live latency,
// the A/V offset) in constant memory and constant time per value, so an hour-long
// `parla live` with the HUD on costs the same per redraw as its first minute.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace parla::player {

// Count, mean, min and max are exact. Percentiles come from a histogram of log-spaced
// bins 1 % wide between 1 µs and 1000 s (values at or below 1 µs, zero and negative
// ones included, share the lowest bin; values above 1000 s the highest), so a
// percentile of positive values within that range is within 1 % of the exact order
// statistic (and never outside [min, max]). recent_mean covers the last kRecent values.
class Figures {
 public:
  static constexpr size_t kRecent = 256;

  Figures();
  void add(double value);
  std::int64_t count() const { return count_; }
  double mean() const;
  double min() const;
  double max() const;
  double percentile(double p) const;
  // The mean of the last `n` values (n ≤ kRecent; for the HUD).
  double recent_mean(size_t n) const;

 private:
  std::int64_t count_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  std::vector<std::int64_t> bins_;       // counts per log-spaced bin (fixed size)
  std::array<double, kRecent> recent_{};  // ring of the newest values
  size_t recent_next_ = 0;                // where the next value goes in recent_
};

}  // namespace parla::player
