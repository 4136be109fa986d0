// run_live: microphone-driven avatar; shows the newest frame as soon as it exists and
// measures audio → picture latency (see player.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "audio/audio.h"
#include "fusion/fusion.h"
#include "player/display.h"
#include "player/live_input.h"
#include "player/live_recorder.h"
#include "player/live_worker.h"
#include "player/play_worker.h"

namespace parla::player {
namespace {

// After a --input file: silence fed so the generator's look-ahead reaches its last frames,
// and how long to wait for them before quitting anyway.
constexpr double kFileTailSeconds = 0.5;
constexpr double kFileEndGraceSeconds = 1.5;

std::string format(const char* fmt, double a = 0, double b = 0, double c = 0) {
  char line[160];
  std::snprintf(line, sizeof line, fmt, a, b, c);
  return line;
}

}  // namespace

PlayStats run_live(const Scene& scene, const LiveParams& params) {
  const WindowParams& wp = params.window;
  std::string generator_name =
      params.generator.empty() ? fusion::default_generator_name() : params.generator;
  // Live: a window per frame (kLiveChunkFrames) keeps the audio→picture latency low.
  fusion::GeneratorParams generator_params = params.generator_params;
  if (generator_params.chunk_frames == 0) generator_params.chunk_frames = fusion::kLiveChunkFrames;
  auto generator = fusion::make_generator(generator_name, generator_params);

  Display display(scene, wp);  // first: a headless machine fails before audio opens
  std::optional<audio::PortAudioSession> session;
  std::unique_ptr<LiveInput> mic;
  const bool from_file = !params.input_name.empty();
  const auto file_frames = static_cast<std::int64_t>(
      std::ceil(static_cast<double>(params.input_pcm.size()) / audio::kSampleRate * kMotionFps));
  if (from_file) {
    mic = open_file_input(params.input_pcm, params.input_name, kFileTailSeconds);
  } else {
    session.emplace();
    mic = open_microphone(params.input_device);
  }
  std::fprintf(stderr, "parla live: listening on %s\n", mic->describe().c_str());
  std::unique_ptr<LiveRecorder> recorder;
  if (!params.record_path.empty()) {
    recorder =
        std::make_unique<LiveRecorder>(params.record_path, display.picture_width(),
                                       display.picture_height(), from_file ? file_frames : 0);
  }

  PlayStats stats;
  stats.generator = generator_name;
  stats.clock = "capture";
  stats.lookahead_seconds =
      generator->lookahead_seconds() +
      audio::FeatureExtractor().latency_samples() / double(audio::kSampleRate);

  FrameQueue queue(static_cast<size_t>(std::max(1, wp.queue_frames)));
  InputGaps gaps;
  WorkerThread worker(queue,
                      [&] { live_worker(queue, *mic, *generator, scene, recorder.get(), gaps); });
  mic->start();
  std::int64_t file_end_ns = 0;  // when the --input file had been fed to its end

  Figures latency;
  std::optional<std::filesystem::path> key_screenshot;
  const std::int64_t start_ns = audio::steady_now_ns();
  bool lost_reported = false, screenshot_done = false;
  while (!display.window().should_close()) {
    if (interrupt_signal()) display.window().close();  // SIGINT/SIGTERM: stop as Q does
    for (Key key : display.window().poll()) {
      if (key == Key::ToggleHud) display.toggle_hud();
      if (key == Key::Fullscreen) display.window().toggle_fullscreen();
      if (key == Key::Screenshot) key_screenshot = display.next_screenshot_path();
      if (key == Key::Quit) display.window().close();
    }
    bool fresh = false;
    if (auto due = queue.take_due(std::numeric_limits<double>::infinity(), stats.frames_dropped)) {
      stats.jaw_open_max = std::max(stats.jaw_open_max, due->motion[index(Channel::JawOpen)]);
      display.show(std::move(*due));
      ++stats.frames_shown;
      fresh = true;
      if (recorder) recorder->add_frame(display.current()->index, display.picture());
    }
    if (from_file && mic->finished()) {
      // The file has been heard: quit once its last frame is on screen.
      if (file_end_ns == 0) file_end_ns = audio::steady_now_ns();
      bool last_shown = display.current() && display.current()->index >= file_frames - 1;
      if (last_shown || audio::steady_now_ns() - file_end_ns > kFileEndGraceSeconds * 1e9) {
        display.window().close();
      }
    } else if (!mic->active() && !lost_reported) {
      std::fprintf(stderr, "parla live: the audio input stopped; showing the last frame\n");
      lost_reported = true;
    }
    double elapsed_s = static_cast<double>(audio::steady_now_ns() - start_ns) * 1e-9;
    std::vector<std::string> hud;
    if (display.hud_on()) {
      audio::CaptureStats c = mic->stats();
      hud.push_back(format("FPS %.1f  LIVE %.1f S", display.recent_fps(), elapsed_s));
      hud.push_back(format("LATENCY %.0f MS (P95 %.0f) +LOOKAHEAD %.0f",
                           latency.recent_mean(25) * 1e3, latency.percentile(95) * 1e3,
                           stats.lookahead_seconds * 1e3));
      hud.push_back("GEN " + generator_name +
                    format("  FRAMES %.0f MIC DROPS %.0f", static_cast<double>(stats.frames_shown),
                           static_cast<double>(c.dropped_samples)));
      if (display.current()) {
        for (auto& line : motion_lines(display.current()->motion)) hud.push_back(line);
      }
      if (lost_reported) hud.push_back("AUDIO INPUT STOPPED");
    }
    if (!hud.empty()) stats.hud_lines = hud;
    display.draw(hud);
    bool shot_due = wp.screenshot_at >= 0 && !screenshot_done && elapsed_s >= wp.screenshot_at &&
                    display.current();
    if (shot_due) {
      display.save_screenshot(wp.screenshot_path);
      ++stats.screenshots;
      std::fprintf(stderr, "parla live: saved %s\n", wp.screenshot_path.c_str());
      screenshot_done = true;
      display.window().close();
    }
    if (key_screenshot) {
      display.save_screenshot(*key_screenshot);
      ++stats.screenshots;
      std::fprintf(stderr, "parla live: screenshot %s\n", key_screenshot->c_str());
      key_screenshot.reset();
    }
    display.swap();
    ++stats.redraws;
    if (fresh && display.current()->input_wall_ns > 0) {
      latency.add(static_cast<double>(audio::steady_now_ns() - display.current()->input_wall_ns) *
                  1e-9);
    }
    display.pace();
    if (wp.max_redraws > 0 && stats.redraws >= wp.max_redraws) display.window().close();
    if (params.max_seconds > 0 && elapsed_s >= params.max_seconds) display.window().close();
  }

  stats.wall_seconds = static_cast<double>(audio::steady_now_ns() - start_ns) * 1e-9;
  stats.fps = display.mean_fps();
  stats.latency_samples = latency.count();
  stats.latency_mean = latency.mean();
  stats.latency_p95 = latency.percentile(95);
  stats.latency_max = latency.max();
  const audio::CaptureStats capture = mic->stats();
  stats.capture_dropped_samples = capture.dropped_samples;
  stats.capture_callbacks = capture.callbacks;
  stats.capture_overflows = capture.overflows;
  stats.capture_stalls = gaps.stalls.load();
  stats.capture_gap_max_seconds = static_cast<double>(gaps.longest_ns.load()) * 1e-9;
  display.fill_exit_stats(stats);
  mic->stop();
  worker.finish();
  // Stopped by a signal: no recording (its temporary is removed as the stack unwinds).
  check_interrupted();
  if (recorder) {
    stats.frames_recorded = recorder->finish();
    std::fprintf(stderr, "parla live: recorded %lld frames (%.2f s) to %s\n",
                 static_cast<long long>(stats.frames_recorded),
                 static_cast<double>(stats.frames_recorded) / kMotionFps,
                 params.record_path.c_str());
  }
  return stats;
}

}  // namespace parla::player
