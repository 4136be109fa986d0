// A small fixed pool of std::threads shared across frames: the renderer hands it row
// bands, the calling thread works too, and run() returns when every band is done.
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "video/rig_internal.h"

namespace parla::video {

struct WorkerPool::Shared {
  // One run() call: its bands and the next one to hand out. It lives on the caller's
  // stack; a worker reaches it only through `job`, under the mutex.
  struct Job {
    const std::function<void(int)>* task;
    int count;
    std::atomic<int> next{0};

    void work() {
      for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) (*task)(i);
    }
  };

  std::mutex mutex;                  // guards generation, stopping, job, users
  std::condition_variable wake;      // workers wait for a new generation
  std::condition_variable finished;  // run() waits for users == 0
  std::uint64_t generation = 0;
  bool stopping = false;
  Job* job = nullptr;                // the open job; null once its caller has finished
  int users = 0;                     // workers inside the open job
};

WorkerPool::WorkerPool(int threads) : shared_(std::make_unique<Shared>()) {
  for (int t = 1; t < std::max(1, threads); ++t) {
    workers_.emplace_back([shared = shared_.get()] {
      std::uint64_t seen = 0;
      while (true) {
        Shared::Job* job = nullptr;
        {
          std::unique_lock lock(shared->mutex);
          shared->wake.wait(lock, [&] { return shared->stopping || shared->generation != seen; });
          if (shared->stopping) return;
          seen = shared->generation;
          job = shared->job;
          if (!job) continue;  // woke after its caller had done every band
          ++shared->users;
        }
        job->work();
        std::lock_guard lock(shared->mutex);
        if (--shared->users == 0) shared->finished.notify_one();
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
  Shared::Job job{&task, count};
  {
    std::lock_guard lock(shared_->mutex);
    shared_->job = &job;
    ++shared_->generation;
  }
  shared_->wake.notify_all();
  job.work();
  // Every band is handed out: close the job to workers not yet awake (they go back to
  // sleep) and wait only for those still inside it, not for every worker to wake.
  std::unique_lock lock(shared_->mutex);
  shared_->job = nullptr;
  shared_->finished.wait(lock, [&] { return shared_->users == 0; });
}

}  // namespace parla::video
