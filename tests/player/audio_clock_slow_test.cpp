// AudioClock on a real PortAudio stream into a private PulseAudio null sink. The server is
// frozen (SIGSTOP) to stand for a device that stops calling back without going away, as
// CI's loaded machine once did right at a loop: the clock read 0 for the rest of the run.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "audio/audio.h"
#include "player/audio_clock.h"
#include "tests/player/support/pulse_server.h"

namespace parla::testing {
namespace {

// Polls `clock` for up to `limit_s` until `done(seconds)`; returns the last reading.
template <typename Done>
double wait_for(player::AudioClock& clock, double limit_s, Done done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(limit_s);
  double s = clock.seconds();
  while (!done(s) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s = clock.seconds();
  }
  return s;
}

// A track of silence playing into its own PulseAudio server, and the clock on it.
struct Playing {
  static constexpr int kRate = 48000;
  PulseServer pulse;
  bool uses_pulse = (pulse.use_in_this_process(), true);  // before the session opens ALSA
  audio::PortAudioSession session;
  audio::PlaybackStream stream;
  player::AudioClock clock{stream};

  explicit Playing(double seconds)
      : stream(std::vector<float>(static_cast<size_t>(seconds * kRate), 0.0f), kRate, 1) {
    stream.start();
  }
  // Waits until the end is heard: the callback has written the last frames and publishes
  // no more. Returns the clock's reading.
  double to_the_end() {
    return wait_for(clock, 10.0, [&](double s) { return s >= stream.duration_seconds(); });
  }
};

// Thaws the server however the test ends: PortAudio's teardown talks to it.
struct Thaw {
  const PulseServer& pulse;
  ~Thaw() { pulse.freeze(false); }
};

TEST(AudioClock, ALoopNoCallbackAppliesHandsOverToTheWall) {
  Playing play(0.6);
  ASSERT_GE(play.to_the_end(), play.stream.duration_seconds()) << "the null sink never played the track";
  ASSERT_FALSE(play.clock.lost());

  // The device stops calling back just as the player loops.
  Thaw thaw{play.pulse};
  play.pulse.freeze(true);
  play.clock.seek(0.0);
  EXPECT_DOUBLE_EQ(play.clock.seconds(), 0.0);  // the seek target until a callback applies it
  // No callback will: after the stall limit (2 s) the wall takes over from 0 and runs.
  double later = wait_for(play.clock, 6.0, [](double s) { return s > 0.3; });
  EXPECT_TRUE(play.clock.lost()) << "clock " << later;
  EXPECT_GT(later, 0.3);
  EXPECT_LT(later, 1.0);  // from the seek target, not from the old end
  EXPECT_EQ(play.clock.name(), "wall (audio lost)");
}

// The healthy case beside it: a seek from the end is applied by the next callback and the
// audio clock runs on from the target, never from the old position.
TEST(AudioClock, ALoopRunsOnTheAudioFromTheStart) {
  Playing play(2.0);
  ASSERT_GE(play.to_the_end(), play.stream.duration_seconds());
  play.clock.seek(0.0);
  double again = wait_for(play.clock, 5.0, [](double s) { return s > 0.5; });
  EXPECT_GT(again, 0.5);
  EXPECT_LT(again, 1.0);
  EXPECT_FALSE(play.clock.lost());
  EXPECT_EQ(play.clock.name(), "audio");
}

}  // namespace
}  // namespace parla::testing
