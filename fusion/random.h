// Deterministic random numbers for generators: the same seed gives the same stream
// on every platform (std:: distributions are implementation-defined, so not used).
#pragma once

#include <cmath>
#include <cstdint>

namespace parla::fusion {

class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}

  // SplitMix64: fast, well mixed, fully specified.
  std::uint64_t next_u64() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return (next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Standard normal (Box–Muller, one value per call).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
  }
  // Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

 private:
  std::uint64_t state_;
};

// Ornstein–Uhlenbeck process: a random walk pulled back to 0, for drift that stays
// bounded. Stationary standard deviation `sd`, correlation time `tau_seconds`.
class Drift {
 public:
  double step(Random& rng, double dt_seconds, double sd, double tau_seconds) {
    value_ += -value_ / tau_seconds * dt_seconds +
              sd * std::sqrt(2.0 * dt_seconds / tau_seconds) * rng.normal();
    return value_;
  }
  double value() const { return value_; }

 private:
  double value_ = 0.0;
};

// Critically damped spring: follows a target with natural frequency `hz`, no overshoot.
class Spring {
 public:
  explicit Spring(double hz) : omega_(6.283185307179586 * hz) {}
  // Exact solution for a target held over dt, so it is stable for any step size.
  double step(double target, double dt_seconds) {
    double c1 = value_ - target;
    double c2 = velocity_ + omega_ * c1;
    double decay = std::exp(-omega_ * dt_seconds);
    value_ = target + (c1 + c2 * dt_seconds) * decay;
    velocity_ = (c2 - omega_ * (c1 + c2 * dt_seconds)) * decay;
    return value_;
  }
  double value() const { return value_; }
  void set_hz(double hz) { omega_ = 6.283185307179586 * hz; }

 private:
  double omega_;
  double value_ = 0.0;
  double velocity_ = 0.0;
};

}  // namespace parla::fusion
