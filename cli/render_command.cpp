// `parla render PORTRAIT AUDIO -o OUT.mp4`: the main job — portrait + speech → MP4.
//
// Three stages overlap (docs/video_output.md "Pipelined render"): a motion thread
// (streaming decode → features → generator) feeds a bounded MotionChannel; this thread
// renders each frame, converts it to YUV and queues it with the audio beside it; the
// Mp4Writer's thread encodes and muxes. Memory stays flat for any length. An exception
// on any thread reaches this one; the others are stopped and joined, the temporary
// output is removed.
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "audio/audio.h"
#include "cli/audio_input.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "cli/portrait.h"
#include "cli/progress.h"
#include "cli/render_job.h"
#include "cli/text_hint.h"
#include "video/video.h"

namespace parla::cli {
namespace {

constexpr size_t kMuxChunkSamples = 4800;  // 0.1 s at 48 kHz
constexpr int kEncoderQueueFrames = 8;     // YUV frames waiting for the encoder thread
// x264 frame threads on this machine's two cores beside the render thread
// (docs/benchmarks.md "Encoder settings").
constexpr int kEncoderThreads = 2;
// superfast at crf 20: ~1.5 ms CPU a frame less than veryfast at 512², +1.7 dB PSNR
// against a lossless reference, ~1.9x the file size (docs/benchmarks.md).
constexpr const char* kDefaultPreset = "superfast";

// Streams the audio to mux alongside the frames, keeping audio just ahead of video.
class AudioFeed {
 public:
  AudioFeed(const std::filesystem::path& path, int channels)
      : decoder_(path, {.sample_rate = 48000, .channels = channels}), channels_(channels) {}
  // Writes audio until `seconds` of it have been written (or the file ends).
  void write_until(video::Mp4Writer& writer, double seconds) {
    auto target = static_cast<std::int64_t>(std::ceil(seconds * 48000.0));
    while (!done_ && written_frames_ < target) {
      size_t n = decoder_.read(chunk_);
      if (n == 0) {
        done_ = true;
        break;
      }
      writer.write_audio({chunk_.data(), n});
      written_frames_ += static_cast<std::int64_t>(n / channels_);
    }
  }
  double container_seconds() const { return decoder_.info().duration_seconds; }

 private:
  audio::AudioDecoder decoder_;
  int channels_;
  std::vector<float> chunk_ = std::vector<float>(kMuxChunkSamples * 2);
  std::int64_t written_frames_ = 0;  // sample frames (per channel)
  bool done_ = false;
};

// Thrown inside the motion thread when the render thread has stopped listening.
struct MotionCancelled {};

// Runs of motion frames from the motion thread (producer) to the render thread
// (consumer), at most kCapacity runs (~1 s of motion each) waiting. All fields are
// guarded by mutex_.
class MotionChannel {
 public:
  struct Run {
    std::vector<MotionFrame> frames;  // 25 fps, clamped
    std::int64_t samples_decoded = 0;  // 16 kHz samples decoded when the run was emitted
  };
  // Producer: blocks while full; throws MotionCancelled once the consumer has gone.
  void push(Run run) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || runs_.size() < kCapacity; });
    if (cancelled_) throw MotionCancelled{};
    runs_.push_back(std::move(run));
    changed_.notify_all();
  }
  // Producer: the end, with the exception that ended it (or null).
  void close(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    error_ = error;
    changed_.notify_all();
  }
  // Consumer: the next run; false at the end (rethrowing the producer's exception).
  bool pop(Run& run) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || !runs_.empty(); });
    if (!runs_.empty()) {
      run = std::move(runs_.front());
      runs_.pop_front();
      changed_.notify_all();
      return true;
    }
    if (error_) std::rethrow_exception(error_);
    return false;
  }
  // Consumer: stop the producer (its next push throws MotionCancelled).
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }

 private:
  static constexpr size_t kCapacity = 8;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Run> runs_;
  bool closed_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
};

// The motion thread: generates into the channel; the destructor cancels and joins it
// (on the way out of an exception too).
class MotionThread {
 public:
  MotionThread(MotionChannel& channel, const std::filesystem::path& audio_path,
               fusion::MotionGenerator& generator, bool allow_silence, AudioScan& scan)
      : channel_(channel) {
    thread_ = std::thread([&channel, audio_path, &generator, allow_silence, &scan] {
      try {
        stream_motion_from_audio(audio_path, generator, allow_silence, /*show_progress=*/false, scan,
                                 [&](std::span<const MotionFrame> frames, std::int64_t decoded) {
                                   channel.push({{frames.begin(), frames.end()}, decoded});
                                 });
        channel.close(nullptr);
      } catch (const MotionCancelled&) {
        channel.close(nullptr);
      } catch (...) {
        channel.close(std::current_exception());
      }
    });
  }
  ~MotionThread() {
    channel_.cancel();
    thread_.join();
  }
  MotionThread(const MotionThread&) = delete;
  MotionThread& operator=(const MotionThread&) = delete;

 private:
  MotionChannel& channel_;
  std::thread thread_;
};

// Output frames of generated motion, sampled exactly as MotionTrack::sample samples the
// whole track, holding only the frames around the current time. Render thread only;
// `scan` is read once the channel has ended (the motion thread has finished with it).
class StreamedMotion {
 public:
  StreamedMotion(MotionChannel& channel, const AudioScan& scan, double fps)
      : channel_(channel), scan_(scan), fps_(fps) {}

  // Whether output frame `index` exists (it starts before the audio's end), waiting for
  // the motion that decides it; when true, sample(index) is ready.
  bool has_frame(std::int64_t index) {
    for (;;) {
      if (ended_) return index < frame_count();
      auto lower = static_cast<std::int64_t>(std::floor(index / fps_ * kMotionFps));
      if (window_start_ + static_cast<std::int64_t>(window_.size()) >= lower + 2 &&
          index < frames_for(samples_decoded_)) {
        return true;
      }
      MotionChannel::Run run;
      if (!channel_.pop(run)) {
        ended_ = true;
        continue;
      }
      window_.insert(window_.end(), run.frames.begin(), run.frames.end());
      samples_decoded_ = run.samples_decoded;
    }
  }

  MotionFrame sample(std::int64_t index) {
    const std::int64_t total = window_start_ + static_cast<std::int64_t>(window_.size());
    if (total == 0) return neutral_frame();
    double position = (index / fps_) * kMotionFps;
    if (ended_) position = std::clamp(position, 0.0, static_cast<double>(total - 1));
    auto lower = static_cast<std::int64_t>(std::floor(position));
    std::int64_t upper = std::min(lower + 1, total - 1);
    auto weight = static_cast<float>(position - lower);
    // Earlier frames are never needed again: output times only grow.
    const std::int64_t drop = std::min<std::int64_t>(lower - window_start_, static_cast<std::int64_t>(window_.size()) - 1);
    if (drop > 0) {
      window_.erase(window_.begin(), window_.begin() + drop);
      window_start_ += drop;
    }
    const MotionFrame& a = window_[lower - window_start_];
    const MotionFrame& b = window_[upper - window_start_];
    MotionFrame out{};
    for (int c = 0; c < kChannelCount; ++c) out[c] = a[c] * (1.f - weight) + b[c] * weight;
    return out;
  }

  // Valid once has_frame() has returned false.
  std::int64_t frame_count() const { return frames_for(scan_.samples); }

 private:
  // ceil(seconds x fps) output frames cover `samples` of 16 kHz audio.
  std::int64_t frames_for(std::int64_t samples) const {
    return static_cast<std::int64_t>(std::ceil(samples / 16000.0 * fps_ - 1e-9));
  }

  MotionChannel& channel_;
  const AudioScan& scan_;
  double fps_;
  std::deque<MotionFrame> window_;
  std::int64_t window_start_ = 0;   // motion frame index of window_.front()
  std::int64_t samples_decoded_ = 0;
  bool ended_ = false;
};

// The smallest rectangle holding both (x0, y0, x1, y1; an empty one adds nothing).
std::array<int, 4> rect_union(const std::array<int, 4>& a, const std::array<int, 4>& b) {
  auto empty = [](const std::array<int, 4>& r) { return r[2] <= r[0] || r[3] <= r[1]; };
  if (empty(a)) return b;
  if (empty(b)) return a;
  return {std::min(a[0], b[0]), std::min(a[1], b[1]), std::max(a[2], b[2]), std::max(a[3], b[3])};
}

// A track shorter or longer than its audio would freeze the face (or cut the motion)
// for the difference: refused past half a second, noted below it.
constexpr double kTrackMismatchSeconds = 0.5;

void check_track_covers_audio(const MotionTrack& track, const std::filesystem::path& track_path,
                              double audio_seconds, const std::filesystem::path& audio_path) {
  double gap = audio_seconds - track.duration_seconds();
  if (std::fabs(gap) <= kTrackMismatchSeconds) return;
  char problem[200];
  std::snprintf(problem, sizeof problem, "covers %.2f s but the audio %s is %.2f s: %s",
                track.duration_seconds(), quoted(audio_path).c_str(), audio_seconds,
                gap > 0 ? "the face would freeze for the rest" : "the motion would be cut short");
  throw InputError("motion track " + quoted(track_path) + " " + problem +
                   " (make the track from this audio: parla motion AUDIO -o TRACK)");
}

}  // namespace

int render_from_args(const ParsedArgs& args, const GeneratorFactory& make_generator) {
  bool use_sample = args.positionals.empty() || args.has("sample");
  if (!use_sample && args.positionals.size() != 2) {
    throw InputError("expected PORTRAIT AUDIO, or no inputs for the bundled sample (see parla render --help)");
  }
  std::filesystem::path portrait_path = use_sample ? sample_portrait_path() : args.positionals[0];
  AudioInput audio(use_sample ? sample_audio_path() : args.positionals[1], args);
  const std::filesystem::path& audio_path = audio.path();
  std::filesystem::path out_path = args.value_or("output", "");
  if (out_path.empty()) throw InputError("missing -o OUT.mp4 (see parla render --help)");
  // A still: -o FRAME.png --frame T renders the one frame shown at T seconds.
  const bool still = out_path.extension() == ".png";
  if (still != args.has("frame")) {
    throw InputError(still ? "a .png output is one frame: give --frame T (seconds into the audio)"
                           : "--frame T renders one frame: the output must end in .png");
  }
  if (!still && out_path.extension() != ".mp4") {
    throw InputError("cannot write output " + quoted(out_path) + ": the file name must end in .mp4 (or .png with --frame)");
  }
  const double still_s = args.number("frame", 0.0, 0.0, 1e7);
  double fps = args.number("fps", 25.0, 1.0, 120.0);
  video::Mp4Params mp4;
  mp4.fps = fps;
  mp4.crf = static_cast<int>(args.integer("crf", mp4.crf, 0, 51));
  mp4.preset = args.value_or("preset", kDefaultPreset);
  mp4.tune = args.value_or("tune", "");
  mp4.encoder_threads = static_cast<int>(args.integer("encoder-threads", kEncoderThreads, 0, 64));
  mp4.queue_frames = kEncoderQueueFrames;
  video::check_encoder_settings(mp4);  // before any work: a typo costs nothing
  bool quiet = args.has("quiet");
  bool allow_silence = args.has("allow-silence");
  MotionOptions motion_options = motion_options_from_args(args, audio_path);
  auto generator = make_generator ? make_generator(motion_options)
                                 : fusion::make_generator(motion_options.generator, motion_options.params);
  std::optional<TextHintRequest> hint = text_hint_from_args(args);

  std::vector<std::filesystem::path> inputs{portrait_path};
  if (!audio.original().empty()) inputs.push_back(audio.original());
  auto motion_path = args.value("motion");
  if (motion_path) inputs.emplace_back(*motion_path);
  if (hint && motion_path) throw InputError("--text shapes generated motion: not with --motion");
  check_input_file(portrait_path, "portrait");
  check_input_file(audio_path, "audio");
  OutputFile out(out_path, inputs);

  // A given track is read whole (its file is small) and needs only the audio's length;
  // both are checked before the portrait is fitted.
  AudioScan scan;
  std::optional<MotionTrack> given_track;
  if (motion_path) {
    given_track = read_motion_track(*motion_path);
    scan = scan_audio(audio_path, allow_silence);
    check_track_covers_audio(*given_track, *motion_path, scan.seconds(), audio_path);
  }

  auto landmarks_path = args.value("landmarks");
  if (landmarks_path) check_input_file(*landmarks_path, "landmarks");
  video::RenderParams render_params = render_params_from(args);

  Image portrait = video::load_image(portrait_path);
  // The bundled sample ships its dlib fit (FitFace.SampleMatchesCheckedInLandmarks keeps
  // it honest): the sample renders without loading dlib's model.
  video::FaceFit fit = use_sample && !args.has("landmarks") && !args.has("face")
                           ? video::read_landmarks_file(sample_landmarks_path(), portrait.width, portrait.height)
                           : fit_portrait(portrait, portrait_path, args);
  video::Renderer renderer(video::Rig(std::move(portrait), fit), render_params);
  if (!quiet && !fit.warning.empty()) std::fprintf(stderr, "note: %s\n", fit.warning.c_str());
  if (!quiet && !renderer.framing_note().empty()) {
    std::fprintf(stderr, "note: %s\n", renderer.framing_note().c_str());
  }
  // The text hint aligns the whole audio: with --text the motion is made (and hinted)
  // before the first frame renders, then rendered like a given track.
  if (hint) {
    given_track = motion_from_audio(audio_path, *generator, allow_silence, !quiet, scan);
    apply_text_hint(*given_track, audio_path, *hint, quiet);
  }

  if (still) {
    if (!given_track) given_track = motion_from_audio(audio_path, *generator, allow_silence, !quiet, scan);
    if (still_s > scan.seconds()) {
      char problem[128];
      std::snprintf(problem, sizeof problem, "--frame %.2f s is past the end of the audio (%.2f s)", still_s,
                    scan.seconds());
      throw InputError(std::string(problem) + ": " + quoted(audio.original().empty() ? audio_path : audio.original()));
    }
    // The frame a video would show at T: frame floor(T * fps) of the track.
    const double shown_s = std::floor(still_s * fps + 1e-9) / fps;
    video::save_png(renderer.render(given_track->sample(shown_s)), out.temp_path());
    out.commit();
    if (!quiet) std::fprintf(stderr, "wrote %s: the frame at %.2f s, %dx%d\n", out_path.c_str(), shown_s,
                             renderer.width(), renderer.height());
    return 0;
  }

  int channels = std::clamp(audio::AudioDecoder(audio_path).info().source_channels, 1, 2);
  mp4.width = renderer.width();
  mp4.height = renderer.height();
  mp4.audio_rate = 48000;
  mp4.audio_channels = channels;
  AudioFeed feed(audio_path, channels);
  video::Mp4Writer writer(out.temp_path(), mp4);
  const auto expected_frames = static_cast<std::int64_t>(
      std::ceil((given_track ? scan.seconds() : feed.container_seconds()) * fps - 1e-9));
  Progress progress("render", expected_frames, !quiet);
  std::int64_t frame_count = 0;
  std::array<int, 4> previous_dirty{0, 0, renderer.width(), renderer.height()};
  auto render_frame = [&](std::int64_t i, const MotionFrame& motion) {
    check_interrupted();  // Ctrl-C: unwind; the threads stop and the temporary goes
    feed.write_until(writer, (i + 1) / fps);
    const Image& picture = renderer.render(motion);
    // What changed since the last frame: where the face was, and where it is now.
    std::array<int, 4> now = renderer.last_dirty_rect();
    writer.write_frame(picture, rect_union(previous_dirty, now));
    previous_dirty = now;
    progress.update(std::min(i + 1, expected_frames));
  };
  if (given_track) {
    frame_count = static_cast<std::int64_t>(std::ceil(scan.seconds() * fps - 1e-9));
    for (std::int64_t i = 0; i < frame_count; ++i) render_frame(i, given_track->sample(i / fps));
  } else {
    MotionChannel channel;
    MotionThread motion_thread(channel, audio_path, *generator, allow_silence, scan);
    StreamedMotion motion(channel, scan, fps);
    for (std::int64_t i = 0; motion.has_frame(i); ++i) render_frame(i, motion.sample(i));
    frame_count = motion.frame_count();
  }
  feed.write_until(writer, scan.seconds() + 1.0);
  writer.finish();
  out.commit();
  char summary[256];
  std::snprintf(summary, sizeof summary, "wrote %s: %lld frames, %dx%d, %.2f s, %s motion",
                out_path.c_str(), static_cast<long long>(frame_count), mp4.width, mp4.height,
                scan.seconds(), motion_path ? "given" : motion_options.generator.c_str());
  progress.finish(quiet ? "" : summary);
  return 0;
}

namespace {

int run_render(const ParsedArgs& args) { return render_from_args(args, {}); }

CommandSpec render_spec() {
  CommandSpec spec{
      .name = "render",
       .positionals = "[PORTRAIT AUDIO]",
       .summary = "portrait + speech → talking-portrait MP4 (H.264 + AAC)",
       .details = "With no PORTRAIT and AUDIO, renders the bundled sample (data/sample).\n"
                  "Audio: anything FFmpeg reads (wav, mp3, flac, ogg/opus, m4a, a video's track);\n"
                  "- reads it from standard input.\n"
                  "Portrait: PNG, JPEG or WebP with one clearly visible face.",
       .options = {{"output", 'o', "OUT.mp4", "output video (required), or FRAME.png with --frame"},
                   {"frame", 0, "T", "render only the frame shown at T seconds, as PNG (-o still.png)"},
                   {"sample", 0, "", "use the bundled sample portrait and speech"},
                   {"motion", 0, "TRACK", "render this MotionTrack (.json or .csv) instead of generating one"},
                   {"fps", 0, "F", "output frames per second (default 25)"},
                   {"crf", 0, "Q", "x264 quality, 0..51, lower is better (default 20)"},
                   {"preset", 0, "P", "x264 preset, ultrafast..placebo (default superfast)"},
                   {"tune", 0, "T", "x264 tune, e.g. fastdecode, zerolatency (default none)"},
                   {"encoder-threads", 0, "N", "x264 threads, 0 = x264's choice (default 2)"},
                   {"allow-silence", 0, "", "accept audio that is pure silence"},
                   {"quiet", 'q', "", "no progress or summary on stderr"}},
       .min_positionals = 0,
       .max_positionals = 2};
  auto framing = framing_options();
  spec.options.insert(spec.options.begin() + 4, framing.begin(), framing.end());
  auto generator = generator_options();
  for (auto& o : text_hint_options()) generator.push_back(o);
  for (auto& o : audio_part_options()) generator.push_back(o);
  spec.options.insert(spec.options.begin() + 4 + framing.size(), generator.begin(), generator.end());
  return spec;
}

}  // namespace

const Command& render_command() {
  static const Command command{render_spec(), run_render};
  return command;
}

}  // namespace parla::cli
