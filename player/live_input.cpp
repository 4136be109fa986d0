// LiveInput: the microphone, or a file played into the same kind of rings in real time.
#include "player/live_input.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace parla::player {
namespace {

class MicInput : public LiveInput {
 public:
  explicit MicInput(int device) : mic_({.device = device}) {}
  void start() override { mic_.start(); }
  void stop() override { mic_.stop(); }
  size_t read(std::span<float> out) override { return mic_.read(out); }
  bool next_stamp(audio::CaptureStamp& stamp) override { return mic_.next_stamp(stamp); }
  bool active() const override { return mic_.active(); }
  audio::CaptureStats stats() const override { return mic_.stats(); }
  std::string describe() const override {
    char line[256];
    std::snprintf(line, sizeof line, "device %d ('%s'), input latency %.0f ms", mic_.device().index,
                  mic_.device().name.c_str(), mic_.input_latency_seconds() * 1e3);
    return line;
  }

 private:
  audio::CaptureStream mic_;
};

constexpr int kFeedSamples = audio::kSampleRate / 100;  // 10 ms, like a capture callback

class FileInput : public LiveInput {
 public:
  FileInput(std::vector<float> pcm, std::string name, double tail_seconds)
      : pcm_(std::move(pcm)),
        name_(std::move(name)),
        samples_(audio::kSampleRate * 2),
        stamps_(1024) {
    pcm_.resize(pcm_.size() + static_cast<size_t>(tail_seconds * audio::kSampleRate), 0.f);
  }
  ~FileInput() override { stop(); }

  void start() override {
    if (feeder_.joinable()) return;
    running_ = true;
    feeder_ = std::thread([this] { feed(); });
  }
  void stop() override {
    running_ = false;
    if (feeder_.joinable()) feeder_.join();
  }
  size_t read(std::span<float> out) override { return samples_.pop(out); }
  bool next_stamp(audio::CaptureStamp& stamp) override { return stamps_.pop({&stamp, 1}) == 1; }
  bool active() const override { return running_ && !finished_; }
  bool finished() const override { return finished_; }
  audio::CaptureStats stats() const override {
    return {.callbacks = callbacks_, .samples = delivered_, .dropped_samples = dropped_};
  }
  std::string describe() const override {
    char line[256];
    std::snprintf(line, sizeof line, "file '%s' (%.1f s) in real time", name_.c_str(),
                  static_cast<double>(pcm_.size()) / audio::kSampleRate);
    return line;
  }

 private:
  // Feeder thread: pushes every 10 ms buffer whose end is due by the wall clock.
  void feed() {
    const std::int64_t start_ns = audio::steady_now_ns();
    std::int64_t position = 0;
    const auto total = static_cast<std::int64_t>(pcm_.size());
    while (running_ && position < total) {
      std::int64_t due = (audio::steady_now_ns() - start_ns) * audio::kSampleRate / 1'000'000'000;
      while (position < total && position + kFeedSamples <= due) {
        auto n = static_cast<size_t>(std::min<std::int64_t>(kFeedSamples, total - position));
        std::span<const float> buffer(pcm_.data() + position, n);
        if (samples_.push(buffer)) {
          delivered_ += static_cast<std::int64_t>(n);
        } else {
          dropped_ += static_cast<std::int64_t>(n);  // the reader fell 2 s behind
        }
        position += static_cast<std::int64_t>(n);
        audio::CaptureStamp stamp{.end_sample = delivered_, .wall_ns = audio::steady_now_ns()};
        stamps_.push({&stamp, 1});
        ++callbacks_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    finished_ = position >= total;
  }

  std::vector<float> pcm_;  // immutable once the feeder runs
  std::string name_;
  audio::SpscRing<float> samples_;               // feeder → worker
  audio::SpscRing<audio::CaptureStamp> stamps_;  // feeder → worker
  std::thread feeder_;
  std::atomic<bool> running_{false};
  std::atomic<bool> finished_{false};
  std::atomic<std::int64_t> delivered_{0}, dropped_{0}, callbacks_{0};
};

}  // namespace

std::unique_ptr<LiveInput> open_microphone(int device) {
  return std::make_unique<MicInput>(device);
}

std::unique_ptr<LiveInput> open_file_input(std::vector<float> pcm, std::string name,
                                           double tail_seconds) {
  return std::make_unique<FileInput>(std::move(pcm), std::move(name), tail_seconds);
}

}  // namespace parla::player
