// video: pictures in and out — portrait images decoded through FFmpeg, MP4 output
// (H.264 yuv420p + AAC, faststart), and (rig section below) face fitting, the
// portrait rig and the CPU renderer.
//
//   parla::Image portrait = parla::video::load_image("face.jpg");
//   parla::OutputFile out("talk.mp4", {"face.jpg", "talk.wav"});
//   parla::video::Mp4Writer mp4(out.temp_path(), {.width = 512, .height = 512});
//   mp4.write_audio(pcm48k_stereo);          // interleaved float at params.audio_rate
//   for (...) mp4.write_frame(frame);        // parla::Image of width x height
//   mp4.finish();
//   out.commit();
//
// Thread safety: objects are single-threaded. Errors: InputError for unreadable
// inputs (naming the file), Error for encoder/muxer failures.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/core.h"

namespace parla::video {

// ---------------------------------------------------------------------------------
// Images.

// Decodes the first frame of a PNG, JPEG, WebP (anything FFmpeg's image demuxers
// read) to RGB8. Throws InputError naming the file when it is not an image.
Image load_image(const std::filesystem::path& path);
// Writes a PNG through FFmpeg's PNG encoder.
void save_png(const Image& image, const std::filesystem::path& path);
// Bilinear resize (for previews and letterboxing).
Image resize(const Image& image, int width, int height);

// ---------------------------------------------------------------------------------
// MP4 output.

struct Mp4Params {
  int width = 512;                     // pixels; must be even
  int height = 512;                    // pixels; must be even
  double fps = 25.0;                   // frames per second
  int crf = 20;                        // x264 constant rate factor, 0..51 (lower = better)
  std::string preset = "veryfast";     // x264 preset
  int audio_rate = 48000;              // Hz of the PCM given to write_audio; 0 = no audio
  int audio_channels = 1;              // 1 or 2, interleaved
  int audio_bitrate = 128000;          // AAC bits per second
};

// H.264 (yuv420p) + AAC in MP4 with the moov atom first (faststart), playable in
// browsers. Audio and video are interleaved by timestamp as they are written.
class Mp4Writer {
 public:
  Mp4Writer(const std::filesystem::path& path, Mp4Params params);
  ~Mp4Writer();
  Mp4Writer(const Mp4Writer&) = delete;
  Mp4Writer& operator=(const Mp4Writer&) = delete;

  // Frame i is shown at i / fps seconds. The image must be width x height.
  void write_frame(const Image& frame);
  // Appends interleaved PCM; may be called in chunks, before, between or after frames.
  void write_audio(std::span<const float> samples);
  // Flushes encoders and writes the trailer; the file is complete after this.
  void finish();
  std::int64_t frames_written() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---------------------------------------------------------------------------------
// Rig and renderer: see the renderer issue.

}  // namespace parla::video
