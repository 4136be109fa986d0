// Portrait images in and out through FFmpeg: the image demuxers and decoders for
// reading (PNG, JPEG, WebP, ...), the PNG encoder for writing, swscale for RGB24.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "video/ffmpeg_util.h"
#include "video/video.h"

namespace parla::video {
namespace {

struct FormatCloser {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
struct CodecFreer {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameFreer {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketFreer {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct SwsFreer {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};
using FormatPtr = std::unique_ptr<AVFormatContext, FormatCloser>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecFreer>;
using FramePtr = std::unique_ptr<AVFrame, FrameFreer>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFreer>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFreer>;

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

// Converts a decoded frame of any pixel format to an RGB8 Image.
Image to_rgb(const AVFrame& frame) {
  Image image(frame.width, frame.height);
  // JPEG decodes to the "J" (full-range) formats: name the plain format and the range.
  auto format = static_cast<AVPixelFormat>(frame.format);
  bool full_range = frame.color_range == AVCOL_RANGE_JPEG;
  switch (format) {
    case AV_PIX_FMT_YUVJ420P: format = AV_PIX_FMT_YUV420P, full_range = true; break;
    case AV_PIX_FMT_YUVJ422P: format = AV_PIX_FMT_YUV422P, full_range = true; break;
    case AV_PIX_FMT_YUVJ444P: format = AV_PIX_FMT_YUV444P, full_range = true; break;
    case AV_PIX_FMT_YUVJ440P: format = AV_PIX_FMT_YUV440P, full_range = true; break;
    default: break;
  }
  SwsPtr sws(sws_getContext(frame.width, frame.height, format, frame.width, frame.height,
                            AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND, nullptr, nullptr,
                            nullptr));
  if (!sws) throw Error("cannot convert a decoded image to RGB");
  const int* coefficients = sws_getCoefficients(SWS_CS_DEFAULT);
  sws_setColorspaceDetails(sws.get(), coefficients, full_range ? 1 : 0, coefficients, 1, 0,
                           1 << 16, 1 << 16);
  uint8_t* planes[4] = {image.rgb.data(), nullptr, nullptr, nullptr};
  int strides[4] = {3 * frame.width, 0, 0, 0};
  sws_scale(sws.get(), frame.data, frame.linesize, 0, frame.height, planes, strides);
  return image;
}

}  // namespace

Image load_image(const std::filesystem::path& path) {
  check_input_file(path, "image");
  ff::quiet_logging();
  auto not_image = [&](const std::string& why) {
    return InputError("cannot read image " + quoted(path) + ": " + why);
  };
  AVFormatContext* raw_format = nullptr;
  int ret = avformat_open_input(&raw_format, path.c_str(), nullptr, nullptr);
  if (ret < 0) throw not_image(av_error_text(ret));
  FormatPtr format(raw_format);
  if ((ret = avformat_find_stream_info(format.get(), nullptr)) < 0) {
    throw not_image(av_error_text(ret));
  }
  int stream = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream < 0) throw not_image("it holds no picture");
  const AVCodecParameters* parameters = format->streams[stream]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(parameters->codec_id);
  if (!codec) throw not_image("no decoder for its format");
  CodecPtr decoder(avcodec_alloc_context3(codec));
  if (!decoder || avcodec_parameters_to_context(decoder.get(), parameters) < 0 ||
      avcodec_open2(decoder.get(), codec, nullptr) < 0) {
    throw not_image("cannot open its decoder");
  }
  PacketPtr packet(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  // Feed packets until the decoder returns the first frame; a null packet flushes.
  bool flushed = false;
  while (true) {
    ret = avcodec_receive_frame(decoder.get(), frame.get());
    if (ret == 0) break;
    if (ret != AVERROR(EAGAIN) || flushed) throw not_image("no frame could be decoded");
    int read = av_read_frame(format.get(), packet.get());
    if (read < 0) {
      avcodec_send_packet(decoder.get(), nullptr);
      flushed = true;
      continue;
    }
    if (packet->stream_index == stream) {
      int sent = avcodec_send_packet(decoder.get(), packet.get());
      if (sent < 0 && sent != AVERROR(EAGAIN)) throw not_image(av_error_text(sent));
    }
    av_packet_unref(packet.get());
  }
  if (frame->width <= 0 || frame->height <= 0) throw not_image("empty picture");
  return to_rgb(*frame);
}

void save_png(const Image& image, const std::filesystem::path& path) {
  if (image.empty()) throw Error("cannot write an empty image to " + quoted(path));
  ff::quiet_logging();
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
  if (!codec) throw Error("FFmpeg has no PNG encoder");
  CodecPtr encoder(avcodec_alloc_context3(codec));
  encoder->width = image.width;
  encoder->height = image.height;
  encoder->pix_fmt = AV_PIX_FMT_RGB24;
  encoder->time_base = AVRational{1, 25};
  if (int ret = avcodec_open2(encoder.get(), codec, nullptr); ret < 0) {
    throw Error("cannot open the PNG encoder: " + av_error_text(ret));
  }
  FramePtr frame(av_frame_alloc());
  frame->width = image.width;
  frame->height = image.height;
  frame->format = AV_PIX_FMT_RGB24;
  if (av_frame_get_buffer(frame.get(), 0) < 0) throw Error("out of memory for a PNG frame");
  for (int y = 0; y < image.height; ++y) {
    std::copy_n(image.pixel(0, y), 3 * image.width, frame->data[0] + y * frame->linesize[0]);
  }
  PacketPtr packet(av_packet_alloc());
  if (int ret = avcodec_send_frame(encoder.get(), frame.get()); ret < 0) {
    throw Error("cannot encode PNG " + quoted(path) + ": " + av_error_text(ret));
  }
  avcodec_send_frame(encoder.get(), nullptr);
  std::string bytes;
  while (avcodec_receive_packet(encoder.get(), packet.get()) == 0) {
    bytes.append(reinterpret_cast<const char*>(packet->data), packet->size);
    av_packet_unref(packet.get());
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw Error("cannot write " + quoted(path));
  size_t written = std::fwrite(bytes.data(), 1, bytes.size(), file);
  if (std::fclose(file) != 0 || written != bytes.size()) throw Error("cannot write " + quoted(path));
}

Image resize(const Image& image, int width, int height) {
  Image out(width, height);
  if (image.empty() || width <= 0 || height <= 0) return out;
  float sx = static_cast<float>(image.width) / width;
  float sy = static_cast<float>(image.height) / height;
  for (int y = 0; y < height; ++y) {
    float fy = std::clamp((y + 0.5f) * sy - 0.5f, 0.f, image.height - 1.f);
    int y0 = static_cast<int>(fy);
    int y1 = std::min(y0 + 1, image.height - 1);
    float wy = fy - y0;
    for (int x = 0; x < width; ++x) {
      float fx = std::clamp((x + 0.5f) * sx - 0.5f, 0.f, image.width - 1.f);
      int x0 = static_cast<int>(fx);
      int x1 = std::min(x0 + 1, image.width - 1);
      float wx = fx - x0;
      for (int c = 0; c < 3; ++c) {
        float top = image.pixel(x0, y0)[c] * (1 - wx) + image.pixel(x1, y0)[c] * wx;
        float bottom = image.pixel(x0, y1)[c] * (1 - wx) + image.pixel(x1, y1)[c] * wx;
        out.pixel(x, y)[c] = static_cast<uint8_t>(std::lround(top * (1 - wy) + bottom * wy));
      }
    }
  }
  return out;
}

}  // namespace parla::video
