// AudioDecoder and decode_audio: demux the best audio stream, decode it, and convert
// it with libswresample to interleaved float at the requested rate and channel count.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "audio/audio.h"
#include "audio/av_handles.h"
#include "core/riff_check.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace parla::audio {
namespace fs = std::filesystem;

namespace {

// Consecutive unusable packets after which a stream is treated as ended: a file of
// garbage must not spin forever, and real damage is never this long.
constexpr int kMaxConsecutiveErrors = 1000;

std::string decode_prefix(const fs::path& path) { return "cannot decode audio " + quoted(path); }

}  // namespace

struct AudioDecoder::State {
  fs::path path;
  DecodeParams params;
  AudioInfo info;

  av::FormatContextPtr format;
  av::CodecContextPtr codec;
  av::PacketPtr packet{av_packet_alloc()};
  av::FramePtr frame{av_frame_alloc()};
  int stream_index = -1;

  // The resampler, configured for the input layout/rate/format seen last.
  av::SwrPtr swr;
  AVChannelLayout swr_in_layout{};
  int swr_in_rate = 0;
  int swr_in_format = -1;
  AVChannelLayout out_layout{};

  std::vector<float> pending;  // converted samples not yet handed out (interleaved)
  size_t pending_pos = 0;
  bool demux_done = false;
  bool finished = false;
  int consecutive_errors = 0;
  int64_t skipped = 0;
  int first_error = 0;  // the first decode error's AVERROR, for messages
  int64_t output_samples = 0;  // per channel, handed to `pending` so far

  ~State() {
    av_channel_layout_uninit(&swr_in_layout);
    av_channel_layout_uninit(&out_layout);
  }

  void open();
  bool produce();
  void note_error(int averror);
  void convert(const AVFrame* in);
  void drain_resampler();
  void configure_resampler(const AVFrame* in);
  void append_converted(const uint8_t** in_data, int in_samples);
  void check_source_format(int sample_rate, int channels) const;
  void check_samples(size_t from);
};

void AudioDecoder::State::open() {
  check_input_file(path, "audio");
  std::error_code ec;
  if (fs::file_size(path, ec) == 0 && !ec)
    throw InputError(decode_prefix(path) + ": the file is empty");

  if (auto problem = riff_info_problem(path)) throw InputError(decode_prefix(path) + ": " + *problem);

  AVFormatContext* raw_format = nullptr;
  int ret = avformat_open_input(&raw_format, path.c_str(), nullptr, nullptr);
  if (ret == AVERROR_INVALIDDATA) {
    throw InputError(decode_prefix(path) + ": not an audio or video file");
  }
  if (ret < 0) throw InputError(decode_prefix(path) + ": " + av::error_text(ret));
  format.reset(raw_format);
  // FFmpeg's "tty" demuxer shows any text file as ANSI art; for us it is not media.
  if (std::strcmp(format->iformat->name, "tty") == 0) {
    throw InputError(decode_prefix(path) + ": not an audio or video file");
  }
  ret = avformat_find_stream_info(format.get(), nullptr);
  if (ret < 0) throw InputError(decode_prefix(path) + ": " + av::error_text(ret));

  const AVCodec* decoder = nullptr;
  stream_index = av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
  if (stream_index == AVERROR_STREAM_NOT_FOUND) {
    throw InputError(decode_prefix(path) +
                     (format->nb_streams == 0 ? ": not an audio or video file"
                                              : ": it has no audio stream (video or image only)"));
  }
  if (stream_index < 0 || decoder == nullptr) {
    AVCodecID id = AV_CODEC_ID_NONE;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
      if (format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
        id = format->streams[i]->codecpar->codec_id;
      }
    }
    throw InputError(decode_prefix(path) + ": no decoder for its audio codec '" +
                     avcodec_get_name(id) + "'");
  }
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    if (static_cast<int>(i) != stream_index) format->streams[i]->discard = AVDISCARD_ALL;
  }
  AVStream* stream = format->streams[stream_index];

  codec.reset(avcodec_alloc_context3(decoder));
  if (!codec) throw Error(decode_prefix(path) + ": out of memory");
  ret = avcodec_parameters_to_context(codec.get(), stream->codecpar);
  if (ret >= 0) ret = avcodec_open2(codec.get(), decoder, nullptr);
  if (ret < 0) {
    throw InputError(decode_prefix(path) + ": cannot open its " + decoder->name +
                     " decoder: " + av::error_text(ret));
  }

  info.codec = avcodec_get_name(stream->codecpar->codec_id);
  info.source_sample_rate = stream->codecpar->sample_rate;
  info.source_channels = stream->codecpar->ch_layout.nb_channels;
  if (format->duration != AV_NOPTS_VALUE && format->duration > 0) {
    info.duration_seconds = static_cast<double>(format->duration) / AV_TIME_BASE;
  } else if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) {
    info.duration_seconds = stream->duration * av_q2d(stream->time_base);
  }
  check_source_format(info.source_sample_rate, info.source_channels);
  if (info.duration_seconds > kMaxInputSeconds) {
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.1f", info.duration_seconds / 3600);
    throw InputError(decode_prefix(path) + ": it lasts " + hours +
                     " hours by its header; the limit is " +
                     std::to_string(static_cast<int>(kMaxInputSeconds / 3600)) +
                     " hours per call (split it)");
  }
  av_channel_layout_default(&out_layout, params.channels);
}

// A sample rate or channel count outside what Parla reads is refused in its own words
// (a WAV header claiming 1 Hz turns 64 KB into hours of audio).
void AudioDecoder::State::check_source_format(int sample_rate, int channels) const {
  if (sample_rate < kMinSourceSampleRate || sample_rate > kMaxSourceSampleRate) {
    throw InputError(decode_prefix(path) + ": sample rate " + std::to_string(sample_rate) +
                     " Hz is outside the supported " + std::to_string(kMinSourceSampleRate) +
                     ".." + std::to_string(kMaxSourceSampleRate) + " Hz (a damaged header?)");
  }
  if (channels < 1 || channels > kMaxSourceChannels) {
    throw InputError(decode_prefix(path) + ": " + std::to_string(channels) +
                     " channels; Parla reads 1 to " + std::to_string(kMaxSourceChannels) +
                     " (mix it down first, e.g. ffmpeg -ac 1)");
  }
}

// Non-finite or absurd samples (a float file of NaN, inf or 1e30) are not sound: they
// would turn every feature and every output value into NaN.
void AudioDecoder::State::check_samples(size_t from) {
  for (size_t i = from; i < pending.size(); ++i) {
    float x = pending[i];
    if (std::isfinite(x) && std::fabs(x) <= kMaxSampleMagnitude) continue;
    double seconds = static_cast<double>(output_samples + (i - from) / params.channels) /
                     params.sample_rate;
    char where[64];
    std::snprintf(where, sizeof where, "%.3f s", seconds);
    throw InputError(decode_prefix(path) + ": the sample at " + where + " is " +
                     (std::isnan(x) ? "NaN" : std::isinf(x) ? "infinite" : "beyond full scale x64") +
                     "; samples must be finite and near full scale (+-1)");
  }
  output_samples += static_cast<int64_t>((pending.size() - from) / params.channels);
  if (output_samples > kMaxInputSeconds * params.sample_rate) {
    throw InputError(decode_prefix(path) + ": it lasts more than the limit of " +
                     std::to_string(static_cast<int>(kMaxInputSeconds / 3600)) +
                     " hours per call (split it)");
  }
}

void AudioDecoder::State::note_error(int averror) {
  if (first_error == 0) first_error = averror;
  ++skipped;
  if (++consecutive_errors >= kMaxConsecutiveErrors) demux_done = finished = true;
}

// Decodes until new samples are pending or the stream has ended; returns whether
// samples are pending.
bool AudioDecoder::State::produce() {
  while (!finished) {
    int ret = avcodec_receive_frame(codec.get(), frame.get());
    if (ret == 0) {
      consecutive_errors = 0;
      convert(frame.get());
      av_frame_unref(frame.get());
      if (pending_pos < pending.size()) return true;
      continue;
    }
    if (ret == AVERROR_EOF) {
      drain_resampler();
      finished = true;
      break;
    }
    if (ret != AVERROR(EAGAIN)) {  // a damaged frame: skip it, the decoder resyncs
      note_error(ret);
      continue;
    }
    if (demux_done) {  // the decoder wants input after the flush packet: nothing left
      drain_resampler();
      finished = true;
      break;
    }
    ret = av_read_frame(format.get(), packet.get());
    if (ret == AVERROR_EOF || (ret < 0 && format->pb && avio_feof(format->pb))) {
      demux_done = true;
      avcodec_send_packet(codec.get(), nullptr);  // enter draining mode
      continue;
    }
    if (ret == AVERROR_INVALIDDATA) {  // demuxer lost sync in damaged data
      note_error(ret);
      continue;
    }
    av::check(ret, decode_prefix(path) + ": read failed");
    if (packet->stream_index == stream_index) {
      ret = avcodec_send_packet(codec.get(), packet.get());
      if (ret < 0 && ret != AVERROR(EAGAIN)) note_error(ret);
    }
    av_packet_unref(packet.get());
  }
  return pending_pos < pending.size();
}

void AudioDecoder::State::convert(const AVFrame* in) {
  if (in->nb_samples <= 0) return;
  AVChannelLayout layout{};
  if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    av_channel_layout_default(&layout, in->ch_layout.nb_channels);
  } else {
    av_channel_layout_copy(&layout, &in->ch_layout);
  }
  bool same = swr && in->sample_rate == swr_in_rate && in->format == swr_in_format &&
              av_channel_layout_compare(&layout, &swr_in_layout) == 0;
  av_channel_layout_uninit(&layout);
  if (!same) configure_resampler(in);
  append_converted(const_cast<const uint8_t**>(in->extended_data), in->nb_samples);
}

// swr_convert's input is `const uint8_t**` in FFmpeg 5.1, hence the const_cast by callers.
void AudioDecoder::State::append_converted(const uint8_t** in_data, int in_samples) {
  int capacity = swr_get_out_samples(swr.get(), in_samples);
  if (capacity <= 0) return;
  if (pending_pos == pending.size()) {
    pending.clear();
    pending_pos = 0;
  }
  size_t old_size = pending.size();
  pending.resize(old_size + static_cast<size_t>(capacity) * params.channels);
  auto* out = reinterpret_cast<uint8_t*>(pending.data() + old_size);
  int got = av::check(swr_convert(swr.get(), &out, capacity, in_data, in_samples),
                      decode_prefix(path) + ": resampling failed");
  pending.resize(old_size + static_cast<size_t>(got) * params.channels);
  check_samples(old_size);
}

void AudioDecoder::State::drain_resampler() {
  if (swr) append_converted(nullptr, 0);
}

// (Re)builds the resampler for the input's layout, rate and sample format; a stream
// that changes them mid-way first drains the old one so no sample is lost.
void AudioDecoder::State::configure_resampler(const AVFrame* in) {
  drain_resampler();
  av_channel_layout_uninit(&swr_in_layout);
  if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    av_channel_layout_default(&swr_in_layout, in->ch_layout.nb_channels);
  } else {
    av_channel_layout_copy(&swr_in_layout, &in->ch_layout);
  }
  swr_in_rate = in->sample_rate;
  swr_in_format = in->format;
  check_source_format(in->sample_rate, swr_in_layout.nb_channels);

  SwrContext* raw = nullptr;
  av::check(
      swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, params.sample_rate, &swr_in_layout,
                          static_cast<AVSampleFormat>(in->format), in->sample_rate, 0, nullptr),
      decode_prefix(path) + ": cannot set up the resampler");
  swr.reset(raw);
  if (swr_in_layout.nb_channels == 1) {
    // A mono source goes unchanged into every output channel (swresample's default
    // would place it at -3 dB as a centre channel).
    std::vector<double> ones(static_cast<size_t>(params.channels), 1.0);
    av::check(swr_set_matrix(swr.get(), ones.data(), 1),
              decode_prefix(path) + ": cannot set up the resampler");
  } else {
    // Normalise the downmix so no channel sum exceeds full scale: stereo to mono is
    // (L + R) / 2, not the unnormalised (L + R) / sqrt(2).
    av_opt_set_double(swr.get(), "rematrix_maxval", 1.0, 0);
  }
  av::check(swr_init(swr.get()), decode_prefix(path) + ": cannot set up the resampler");
}

AudioDecoder::AudioDecoder(const fs::path& path, DecodeParams params)
    : state_(std::make_unique<State>()) {
  if (params.sample_rate < 8000 || params.sample_rate > 384000 || params.channels < 1 ||
      params.channels > 8) {
    throw Error("invalid DecodeParams: sample_rate " + std::to_string(params.sample_rate) +
                " Hz (8000..384000), channels " + std::to_string(params.channels) + " (1..8)");
  }
  av::silence_log();
  state_->path = path;
  state_->params = params;
  if (!state_->packet || !state_->frame) throw Error(decode_prefix(path) + ": out of memory");
  state_->open();
  // Decode up to the first sample now, so corrupt or empty audio is an input error
  // raised while opening rather than a surprise later.
  bool has_samples = false;
  try {
    has_samples = state_->produce();
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(e.what());
  }
  if (!has_samples) {
    if (state_->first_error != 0) {
      throw InputError(decode_prefix(path) + ": corrupt or truncated audio (" +
                       av::error_text(state_->first_error) + ")");
    }
    if (state_->info.duration_seconds > 0.05) {  // the header promised audio
      char promised[32];
      std::snprintf(promised, sizeof promised, "%.2f", state_->info.duration_seconds);
      throw InputError(decode_prefix(path) + ": corrupt or truncated audio (the header says " +
                       promised + " s, no sample decodes)");
    }
    throw InputError(decode_prefix(path) + ": it contains no audio samples");
  }
}

AudioDecoder::~AudioDecoder() = default;
AudioDecoder::AudioDecoder(AudioDecoder&&) noexcept = default;
AudioDecoder& AudioDecoder::operator=(AudioDecoder&&) noexcept = default;

size_t AudioDecoder::read(std::span<float> out) {
  const size_t channels = static_cast<size_t>(state_->params.channels);
  if (out.size() < channels) {
    throw Error("AudioDecoder::read: the buffer holds " + std::to_string(out.size()) +
                " samples, fewer than one per channel (" + std::to_string(channels) + ")");
  }
  const size_t wanted = out.size() / channels * channels;
  size_t written = 0;
  State& s = *state_;
  while (written < wanted) {
    if (s.pending_pos == s.pending.size() && !s.produce()) break;
    size_t n = std::min(wanted - written, s.pending.size() - s.pending_pos);
    std::copy_n(s.pending.data() + s.pending_pos, n, out.data() + written);
    s.pending_pos += n;
    written += n;
  }
  return written;
}

const AudioInfo& AudioDecoder::info() const { return state_->info; }
const DecodeParams& AudioDecoder::params() const { return state_->params; }
int64_t AudioDecoder::skipped_packets() const { return state_->skipped; }

std::vector<float> decode_audio(const fs::path& path, DecodeParams params) {
  AudioDecoder decoder(path, params);
  constexpr size_t kChunk = 1 << 16;
  std::vector<float> pcm;
  double expected = decoder.info().duration_seconds * params.sample_rate * params.channels;
  if (expected > 0 && expected < 4e9) pcm.reserve(static_cast<size_t>(expected * 1.01) + kChunk);
  for (;;) {
    size_t old_size = pcm.size();
    pcm.resize(old_size + kChunk);
    size_t n = decoder.read({pcm.data() + old_size, kChunk});
    pcm.resize(old_size + n);
    if (n == 0) break;
  }
  return pcm;
}

float peak_dbfs(std::span<const float> samples) {
  float peak = 0.f;
  for (float x : samples) peak = std::max(peak, std::fabs(x));
  return peak < 1e-5f ? -100.f : 20.f * std::log10(peak);
}

}  // namespace parla::audio
