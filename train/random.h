// Private to train: deterministic random numbers (std:: distributions are
// implementation-defined, so the corpus draws everything from this), and seed mixing
// so each shard, clip and stage gets an independent stream from one corpus seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace parla::train {

// One SplitMix64 step of `x`: a well-mixed 64-bit hash.
constexpr std::uint64_t mix_seed(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
// The seed of sub-stream `stream` of `seed` (shard k of a corpus, stage s of a clip).
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return mix_seed(mix_seed(seed) ^ (stream * 0xD1B54A32D192ED03ull + 1));
}

class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(mix_seed(seed)) {}

  std::uint64_t next_u64() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return (next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(uniform() * n); }
  bool chance(double p) { return uniform() < p; }
  // Standard normal (Box–Muller, one value per call).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
  }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  // Gamma with integer-or-not shape k ≥ 1 and the given mean (Marsaglia–Tsang).
  double gamma(double shape, double mean) {
    double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = normal(), v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = uniform();
      if (std::log(1.0 - u) < 0.5 * x * x + d - d * v + d * std::log(v))
        return d * v * mean / shape;
    }
  }
  // Log-normal with the given median and log-space standard deviation.
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
  // Index drawn in proportion to `weights`.
  std::size_t weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if ((x -= weights[i]) < 0) return i;
    }
    return weights.empty() ? 0 : weights.size() - 1;
  }

 private:
  std::uint64_t state_;
};

}  // namespace parla::train
