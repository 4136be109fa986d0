// WallClock: the master clock of --no-audio and of playback after the device is lost.
#include <gtest/gtest.h>

#include <thread>

#include "player/player.h"

namespace parla::player {
namespace {

TEST(WallClock, RunsPausesAndSeeks) {
  WallClock clock(2.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  double running = clock.seconds();
  EXPECT_GE(running, 2.05);
  EXPECT_LT(running, 2.5);
  clock.set_paused(true);
  double held = clock.seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_DOUBLE_EQ(clock.seconds(), held);
  clock.seek(7.0);
  EXPECT_DOUBLE_EQ(clock.seconds(), 7.0);  // still paused
  clock.set_paused(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_GE(clock.seconds(), 7.03);
  clock.seek(-3.0);
  EXPECT_LT(clock.seconds(), 0.05);  // clamped to the start
}

// `[`/`]`: the rate changes from the current time on, without a jump.
TEST(WallClock, RunsAtTheChosenRateFromNowOn) {
  WallClock clock(1.0);
  clock.set_paused(true);
  double start = clock.seconds();
  clock.set_rate(2.0);
  EXPECT_DOUBLE_EQ(clock.seconds(), start);  // no jump
  clock.set_paused(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  double fast = clock.seconds() - start;
  EXPECT_GE(fast, 0.2);  // twice the 100 ms slept
  EXPECT_LT(fast, 0.6);
  clock.set_paused(true);
  double held = clock.seconds();
  clock.set_rate(0.5);
  EXPECT_DOUBLE_EQ(clock.seconds(), held);
}

}  // namespace
}  // namespace parla::player
