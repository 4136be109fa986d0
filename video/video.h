// video: pictures in and out — portrait images decoded through FFmpeg, MP4 output
// (H.264 yuv420p + AAC, faststart), video input as RGB frames, and (rig section
// below) face fitting, the portrait rig and the CPU renderer.
//
//   parla::Image portrait = parla::video::load_image("face.jpg");
//   parla::OutputFile out("talk.mp4", {"face.jpg", "talk.wav"});
//   parla::video::Mp4Writer mp4(out.temp_path(), {.width = 512, .height = 512,
//                                                  .audio_rate = 16000, .audio_channels = 1});
//   mp4.write_audio(pcm16k_mono);            // interleaved float at params.audio_rate
//   for (...) mp4.write_frame(frame);        // parla::Image of width x height
//   mp4.finish();
//   out.commit();
//   parla::video::VideoReader reader("talk.mp4");   // frames back as RGB8
//
// Thread safety: objects are single-threaded. Errors: InputError for unreadable
// inputs (naming the file), Error for encoder/muxer failures.
#pragma once

#include <cstdint>
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
  int width = 512;                     // pixels; must be even (4:2:0 chroma)
  int height = 512;                    // pixels; must be even
  double fps = 25.0;                   // frames per second, > 0
  int crf = 20;                        // x264 constant rate factor, 0..51 (lower = better)
  std::string preset = "veryfast";     // x264 preset, "ultrafast" .. "placebo"
  int audio_rate = 48000;              // Hz of the PCM given to write_audio; 0 = no audio
  int audio_channels = 1;              // 1 or 2, interleaved
  int audio_bitrate = 128000;          // AAC bits per second (capped at AAC's maximum
                                       // for the rate, 96 kbit/s per channel at 16 kHz)
};

// H.264 (yuv420p, BT.709 limited range) + AAC-LC in MP4 with the moov atom first
// (faststart), playable in browsers. Audio is encoded at audio_rate when AAC allows
// that rate (8 .. 96 kHz standard rates), else resampled to 48 kHz. Audio and video
// are interleaved by timestamp as they are written.
//
// Durations: with ceil(audio_seconds * fps) frames the video track ends less than one
// frame after the audio; the AAC encoder's 1024-sample priming is hidden by an MP4
// edit list, so the audio track reports the PCM's exact length (docs/video_output.md).
//
// Errors: the constructor throws InputError for invalid params or an unwritable path;
// write_frame/write_audio throw InputError for wrong sizes or non-finite samples and
// Error when the encoder fails. A writer destroyed without finish() closes its file,
// which is left incomplete (OutputFile removes it).
class Mp4Writer {
 public:
  Mp4Writer(const std::filesystem::path& path, Mp4Params params);
  ~Mp4Writer();
  Mp4Writer(const Mp4Writer&) = delete;
  Mp4Writer& operator=(const Mp4Writer&) = delete;

  // Frame i is shown at i / fps seconds. The image must be width x height.
  void write_frame(const Image& frame);
  // Appends interleaved PCM in [-1, 1]; may be called in chunks, before, between or
  // after frames. Memory stays bounded by the chunk, not the total length.
  void write_audio(std::span<const float> samples);
  // Flushes encoders and writes the trailer; the file is complete after this.
  // Throws Error when no frame was written.
  void finish();
  std::int64_t frames_written() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---------------------------------------------------------------------------------
// Video input.

struct VideoInfo {
  int width = 0;                     // pixels, as decoded (sample aspect ratio ignored)
  int height = 0;                    // pixels
  double fps = 0;                    // frames per second (container's guess; 0 = unknown)
  std::int64_t frame_count = 0;      // estimate: the header's count, else duration x fps
  double duration_seconds = 0;       // video stream's, else the container's; 0 = unknown
  std::string codec;                 // e.g. "h264", "mpeg4"
  bool has_audio = false;            // whether the file also has an audio stream
};

// Reads the best video stream of any file FFmpeg opens (MP4, MKV, WebM, AVI, image
// files as one-frame videos), one RGB8 frame at a time, in bounded memory.
//
//   parla::video::VideoReader reader("clip.mp4");
//   parla::Image frame;
//   while (reader.read_frame(frame)) use(frame, reader.frame_time_seconds());
//
// Opening throws InputError naming the file when it is missing, not a video, or has
// no video stream; a decode failure mid-stream throws Error naming the file.
class VideoReader {
 public:
  explicit VideoReader(const std::filesystem::path& path);
  ~VideoReader();
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;

  const VideoInfo& info() const;
  // Decodes the next frame into `frame` (resized when needed); false at the end.
  bool read_frame(Image& frame);
  // Presentation time of the last frame read, from the stream start, in seconds.
  double frame_time_seconds() const;
  std::int64_t frames_read() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---------------------------------------------------------------------------------
// Rig and renderer: see the renderer issue.

}  // namespace parla::video
