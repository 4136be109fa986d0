// player: the live preview — a GLFW window with OpenGL 3.3 core drawing the talking
// portrait in sync with PortAudio playback (`parla play`), or driven by a microphone
// (`parla live`).
//
//   parla::player::Scene scene{.rig = parla::video::Rig(portrait, fit)};
//   parla::player::PlayInput input{.motion = track, .pcm = pcm48k, .sample_rate = 48000,
//                                  .channels = 2};
//   parla::player::PlayStats stats = parla::player::run_play(scene, input, {});
//
// Sync (mpv style, ../shared/STYLE.md): the audio clock is the master. Audible time =
// media samples handed to the device − the device's delay (PortAudio's DAC time, else
// its output latency), interpolated by the wall time since the last callback. Each
// redraw shows the newest frame whose time ≤ audible time: frames that fell behind are
// dropped, and the last frame is repeated while the next is not yet due.
//
// Threads (every class below says which thread calls what):
//   - PortAudio callbacks: lock-free state in audio::PlaybackStream / CaptureStream only.
//   - worker: one std::thread per run; turns motion (play) or captured audio (live)
//     into VideoFrames (posed mesh or CPU picture) and pushes them into a bounded
//     FrameQueue, ahead of the clock.
//   - main: owns GLFW, the window and every GL object; pops due frames and draws.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/core.h"
#include "fusion/fusion.h"
#include "video/video.h"

namespace parla::player {

// ---------------------------------------------------------------------------------
// Frames and the bounded queue between the worker and the main thread.

struct VideoFrame {
  std::int64_t epoch = 0;              // FrameQueue::restart() generation it belongs to
  std::int64_t index = 0;              // motion frame number (25 fps)
  double seconds = 0;                  // media time it shows: index / 25
  MotionFrame motion{};                // the pose drawn
  Image picture;                       // Backend::Cpu: the rendered picture
  std::vector<video::Point> posed_px;  // Backend::Gl: Rig::posed_vertices(motion)
  std::int64_t input_wall_ns = 0;      // live: when the newest audio it reflects entered the
                                       // capture callback (audio::steady_now_ns); 0 in play
};

// A bounded FIFO guarded by one mutex; never touched by audio callbacks.
class FrameQueue {
 public:
  explicit FrameQueue(size_t capacity);

  enum class Push { Accepted, Restarted, Closed };
  // Worker: waits for room; returns Restarted (frame discarded) when restart() moved to
  // a new epoch, Closed after close().
  Push push(VideoFrame frame);
  // Worker: the current epoch and the first frame index it asks for.
  struct Job {
    std::int64_t epoch = 0;
    std::int64_t first_index = 0;
  };
  Job job() const;
  // Worker: blocks until the epoch differs from `epoch` or the queue closes; false on close.
  bool wait_for_restart(std::int64_t epoch);

  // Main: drops queued frames and asks the worker to continue from `first_index`.
  void restart(std::int64_t first_index);
  // Main: removes every frame whose time ≤ `clock_seconds` and returns the newest of
  // them (nullopt when none is due); `dropped` counts the older ones, never shown.
  std::optional<VideoFrame> take_due(double clock_seconds, std::int64_t& dropped);
  // Main: the time of the oldest queued frame, if any.
  std::optional<double> front_seconds() const;
  size_t size() const;
  bool closed() const;
  // Either thread: wakes and ends the worker.
  void close();

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<VideoFrame> frames_;  // guarded by mutex_
  size_t capacity_;
  std::int64_t epoch_ = 0;        // guarded by mutex_
  std::int64_t first_index_ = 0;  // guarded by mutex_
  bool closed_ = false;           // guarded by mutex_
};

// ---------------------------------------------------------------------------------
// Clocks. All are called from the main thread only.

// The master clock: seconds of media time now reaching the viewer.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual double seconds() = 0;
  virtual void set_paused(bool paused) = 0;
  virtual bool paused() const = 0;
  virtual void seek(double seconds) = 0;
  // One-word description for the HUD ("audio", "wall", "wall (audio lost)").
  virtual std::string name() const = 0;
};

// The steady clock with pause and seek (`--no-audio`, and the fallback when the audio
// device stops).
class WallClock : public Clock {
 public:
  explicit WallClock(double start_seconds = 0.0, std::string name = "wall");
  double seconds() override;
  // Media seconds per wall second (`[`/`]` speed); 1 = real time.
  void set_rate(double rate);
  double rate() const { return rate_; }
  void set_paused(bool paused) override;
  bool paused() const override { return paused_; }
  void seek(double seconds) override;
  std::string name() const override { return name_; }

 private:
  double base_seconds_;   // media time at base_ns_
  std::int64_t base_ns_;  // audio::steady_now_ns() when base_seconds_ was taken
  bool paused_ = false;
  double rate_ = 1.0;
  std::string name_;
};

// ---------------------------------------------------------------------------------
// Statistics the HUD shows and `--stats FILE.json` writes.

struct PlayStats {
  double wall_seconds = 0;          // from the first to the last redraw
  std::int64_t redraws = 0;         // buffer swaps
  double fps = 0;                   // redraws per second, first swap to last
  std::int64_t frames_shown = 0;    // distinct video frames displayed
  std::int64_t frames_dropped = 0;  // due together with a newer one, never shown
  std::int64_t frames_late = 0;     // redraws where the due frame was not generated yet
  // A/V offset = audible time at the swap − the middle of the on-screen frame's
  // interval [k/25, (k+1)/25), seconds: in sync |offset| ≤ half a frame + draw time.
  double av_offset_mean = 0;
  double av_offset_min = 0;
  double av_offset_max = 0;
  // |offset| at its 99th percentile: a redraw of a loaded machine (the draw itself slowed
  // down, or the swap held up) may fall a few milliseconds past a frame now and then.
  double av_offset_abs_p99 = 0;
  // Pacing: media time the clock advanced, and the wall time it took, from the first
  // redraw after 0.5 s of media (past the device's start-up) to the last one.
  double clock_advance_seconds = 0;
  double clock_wall_seconds = 0;
  double output_delay_seconds = 0;  // last audio output delay (latency + buffer)
  std::int64_t audio_callbacks = 0;
  std::int64_t audio_underruns = 0;
  bool audio_lost = false;  // the device stopped; finished on the wall clock
  // Live: audio→picture latency, from a sample entering the capture callback to the
  // swap of the first frame computed with it, seconds.
  std::int64_t latency_samples = 0;
  double latency_mean = 0;
  double latency_p95 = 0;
  double latency_max = 0;
  double lookahead_seconds = 0;  // the generator's + the features' look-ahead
  std::int64_t capture_dropped_samples = 0;
  std::int64_t capture_callbacks = 0;  // live: input buffers received (capture callbacks)
  std::int64_t capture_overflows = 0;  // live: capture callbacks flagged paInputOverflow
  // Live: input stalls, gaps of more than 80 ms between input buffers (the device
  // delivered nothing meanwhile), and the longest gap, seconds.
  std::int64_t capture_stalls = 0;
  double capture_gap_max_seconds = 0;
  float jaw_open_max = 0;  // largest jawOpen among the frames shown
  std::string generator;
  std::string clock;
  // Keys handled (play): pause toggles, seeks, screenshots saved; media time at exit.
  std::int64_t pauses = 0;
  std::int64_t seeks = 0;
  std::int64_t screenshots = 0;
  double clock_end_seconds = 0;
  // Play keys: frame steps (`,`/`.`), whole-file loops (l), the state at exit.
  std::int64_t frame_steps = 0;
  std::int64_t loops = 0;
  std::int64_t frame_index_end = -1;                  // the motion frame on screen at exit
  double speed = 1.0;                                 // `[`/`]`
  bool muted = false;                                 // m
  bool looping = false;                               // l
  bool fullscreen = false;                            // f
  int framebuffer_width = 0, framebuffer_height = 0;  // at exit
  std::int64_t frames_recorded = 0;                   // live --record: video frames in the MP4
  std::int64_t vmc_sent = 0;                          // VMC bundles handed to the network (--vmc)
  std::int64_t vmc_failed = 0;                        // VMC bundles the socket refused
  std::vector<std::string> hud_lines;  // the HUD's text at the last redraw that showed it
};

std::string stats_to_json(const PlayStats& stats);

// ---------------------------------------------------------------------------------
// Running the player.

// Who draws the picture. Both give the same picture (a test holds them to ≥ 35 dB).
enum class Backend {
  Gl,   // the worker poses the mesh; the main thread draws it with OpenGL (GLSL shading)
  Cpu,  // the worker runs video::Renderer; the main thread uploads the picture
};

// What is drawn: the portrait's rig, framed as `parla render` frames it.
struct Scene {
  video::Rig rig;
  video::RenderParams render;  // framing and size (threads is set by the player)
  Backend backend = Backend::Gl;
};

struct WindowParams {
  std::string title = "parla";
  int max_fps = 0;  // redraw cap; 0 = the monitor's refresh rate (60 if unknown), -1 = none
  std::int64_t max_redraws = 0;                // --frames N: quit after N redraws; 0 = no limit
  double screenshot_at = -1;                   // --screenshot-at: clock time, seconds; < 0 = off
  std::filesystem::path screenshot_path;       // PNG written then, and the player quits
  std::filesystem::path screenshot_dir = ".";  // where the S key saves
  bool show_hud = false;                       // H toggles
  int queue_frames = 8;                        // bounded queue length (frames ahead of the clock)
  std::string vmc_address;  // --vmc HOST:PORT: each shown frame goes out as a VMC bundle
                            // (core VmcSender); empty = off
};

struct PlayInput {
  MotionTrack motion;       // 25 fps
  std::vector<float> pcm;   // interleaved float, may be empty with no_audio
  int sample_rate = 48000;  // Hz of pcm
  int channels = 2;
  std::string generator;        // for the HUD
  double duration_seconds = 0;  // media length; 0 = the motion's length
};

struct PlayParams {
  WindowParams window;
  bool no_audio = false;    // play silently on the wall clock
  int output_device = -1;   // PortAudio index; -1 = default
  bool exit_at_end = true;  // quit when the media has been shown to its end
};

// `parla play`: throws Error for setup failures (no display: suggests xvfb-run or
// parla render; no audio device: suggests --no-audio). Returns when the window closes.
PlayStats run_play(const Scene& scene, const PlayInput& input, const PlayParams& params);

struct LiveParams {
  WindowParams window;
  int input_device = -1;  // PortAudio index; -1 = default input
  std::string generator;  // fusion generator name; empty = the default
  // Seed, steps, weights, look-ahead; chunk_frames 0 = fusion::kLiveChunkFrames.
  fusion::GeneratorParams generator_params;
  double max_seconds = 0;  // quit after this much wall time; 0 = run until closed
  // --input FILE: this 16 kHz mono PCM replaces the microphone, delivered in real time;
  // live quits once it has been heard to its end. Empty input_name = the microphone.
  std::vector<float> input_pcm;
  std::string input_name;
  // --record OUT.mp4: what live shows (25 fps, the portrait without the HUD) and the
  // input audio, in sync by media time; written only when the run ends cleanly.
  std::filesystem::path record_path;
};

// `parla live`: microphone (or --input file) → ring → streaming features → streaming
// motion → render (and --record).
PlayStats run_live(const Scene& scene, const LiveParams& params);

}  // namespace parla::player
