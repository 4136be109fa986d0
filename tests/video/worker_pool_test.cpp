// The renderer's worker pool: every band runs exactly once per call, run() returns only
// after the last band (its writes visible to the caller), workers that wake after their
// call has finished touch nothing of it, and the pool shuts down cleanly at any moment.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

TEST(WorkerPool, EveryBandRunsOnceInEachOfManyCalls) {
  WorkerPool pool(2);
  ASSERT_EQ(pool.size(), 2);
  std::vector<int> hits(16);  // plain ints: run() must publish the bands' writes
  for (int call = 0; call < 20000; ++call) {
    const int count = call % 9;  // 0..8 bands, including none and one
    std::fill(hits.begin(), hits.end(), 0);
    // Bands of a few microseconds: the worker wakes in the middle of some calls, after
    // the end of others.
    pool.run(count, [&](int i) {
      volatile int spin = 0;
      for (int k = 0; k < 1000 * (call % 4); ++k) spin = spin + k;
      ++hits[i];
    });
    for (int i = 0; i < 16; ++i) ASSERT_EQ(hits[i], i < count ? 1 : 0) << "call " << call << " band " << i;
  }
}

TEST(WorkerPool, ReturnsOnlyAfterASlowBandOnAWorker) {
  WorkerPool pool(2);
  for (int call = 0; call < 20; ++call) {
    std::atomic<bool> slow_done{false};
    std::atomic<int> started{0};
    pool.run(2, [&](int i) {
      started.fetch_add(1);
      // Each band waits for the other to start, so one of them runs on the worker.
      while (started.load() < 2) std::this_thread::yield();
      if (i == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        slow_done = true;
      }
    });
    ASSERT_TRUE(slow_done) << "call " << call;
  }
}

TEST(WorkerPool, SingleThreadedPoolRunsOnTheCaller) {
  WorkerPool pool(1);
  EXPECT_EQ(pool.size(), 1);
  std::vector<std::thread::id> ran;
  pool.run(3, [&](int) { ran.push_back(std::this_thread::get_id()); });
  ASSERT_EQ(ran.size(), 3u);
  for (const auto& id : ran) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST(WorkerPool, DestroyedRightAfterACallWhileItsWorkersWake) {
  int total = 0;
  for (int round = 0; round < 300; ++round) {
    WorkerPool pool(3);
    std::atomic<int> done{0};
    pool.run(4, [&](int) { done.fetch_add(1); });
    total += done.load();
  }
  EXPECT_EQ(total, 300 * 4);
}

}  // namespace
}  // namespace parla::video
