// Private to video/: RAII owners for FFmpeg handles, the one AVERROR -> exception
// path, and the colour conversions shared by the MP4 writer, the video reader and
// the encode benchmark. Not part of the module's public API.
#pragma once

#include <array>
#include <utility>
#include <vector>

#include <memory>
#include <string>
#include <string_view>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include "core/core.h"

namespace parla::video::ff {

// The text av_err2str gives (that macro uses a C compound literal, not valid C++).
std::string error_text(int ret);

// Throws parla::Error("<what>: <FFmpeg's message>") when ret < 0; returns ret otherwise.
int check(int ret, std::string_view what);

// Sets FFmpeg's (and through it x264's) log level to errors only, once per process:
// x264 prints its settings and statistics at info level on every encoder open/close.
void quiet_logging();

struct InputFormatDeleter {
  void operator()(AVFormatContext* ctx) const { avformat_close_input(&ctx); }
};
// Closes the output file (when the muxer has one) before freeing the context, so a
// writer abandoned mid-stream releases its file descriptor.
struct OutputFormatDeleter {
  void operator()(AVFormatContext* ctx) const;
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* ctx) const { avcodec_free_context(&ctx); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct SwsDeleter {
  void operator()(SwsContext* ctx) const { sws_freeContext(ctx); }
};
struct SwrDeleter {
  void operator()(SwrContext* ctx) const { swr_free(&ctx); }
};
struct AudioFifoDeleter {
  void operator()(AVAudioFifo* fifo) const { av_audio_fifo_free(fifo); }
};

using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;
using AudioFifoPtr = std::unique_ptr<AVAudioFifo, AudioFifoDeleter>;

// av_frame_alloc / av_packet_alloc that throw on allocation failure.
FramePtr make_frame();
PacketPtr make_packet();

// RGB8 -> YUV 4:2:0, limited range, BT.709 matrix (the tags the writer puts on the
// stream, so players and VideoReader invert exactly this conversion).
class RgbToYuv420 {
 public:
  RgbToYuv420(int width, int height);
  // `yuv` must be an allocated AV_PIX_FMT_YUV420P frame of the same size, writable.
  void convert(const Image& rgb, AVFrame* yuv);
  // The same result when only `changed` (x0, y0, x1, y1, exclusive ends, output pixels)
  // differs from the `rgb` of the previous convert_changed call: that rectangle, with a
  // margin for the chroma filter, is converted into the kept previous picture, which is
  // then copied to `yuv`. The first call, and a large change, convert everything.
  // (The face of a `--full` 1080p frame is ~12% of it: ~5x less conversion work.)
  void convert_changed(const Image& rgb, AVFrame* yuv, std::array<int, 4> changed);

 private:
  SwsContext* context_for(int width, int height);

  int width_;
  int height_;
  SwsPtr sws_;
  FramePtr last_;                                // the previous picture, YUV
  FramePtr part_;                                // scratch for a converted rectangle
  std::vector<std::pair<std::array<int, 2>, SwsPtr>> part_sws_;  // by rectangle size
};

// Any decoded picture -> RGB8 of the same size, honouring the frame's colour matrix
// and range tags (untagged frames use BT.601, as FFmpeg does).
class FrameToRgb {
 public:
  // Resizes `rgb` to the frame's size when it differs.
  void convert(const AVFrame* frame, Image& rgb);

 private:
  struct Key {
    int width = 0, height = 0, format = -1, colorspace = -1, range = -1;
    bool operator==(const Key&) const = default;
  };
  Key key_;  // what sws_ was built for; rebuilt when a frame differs
  SwsPtr sws_;
};

}  // namespace parla::video::ff
