// Private to player: the heads-up display — lines of text in the built-in 3x5 font
// over a translucent box in the top-left corner. Main thread only (GL).
#pragma once

#include <string>
#include <vector>

#include "player/gl.h"

namespace parla::player {

class Hud {
 public:
  Hud();
  // Draws `lines` with glyph pixels of `pixel_size` framebuffer pixels.
  void draw(const std::vector<std::string>& lines, int framebuffer_width, int framebuffer_height,
            int pixel_size);
  // The progress bar (framebuffer pixels, origin top-left): a dark translucent track
  // from x0 to x1 filled in the HUD's green up to `fraction` (0..1).
  void draw_bar(float x0, float y0, float x1, float y1, float fraction, int framebuffer_width,
                int framebuffer_height);

 private:
  void submit(int framebuffer_width, int framebuffer_height);
  gl::Program program_;
  gl::VertexArray vertex_array_;
  gl::Buffer vertices_;
  gl::Texture atlas_;
  std::vector<float> scratch_;  // x, y, u, v, alpha per vertex; reused between frames
};

}  // namespace parla::player
