#include "video/ffmpeg_util.h"

#include <cstring>

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

namespace {

// Bicubic only shapes the 2:1 chroma decimation here (sizes are equal); it is what the
// ffmpeg CLI uses and keeps colour edges cleaner than bilinear.
SwsPtr make_rgb_to_yuv(int width, int height) {
  SwsPtr sws(sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) throw Error("cannot create the RGB -> YUV420P converter");
  const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
  sws_setColorspaceDetails(sws.get(), bt709, /*srcRange=*/1, bt709, /*dstRange=*/0,
                           /*brightness=*/0, /*contrast=*/1 << 16, /*saturation=*/1 << 16);
  return sws;
}

FramePtr make_yuv_frame(int width, int height) {
  FramePtr frame = make_frame();
  frame->format = AV_PIX_FMT_YUV420P;
  frame->width = width;
  frame->height = height;
  check(av_frame_get_buffer(frame.get(), 0), "allocating a video frame");
  return frame;
}

// Rectangles snap to this grid (output pixels) and grow by kPartMargin on every side
// inside the picture: swscale's chroma filter and dither then see exactly what they
// see converting the whole picture, so the pixels copied back are the same.
constexpr int kPartGrid = 64;
constexpr int kPartMargin = 64;
constexpr size_t kMaxPartContexts = 24;

}  // namespace

RgbToYuv420::RgbToYuv420(int width, int height)
    : width_(width), height_(height), sws_(make_rgb_to_yuv(width, height)) {}

SwsContext* RgbToYuv420::context_for(int width, int height) {
  for (auto& [size, sws] : part_sws_) {
    if (size[0] == width && size[1] == height) return sws.get();
  }
  if (part_sws_.size() >= kMaxPartContexts) part_sws_.erase(part_sws_.begin());
  part_sws_.emplace_back(std::array<int, 2>{width, height}, make_rgb_to_yuv(width, height));
  return part_sws_.back().second.get();
}

void RgbToYuv420::convert_changed(const Image& rgb, AVFrame* yuv, std::array<int, 4> changed) {
  const bool empty = changed[2] <= changed[0] || changed[3] <= changed[1];
  // The converted part (grid-aligned, with margins) and the rectangle copied back.
  auto snap_down = [](int v) { return v / kPartGrid * kPartGrid; };
  auto snap_up = [](int v, int limit) { return std::min(limit, (v + kPartGrid - 1) / kPartGrid * kPartGrid); };
  const int px0 = std::max(0, snap_down(changed[0] - kPartMargin));
  const int py0 = std::max(0, snap_down(changed[1] - kPartMargin));
  const int px1 = snap_up(changed[2] + kPartMargin, width_);
  const int py1 = snap_up(changed[3] + kPartMargin, height_);
  const bool whole = !last_ || (!empty && 2 * (px1 - px0) * (py1 - py0) > width_ * height_);
  if (!last_) last_ = make_yuv_frame(width_, height_);
  if (whole) {
    convert(rgb, last_.get());
  } else if (!empty) {
    const int w = px1 - px0, h = py1 - py0;
    if (!part_ || part_->width < w || part_->height < h) part_ = make_yuv_frame(width_, height_);
    const uint8_t* src[1] = {rgb.rgb.data() + (static_cast<size_t>(py0) * width_ + px0) * 3};
    const int src_stride[1] = {3 * width_};
    sws_scale(context_for(w, h), src, src_stride, 0, h, part_->data, part_->linesize);
    // Copy back the changed rows and columns (even-aligned for chroma).
    const int cx0 = std::max(px0, changed[0] & ~1), cy0 = std::max(py0, changed[1] & ~1);
    const int cx1 = std::min(px1, (changed[2] + 1) & ~1), cy1 = std::min(py1, (changed[3] + 1) & ~1);
    for (int plane = 0; plane < 3; ++plane) {
      const int shift = plane == 0 ? 0 : 1;
      const int x0 = cx0 >> shift, x1 = cx1 >> shift, y0 = cy0 >> shift, y1 = cy1 >> shift;
      const int ox = px0 >> shift, oy = py0 >> shift;
      for (int y = y0; y < y1; ++y) {
        std::memcpy(last_->data[plane] + static_cast<size_t>(y) * last_->linesize[plane] + x0,
                    part_->data[plane] + static_cast<size_t>(y - oy) * part_->linesize[plane] + (x0 - ox),
                    static_cast<size_t>(x1 - x0));
      }
    }
  }
  check(av_frame_copy(yuv, last_.get()), "copying a video frame");
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
