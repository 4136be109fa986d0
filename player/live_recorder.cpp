// LiveRecorder: shown pictures + input audio → MP4 (see live_recorder.h).
#include "player/live_recorder.h"

#include <algorithm>

#include "audio/audio.h"

namespace parla::player {
namespace {
constexpr std::int64_t kSamplesPerFrame =
    static_cast<std::int64_t>(audio::kSampleRate / kMotionFps);  // 640
}  // namespace

LiveRecorder::LiveRecorder(const std::filesystem::path& path, int width, int height,
                           std::int64_t max_frames)
    : out_(path), max_frames_(max_frames) {
  writer_ = std::make_unique<video::Mp4Writer>(
      out_.temp_path(), video::Mp4Params{.width = width,
                                         .height = height,
                                         .audio_rate = audio::kSampleRate,
                                         .audio_channels = 1,
                                         .queue_frames = 8,  // encoding off the main thread
                                         .fragmented = true});  // bounded memory for hours
}

LiveRecorder::~LiveRecorder() = default;

void LiveRecorder::add_audio(std::span<const float> samples) {
  std::lock_guard lock(mutex_);
  pending_.insert(pending_.end(), samples.begin(), samples.end());
}

void LiveRecorder::add_frame(std::int64_t index, const Image& picture) {
  if (max_frames_ > 0) index = std::min(index, max_frames_ - 1);
  while (frames_written_ <= index) {
    bool filler = frames_written_ < index && !last_picture_.empty();
    writer_->write_frame(filler ? last_picture_ : picture);
    ++frames_written_;
  }
  last_picture_ = picture;
  write_due_audio(/*final=*/false);
}

void LiveRecorder::write_due_audio(bool final) {
  std::vector<float> chunk;
  {
    std::lock_guard lock(mutex_);
    chunk.swap(pending_);
  }
  std::int64_t target = frames_written_ * kSamplesPerFrame;
  auto take = static_cast<size_t>(std::clamp<std::int64_t>(
      target - audio_written_, 0, static_cast<std::int64_t>(chunk.size())));
  if (take < chunk.size()) {  // beyond the video written so far: keep for later
    std::lock_guard lock(mutex_);
    pending_.insert(pending_.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take),
                    chunk.end());
  }
  chunk.resize(take);
  if (final) chunk.resize(static_cast<size_t>(target - audio_written_), 0.f);
  if (!chunk.empty()) writer_->write_audio(chunk);
  audio_written_ += static_cast<std::int64_t>(chunk.size());
}

std::int64_t LiveRecorder::finish() {
  write_due_audio(/*final=*/true);
  writer_->finish();
  out_.commit();
  return frames_written_;
}

}  // namespace parla::player
