// Private to player: the master clock read from PortAudio playback. A short stall (an
// underrun) freezes it; a device that stops, or stalls for 2 s, hands over to the wall
// clock at the last audible time (and says so). Main thread only.
#pragma once

#include <optional>

#include "audio/audio.h"
#include "player/player.h"

namespace parla::player {

class AudioClock : public Clock {
 public:
  explicit AudioClock(audio::PlaybackStream& stream);
  double seconds() override;
  void set_paused(bool paused) override;
  bool paused() const override;
  void seek(double seconds) override;
  std::string name() const override;
  // True once the device stopped calling back; the clock then runs on the wall.
  bool lost() const { return fallback_.has_value(); }

 private:
  audio::PlaybackStream& stream_;
  std::optional<WallClock> fallback_;
  std::int64_t quiet_since_ns_;  // start, resume or seek: callbacks are not due before
  double monotonic_ = 0;         // the largest audible time read since the last seek
  bool started_ = false;         // the clock has run past the start-up grace period
  double seek_seconds_ = 0;      // the last seek's target: the clock's value until applied
};

}  // namespace parla::player
