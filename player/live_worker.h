// Private to player: the live worker thread body (see play_worker.h for WorkerThread).
#pragma once

#include <atomic>
#include <cstdint>

#include "fusion/fusion.h"
#include "player/live_input.h"
#include "player/live_recorder.h"
#include "player/player.h"

namespace parla::player {

// Stalls of the input seen by the worker: gaps between consecutive input buffers' wall
// times (capture callbacks, or the --input feeder) longer than kInputStallSeconds — the
// device delivered nothing meanwhile (a starved or stopped audio server, a stalled
// machine). Written by the worker, read by the main thread.
constexpr double kInputStallSeconds = 0.08;
struct InputGaps {
  std::atomic<std::int64_t> stalls{0};
  std::atomic<std::int64_t> longest_ns{0};
};

// Reads `input` until the queue closes. Each round consumes every captured sample, then
// prepares and queues only the newest motion frame, stamped with the wall time at which
// the newest sample it was computed with entered the capture callback. With a
// `recorder`, every sample consumed is handed to it too.
void live_worker(FrameQueue& queue, LiveInput& input, fusion::MotionGenerator& generator,
                 const Scene& scene, LiveRecorder* recorder, InputGaps& gaps);

}  // namespace parla::player
