#include "video/ffmpeg_util.h"

#include <mutex>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
}

namespace parla::video::ff {

std::string error_text(int ret) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(ret, text, sizeof text);
  return text;
}

int check(int ret, std::string_view what) {
  if (ret < 0) throw Error(std::string(what) + ": " + error_text(ret));
  return ret;
}

void quiet_logging() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });  // errors reach users as exceptions
}

void OutputFormatDeleter::operator()(AVFormatContext* ctx) const {
  if (ctx->oformat && !(ctx->oformat->flags & AVFMT_NOFILE)) avio_closep(&ctx->pb);
  avformat_free_context(ctx);
}

FramePtr make_frame() {
  FramePtr frame(av_frame_alloc());
  if (!frame) throw Error("out of memory allocating an AVFrame");
  return frame;
}

PacketPtr make_packet() {
  PacketPtr packet(av_packet_alloc());
  if (!packet) throw Error("out of memory allocating an AVPacket");
  return packet;
}

RgbToYuv420::RgbToYuv420(int width, int height) : width_(width), height_(height) {
  // Bicubic only shapes the 2:1 chroma decimation here (sizes are equal); it is
  // what the ffmpeg CLI uses and keeps colour edges cleaner than bilinear.
  sws_.reset(sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) throw Error("cannot create the RGB -> YUV420P converter");
  const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
  sws_setColorspaceDetails(sws_.get(), bt709, /*srcRange=*/1, bt709, /*dstRange=*/0,
                           /*brightness=*/0, /*contrast=*/1 << 16, /*saturation=*/1 << 16);
}

void RgbToYuv420::convert(const Image& rgb, AVFrame* yuv) {
  const uint8_t* src[1] = {rgb.rgb.data()};
  const int src_stride[1] = {3 * width_};
  sws_scale(sws_.get(), src, src_stride, 0, height_, yuv->data, yuv->linesize);
}

void FrameToRgb::convert(const AVFrame* frame, Image& rgb) {
  Key key{frame->width, frame->height, frame->format, frame->colorspace, frame->color_range};
  if (!sws_ || !(key == key_)) {
    sws_.reset(sws_getContext(
        frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), frame->width,
        frame->height, AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
        nullptr, nullptr, nullptr));
    if (!sws_) {
      const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame->format));
      throw Error(std::string("cannot convert pixel format ") + (name ? name : "?") + " to RGB");
    }
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(frame->format));
    if (desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB) && desc->nb_components >= 3) {
      // Keep swscale's own range guess (full for the yuvj formats) unless the frame
      // is tagged; sws_getCoefficients maps unknown matrices to BT.601.
      int *inv_table = nullptr, *table = nullptr;
      int src_range = 0, dst_range = 0, brightness = 0, contrast = 0, saturation = 0;
      sws_getColorspaceDetails(sws_.get(), &inv_table, &src_range, &table, &dst_range, &brightness,
                               &contrast, &saturation);
      if (frame->color_range == AVCOL_RANGE_JPEG) src_range = 1;
      if (frame->color_range == AVCOL_RANGE_MPEG) src_range = 0;
      sws_setColorspaceDetails(sws_.get(), sws_getCoefficients(frame->colorspace), src_range, table,
                               dst_range, brightness, contrast, saturation);
    }
    key_ = key;
  }
  if (rgb.width != frame->width || rgb.height != frame->height)
    rgb = Image(frame->width, frame->height);
  uint8_t* dst[1] = {rgb.rgb.data()};
  const int dst_stride[1] = {3 * rgb.width};
  sws_scale(sws_.get(), frame->data, frame->linesize, 0, frame->height, dst, dst_stride);
}

}  // namespace parla::video::ff
