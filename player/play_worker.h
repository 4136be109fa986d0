// Private to player: the worker threads. Each runs on its own std::thread, produces
// VideoFrames into a FrameQueue and ends when the queue closes. An exception inside
// the worker closes the queue and is kept for the main thread to rethrow.
#pragma once

#include <exception>
#include <memory>
#include <thread>

#include "player/player.h"

namespace parla::player {

// Starts `body` on a thread; the destructor closes `queue` and joins.
class WorkerThread {
 public:
  template <typename Body>
  WorkerThread(FrameQueue& queue, Body body) : queue_(queue) {
    thread_ = std::thread([this, body = std::move(body)]() mutable {
      try {
        body();
      } catch (...) {
        error_ = std::current_exception();  // read by the main thread after close
        queue_.close();
      }
    });
  }
  ~WorkerThread() {
    queue_.close();
    if (thread_.joinable()) thread_.join();
  }
  // Main thread: joins and rethrows the worker's exception, if it had one.
  void finish() {
    queue_.close();
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  FrameQueue& queue_;
  std::thread thread_;
  std::exception_ptr error_;  // written by the worker before it closes the queue
};

// Play: renders input.motion from the queue's requested index onwards, restarting on
// every FrameQueue::restart (seek).
void play_worker(FrameQueue& queue, const Scene& scene, const PlayInput& input);

}  // namespace parla::player
