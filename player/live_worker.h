// Private to player: the live worker thread body (see play_worker.h for WorkerThread).
#pragma once

#include "audio/audio.h"
#include "fusion/fusion.h"
#include "player/player.h"

namespace parla::player {

// Reads `mic` until the queue closes. Each round consumes every captured sample, then
// prepares and queues only the newest motion frame, stamped with the wall time at which
// the newest sample it was computed with entered the capture callback.
void live_worker(FrameQueue& queue, audio::CaptureStream& mic, fusion::MotionGenerator& generator,
                 const Scene& scene);

}  // namespace parla::player
