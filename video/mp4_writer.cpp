// Mp4Writer: RGB frames + float PCM -> H.264 + AAC in a faststart MP4. Modelled on
// FFmpeg's doc/examples/mux.c: one encode() send/receive loop per packet source,
// timestamps rescaled from encoder to stream time base, interleaved muxing. With
// queue_frames > 0 the encoding and muxing move to a writer thread fed by a bounded job
// queue (frames already converted to YUV, audio chunks), in the order written.
#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "video/ffmpeg_util.h"
#include "video/video.h"

#include <optional>

extern "C" {
#include <libavutil/opt.h>
}

namespace parla::video {
namespace {

constexpr std::array<std::string_view, 10> kX264Presets = {
    "ultrafast", "superfast", "veryfast", "faster",   "fast",
    "medium",    "slow",      "slower",   "veryslow", "placebo"};
constexpr std::array<std::string_view, 8> kX264Tunes = {
    "film", "animation", "grain", "stillimage", "psnr", "ssim", "fastdecode", "zerolatency"};
constexpr int kFallbackAudioRate = 48000;  // Hz, when AAC has no profile for the input rate
constexpr int kAudioChunkSamples = 4096;   // per channel; bounds the resampling buffer

std::string joined(std::span<const std::string_view> names) {
  std::string text;
  for (std::string_view name : names) text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

// check_encoder_settings with `where` before each message.
void check_encoder_settings_in(const Mp4Params& p, const std::string& where) {
  if (!(p.fps > 0 && p.fps <= 1000)) {
    throw InputError(where + "fps " + std::to_string(p.fps) + " must be in (0, 1000]");
  }
  if (p.crf < 0 || p.crf > 51) {
    throw InputError(where + "crf " + std::to_string(p.crf) + " must be in 0..51");
  }
  if (std::find(kX264Presets.begin(), kX264Presets.end(), p.preset) == kX264Presets.end()) {
    throw InputError(where + "unknown x264 preset '" + p.preset + "' (" + joined(kX264Presets) + ")");
  }
  if (!p.tune.empty() && std::find(kX264Tunes.begin(), kX264Tunes.end(), p.tune) == kX264Tunes.end()) {
    throw InputError(where + "unknown x264 tune '" + p.tune + "' (" + joined(kX264Tunes) + ")");
  }
  if (p.encoder_threads < 0 || p.encoder_threads > 64) {
    throw InputError(where + "encoder_threads " + std::to_string(p.encoder_threads) +
                     " must be in 0..64");
  }
  if (p.queue_frames < 0) throw InputError(where + "queue_frames must not be negative");
}

void validate(const std::filesystem::path& path, const Mp4Params& p) {
  const std::string where = "MP4 output " + quoted(path) + ": ";
  if (p.width <= 0 || p.height <= 0 || p.width % 2 || p.height % 2) {
    throw InputError(where + "frame size " + std::to_string(p.width) + "x" +
                     std::to_string(p.height) + " must be positive and even (yuv420p)");
  }
  check_encoder_settings_in(p, where);
  if (p.audio_rate < 0 || p.audio_rate > 384000) {
    throw InputError(where + "audio_rate " + std::to_string(p.audio_rate) +
                     " Hz must be 0 (no audio) or a positive rate");
  }
  if (p.audio_rate > 0 && p.audio_channels != 1 && p.audio_channels != 2) {
    throw InputError(where + "audio_channels must be 1 or 2, got " +
                     std::to_string(p.audio_channels));
  }
  if (p.audio_rate > 0 && p.audio_bitrate <= 0) {
    throw InputError(where + "audio_bitrate must be positive");
  }
}

// The input rate when the AAC encoder supports it, else kFallbackAudioRate.
int aac_rate_for(const AVCodec* codec, int input_rate) {
  if (!codec->supported_samplerates) return input_rate;
  for (const int* rate = codec->supported_samplerates; *rate; ++rate) {
    if (*rate == input_rate) return input_rate;
  }
  return kFallbackAudioRate;
}

}  // namespace

std::span<const std::string_view> x264_presets() { return kX264Presets; }
std::span<const std::string_view> x264_tunes() { return kX264Tunes; }
void check_encoder_settings(const Mp4Params& params) { check_encoder_settings_in(params, ""); }

struct Mp4Writer::State {
  std::filesystem::path path;
  Mp4Params params;
  ff::OutputFormatPtr muxer;
  ff::PacketPtr packet = ff::make_packet();

  ff::CodecContextPtr video_encoder;
  AVStream* video_stream = nullptr;  // owned by muxer
  ff::FramePtr yuv_frame;
  std::unique_ptr<ff::RgbToYuv420> rgb_to_yuv;
  std::int64_t frames_written = 0;

  ff::CodecContextPtr audio_encoder;  // null when params.audio_rate == 0
  AVStream* audio_stream = nullptr;   // owned by muxer
  ff::SwrPtr resampler;               // interleaved float -> planar float at the AAC rate
  ff::AudioFifoPtr fifo;              // resampled PCM waiting for a full AAC frame
  ff::FramePtr audio_frame;
  std::array<std::vector<float>, 2> planes;  // resampler output, one per channel
  std::int64_t audio_samples_sent = 0;       // per channel, at the AAC rate: the next pts

  bool finished = false;

  // Writer thread (queue_frames > 0). The caller's thread fills YUV frames taken from
  // `spare_frames` and queues jobs; the writer thread encodes them in order and hands
  // the frames back.
  struct Job {
    ff::FramePtr frame;       // a video frame, or null for audio
    std::vector<float> pcm;   // interleaved audio at params.audio_rate
  };
  std::mutex mutex;                      // guards every field below
  std::condition_variable job_queued;    // writer thread waits for jobs (or closing)
  std::condition_variable room;          // caller waits for queue room or a spare frame
  std::deque<Job> jobs;
  std::vector<ff::FramePtr> spare_frames;
  int frames_allocated = 0;              // YUV frames in jobs, spare or being encoded
  bool closing = false;                  // finish(): drain the queue, then exit
  bool abandon = false;                  // destruction without finish(): exit now
  std::exception_ptr failure;            // the writer thread's exception, rethrown to the caller
  std::thread thread;

  State(const std::filesystem::path& path_in, Mp4Params params_in)
      : path(path_in), params(std::move(params_in)) {}
  ~State() { stop_thread(/*drain=*/false); }

  std::string context(std::string_view what) const {
    return std::string(what) + " " + quoted(path);
  }

  void open_muxer();
  void add_video_stream();
  void add_audio_stream();
  void write_header();
  void encode(AVCodecContext* encoder, AVStream* stream, const AVFrame* frame);
  void resample_into_fifo(const float* interleaved, int samples_per_channel);
  void encode_audio_from_fifo(bool include_partial_frame);
  void encode_audio(std::span<const float> samples);

  void run_thread();
  ff::FramePtr take_spare_frame();
  void queue(Job job);
  // RGB -> YUV of the whole frame, or of `changed` over the previous one (write_frame's
  // contract: once a caller gives rectangles, it gives one for every frame).
  void convert(const Image& rgb, AVFrame* yuv, const std::optional<std::array<int, 4>>& changed) {
    if (changed) {
      rgb_to_yuv->convert_changed(rgb, yuv, *changed);
    } else {
      rgb_to_yuv->convert(rgb, yuv);
    }
  }
  void stop_thread(bool drain);
  void rethrow_failure() {
    if (failure) std::rethrow_exception(failure);
  }
};

// The writer thread: encodes jobs in order until closed (after draining) or abandoned;
// its first exception is kept for the caller and ends it.
void Mp4Writer::State::run_thread() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex);
      job_queued.wait(lock, [&] { return abandon || closing || !jobs.empty(); });
      if (abandon || jobs.empty()) return;
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    room.notify_one();
    try {
      if (job.frame) {
        encode(video_encoder.get(), video_stream, job.frame.get());
      } else {
        encode_audio(job.pcm);
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      failure = std::current_exception();
      room.notify_all();
      return;
    }
    if (job.frame) {
      std::lock_guard lock(mutex);
      spare_frames.push_back(std::move(job.frame));
      room.notify_one();
    }
  }
}

// A YUV frame for the caller to fill: a spare one, a new one while fewer than
// queue_frames + 1 exist, else waits for the writer thread to return one.
ff::FramePtr Mp4Writer::State::take_spare_frame() {
  std::unique_lock lock(mutex);
  room.wait(lock, [&] {
    return failure || !spare_frames.empty() || frames_allocated < params.queue_frames + 1;
  });
  rethrow_failure();
  if (!spare_frames.empty()) {
    ff::FramePtr frame = std::move(spare_frames.back());
    spare_frames.pop_back();
    return frame;
  }
  ++frames_allocated;
  lock.unlock();
  ff::FramePtr frame = ff::make_frame();
  frame->format = video_encoder->pix_fmt;
  frame->width = video_encoder->width;
  frame->height = video_encoder->height;
  ff::check(av_frame_get_buffer(frame.get(), 0), "allocating a video frame");
  return frame;
}

// Appends a job, waiting while the queue is full (frames are bounded by the spare
// pool; the job count bounds audio).
void Mp4Writer::State::queue(Job job) {
  const size_t max_jobs = 4 * static_cast<size_t>(params.queue_frames) + 16;
  {
    std::unique_lock lock(mutex);
    room.wait(lock, [&] { return failure || jobs.size() < max_jobs; });
    rethrow_failure();
    jobs.push_back(std::move(job));
  }
  job_queued.notify_one();
}

// Joins the writer thread: after it has encoded every queued job (`drain`), or at once.
void Mp4Writer::State::stop_thread(bool drain) {
  if (!thread.joinable()) return;
  {
    std::lock_guard lock(mutex);
    (drain ? closing : abandon) = true;
  }
  job_queued.notify_all();
  thread.join();
}

void Mp4Writer::State::open_muxer() {
  AVFormatContext* raw = nullptr;
  // "mp4" by name: the caller's temporary path keeps .mp4, but the format must not
  // depend on it.
  ff::check(avformat_alloc_output_context2(&raw, nullptr, "mp4", path.c_str()),
            context("creating MP4 muxer for"));
  muxer.reset(raw);
  int ret = avio_open(&muxer->pb, path.c_str(), AVIO_FLAG_WRITE);
  if (ret < 0) throw InputError("cannot write " + quoted(path) + ": " + ff::error_text(ret));
}

void Mp4Writer::State::add_video_stream() {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) throw Error("FFmpeg was built without libx264");
  video_encoder.reset(avcodec_alloc_context3(codec));
  if (!video_encoder) throw Error("out of memory allocating the H.264 encoder");
  AVCodecContext* enc = video_encoder.get();
  enc->width = params.width;
  enc->height = params.height;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->framerate = av_d2q(params.fps, 1 << 20);
  enc->time_base = av_inv_q(enc->framerate);  // one tick per frame: pts = frame index
  enc->sample_aspect_ratio = AVRational{1, 1};
  // Tags matching RgbToYuv420, so browsers and VideoReader invert the same matrix.
  enc->color_range = AVCOL_RANGE_MPEG;
  enc->colorspace = AVCOL_SPC_BT709;
  enc->color_primaries = AVCOL_PRI_BT709;
  enc->color_trc = AVCOL_TRC_BT709;
  if (muxer->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  ff::check(av_opt_set(enc->priv_data, "preset", params.preset.c_str(), 0), "x264 preset");
  if (!params.tune.empty()) {
    ff::check(av_opt_set(enc->priv_data, "tune", params.tune.c_str(), 0), "x264 tune");
  }
  ff::check(av_opt_set_double(enc->priv_data, "crf", params.crf, 0), "x264 crf");
  // Fragmented: a keyframe, and so a fragment, every second (x264's default is every 10
  // s): the file grows as it is recorded and the muxer holds at most a second of tables.
  if (params.fragmented) enc->gop_size = std::max(1, static_cast<int>(std::lround(params.fps)));
  // libx264's codec defaults set thread_count to 0 (x264 picks 1.5 x cores frame
  // threads); state it so the output depends on the params, not the machine.
  enc->thread_count = params.encoder_threads;
  enc->thread_type = params.sliced_threads ? FF_THREAD_SLICE : FF_THREAD_FRAME;
  ff::check(avcodec_open2(enc, codec, nullptr), "opening the H.264 encoder");

  video_stream = avformat_new_stream(muxer.get(), nullptr);
  if (!video_stream) throw Error("out of memory adding the video stream");
  video_stream->time_base = enc->time_base;  // a hint; the muxer may refine it
  video_stream->avg_frame_rate = enc->framerate;
  ff::check(avcodec_parameters_from_context(video_stream->codecpar, enc),
            "video stream parameters");

  yuv_frame = ff::make_frame();
  yuv_frame->format = enc->pix_fmt;
  yuv_frame->width = enc->width;
  yuv_frame->height = enc->height;
  ff::check(av_frame_get_buffer(yuv_frame.get(), 0), "allocating a video frame");
  rgb_to_yuv = std::make_unique<ff::RgbToYuv420>(params.width, params.height);
}

void Mp4Writer::State::add_audio_stream() {
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  if (!codec) throw Error("FFmpeg was built without its native AAC encoder");
  audio_encoder.reset(avcodec_alloc_context3(codec));
  if (!audio_encoder) throw Error("out of memory allocating the AAC encoder");
  AVCodecContext* enc = audio_encoder.get();
  const int channels = params.audio_channels;
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;  // the only format FFmpeg's aac encoder takes
  enc->sample_rate = aac_rate_for(codec, params.audio_rate);
  av_channel_layout_default(&enc->ch_layout, channels);
  // The encoder clamps (with a warning) above 6144 bits per channel per 1024 samples.
  const std::int64_t max_bitrate = std::int64_t{6144} * channels * enc->sample_rate / 1024;
  enc->bit_rate = std::min<std::int64_t>(params.audio_bitrate, max_bitrate);
  enc->time_base = AVRational{1, enc->sample_rate};  // pts counts samples
  if (muxer->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  ff::check(avcodec_open2(enc, codec, nullptr), "opening the AAC encoder");

  audio_stream = avformat_new_stream(muxer.get(), nullptr);
  if (!audio_stream) throw Error("out of memory adding the audio stream");
  audio_stream->time_base = enc->time_base;
  ff::check(avcodec_parameters_from_context(audio_stream->codecpar, enc),
            "audio stream parameters");

  AVChannelLayout in_layout;
  av_channel_layout_default(&in_layout, channels);
  SwrContext* raw = nullptr;
  ff::check(swr_alloc_set_opts2(&raw, &enc->ch_layout, enc->sample_fmt, enc->sample_rate,
                                &in_layout, AV_SAMPLE_FMT_FLT, params.audio_rate, 0, nullptr),
            "configuring the audio resampler");
  resampler.reset(raw);
  ff::check(swr_init(resampler.get()), "initialising the audio resampler");

  fifo.reset(av_audio_fifo_alloc(enc->sample_fmt, channels, enc->frame_size));
  if (!fifo) throw Error("out of memory allocating the audio FIFO");
  audio_frame = ff::make_frame();
  audio_frame->format = enc->sample_fmt;
  audio_frame->sample_rate = enc->sample_rate;
  ff::check(av_channel_layout_copy(&audio_frame->ch_layout, &enc->ch_layout), "audio layout");
  audio_frame->nb_samples = enc->frame_size;
  ff::check(av_frame_get_buffer(audio_frame.get(), 0), "allocating an audio frame");
}

void Mp4Writer::State::write_header() {
  AVDictionary* options = nullptr;
  // faststart: the muxer rewrites the file at the trailer so moov precedes mdat and
  // a browser can start playing before the whole file has arrived. Fragmented: the
  // muxer keeps only the current fragment's sample tables in memory; the moov waits for
  // the first fragment (delay_moov, a second in) so it can carry the edit lists that put
  // the video's first frame and the audio's first real sample (after AAC's priming) at
  // time 0 — empty_moov would start the video 80 ms late and the audio 64 ms early.
  av_dict_set(&options, "movflags",
              params.fragmented ? "+frag_keyframe+delay_moov+default_base_moof" : "+faststart", 0);
  int ret = avformat_write_header(muxer.get(), &options);
  av_dict_free(&options);
  ff::check(ret, context("writing the MP4 header of"));
}

// Sends one frame (nullptr = flush) and muxes every packet the encoder has ready.
// EAGAIN (wants more input) and EOF (fully flushed) both end the loop normally.
void Mp4Writer::State::encode(AVCodecContext* encoder, AVStream* stream, const AVFrame* frame) {
  ff::check(avcodec_send_frame(encoder, frame), context("encoding for"));
  for (;;) {
    int ret = avcodec_receive_packet(encoder, packet.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    ff::check(ret, context("encoding for"));
    // libx264 leaves packet durations unset; state each frame's one tick rather than
    // rely on the muxer's guess for the last frame (which sets the track's end).
    if (packet->duration == 0 && encoder == video_encoder.get()) packet->duration = 1;
    av_packet_rescale_ts(packet.get(), encoder->time_base, stream->time_base);
    packet->stream_index = stream->index;
    // Takes the packet's reference and leaves it blank for the next receive.
    ff::check(av_interleaved_write_frame(muxer.get(), packet.get()), context("writing"));
  }
}

void Mp4Writer::State::resample_into_fifo(const float* interleaved, int samples_per_channel) {
  const int capacity = swr_get_out_samples(resampler.get(), samples_per_channel);
  ff::check(capacity, "sizing the resampler output");
  std::array<uint8_t*, 2> out{};
  for (int c = 0; c < params.audio_channels; ++c) {
    planes[c].resize(static_cast<size_t>(capacity));
    out[c] = reinterpret_cast<uint8_t*>(planes[c].data());
  }
  const uint8_t* in = reinterpret_cast<const uint8_t*>(interleaved);
  const int produced = ff::check(swr_convert(resampler.get(), out.data(), capacity,
                                             interleaved ? &in : nullptr, samples_per_channel),
                                 "resampling audio");
  if (produced == 0) return;
  ff::check(av_audio_fifo_write(fifo.get(), reinterpret_cast<void**>(out.data()), produced),
            "buffering audio");
}

// Encodes every whole AAC frame in the FIFO, and at the end the remainder: the
// encoder accepts one short last frame and pads it itself.
void Mp4Writer::State::encode_audio_from_fifo(bool include_partial_frame) {
  AVCodecContext* enc = audio_encoder.get();
  for (;;) {
    const int available = av_audio_fifo_size(fifo.get());
    if (available == 0 || (available < enc->frame_size && !include_partial_frame)) return;
    const int count = std::min(available, enc->frame_size);
    ff::check(av_frame_make_writable(audio_frame.get()), "audio frame");
    audio_frame->nb_samples = count;
    ff::check(av_audio_fifo_read(fifo.get(), reinterpret_cast<void**>(audio_frame->data), count),
              "reading buffered audio");
    audio_frame->pts = audio_samples_sent;
    audio_samples_sent += count;
    encode(enc, audio_stream, audio_frame.get());
  }
}

Mp4Writer::Mp4Writer(const std::filesystem::path& path, Mp4Params params)
    : state_(std::make_unique<State>(path, std::move(params))) {
  validate(path, state_->params);
  ff::quiet_logging();
  State& s = *state_;
  s.open_muxer();
  s.add_video_stream();
  if (s.params.audio_rate > 0) s.add_audio_stream();
  s.write_header();
  if (s.params.queue_frames > 0) s.thread = std::thread([&s] { s.run_thread(); });
}

Mp4Writer::~Mp4Writer() = default;

void Mp4Writer::write_frame(const Image& frame) { write_frame(frame, std::nullopt); }

void Mp4Writer::write_frame(const Image& frame, std::optional<std::array<int, 4>> changed) {
  State& s = *state_;
  if (s.finished) throw Error(s.context("write_frame after finish() on"));
  if (frame.width != s.params.width || frame.height != s.params.height ||
      frame.rgb.size() != static_cast<size_t>(frame.width) * frame.height * 3) {
    throw InputError("frame " + std::to_string(s.frames_written) + " for " + quoted(s.path) +
                     " is " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                     " (" + std::to_string(frame.rgb.size()) + " bytes); expected " +
                     std::to_string(s.params.width) + "x" + std::to_string(s.params.height) +
                     " RGB8");
  }
  if (s.thread.joinable()) {
    ff::FramePtr yuv = s.take_spare_frame();
    ff::check(av_frame_make_writable(yuv.get()), "video frame");
    s.convert(frame, yuv.get(), changed);
    yuv->pts = s.frames_written;
    s.queue({.frame = std::move(yuv), .pcm = {}});
    ++s.frames_written;
    return;
  }
  // The encoder may still hold a reference to the previous picture.
  ff::check(av_frame_make_writable(s.yuv_frame.get()), "video frame");
  s.convert(frame, s.yuv_frame.get(), changed);
  s.yuv_frame->pts = s.frames_written;
  s.encode(s.video_encoder.get(), s.video_stream, s.yuv_frame.get());
  ++s.frames_written;
}

void Mp4Writer::write_audio(std::span<const float> samples) {
  State& s = *state_;
  if (s.finished) throw Error(s.context("write_audio after finish() on"));
  if (!s.audio_encoder) {
    throw Error(s.context("write_audio with audio_rate 0 (no audio stream) on"));
  }
  const int channels = s.params.audio_channels;
  if (samples.size() % channels) {
    throw InputError("audio for " + quoted(s.path) + ": " + std::to_string(samples.size()) +
                     " samples is not a multiple of " + std::to_string(channels) + " channels");
  }
  // The AAC encoder rejects NaN/Inf mid-stream with a bare EINVAL; say which sample.
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(samples[i])) {
      throw InputError("audio for " + quoted(s.path) + ": sample " + std::to_string(i) +
                       " of this chunk is not finite");
    }
  }
  if (s.thread.joinable()) {
    s.queue({.frame = nullptr, .pcm = std::vector<float>(samples.begin(), samples.end())});
  } else {
    s.encode_audio(samples);
  }
}

void Mp4Writer::State::encode_audio(std::span<const float> samples) {
  const int channels = params.audio_channels;
  for (size_t offset = 0; offset < samples.size();) {
    const size_t count =
        std::min<size_t>(samples.size() - offset, size_t{kAudioChunkSamples} * channels);
    resample_into_fifo(samples.data() + offset, static_cast<int>(count / channels));
    encode_audio_from_fifo(/*include_partial_frame=*/false);
    offset += count;
  }
}

void Mp4Writer::finish() {
  State& s = *state_;
  if (s.finished) return;
  if (s.frames_written == 0) throw Error(s.context("finish() with no frames written to"));
  s.stop_thread(/*drain=*/true);
  s.rethrow_failure();
  if (s.audio_encoder) {
    s.resample_into_fifo(nullptr, 0);  // the resampler's delayed tail
    s.encode_audio_from_fifo(/*include_partial_frame=*/true);
    s.encode(s.audio_encoder.get(), s.audio_stream, nullptr);
  }
  s.encode(s.video_encoder.get(), s.video_stream, nullptr);
  ff::check(av_write_trailer(s.muxer.get()), s.context("writing the MP4 trailer of"));
  ff::check(avio_closep(&s.muxer->pb), s.context("closing"));
  s.finished = true;
}

std::int64_t Mp4Writer::frames_written() const { return state_->frames_written; }

}  // namespace parla::video
