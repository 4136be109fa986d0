// Private to player: what `play` and `live` share on the main thread — the window, the
// picture, the HUD, screenshots and redraw pacing. Main thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "player/figures.h"
#include "player/gl_rig.h"
#include "player/hud.h"
#include "player/picture_view.h"
#include "player/player.h"
#include "player/window.h"

namespace parla::player {

class Display {
 public:
  // Opens the window sized to the scene's output picture and shows the rest pose;
  // throws Error when there is no display.
  Display(const Scene& scene, const WindowParams& params);

  Window& window() { return window_; }
  // Makes `frame` the one on screen: draws its posed mesh (GL) or uploads its picture,
  // and sends its pose and media time to the VMC receiver (--vmc).
  void show(VideoFrame frame);
  // The VMC output, or null without --vmc.
  const VmcSender* vmc() const { return vmc_.get(); }
  const std::optional<VideoFrame>& current() const { return current_; }
  // The picture on screen at the scene's output size, without the HUD (--record).
  Image picture() const { return view_.read_texture(); }
  int picture_width() const { return framing_.width; }
  int picture_height() const { return framing_.height; }
  // Draws the current picture (and the HUD when on) into the back buffer.
  void draw(const std::vector<std::string>& hud_lines);
  // The thin progress bar along the picture's bottom edge (play, HUD off), drawn after
  // any screenshot so, as in mpv, screenshots hold the picture without it.
  void draw_progress(double fraction);
  // Saves what draw() just produced (the picture area, HUD included when on) as PNG. It
  // draws the same again into an offscreen 8-bit RGBA target and reads that, not the
  // window: a window's pixels are undefined where another window covers it (GL's pixel
  // ownership test) and are only as deep as the visual the X server gave it.
  void save_screenshot(const std::filesystem::path& path);
  // A fresh "parla-<n>.png" name in the S-key directory.
  std::filesystem::path next_screenshot_path();
  // Shows the back buffer.
  void swap();
  // Sleeps so redraws stay under the fps cap (call after swap() and its measurements).
  void pace();
  bool hud_on() const { return hud_on_; }
  // The figures the display owns, at exit: frame on screen, fullscreen, framebuffer
  // size, VMC bundles sent and refused.
  void fill_exit_stats(PlayStats& stats) const;
  void toggle_hud() { hud_on_ = !hud_on_; }
  // Redraws per second over the last second, and from the first swap to the last.
  double recent_fps() const { return recent_fps_; }
  double mean_fps() const;

 private:
  std::unique_ptr<VmcSender> vmc_;  // first: a bad address fails before the window opens
  RigFraming framing_;              // declared before window_: sizes it
  Window window_;
  PictureView view_;
  Hud hud_;
  std::unique_ptr<GlRigView> gl_rig_;  // Backend::Gl
  std::optional<VideoFrame> current_;
  // draw()'s picture and HUD, to draw the same again (draw_into).
  gl::Rect draw_into(int fb_width, int fb_height);
  gl::Rect last_rect_;
  std::vector<std::string> last_hud_;
  int last_fb_width_ = 0, last_fb_height_ = 0;
  bool hud_on_;
  std::filesystem::path screenshot_dir_;
  int screenshot_count_ = 0;
  std::int64_t frame_interval_ns_ = 0;  // 0 = no cap
  std::int64_t next_deadline_ns_ = 0;
  std::int64_t fps_window_start_ns_ = 0;
  int fps_window_redraws_ = 0;
  double recent_fps_ = 0;
  std::int64_t first_swap_ns_ = 0, last_swap_ns_ = 0;
  std::int64_t swaps_ = 0;
};

// HUD lines with the pose's main channels (jaw, lips, blinks, head).
std::vector<std::string> motion_lines(const MotionFrame& motion);

}  // namespace parla::player
