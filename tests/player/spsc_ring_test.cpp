// SpscRing: the lock-free hand-over between PortAudio callbacks and the worker.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "audio/audio.h"

namespace parla::audio {
namespace {

TEST(SpscRing, RoundsCapacityUpAndRejectsWhatDoesNotFit) {
  SpscRing<float> ring(1000);
  EXPECT_EQ(ring.capacity(), 1024u);
  std::vector<float> block(1000, 1.f);
  EXPECT_TRUE(ring.push(block));
  EXPECT_FALSE(ring.push(block));  // all or nothing: 24 free slots
  EXPECT_EQ(ring.size(), 1000u);
  std::vector<float> out(600);
  EXPECT_EQ(ring.pop(out), 600u);
  EXPECT_TRUE(ring.push(std::span<const float>(block).first(600)));
  EXPECT_EQ(ring.size(), 1000u);
}

TEST(SpscRing, KeepsOrderAcrossThreadsAndWrapAround) {
  SpscRing<std::int64_t> ring(256);
  constexpr std::int64_t kCount = 200000;
  std::thread producer([&] {
    std::int64_t next = 0;
    while (next < kCount) {
      std::int64_t block[7];
      int n = 0;
      for (; n < 7 && next + n < kCount; ++n) block[n] = next + n;
      if (ring.push({block, static_cast<size_t>(n)}))
        next += n;
      else
        std::this_thread::yield();  // full: let the consumer run (2 shared cores)
    }
  });
  std::int64_t expected = 0;
  std::vector<std::int64_t> out(13);
  while (expected < kCount) {
    size_t n = ring.pop(out);
    if (n == 0) std::this_thread::yield();
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], expected++);
  }
  producer.join();
  EXPECT_EQ(ring.size(), 0u);
}

}  // namespace
}  // namespace parla::audio
