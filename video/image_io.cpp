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
#include <cstdlib>
#include <fstream>
#include <memory>

#include "video/ffmpeg_util.h"
#include "video/video.h"

namespace parla::video {
namespace {

using FormatPtr = ff::InputFormatPtr;
using CodecPtr = ff::CodecContextPtr;
using ff::FramePtr;
using ff::PacketPtr;
using ff::SwsPtr;

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

std::uint32_t be16(const unsigned char* p) { return (p[0] << 8) | p[1]; }
std::uint32_t be32(const unsigned char* p) { return (be16(p) << 16) | be16(p + 2); }
std::uint32_t le16(const unsigned char* p) { return p[0] | (p[1] << 8); }
std::uint32_t le24(const unsigned char* p) { return le16(p) | (p[2] << 16); }

// The picture size from a PNG, JPEG or WebP header (0x0 when the format is another or
// the header is cut); `animated` for a WebP with an animation.
struct HeaderSize {
  std::int64_t width = 0, height = 0;
  bool animated = false;
};

HeaderSize header_size(const std::string& b) {
  auto u = [&](size_t i) { return reinterpret_cast<const unsigned char*>(b.data()) + i; };
  HeaderSize size;
  if (b.size() >= 24 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 && b.compare(12, 4, "IHDR") == 0) {
    size.width = be32(u(16)), size.height = be32(u(20));
  } else if (b.size() >= 4 && u(0)[0] == 0xFF && u(0)[1] == 0xD8) {
    // JPEG: walk the marker segments to the first start-of-frame.
    for (size_t i = 2; i + 9 < b.size();) {
      if (u(i)[0] != 0xFF) break;
      unsigned marker = u(i)[1];
      if (marker == 0xFF) {
        ++i;
        continue;
      }
      std::uint32_t length = be16(u(i + 2));
      bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        size.height = be16(u(i + 5)), size.width = be16(u(i + 7));
        break;
      }
      i += 2 + length;
    }
  } else if (b.size() >= 30 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) {
    if (b.compare(12, 4, "VP8X") == 0) {
      size.animated = (u(20)[0] & 0x02) != 0;
      size.width = le24(u(24)) + 1, size.height = le24(u(27)) + 1;
    } else if (b.compare(12, 4, "VP8 ") == 0) {
      size.width = le16(u(26)) & 0x3FFF, size.height = le16(u(28)) & 0x3FFF;
    } else if (b.compare(12, 4, "VP8L") == 0) {
      std::uint32_t bits = u(21)[0] | (u(22)[0] << 8) | (u(23)[0] << 16) | (static_cast<std::uint32_t>(u(24)[0]) << 24);
      size.width = (bits & 0x3FFF) + 1, size.height = ((bits >> 14) & 0x3FFF) + 1;
    }
  }
  return size;
}

// Refuses, in Parla's words, what FFmpeg would decode for minutes or not at all.
void check_image_header(const std::filesystem::path& path, std::int64_t width, std::int64_t height,
                        bool animated) {
  if (animated) {
    throw InputError("cannot read image " + quoted(path) +
                     ": animated WebP is not supported; export one frame as PNG or JPEG");
  }
  if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels) {
    throw InputError("cannot read image " + quoted(path) + ": " + std::to_string(width) + "x" +
                     std::to_string(height) + " is larger than the limit of " +
                     std::to_string(kMaxImagePixels / 1'000'000) + " Mpx (" +
                     std::to_string(kMaxImageSide) + " px a side); scale it down first");
  }
}

// `image` turned upright for EXIF orientation 1..8 (TIFF 6.0 / EXIF 2.3 §4.6.4).
Image apply_orientation(const Image& image, int orientation) {
  if (orientation < 2 || orientation > 8) return image;
  const int w = image.width, h = image.height;
  const bool swap = orientation >= 5;
  Image out(swap ? h : w, swap ? w : h);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2: sx = w - 1 - x; break;
        case 3: sx = w - 1 - x, sy = h - 1 - y; break;
        case 4: sy = h - 1 - y; break;
        case 5: sx = y, sy = x; break;
        case 6: sx = y, sy = h - 1 - x; break;
        case 7: sx = w - 1 - y, sy = h - 1 - x; break;
        case 8: sx = w - 1 - y, sy = x; break;
      }
      std::copy_n(image.pixel(sx, sy), 3, out.pixel(x, y));
    }
  }
  return out;
}

}  // namespace

Image load_image(const std::filesystem::path& path) {
  check_input_file(path, "image");
  ff::quiet_logging();
  auto not_image = [&](const std::string& why) {
    return InputError("cannot read image " + quoted(path) + ": " + why);
  };
  {
    // The header lies in the first 256 KB (a JPEG's start-of-frame may follow large
    // EXIF or ICC segments); a smaller file is read whole, not into a 256 KB buffer.
    constexpr std::uintmax_t kHeadBytes = 256 * 1024;
    std::error_code ec;
    const std::uintmax_t file_bytes = std::filesystem::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    std::string head(ec ? kHeadBytes : std::min(file_bytes, kHeadBytes), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    HeaderSize size = header_size(head);
    check_image_header(path, size.width, size.height, size.animated);
  }
  AVFormatContext* raw_format = nullptr;
  int ret = avformat_open_input(&raw_format, path.c_str(), nullptr, nullptr);
  if (ret < 0) throw not_image(ff::error_text(ret));
  FormatPtr format(raw_format);
  if ((ret = avformat_find_stream_info(format.get(), nullptr)) < 0) {
    throw not_image(ff::error_text(ret));
  }
  int stream = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream < 0) throw not_image("it holds no picture");
  const AVCodecParameters* parameters = format->streams[stream]->codecpar;
  // Other formats: the demuxer's size, before the decoder allocates anything.
  check_image_header(path, parameters->width, parameters->height, /*animated=*/false);
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
      if (sent < 0 && sent != AVERROR(EAGAIN)) throw not_image(ff::error_text(sent));
    }
    av_packet_unref(packet.get());
  }
  if (frame->width <= 0 || frame->height <= 0) throw not_image("empty picture");
  check_image_header(path, frame->width, frame->height, /*animated=*/false);
  // FFmpeg's JPEG decoder exports the EXIF tags as frame metadata ("    6").
  int orientation = 1;
  if (const AVDictionaryEntry* tag = av_dict_get(frame->metadata, "Orientation", nullptr, 0)) {
    orientation = static_cast<int>(std::strtol(tag->value, nullptr, 10));
  }
  Image image = to_rgb(*frame);
  return orientation == 1 ? image : apply_orientation(image, orientation);
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
    throw Error("cannot open the PNG encoder: " + ff::error_text(ret));
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
    throw Error("cannot encode PNG " + quoted(path) + ": " + ff::error_text(ret));
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
