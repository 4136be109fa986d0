// AudioClock: audible time from PlaybackStream, with stall detection.
#include "player/audio_clock.h"

#include <algorithm>

namespace parla::player {
namespace {
// A playing stream that has not advanced for this long (or 3x its delay) is lost.
// Shorter stalls (an underrun being recovered on a loaded machine) only freeze the
// clock: the audio is the master, so the picture waits for it.
constexpr double kStallSeconds = 2.0;
// Until the clock has run this far, allow a slow start: a PulseAudio stream fills its
// buffer and then stays quiet for up to ~1 s before it runs in real time.
constexpr double kStartupSeconds = 0.5;
constexpr double kStartupStallSeconds = 3.0;
}  // namespace

AudioClock::AudioClock(audio::PlaybackStream& stream)
    : stream_(stream), quiet_since_ns_(audio::steady_now_ns()) {}

double AudioClock::seconds() {
  if (fallback_) return fallback_->seconds();
  // A seek is applied by the next callback: until one has, the stream still reports the
  // old position. That must become neither the clock's value nor its floor, nor make the
  // stall check think the track has ended (a loop would freeze the clock at the target
  // for good when the device stopped calling back just then).
  bool seek_pending = stream_.seek_pending();
  double heard = seek_pending ? seek_seconds_ : stream_.audible_seconds();
  bool at_end = !seek_pending && heard >= stream_.duration_seconds() - 1e-3;
  if (!stream_.paused() && !at_end) {
    std::int64_t now = audio::steady_now_ns();
    std::int64_t last = std::max(stream_.last_callback_ns(), quiet_since_ns_);
    double quiet_s = static_cast<double>(now - last) * 1e-9;
    if (heard >= kStartupSeconds) started_ = true;
    double limit_s =
        started_ ? std::max(kStallSeconds, 3 * stream_.delay_seconds()) : kStartupStallSeconds;
    if (!stream_.active() || quiet_s > limit_s) {
      fallback_.emplace(std::max(monotonic_, heard), "wall (audio lost)");
      return fallback_->seconds();
    }
  }
  if (seek_pending) return seek_seconds_;
  // Host delay reports jitter by a few ms; the clock never steps back (except on seek).
  monotonic_ = std::max(monotonic_, heard);
  return monotonic_;
}

void AudioClock::set_paused(bool paused) {
  if (fallback_) return fallback_->set_paused(paused);
  stream_.set_paused(paused);
  quiet_since_ns_ = audio::steady_now_ns();
}

bool AudioClock::paused() const { return fallback_ ? fallback_->paused() : stream_.paused(); }

void AudioClock::seek(double seconds) {
  if (fallback_) return fallback_->seek(seconds);
  stream_.seek(seconds);
  monotonic_ = 0;
  quiet_since_ns_ = audio::steady_now_ns();
  seek_seconds_ = std::max(0.0, std::min(seconds, stream_.duration_seconds()));
}

std::string AudioClock::name() const { return fallback_ ? fallback_->name() : "audio"; }

}  // namespace parla::player
