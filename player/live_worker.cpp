// The live worker: captured audio → streaming features → streaming motion → pictures.
#include "player/live_worker.h"

#include <chrono>
#include <deque>
#include <thread>

#include "player/frame_preparer.h"

namespace parla::player {
namespace {

constexpr size_t kReadSamples = 1600;  // at most 100 ms per read; usually one callback's worth

// Maps "the newest sample consumed so far" to the wall time its capture callback ran.
class StampTracker {
 public:
  StampTracker(LiveInput& mic, InputGaps& gaps) : mic_(mic), gaps_(gaps) {}
  std::int64_t wall_ns_of(std::int64_t sample_count) {
    // The callback pushes a buffer's samples before its stamp: allow it a moment.
    for (int attempt = 0; attempt < 200; ++attempt) {
      audio::CaptureStamp stamp;
      while (mic_.next_stamp(stamp)) {
        note_gap(stamp.wall_ns);
        stamps_.push_back(stamp);
      }
      while (!stamps_.empty() && stamps_.front().end_sample < sample_count) stamps_.pop_front();
      if (!stamps_.empty()) return stamps_.front().wall_ns;
      std::this_thread::sleep_for(std::chrono::microseconds(10));
    }
    return audio::steady_now_ns();  // an upper bound: the latency is then underestimated
  }

 private:
  void note_gap(std::int64_t wall_ns) {
    if (last_wall_ns_ > 0) {
      std::int64_t gap_ns = wall_ns - last_wall_ns_;
      if (gap_ns > kInputStallSeconds * 1e9) gaps_.stalls.fetch_add(1, std::memory_order_relaxed);
      if (gap_ns > gaps_.longest_ns.load(std::memory_order_relaxed)) {
        gaps_.longest_ns.store(gap_ns, std::memory_order_relaxed);
      }
    }
    last_wall_ns_ = wall_ns;
  }

  LiveInput& mic_;
  InputGaps& gaps_;
  std::deque<audio::CaptureStamp> stamps_;
  std::int64_t last_wall_ns_ = 0;
};

}  // namespace

void live_worker(FrameQueue& queue, LiveInput& mic, fusion::MotionGenerator& generator,
                 const Scene& scene, LiveRecorder* recorder, InputGaps& gaps) {
  FramePreparer preparer(scene);
  audio::FeatureExtractor extractor;
  audio::Features features;
  std::vector<MotionFrame> motion;
  std::vector<float> chunk(kReadSamples);
  StampTracker stamps(mic, gaps);
  std::int64_t consumed = 0, next_index = 0;
  const std::int64_t epoch = queue.job().epoch;
  while (!queue.closed()) {
    // Take everything captured so far through features and motion (both cheap), then
    // draw only the newest motion frame: a slow renderer costs frame rate, not latency.
    size_t total = 0;
    while (size_t n = mic.read(chunk)) {
      total += n;
      if (recorder) recorder->add_audio({chunk.data(), n});
      extractor.push({chunk.data(), n}, features);
      generator.push(features.frames, motion);
      features.frames.clear();
    }
    if (total == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    consumed += static_cast<std::int64_t>(total);
    if (motion.empty()) continue;
    VideoFrame frame;
    frame.epoch = epoch;
    next_index += static_cast<std::int64_t>(motion.size());
    frame.index = next_index - 1;
    frame.seconds = static_cast<double>(frame.index) / kMotionFps;
    frame.motion = motion.back();
    frame.input_wall_ns = stamps.wall_ns_of(consumed);
    motion.clear();
    preparer.prepare(frame);
    if (queue.push(std::move(frame)) == FrameQueue::Push::Closed) return;
  }
}

}  // namespace parla::player
