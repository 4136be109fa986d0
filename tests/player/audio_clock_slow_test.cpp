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

// Thaws the server however the test ends: PortAudio's teardown talks to it.
struct Thaw {
  const PulseServer& pulse;
  ~Thaw() { pulse.freeze(false); }
};

TEST(AudioClock, ALoopNoCallbackAppliesHandsOverToTheWall) {
  PulseServer pulse;
  pulse.use_in_this_process();
  audio::PortAudioSession session;
  const int rate = 48000;
  audio::PlaybackStream stream(std::vector<float>(rate * 6 / 10, 0.0f), rate, 1);  // 0.6 s
  stream.start();
  player::AudioClock clock(stream);
  // The end is heard: the callback has written the last frames and publishes no more.
  double end = wait_for(clock, 10.0, [&](double s) { return s >= stream.duration_seconds(); });
  ASSERT_GE(end, stream.duration_seconds()) << "the null sink never played the track";
  ASSERT_FALSE(clock.lost());

  // The device stops calling back just as the player loops.
  Thaw thaw{pulse};
  pulse.freeze(true);
  clock.seek(0.0);
  EXPECT_DOUBLE_EQ(clock.seconds(), 0.0);  // the seek target until a callback applies it
  // No callback will: after the stall limit (2 s) the wall takes over from 0 and runs.
  double later = wait_for(clock, 6.0, [](double s) { return s > 0.3; });
  EXPECT_TRUE(clock.lost()) << "clock " << later;
  EXPECT_GT(later, 0.3);
  EXPECT_LT(later, 1.0);  // from the seek target, not from the old end
  EXPECT_EQ(clock.name(), "wall (audio lost)");
}

// The healthy case beside it: a seek from the end is applied by the next callback and the
// audio clock runs on from the target, never from the old position.
TEST(AudioClock, ALoopRunsOnTheAudioFromTheStart) {
  PulseServer pulse;
  pulse.use_in_this_process();
  audio::PortAudioSession session;
  const int rate = 48000;
  audio::PlaybackStream stream(std::vector<float>(rate * 2, 0.0f), rate, 1);  // 2 s
  stream.start();
  player::AudioClock clock(stream);
  double end = wait_for(clock, 10.0, [&](double s) { return s >= stream.duration_seconds(); });
  ASSERT_GE(end, stream.duration_seconds());
  clock.seek(0.0);
  double again = wait_for(clock, 5.0, [](double s) { return s > 0.5; });
  EXPECT_GT(again, 0.5);
  EXPECT_LT(again, 1.0);
  EXPECT_FALSE(clock.lost());
  EXPECT_EQ(clock.name(), "audio");
}

}  // namespace
}  // namespace parla::testing
