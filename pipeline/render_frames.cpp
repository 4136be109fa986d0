// Motion → rendered frames. Two stages overlap (docs/video_output.md "Pipelined
// render"): a motion thread (streaming decode → features → generator) feeds a bounded
// MotionChannel; the caller's thread renders each output frame as soon as the motion
// deciding it exists. An exception on either thread reaches the caller; the motion
// thread is stopped and joined.
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "pipeline/pipeline.h"

namespace parla::pipeline {
namespace {

// Thrown inside the motion thread when the render thread has stopped listening.
struct MotionCancelled {};

// Runs of motion frames from the motion thread (producer) to the render thread
// (consumer), at most kCapacity runs (~1 s of motion each) waiting. All fields are
// guarded by mutex_.
class MotionChannel {
 public:
  struct Run {
    std::vector<MotionFrame> frames;  // 25 fps, clamped
    std::int64_t samples_decoded = 0;  // 16 kHz samples decoded when the run was emitted
  };
  // Producer: blocks while full; throws MotionCancelled once the consumer has gone.
  void push(Run run) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || runs_.size() < kCapacity; });
    if (cancelled_) throw MotionCancelled{};
    runs_.push_back(std::move(run));
    changed_.notify_all();
  }
  // Producer: the end, with the exception that ended it (or null).
  void close(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    error_ = error;
    changed_.notify_all();
  }
  // Consumer: the next run; false at the end (rethrowing the producer's exception).
  bool pop(Run& run) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || !runs_.empty(); });
    if (!runs_.empty()) {
      run = std::move(runs_.front());
      runs_.pop_front();
      changed_.notify_all();
      return true;
    }
    if (error_) std::rethrow_exception(error_);
    return false;
  }
  // Consumer: stop the producer (its next push throws MotionCancelled).
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }

 private:
  static constexpr size_t kCapacity = 8;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Run> runs_;
  bool closed_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
};

// The motion thread: generates into the channel; the destructor cancels and joins it
// (on the way out of an exception too).
class MotionThread {
 public:
  MotionThread(MotionChannel& channel, const std::filesystem::path& audio_path,
               fusion::MotionGenerator& generator, bool allow_silence, AudioScan& scan)
      : channel_(channel) {
    thread_ = std::thread([&channel, audio_path, &generator, allow_silence, &scan] {
      try {
        stream_motion_from_audio(audio_path, generator, allow_silence, scan,
                                 [&](std::span<const MotionFrame> frames, std::int64_t decoded) {
                                   channel.push({{frames.begin(), frames.end()}, decoded});
                                 });
        channel.close(nullptr);
      } catch (const MotionCancelled&) {
        channel.close(nullptr);
      } catch (...) {
        channel.close(std::current_exception());
      }
    });
  }
  ~MotionThread() {
    channel_.cancel();
    thread_.join();
  }
  MotionThread(const MotionThread&) = delete;
  MotionThread& operator=(const MotionThread&) = delete;

 private:
  MotionChannel& channel_;
  std::thread thread_;
};

// Output frames of generated motion, sampled exactly as MotionTrack::sample samples the
// whole track, holding only the frames around the current time. Render thread only;
// `scan` is read once the channel has ended (the motion thread has finished with it).
class StreamedMotion {
 public:
  StreamedMotion(MotionChannel& channel, const AudioScan& scan, double fps)
      : channel_(channel), scan_(scan), fps_(fps) {}

  // Whether output frame `index` exists (it starts before the audio's end), waiting for
  // the motion that decides it; when true, sample(index) is ready.
  bool has_frame(std::int64_t index) {
    for (;;) {
      if (ended_) return index < frame_count();
      auto lower = static_cast<std::int64_t>(std::floor(index / fps_ * kMotionFps));
      if (window_start_ + static_cast<std::int64_t>(window_.size()) >= lower + 2 &&
          index < frames_for(samples_decoded_)) {
        return true;
      }
      MotionChannel::Run run;
      if (!channel_.pop(run)) {
        ended_ = true;
        continue;
      }
      window_.insert(window_.end(), run.frames.begin(), run.frames.end());
      samples_decoded_ = run.samples_decoded;
    }
  }

  MotionFrame sample(std::int64_t index) {
    const std::int64_t total = window_start_ + static_cast<std::int64_t>(window_.size());
    if (total == 0) return neutral_frame();
    double position = (index / fps_) * kMotionFps;
    if (ended_) position = std::clamp(position, 0.0, static_cast<double>(total - 1));
    auto lower = static_cast<std::int64_t>(std::floor(position));
    std::int64_t upper = std::min(lower + 1, total - 1);
    auto weight = static_cast<float>(position - lower);
    // Earlier frames are never needed again: output times only grow.
    const std::int64_t drop = std::min<std::int64_t>(lower - window_start_, static_cast<std::int64_t>(window_.size()) - 1);
    if (drop > 0) {
      window_.erase(window_.begin(), window_.begin() + drop);
      window_start_ += drop;
    }
    const MotionFrame& a = window_[lower - window_start_];
    const MotionFrame& b = window_[upper - window_start_];
    MotionFrame out{};
    for (int c = 0; c < kChannelCount; ++c) out[c] = a[c] * (1.f - weight) + b[c] * weight;
    return out;
  }

  // Valid once has_frame() has returned false.
  std::int64_t frame_count() const { return frames_for(scan_.samples); }

 private:
  // ceil(seconds x fps) output frames cover `samples` of 16 kHz audio.
  std::int64_t frames_for(std::int64_t samples) const {
    return static_cast<std::int64_t>(std::ceil(samples / 16000.0 * fps_ - 1e-9));
  }

  MotionChannel& channel_;
  const AudioScan& scan_;
  double fps_;
  std::deque<MotionFrame> window_;
  std::int64_t window_start_ = 0;   // motion frame index of window_.front()
  std::int64_t samples_decoded_ = 0;
  bool ended_ = false;
};

// The smallest rectangle holding both (x0, y0, x1, y1; an empty one adds nothing).
std::array<int, 4> rect_union(const std::array<int, 4>& a, const std::array<int, 4>& b) {
  auto empty = [](const std::array<int, 4>& r) { return r[2] <= r[0] || r[3] <= r[1]; };
  if (empty(a)) return b;
  if (empty(b)) return a;
  return {std::min(a[0], b[0]), std::min(a[1], b[1]), std::max(a[2], b[2]), std::max(a[3], b[3])};
}

// Renders frame i of `motion_at(i)` and hands it on with what changed since the last one.
class FrameRenderer {
 public:
  FrameRenderer(video::Renderer& renderer, const FrameSink& sink)
      : renderer_(renderer), sink_(sink), previous_dirty_{0, 0, renderer.width(), renderer.height()} {}
  void operator()(std::int64_t index, const MotionFrame& motion) {
    const Image& picture = renderer_.render(motion);
    // What changed since the last frame: where the face was, and where it is now.
    std::array<int, 4> now = renderer_.last_dirty_rect();
    sink_(index, picture, rect_union(previous_dirty_, now));
    previous_dirty_ = now;
  }

 private:
  video::Renderer& renderer_;
  const FrameSink& sink_;
  std::array<int, 4> previous_dirty_;
};

}  // namespace

std::int64_t render_generated(video::Renderer& renderer, const std::filesystem::path& audio_path,
                              fusion::MotionGenerator& generator, double fps, bool allow_silence,
                              AudioScan& scan, const FrameSink& sink) {
  FrameRenderer render(renderer, sink);
  MotionChannel channel;
  MotionThread motion_thread(channel, audio_path, generator, allow_silence, scan);
  StreamedMotion motion(channel, scan, fps);
  for (std::int64_t i = 0; motion.has_frame(i); ++i) render(i, motion.sample(i));
  return motion.frame_count();
}

std::int64_t render_track(video::Renderer& renderer, const MotionTrack& track, double seconds, double fps,
                          const FrameSink& sink) {
  FrameRenderer render(renderer, sink);
  const auto frame_count = static_cast<std::int64_t>(std::ceil(seconds * fps - 1e-9));
  for (std::int64_t i = 0; i < frame_count; ++i) render(i, track.sample(i / fps));
  return frame_count;
}

}  // namespace parla::pipeline
