// RAII owners for the FFmpeg handles the decoder uses, and check(), which turns a
// negative AVERROR into parla::Error carrying FFmpeg's own error text.
#pragma once

#include <memory>
#include <string>
#include <string_view>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
}

#include "core/core.h"

namespace parla::audio::av {

struct FormatContextDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwrDeleter {
  void operator()(SwrContext* p) const { swr_free(&p); }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;

// FFmpeg's text for an AVERROR code ("Invalid data found when processing input").
std::string error_text(int averror);

// Returns `ret` when it is not an error; otherwise throws parla::Error
// "<what>: <FFmpeg's text>".
int check(int ret, std::string_view what);

// Silences FFmpeg's log once per process so command-line output stays clean.
void silence_log();

}  // namespace parla::audio::av
