// FrameQueue: the bounded hand-over from the worker to the main thread.
#include <limits>

#include "player/player.h"

namespace parla::player {

FrameQueue::FrameQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

FrameQueue::Push FrameQueue::push(VideoFrame frame) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock,
                [&] { return closed_ || frame.epoch != epoch_ || frames_.size() < capacity_; });
  if (closed_) return Push::Closed;
  if (frame.epoch != epoch_) return Push::Restarted;
  frames_.push_back(std::move(frame));
  return Push::Accepted;
}

FrameQueue::Job FrameQueue::job() const {
  std::lock_guard lock(mutex_);
  return {epoch_, first_index_};
}

bool FrameQueue::wait_for_restart(std::int64_t epoch) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || epoch_ != epoch; });
  return !closed_;
}

void FrameQueue::restart(std::int64_t first_index) {
  {
    std::lock_guard lock(mutex_);
    frames_.clear();
    ++epoch_;
    first_index_ = first_index;
  }
  changed_.notify_all();
}

std::optional<VideoFrame> FrameQueue::take_due(double clock_seconds, std::int64_t& dropped) {
  std::optional<VideoFrame> newest;
  {
    std::lock_guard lock(mutex_);
    while (!frames_.empty() && frames_.front().seconds <= clock_seconds) {
      if (newest) ++dropped;
      newest = std::move(frames_.front());
      frames_.pop_front();
    }
  }
  if (newest) changed_.notify_all();
  return newest;
}

std::optional<double> FrameQueue::front_seconds() const {
  std::lock_guard lock(mutex_);
  if (frames_.empty()) return std::nullopt;
  return frames_.front().seconds;
}

size_t FrameQueue::size() const {
  std::lock_guard lock(mutex_);
  return frames_.size();
}

bool FrameQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void FrameQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

}  // namespace parla::player
