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

 private:
  gl::Program program_;
  gl::VertexArray vertex_array_;
  gl::Buffer vertices_;
  gl::Texture atlas_;
  std::vector<float> scratch_;  // x, y, u, v, alpha per vertex; reused between frames
};

}  // namespace parla::player
