// A small fixed pool of std::threads shared across frames: the renderer hands it row
// bands, the calling thread works too, and run() returns when every band is done.
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "video/rig_internal.h"

namespace parla::video {

struct WorkerPool::Shared {
  std::mutex mutex;                  // guards generation, stopping, task, count, busy
  std::condition_variable wake;      // workers wait for a new generation
  std::condition_variable finished;  // run() waits for busy == 0
  std::uint64_t generation = 0;
  bool stopping = false;
  const std::function<void(int)>* task = nullptr;
  int count = 0;
  int busy = 0;                      // workers still inside the current generation
  std::atomic<int> next{0};          // next index to hand out

  void work() {
    for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) (*task)(i);
  }
};

WorkerPool::WorkerPool(int threads) : shared_(std::make_unique<Shared>()) {
  for (int t = 1; t < std::max(1, threads); ++t) {
    workers_.emplace_back([shared = shared_.get()] {
      std::uint64_t seen = 0;
      while (true) {
        {
          std::unique_lock lock(shared->mutex);
          shared->wake.wait(lock, [&] { return shared->stopping || shared->generation != seen; });
          if (shared->stopping) return;
          seen = shared->generation;
        }
        shared->work();
        std::lock_guard lock(shared->mutex);
        if (--shared->busy == 0) shared->finished.notify_one();
      }
    });
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->wake.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void WorkerPool::run(int count, const std::function<void(int)>& task) {
  if (workers_.empty() || count <= 1) {
    for (int i = 0; i < count; ++i) task(i);
    return;
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->task = &task;
    shared_->count = count;
    shared_->next = 0;
    shared_->busy = static_cast<int>(workers_.size());
    ++shared_->generation;
  }
  shared_->wake.notify_all();
  shared_->work();
  std::unique_lock lock(shared_->mutex);
  shared_->finished.wait(lock, [&] { return shared_->busy == 0; });
}

}  // namespace parla::video
