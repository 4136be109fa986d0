// VideoReader: demux + decode the best video stream, convert each picture to RGB8.
// The read loop follows FFmpeg's doc/examples/demux_decode.c with EAGAIN/EOF as
// control flow: receive a frame; when the decoder wants input, read a packet; at the
// end of the file, send the flush packet and drain.
#include <cmath>

#include "core/riff_check.h"
#include "video/ffmpeg_util.h"
#include "video/video.h"

namespace parla::video {

struct VideoReader::State {
  std::filesystem::path path;
  ff::InputFormatPtr demuxer;
  ff::CodecContextPtr decoder;
  AVStream* stream = nullptr;  // owned by demuxer
  ff::PacketPtr packet = ff::make_packet();
  ff::FramePtr frame = ff::make_frame();
  ff::FrameToRgb to_rgb;
  VideoInfo info;
  std::int64_t frames_read = 0;
  double frame_time_seconds = 0;

  std::string fail(std::string_view what, int ret) const {
    return std::string(what) + " " + quoted(path) + ": " + ff::error_text(ret);
  }
};

namespace {

double seconds(std::int64_t ts, AVRational time_base) { return ts * av_q2d(time_base); }

// Frames become RGB8 Images: the same size limits as a portrait (docs/limits.md), checked
// on the stream's header and again on every decoded frame, as a stream may change size.
void check_frame_size(const std::filesystem::path& path, std::int64_t width, std::int64_t height) {
  if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels) {
    throw InputError("cannot read video " + quoted(path) + ": a frame of " + std::to_string(width) +
                     "x" + std::to_string(height) + " is larger than the limit of " +
                     std::to_string(kMaxImagePixels / 1'000'000) + " Mpx (" +
                     std::to_string(kMaxImageSide) + " px a side); scale it down first");
  }
}

VideoInfo describe(AVFormatContext* demuxer, AVStream* stream, const AVCodecContext* decoder) {
  VideoInfo info;
  info.width = decoder->width;
  info.height = decoder->height;
  info.codec = avcodec_get_name(decoder->codec_id);
  const AVRational rate = av_guess_frame_rate(demuxer, stream, nullptr);
  info.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) {
    info.duration_seconds = seconds(stream->duration, stream->time_base);
  } else if (demuxer->duration != AV_NOPTS_VALUE && demuxer->duration > 0) {
    info.duration_seconds = demuxer->duration / static_cast<double>(AV_TIME_BASE);
  }
  if (stream->nb_frames > 0) {
    info.frame_count = stream->nb_frames;
  } else if (info.duration_seconds > 0 && info.fps > 0) {
    info.frame_count = std::llround(info.duration_seconds * info.fps);
  }
  for (unsigned i = 0; i < demuxer->nb_streams; ++i) {
    if (demuxer->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) info.has_audio = true;
  }
  return info;
}

}  // namespace

VideoReader::VideoReader(const std::filesystem::path& path) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.path = path;
  check_input_file(path, "video");
  ff::quiet_logging();
  if (auto problem = riff_info_problem(path)) throw InputError("cannot open video " + quoted(path) + ": " + *problem);

  AVFormatContext* raw = nullptr;
  int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (ret < 0) throw InputError(s.fail("cannot open video", ret));
  s.demuxer.reset(raw);
  ret = avformat_find_stream_info(s.demuxer.get(), nullptr);
  if (ret < 0) throw InputError(s.fail("cannot read the streams of", ret));

  const AVCodec* codec = nullptr;
  ret = av_find_best_stream(s.demuxer.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  // An MP3's cover art is a one-picture "video" stream; it is not a video.
  if (ret >= 0 && (s.demuxer->streams[ret]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
    ret = AVERROR_STREAM_NOT_FOUND;
  }
  if (ret == AVERROR_STREAM_NOT_FOUND) throw InputError(quoted(path) + " has no video stream");
  if (ret == AVERROR_DECODER_NOT_FOUND || (ret >= 0 && !codec)) {
    throw InputError(quoted(path) + ": no decoder for its video codec");
  }
  if (ret < 0) throw InputError(s.fail("cannot find a video stream in", ret));
  s.stream = s.demuxer->streams[ret];
  // Only the chosen stream's packets are needed; the demuxer can skip the others.
  for (unsigned i = 0; i < s.demuxer->nb_streams; ++i) {
    if (static_cast<int>(i) != s.stream->index) s.demuxer->streams[i]->discard = AVDISCARD_ALL;
  }

  s.decoder.reset(avcodec_alloc_context3(codec));
  if (!s.decoder) throw Error("out of memory allocating a video decoder");
  ff::check(avcodec_parameters_to_context(s.decoder.get(), s.stream->codecpar),
            "video stream parameters of " + quoted(path));
  s.decoder->pkt_timebase = s.stream->time_base;
  ret = avcodec_open2(s.decoder.get(), codec, nullptr);
  if (ret < 0) throw InputError(s.fail("cannot open the video decoder for", ret));
  s.info = describe(s.demuxer.get(), s.stream, s.decoder.get());
  if (s.info.width <= 0 || s.info.height <= 0) {
    throw InputError(quoted(path) + ": video stream has no frame size");
  }
  check_frame_size(path, s.info.width, s.info.height);
}

VideoReader::~VideoReader() = default;
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;

const VideoInfo& VideoReader::info() const { return state_->info; }
double VideoReader::frame_time_seconds() const { return state_->frame_time_seconds; }
std::int64_t VideoReader::frames_read() const { return state_->frames_read; }

bool VideoReader::read_frame(Image& out) {
  State& s = *state_;
  for (;;) {
    int ret = avcodec_receive_frame(s.decoder.get(), s.frame.get());
    if (ret == AVERROR_EOF) return false;
    if (ret == 0) break;
    if (ret != AVERROR(EAGAIN)) throw Error(s.fail("cannot decode video", ret));

    // The decoder wants input: the next packet of our stream, or the flush packet.
    ret = av_read_frame(s.demuxer.get(), s.packet.get());
    if (ret == AVERROR_EOF) {
      ff::check(avcodec_send_packet(s.decoder.get(), nullptr), "flushing the video decoder");
      continue;
    }
    if (ret < 0) throw Error(s.fail("cannot read video", ret));
    if (s.packet->stream_index == s.stream->index) {
      ret = avcodec_send_packet(s.decoder.get(), s.packet.get());
      av_packet_unref(s.packet.get());
      // A damaged packet costs its picture, not the whole read (as the ffmpeg CLI does).
      if (ret < 0 && ret != AVERROR_INVALIDDATA) throw Error(s.fail("cannot decode video", ret));
    } else {
      av_packet_unref(s.packet.get());
    }
  }

  check_frame_size(s.path, s.frame->width, s.frame->height);
  s.to_rgb.convert(s.frame.get(), out);
  const std::int64_t pts = s.frame->best_effort_timestamp;
  if (pts != AV_NOPTS_VALUE) {
    const std::int64_t start = s.stream->start_time != AV_NOPTS_VALUE ? s.stream->start_time : 0;
    s.frame_time_seconds = seconds(pts - start, s.stream->time_base);
  } else if (s.info.fps > 0) {
    s.frame_time_seconds = s.frames_read / s.info.fps;
  }
  av_frame_unref(s.frame.get());
  ++s.frames_read;
  return true;
}

}  // namespace parla::video
