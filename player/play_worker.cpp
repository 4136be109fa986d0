// The play worker: motion frames → pictures, ahead of the clock.
#include "player/play_worker.h"

#include "player/frame_preparer.h"

namespace parla::player {

void play_worker(FrameQueue& queue, const Scene& scene, const PlayInput& input) {
  FramePreparer preparer(scene);
  const std::int64_t count = input.motion.frame_count();
  FrameQueue::Job job = queue.job();
  for (;;) {
    bool restarted = false;
    for (std::int64_t i = std::max<std::int64_t>(job.first_index, 0); i < count; ++i) {
      VideoFrame frame;
      frame.epoch = job.epoch;
      frame.index = i;
      frame.seconds = static_cast<double>(i) / input.motion.fps;
      frame.motion = input.motion.frames[static_cast<size_t>(i)];
      preparer.prepare(frame);
      FrameQueue::Push result = queue.push(std::move(frame));
      if (result == FrameQueue::Push::Closed) return;
      if (result == FrameQueue::Push::Restarted) {
        restarted = true;
        break;
      }
    }
    if (!restarted && !queue.wait_for_restart(job.epoch)) return;
    job = queue.job();
  }
}

}  // namespace parla::player
