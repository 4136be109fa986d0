// run_play: file playback with the audio clock as master (see player.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>

#include "audio/audio.h"
#include "player/audio_clock.h"
#include "player/display.h"
#include "player/play_worker.h"

namespace parla::player {
namespace {

constexpr double kSeekSeconds = 5.0;
constexpr double kPacingStartSeconds = 0.5;  // see PlayStats::clock_advance_seconds
// A seek stops hiding drops and offsets once the picture has caught up with the clock, or
// after this much wall time, so a machine that never catches up still counts them.
constexpr double kSeekGraceSeconds = 2.0;
constexpr double kSpeedStep = 1.1;           // `[`/`]`, as mpv
constexpr double kMinSpeed = 0.25, kMaxSpeed = 4.0;

std::string format(const char* fmt, double a = 0, double b = 0, double c = 0, double d = 0) {
  char line[160];
  std::snprintf(line, sizeof line, fmt, a, b, c, d);
  return line;
}

// Waits (bounded) until the worker has the first frame ready, so audio and picture
// start together.
void wait_for_first_frame(FrameQueue& queue) {
  for (int i = 0; i < 400 && queue.size() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

PlayStats run_play(const Scene& scene, const PlayInput& input, const PlayParams& params) {
  const WindowParams& wp = params.window;
  const double fps = input.motion.fps;
  const std::int64_t count = input.motion.frame_count();
  const double duration =
      input.duration_seconds > 0 ? input.duration_seconds : input.motion.duration_seconds();
  if (count == 0) throw InputError("nothing to play: the motion track has no frames");

  Display display(scene, wp);  // first: a headless machine fails before audio starts
  std::optional<audio::PortAudioSession> session;
  std::unique_ptr<audio::PlaybackStream> playback;
  if (!params.no_audio) {
    session.emplace();
    playback = std::make_unique<audio::PlaybackStream>(
        input.pcm, input.sample_rate, input.channels,
        audio::PlaybackParams{.device = params.output_device});
  }

  FrameQueue queue(static_cast<size_t>(std::max(1, wp.queue_frames)));
  WorkerThread worker(queue, [&] { play_worker(queue, scene, input); });
  wait_for_first_frame(queue);
  // The master clock: the audio's while it plays at speed 1 (muted too: the stream then
  // plays silence and its position runs on); otherwise the wall clock (PlaybackStream has
  // no rate control: [ and ] pause the sound and the wall clock carries on from the same
  // time, at the chosen speed).
  std::unique_ptr<AudioClock> audio_clock;
  WallClock wall;
  Clock* clock = &wall;
  if (playback) {
    playback->start();
    audio_clock = std::make_unique<AudioClock>(*playback);
    clock = audio_clock.get();
  }

  PlayStats stats;
  stats.generator = input.generator;
  Figures offsets, abs_offsets;  // the A/V offset, and its size
  bool seeking = false;          // a seek the picture has not caught up with yet
  double seek_target = 0;        // seconds, valid while seeking
  std::int64_t seek_epoch = 0;   // the queue's epoch from the seek on
  std::int64_t seek_ns = 0;      // when it started
  std::int64_t step_index = -1;  // `,`/`.` while paused: the frame to show; -1 = none
  double speed = 1.0;
  bool muted = false, looping = false;
  auto frame_at = [&](double seconds) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(seconds * fps + 1e-9)), 0,
                                    count - 1);
  };
  auto seek_to = [&](double target) {
    clock->seek(target);
    queue.restart(frame_at(target));
    seeking = true;
    seek_target = target;
    seek_epoch = queue.job().epoch;
    seek_ns = audio::steady_now_ns();
    offsets = abs_offsets = Figures();  // the sync figures start again at the new position
  };
  // Mutes or unmutes the sound; hands the clock over between audio and wall when the
  // speed leaves or returns to 1.
  auto set_master = [&](double new_speed, bool new_muted) {
    double now = seeking ? seek_target : clock->seconds();
    bool paused = clock->paused();
    speed = new_speed;
    muted = new_muted;
    if (playback) playback->set_muted(muted);
    wall.set_rate(speed);
    bool want_audio = audio_clock && speed == 1.0;
    if (want_audio && clock != audio_clock.get()) {
      clock = audio_clock.get();
      clock->set_paused(paused);
      seek_to(now);
    } else if (!want_audio && clock != &wall) {
      audio_clock->set_paused(true);  // silence from here
      wall.seek(now);
      wall.set_paused(paused);
      clock = &wall;
    }
  };
  std::optional<std::int64_t> screenshot_index;
  if (wp.screenshot_at >= 0) screenshot_index = frame_at(wp.screenshot_at);
  std::optional<std::filesystem::path> key_screenshot;
  double first_clock = -1, last_clock = 0;
  std::int64_t first_clock_ns = 0, last_clock_ns = 0;
  std::int64_t start_ns = audio::steady_now_ns();
  bool lost_reported = false;

  while (!display.window().should_close()) {
    if (interrupt_signal()) display.window().close();  // SIGINT/SIGTERM: stop as Q does
    for (Key key : display.window().poll()) {
      switch (key) {
        case Key::Pause:
          clock->set_paused(!clock->paused());
          if (!clock->paused()) step_index = -1;
          ++stats.pauses;
          break;
        case Key::SeekBack:
        case Key::SeekForward: {
          double base = seeking ? seek_target : clock->seconds();
          step_index = -1;
          seek_to(std::clamp(base + (key == Key::SeekBack ? -kSeekSeconds : kSeekSeconds), 0.0,
                             std::max(0.0, duration - 1.0 / fps)));
          ++stats.seeks;
          break;
        }
        case Key::StepBack:
        case Key::StepForward: {
          if (!display.current()) break;
          clock->set_paused(true);
          std::int64_t from = step_index >= 0 ? step_index : display.current()->index;
          std::int64_t to =
              std::clamp<std::int64_t>(from + (key == Key::StepBack ? -1 : 1), 0, count - 1);
          step_index = to;
          seek_to((static_cast<double>(to) + 0.5) / fps);  // resuming continues from there
          ++stats.frame_steps;
          std::fprintf(stderr, "parla play: frame step %lld -> %lld\n",
                       static_cast<long long>(from), static_cast<long long>(to));
          break;
        }
        case Key::SpeedDown:
        case Key::SpeedUp:
        case Key::SpeedReset: {
          double next = key == Key::SpeedReset ? 1.0
                        : key == Key::SpeedUp  ? speed * kSpeedStep
                                               : speed / kSpeedStep;
          next = std::clamp(next, kMinSpeed, kMaxSpeed);
          if (std::fabs(next - 1.0) < 0.01) next = 1.0;
          set_master(next, muted);
          break;
        }
        case Key::Mute:
          set_master(speed, !muted);
          break;
        case Key::Loop:
          looping = !looping;
          break;
        case Key::Fullscreen:
          display.window().toggle_fullscreen();
          break;
        case Key::ToggleHud:
          display.toggle_hud();
          break;
        case Key::Screenshot:
          key_screenshot = display.next_screenshot_path();
          break;
        case Key::Quit:
          display.window().close();
          break;
      }
    }
    double now_s = clock->seconds();
    // While a seek is under way neither the old picture's offset nor the frames skipped to
    // catch up count. The clock reflects it only after the device's latency: until it
    // reads near the target, frames are taken up to the target.
    bool clock_there = std::fabs(now_s - seek_target) < 1.0;
    double sync_s = seeking && !clock_there ? seek_target : now_s;
    if (screenshot_index) sync_s = std::min(sync_s, (*screenshot_index + 0.5) / fps);
    if (step_index >= 0 && clock->paused()) sync_s = (static_cast<double>(step_index) + 0.5) / fps;
    std::int64_t dropped_while_seeking = 0;
    auto due = queue.take_due(
        sync_s, seeking || step_index >= 0 ? dropped_while_seeking : stats.frames_dropped);
    if (due) {
      stats.jaw_open_max = std::max(stats.jaw_open_max, due->motion[index(Channel::JawOpen)]);
      display.show(std::move(*due));
      ++stats.frames_shown;
    }
    // It ends once a frame from the new position is on screen and nothing due is waiting
    // behind it (the restarted worker has caught up with the clock), or after the grace.
    if (seeking) {
      bool caught_up = clock_there && display.current() && display.current()->epoch == seek_epoch &&
                       display.current()->index >= frame_at(sync_s);
      if (caught_up ||
          static_cast<double>(audio::steady_now_ns() - seek_ns) * 1e-9 > kSeekGraceSeconds) {
        seeking = false;
      }
    }
    if (!due && !seeking && display.current() && !clock->paused()) {
      auto due_index = static_cast<std::int64_t>(std::floor(sync_s * fps));
      if (due_index > display.current()->index && due_index < count) ++stats.frames_late;
    }
    if (audio_clock && audio_clock->lost() && !lost_reported) {
      std::fprintf(stderr,
                   "parla play: the audio device stopped at %.2f s; continuing on the wall clock\n",
                   now_s);
      lost_reported = true;
    }

    std::vector<std::string> hud;
    if (display.hud_on()) {
      audio::PlaybackStats a = playback ? playback->stats() : audio::PlaybackStats{};
      hud.push_back(format("FPS %.1f  CLOCK ", display.recent_fps()) + clock->name() +
                    format("  T %.2f/%.2f S  FRAME %.0f", now_s, duration,
                           display.current() ? static_cast<double>(display.current()->index) : -1));
      hud.push_back(format("A/V %+.0f MS (%+.0f..%+.0f)", offsets.recent_mean(25) * 1e3,
                           offsets.min() * 1e3, offsets.max() * 1e3) +
                    (playback ? format("  AUDIO LATENCY %.0f MS", playback->delay_seconds() * 1e3)
                              : std::string("  NO AUDIO (WALL CLOCK)")));
      hud.push_back("GEN " + input.generator +
                    format("  SHOWN %.0f DROP %.0f LATE %.0f",
                           static_cast<double>(stats.frames_shown),
                           static_cast<double>(stats.frames_dropped),
                           static_cast<double>(stats.frames_late)) +
                    format(" XRUN %.0f", static_cast<double>(a.underruns)));
      if (display.current()) {
        for (auto& line : motion_lines(display.current()->motion)) hud.push_back(line);
      }
      std::string state = clock->paused() ? "PAUSED" : "";
      if (speed != 1.0) state += format("  SPEED %.2fX", speed);
      if (muted) state += "  MUTED";
      if (looping) state += "  LOOP";
      if (!state.empty()) hud.push_back(state);
    }
    if (!hud.empty()) stats.hud_lines = hud;
    display.draw(hud);
    if (screenshot_index && display.current() && display.current()->index >= *screenshot_index) {
      display.save_screenshot(wp.screenshot_path);
      ++stats.screenshots;
      std::fprintf(stderr, "parla play: saved frame %lld (%.3f s) to %s\n",
                   static_cast<long long>(display.current()->index), display.current()->seconds,
                   wp.screenshot_path.c_str());
      display.window().close();
    }
    if (key_screenshot) {
      display.save_screenshot(*key_screenshot);
      ++stats.screenshots;
      std::fprintf(stderr, "parla play: screenshot %s\n", key_screenshot->c_str());
      key_screenshot.reset();
    }
    if (!display.hud_on()) display.draw_progress(std::clamp(now_s / duration, 0.0, 1.0));
    display.swap();
    ++stats.redraws;

    double after_s = clock->seconds();
    bool before_shot = !screenshot_index || after_s < static_cast<double>(*screenshot_index) / fps;
    if (display.current() && !clock->paused() && !seeking && before_shot &&
        after_s < static_cast<double>(count) / fps) {
      const double offset = after_s - (display.current()->seconds + 0.5 / fps);
      offsets.add(offset);
      abs_offsets.add(std::fabs(offset));
      std::int64_t t = audio::steady_now_ns();
      if (first_clock < 0 && after_s >= kPacingStartSeconds) {
        first_clock = after_s;
        first_clock_ns = t;
      }
      if (first_clock >= 0) {
        last_clock = after_s;
        last_clock_ns = t;
      }
    }
    display.pace();
    if (wp.max_redraws > 0 && stats.redraws >= wp.max_redraws) display.window().close();
    bool at_end = !clock->paused() && !seeking && after_s >= duration && display.current() &&
                  display.current()->index >= count - 1;
    if (at_end && looping) {
      seek_to(0.0);
      ++stats.loops;
    } else if (at_end && params.exit_at_end) {
      display.window().close();
    }
  }

  stats.wall_seconds = static_cast<double>(audio::steady_now_ns() - start_ns) * 1e-9;
  stats.fps = display.mean_fps();
  stats.av_offset_mean = offsets.mean();
  stats.av_offset_min = offsets.min();
  stats.av_offset_max = offsets.max();
  stats.av_offset_abs_p99 = abs_offsets.percentile(99);
  stats.clock_advance_seconds = first_clock >= 0 ? last_clock - first_clock : 0;
  stats.clock_wall_seconds = static_cast<double>(last_clock_ns - first_clock_ns) * 1e-9;
  stats.clock = clock->name();
  stats.clock_end_seconds = clock->seconds();
  display.fill_exit_stats(stats);
  stats.speed = speed;
  stats.muted = muted;
  stats.looping = looping;
  if (playback) {
    stats.output_delay_seconds = playback->delay_seconds();
    stats.audio_underruns = playback->stats().underruns;
    stats.audio_callbacks = playback->stats().callbacks;
    stats.audio_lost = audio_clock && audio_clock->lost();
    playback->stop();
  }
  worker.finish();
  check_interrupted();  // stopped by a signal: the CLI reports it (exit 128 + signal)
  return stats;
}

}  // namespace parla::player
