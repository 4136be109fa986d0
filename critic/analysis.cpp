// analyze_video: a decode thread (FFmpeg decode, grey conversion, a full face detection
// every detect_every frames) feeds the caller's thread (68 landmarks, pose, gaze, crops)
// through a bounded queue; then the 25 fps MotionTrack estimate.
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

extern "C" {
#include <libavformat/avformat.h>
}

#include "critic/face_track_internal.h"

namespace parla::critic {
namespace {

constexpr size_t kQueueFrames = 8;  // decoded frames waiting for the landmark thread

struct DecodedFrame {
  Image frame;
  GrayImage gray;
  bool detected = false;  // detections holds a full detection of this frame
  std::vector<dlib::rectangle> detections;
};

// Single producer (decode thread), single consumer (caller). Everything is guarded by
// `mutex`; `done` is set by the producer after its last frame or on error.
struct FrameQueue {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<DecodedFrame> frames;
  bool done = false;
  bool cancelled = false;  // set by the consumer to stop the producer early
  std::exception_ptr error;
};

void decode_frames(const std::filesystem::path& path, const AnalysisParams& params,
                   video::VideoReader& reader, FrameQueue& queue) {
  try {
    dlib::frontal_face_detector detector = make_detector();
    const int every = std::max(1, params.detect_every);
    for (std::int64_t index = 0;; ++index) {
      DecodedFrame item;
      if (!reader.read_frame(item.frame)) break;
      to_gray(item.frame, item.gray);
      // Detections are due every `every` frames; this thread runs them when it is ahead
      // of the landmark thread (queue half full), else the tracker runs them itself.
      // Either way the boxes are the same, so the result does not depend on timing.
      bool ahead = false;
      {
        std::lock_guard lock(queue.mutex);
        ahead = queue.frames.size() >= kQueueFrames / 2;
      }
      if (index % every == 0 && ahead) {
        item.detections = detect_faces(detector, item.gray, params.detect_max_side);
        item.detected = true;
      }
      std::unique_lock lock(queue.mutex);
      queue.changed.wait(lock,
                         [&] { return queue.frames.size() < kQueueFrames || queue.cancelled; });
      if (queue.cancelled) return;
      queue.frames.push_back(std::move(item));
      queue.changed.notify_all();
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(queue.mutex);
    queue.error =
        std::make_exception_ptr(Error("cannot decode the video " + quoted(path) + ": " + e.what()));
  }
  std::lock_guard lock(queue.mutex);
  queue.done = true;
  queue.changed.notify_all();
}

// Seconds by which the file's audio stream starts after its video stream (negative:
// before), from the streams' start times; 0 when either is unknown. An edited or muxed
// file often offsets its tracks this way, and the decoders return both from their first
// sample, so the audio must be moved by this much to keep what the file plays in sync.
double audio_start_after_video(const std::filesystem::path& path) {
  AVFormatContext* format = nullptr;
  if (avformat_open_input(&format, path.c_str(), nullptr, nullptr) < 0) return 0;
  double offset = 0;
  if (avformat_find_stream_info(format, nullptr) >= 0) {
    int v = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    int a = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (v >= 0 && a >= 0 && format->streams[v]->start_time != AV_NOPTS_VALUE &&
        format->streams[a]->start_time != AV_NOPTS_VALUE) {
      offset = format->streams[a]->start_time * av_q2d(format->streams[a]->time_base) -
               format->streams[v]->start_time * av_q2d(format->streams[v]->time_base);
    }
  }
  avformat_close_input(&format);
  return offset;
}

std::vector<float> load_audio(const std::filesystem::path& path, const AnalysisParams& params,
                              const video::VideoInfo& info) {
  if (!params.audio.empty()) return audio::decode_audio(params.audio);
  if (!info.has_audio) {
    throw InputError(quoted(path) + " has no audio track; give --audio FILE");
  }
  std::vector<float> pcm;
  try {
    pcm = audio::decode_audio(path);
  } catch (const InputError& e) {
    throw InputError("cannot read the audio of " + quoted(path) + ": " + e.what());
  }
  // Put sample 0 at the video's first frame.
  const auto shift = static_cast<std::int64_t>(std::lround(audio_start_after_video(path) * audio::kSampleRate));
  if (shift > 0) {
    pcm.insert(pcm.begin(), static_cast<size_t>(std::min<std::int64_t>(shift, 60 * audio::kSampleRate)), 0.f);
  } else if (shift < 0) {
    pcm.erase(pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(std::min<std::int64_t>(-shift, pcm.size())));
  }
  return pcm;
}

}  // namespace

VideoAnalysis analyze_video(const std::filesystem::path& path, const AnalysisParams& params) {
  check_input_file(path, "video");
  video::VideoReader reader(path);  // InputError naming the file when it is not a video
  const video::VideoInfo info = reader.info();
  VideoAnalysis analysis;
  analysis.source = path;
  analysis.width = info.width;
  analysis.height = info.height;
  analysis.source_fps = info.fps > 0 ? info.fps : kMotionFps;
  analysis.pcm = load_audio(path, params, info);
  analysis.audio_seconds = static_cast<double>(analysis.pcm.size()) / audio::kSampleRate;

  TrackerCore tracker(params);  // loads the landmark model before the thread starts
  FrameQueue queue;
  std::thread decoder([&] { decode_frames(path, params, reader, queue); });
  const double expected = std::max<double>(1.0, static_cast<double>(info.frame_count));
  std::exception_ptr failure;
  try {
    for (;;) {
      DecodedFrame item;
      {
        std::unique_lock lock(queue.mutex);
        queue.changed.wait(lock, [&] { return !queue.frames.empty() || queue.done; });
        if (queue.frames.empty()) break;
        item = std::move(queue.frames.front());
        queue.frames.pop_front();
        queue.changed.notify_all();
      }
      analysis.observations.push_back(
          tracker.observe(item.frame, item.gray, item.detected ? &item.detections : nullptr));
      if (params.progress && analysis.observations.size() % 25 == 0) {
        params.progress(std::min(0.99, analysis.observations.size() / expected));
      }
    }
  } catch (...) {
    failure = std::current_exception();
  }
  {
    std::lock_guard lock(queue.mutex);
    queue.cancelled = true;
    queue.changed.notify_all();
  }
  decoder.join();
  if (failure) std::rethrow_exception(failure);
  if (queue.error) std::rethrow_exception(queue.error);

  const size_t frames = analysis.observations.size();
  if (frames == 0) throw InputError(quoted(path) + " has no video frames");
  analysis.video_seconds = frames / analysis.source_fps;
  const double allowed = std::max(0.5, 0.1 * analysis.video_seconds);
  if (analysis.audio_seconds < analysis.video_seconds - allowed) {
    const std::filesystem::path& audio_path = params.audio.empty() ? path : params.audio;
    char message[160];
    std::snprintf(message, sizeof message, " (%.1f s) is shorter than the video (%.1f s) of ",
                  analysis.audio_seconds, analysis.video_seconds);
    throw InputError("the audio of " + quoted(audio_path) + message + quoted(path));
  }
  const auto seen = std::count_if(analysis.observations.begin(), analysis.observations.end(),
                                  [](const FaceObservation& o) { return o.found; });
  if (seen == 0) throw InputError("no face found in any frame of " + quoted(path));
  analysis.face_coverage = static_cast<double>(seen) / frames;
  analysis.motion =
      estimate_motion(analysis.observations, analysis.source_fps, &analysis.confidence);
  if (params.progress) params.progress(1.0);
  return analysis;
}

}  // namespace parla::critic
