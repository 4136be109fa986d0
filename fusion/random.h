// Random processes for generators, built on parla::Random (deterministic per seed).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/core.h"

namespace parla::fusion {

using parla::Random;  // core/core.h

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
