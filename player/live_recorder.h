// Private to player: `live --record OUT.mp4` — what live shows, as a 25 fps video with the
// input audio, written through video::Mp4Writer into an OutputFile (the MP4 appears only
// when finish() completes; an interrupted run leaves nothing).
//
// Timeline: video frame k is motion frame k (the pose for audio [k/25, (k+1)/25)), so the
// recording is in sync by media time, without the live latency. Frames the worker skipped
// (it draws only the newest) repeat the picture that was on screen.
//
// Threads: add_audio from the live worker (a mutex guards the pending samples); every
// other call from the main thread, which owns the writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "core/core.h"
#include "video/video.h"

namespace parla::player {

class LiveRecorder {
 public:
  // Throws InputError for an unwritable path. `max_frames` > 0 caps the length (a file
  // input's own duration).
  LiveRecorder(const std::filesystem::path& path, int width, int height, std::int64_t max_frames);
  ~LiveRecorder();

  // Worker: input samples (16 kHz mono) in the order they were consumed.
  void add_audio(std::span<const float> samples);
  // Main: `picture` is motion frame `index`; writes it and fills any skipped frames.
  void add_frame(std::int64_t index, const Image& picture);
  // Main: writes the audio of the frames written (silence where the input fell short),
  // finishes the MP4 and moves it into place. Returns the frames written.
  std::int64_t finish();
  std::int64_t frames() const { return frames_written_; }

 private:
  void write_due_audio(bool final);

  OutputFile out_;
  std::unique_ptr<video::Mp4Writer> writer_;
  std::int64_t max_frames_;
  std::int64_t frames_written_ = 0;
  std::int64_t audio_written_ = 0;  // samples
  Image last_picture_;
  std::mutex mutex_;
  std::vector<float> pending_;  // guarded by mutex_: consumed, not yet written
};

}  // namespace parla::player
