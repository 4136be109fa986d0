// Private to player: the GLFW window and its GL 3.3 core context. Main thread only
// (GLFW requires it): construction, events, swaps and destruction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "player/gl.h"

namespace parla::player {

// The keys, mpv's where mpv has one: space, ←/→, f, `,`/`.`, `[`/`]`/Backspace, m, l, s, q.
enum class Key {
  Pause,
  SeekBack,
  SeekForward,
  StepBack,     // `,`: pause, one frame back
  StepForward,  // `.`: pause, one frame forward
  SpeedDown,    // `[`: speed / 1.1
  SpeedUp,      // `]`: speed x 1.1
  SpeedReset,   // Backspace: speed 1
  Mute,         // m
  Loop,         // l: loop the whole file
  Fullscreen,   // f
  ToggleHud,
  Screenshot,
  Quit
};

class Window {
 public:
  // A resizable window whose framebuffer starts at `width` x `height` pixels of the
  // picture (scaled by the monitor's content scale on HiDPI screens). Throws Error when
  // there is no display (suggesting xvfb-run or parla render) or no GL 3.3 core.
  Window(int width, int height, const std::string& title);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // Processes window events; returns the keys pressed since the last call.
  std::vector<Key> poll();
  bool should_close() const;
  void close();
  void swap();
  // f: the primary monitor's whole screen, or back to the window as it was.
  void toggle_fullscreen();
  bool fullscreen() const;
  int framebuffer_width() const;
  int framebuffer_height() const;
  // Framebuffer pixels per window unit (2 on a typical HiDPI screen), for the HUD size.
  float content_scale() const;
  // The monitor's refresh rate in Hz, or 0 when unknown.
  int refresh_rate() const;
  std::string renderer_name() const;  // GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"

  struct State;  // private; public so the GLFW callbacks can reach it

 private:
  std::unique_ptr<State> state_;
};

}  // namespace parla::player
