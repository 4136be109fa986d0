// Private to player: the live worker thread body (see play_worker.h for WorkerThread).
#pragma once

#include "fusion/fusion.h"
#include "player/live_input.h"
#include "player/live_recorder.h"
#include "player/player.h"

namespace parla::player {

// Reads `input` until the queue closes. Each round consumes every captured sample, then
// prepares and queues only the newest motion frame, stamped with the wall time at which
// the newest sample it was computed with entered the capture callback. With a
// `recorder`, every sample consumed is handed to it too.
void live_worker(FrameQueue& queue, LiveInput& input, fusion::MotionGenerator& generator,
                 const Scene& scene, LiveRecorder* recorder);

}  // namespace parla::player
