// FrameQueue: bounded hand-over, the "newest due frame" rule and restarts (seeks).
#include <gtest/gtest.h>

#include <thread>

#include "player/player.h"

namespace parla::player {
namespace {

VideoFrame frame_at(std::int64_t epoch, std::int64_t index) {
  VideoFrame f;
  f.epoch = epoch;
  f.index = index;
  f.seconds = index / 25.0;
  return f;
}

TEST(FrameQueue, TakesTheNewestDueFrameAndCountsTheSkippedOnes) {
  FrameQueue queue(8);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(queue.push(frame_at(0, i)), FrameQueue::Push::Accepted);
  std::int64_t dropped = 0;
  EXPECT_FALSE(queue.take_due(-0.001, dropped));  // nothing due before frame 0
  auto due = queue.take_due(0.085, dropped);      // frames 0, 1, 2 are due (0.08 s)
  ASSERT_TRUE(due);
  EXPECT_EQ(due->index, 2);
  EXPECT_EQ(dropped, 2);
  EXPECT_FALSE(queue.take_due(0.119, dropped));  // frame 3 is at 0.12 s: repeat frame 2
  EXPECT_EQ(queue.front_seconds().value(), 3 / 25.0);
}

TEST(FrameQueue, PushWaitsForRoomAndRestartDiscardsOldFrames) {
  FrameQueue queue(2);
  std::atomic<int> accepted{0};
  std::thread worker([&] {
    for (int i = 0; i < 3; ++i) {
      if (queue.push(frame_at(0, i)) == FrameQueue::Push::Accepted) ++accepted;
    }
  });
  while (queue.size() < 2) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(accepted.load(), 2);  // the third push waits for room
  queue.restart(100);             // a seek: the waiting push gives up
  worker.join();
  EXPECT_EQ(accepted.load(), 2);
  EXPECT_EQ(queue.size(), 0u);
  FrameQueue::Job job = queue.job();
  EXPECT_EQ(job.epoch, 1);
  EXPECT_EQ(job.first_index, 100);
  EXPECT_EQ(queue.push(frame_at(0, 3)), FrameQueue::Push::Restarted);
  EXPECT_EQ(queue.push(frame_at(1, 100)), FrameQueue::Push::Accepted);
}

TEST(FrameQueue, CloseWakesAWaitingWorker) {
  FrameQueue queue(1);
  ASSERT_EQ(queue.push(frame_at(0, 0)), FrameQueue::Push::Accepted);
  FrameQueue::Push result = FrameQueue::Push::Accepted;
  std::thread worker([&] { result = queue.push(frame_at(0, 1)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  queue.close();
  worker.join();
  EXPECT_EQ(result, FrameQueue::Push::Closed);
  EXPECT_FALSE(queue.wait_for_restart(0));
}

}  // namespace
}  // namespace parla::player
