// Codec round trip with libavcodec's send/receive loops (FFmpeg doc/examples style):
// EAGAIN and EOF are control flow, one flush path. The decoders drop the encoder's
// priming samples, so the decoded signal stays aligned with the labels.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <memory>

#include "core/core.h"
#include "train/codec.h"
#include "train/train.h"

namespace parla::train {
namespace {

struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

void check(int ret, const char* what) {
  if (ret < 0) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(ret, buf, sizeof buf);
    throw Error(std::string("codec round trip: ") + what + ": " + buf);
  }
}

// Appends decoded samples (float or s16, planar or interleaved with `channels`
// channels) of the first channel to `out`.
void append_frame(const AVFrame* f, int channels, std::vector<float>& out) {
  channels = std::max(1, channels);
  for (int i = 0; i < f->nb_samples; ++i) {
    switch (f->format) {
      case AV_SAMPLE_FMT_FLTP:
        out.push_back(reinterpret_cast<const float*>(f->data[0])[i]);
        break;
      case AV_SAMPLE_FMT_FLT:
        out.push_back(reinterpret_cast<const float*>(f->data[0])[i * channels]);
        break;
      case AV_SAMPLE_FMT_S16P:
        out.push_back(reinterpret_cast<const int16_t*>(f->data[0])[i] / 32768.f);
        break;
      case AV_SAMPLE_FMT_S16:
        out.push_back(reinterpret_cast<const int16_t*>(f->data[0])[i * channels] / 32768.f);
        break;
      default:
        throw Error("codec round trip: unexpected decoded sample format");
    }
  }
}

}  // namespace

std::vector<float> codec_round_trip(std::span<const float> audio, const std::string& codec,
                                    int bitrate_kbps) {
  const char* encoder_name = codec == "mp3" ? "libmp3lame" : codec == "opus" ? "libopus" : nullptr;
  const char* decoder_name = codec == "mp3" ? "mp3float" : "libopus";
  if (!encoder_name) throw Error("codec round trip: unknown codec '" + codec + "'");
  const AVCodec* enc = avcodec_find_encoder_by_name(encoder_name);
  const AVCodec* dec = avcodec_find_decoder_by_name(decoder_name);
  if (!enc || !dec) throw Error(std::string("codec round trip: FFmpeg lacks ") + encoder_name);

  CodecContextPtr ec(avcodec_alloc_context3(enc));
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  av_channel_layout_copy(&ec->ch_layout, &mono);
  ec->sample_rate = 16000;
  ec->bit_rate = bitrate_kbps * 1000;
  ec->time_base = AVRational{1, 16000};
  ec->sample_fmt = codec == "mp3" ? AV_SAMPLE_FMT_FLTP : AV_SAMPLE_FMT_FLT;
  check(avcodec_open2(ec.get(), enc, nullptr), "open encoder");

  CodecContextPtr dc(avcodec_alloc_context3(dec));
  av_channel_layout_copy(&dc->ch_layout, &mono);
  dc->sample_rate = 16000;
  dc->pkt_timebase = AVRational{1, 16000};  // lets the decoder trim priming samples quietly
  if (ec->extradata_size > 0) {
    dc->extradata =
        static_cast<uint8_t*>(av_mallocz(ec->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE));
    std::copy(ec->extradata, ec->extradata + ec->extradata_size, dc->extradata);
    dc->extradata_size = ec->extradata_size;
  }
  check(avcodec_open2(dc.get(), dec, nullptr), "open decoder");

  FramePtr frame(av_frame_alloc()), decoded(av_frame_alloc());
  PacketPtr packet(av_packet_alloc());
  std::vector<float> out;
  out.reserve(audio.size() + 4096);
  auto drain_decoder = [&] {
    for (;;) {
      int ret = avcodec_receive_frame(dc.get(), decoded.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
      check(ret, "decode");
      append_frame(decoded.get(), dc->ch_layout.nb_channels, out);
    }
  };
  auto drain_encoder = [&] {
    for (;;) {
      int ret = avcodec_receive_packet(ec.get(), packet.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
      check(ret, "encode");
      check(avcodec_send_packet(dc.get(), packet.get()), "send packet");
      av_packet_unref(packet.get());
      drain_decoder();
    }
  };
  int frame_size = ec->frame_size > 0 ? ec->frame_size : 1024;
  // Pad the end with silence so the whole input survives the encoder's look-ahead.
  size_t padded = audio.size() + static_cast<size_t>(ec->initial_padding) + 2 * frame_size;
  for (size_t pos = 0; pos < padded; pos += frame_size) {
    frame->nb_samples = frame_size;
    frame->format = ec->sample_fmt;
    frame->sample_rate = 16000;
    av_channel_layout_copy(&frame->ch_layout, &mono);
    check(av_frame_get_buffer(frame.get(), 0), "frame buffer");
    auto* dst = reinterpret_cast<float*>(frame->data[0]);
    for (int i = 0; i < frame_size; ++i) dst[i] = pos + i < audio.size() ? audio[pos + i] : 0.f;
    frame->pts = static_cast<int64_t>(pos);
    check(avcodec_send_frame(ec.get(), frame.get()), "send frame");
    av_frame_unref(frame.get());
    drain_encoder();
  }
  check(avcodec_send_frame(ec.get(), nullptr), "flush encoder");
  drain_encoder();
  check(avcodec_send_packet(dc.get(), nullptr), "flush decoder");
  drain_decoder();
  // Both decoders drop the encoder's priming samples themselves (initial_padding is
  // passed as skip_samples), so the output starts aligned; libopus decodes at 48 kHz.
  if (dc->sample_rate != 16000) out = resample(out, dc->sample_rate, 16000);
  out.resize(audio.size(), 0.f);
  return out;
}

}  // namespace parla::train
