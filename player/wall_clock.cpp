// WallClock: media time from the steady clock, with pause and seek.
#include <algorithm>

#include "audio/audio.h"
#include "player/player.h"

namespace parla::player {

WallClock::WallClock(double start_seconds, std::string name)
    : base_seconds_(start_seconds), base_ns_(audio::steady_now_ns()), name_(std::move(name)) {}

double WallClock::seconds() {
  if (paused_) return base_seconds_;
  return base_seconds_ + rate_ * static_cast<double>(audio::steady_now_ns() - base_ns_) * 1e-9;
}

void WallClock::set_paused(bool paused) {
  if (paused == paused_) return;
  base_seconds_ = seconds();
  base_ns_ = audio::steady_now_ns();
  paused_ = paused;
}

void WallClock::set_rate(double rate) {
  base_seconds_ = seconds();
  base_ns_ = audio::steady_now_ns();
  rate_ = rate;
}

void WallClock::seek(double seconds) {
  base_seconds_ = std::max(0.0, seconds);
  base_ns_ = audio::steady_now_ns();
}

}  // namespace parla::player
