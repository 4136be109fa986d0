// Private to player: draws an RGB8 picture letterboxed into the framebuffer, and reads
// it back for screenshots. Main thread only (GL).
#pragma once

#include "core/core.h"
#include "player/gl.h"

namespace parla::player {

class PictureView {
 public:
  PictureView();
  // Uploads a picture (reallocating the texture when the size changes) and draws it.
  void upload(const Image& picture);
  // Draws another texture (row 0 = top row) of width x height instead, until upload().
  void show_texture(GLuint texture, int width, int height);
  int width() const { return width_; }
  int height() const { return height_; }
  // The picture shown (uploaded or drawn elsewhere), read back from its texture at its
  // own size, row 0 = top: what --record writes, whatever the window's size.
  Image read_texture() const;
  // Clears the framebuffer to black and draws the picture letterboxed; returns where.
  gl::Rect draw(int framebuffer_width, int framebuffer_height);

 private:
  gl::Program program_;
  gl::VertexArray vertex_array_;
  gl::Texture texture_;
  GLuint shown_ = 0;                              // texture_ or a texture owned elsewhere
  int width_ = 0, height_ = 0;                    // of the texture shown
  int uploaded_width_ = 0, uploaded_height_ = 0;  // of texture_'s storage
};

// The pixels of `rect` in the current read buffer, top row first.
Image read_pixels(const gl::Rect& rect);

}  // namespace parla::player
