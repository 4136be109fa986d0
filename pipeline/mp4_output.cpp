// Frames + the audio file → MP4: audio decoded at 48 kHz and muxed just ahead of video.
#include <algorithm>
#include <cmath>

#include "audio/audio.h"
#include "pipeline/pipeline.h"

namespace parla::pipeline {
namespace {

constexpr size_t kMuxChunkSamples = 4800;  // 0.1 s at 48 kHz
constexpr int kMuxRate = 48000;            // Hz of the muxed audio

// Streams the audio to mux alongside the frames, keeping audio just ahead of video.
class AudioFeed {
 public:
  AudioFeed(const std::filesystem::path& path, int channels)
      : decoder_(path, {.sample_rate = kMuxRate, .channels = channels}), channels_(channels) {}
  // Writes audio until `seconds` of it have been written (or the file ends).
  void write_until(video::Mp4Writer& writer, double seconds) {
    auto target = static_cast<std::int64_t>(std::ceil(seconds * kMuxRate));
    while (!done_ && written_frames_ < target) {
      size_t n = decoder_.read(chunk_);
      if (n == 0) {
        done_ = true;
        break;
      }
      writer.write_audio({chunk_.data(), n});
      written_frames_ += static_cast<std::int64_t>(n / channels_);
    }
  }
  double container_seconds() const { return decoder_.info().duration_seconds; }

 private:
  audio::AudioDecoder decoder_;
  int channels_;
  std::vector<float> chunk_ = std::vector<float>(kMuxChunkSamples * 2);
  std::int64_t written_frames_ = 0;  // sample frames (per channel)
  bool done_ = false;
};

int mux_channels(const std::filesystem::path& audio_path) {
  return std::clamp(audio::AudioDecoder(audio_path).info().source_channels, 1, 2);
}

video::Mp4Params with_format(video::Mp4Params params, int width, int height, int channels) {
  params.width = width;
  params.height = height;
  params.audio_rate = kMuxRate;
  params.audio_channels = channels;
  return params;
}

}  // namespace

struct Mp4Output::State {
  State(const std::filesystem::path& path, const video::Mp4Params& params,
        const std::filesystem::path& audio_path, int channels)
      : feed(audio_path, channels), writer(path, params), fps(params.fps) {}
  AudioFeed feed;
  video::Mp4Writer writer;
  double fps;
};

Mp4Output::Mp4Output(const std::filesystem::path& path, video::Mp4Params params,
                     const std::filesystem::path& audio_path, int width, int height) {
  const int channels = mux_channels(audio_path);
  state_ = std::make_unique<State>(path, with_format(std::move(params), width, height, channels),
                                   audio_path, channels);
}

Mp4Output::~Mp4Output() = default;

double Mp4Output::audio_container_seconds() const { return state_->feed.container_seconds(); }

void Mp4Output::write(std::int64_t index, const Image& picture, const std::array<int, 4>& changed) {
  state_->feed.write_until(state_->writer, (index + 1) / state_->fps);
  state_->writer.write_frame(picture, changed);
}

void Mp4Output::finish(double audio_seconds) {
  state_->feed.write_until(state_->writer, audio_seconds + 1.0);
  state_->writer.finish();
}

}  // namespace parla::pipeline
