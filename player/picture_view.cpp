// PictureView: one textured quad; the vertex shader makes it from gl_VertexID.
#include "player/picture_view.h"

#include <algorithm>

namespace parla::player {
namespace {

const char* kVertexShader = R"(#version 330 core
out vec2 uv;
void main() {
  vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
  uv = vec2(corner.x, 1.0 - corner.y);  // image rows are stored top first
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
)";

const char* kFragmentShader = R"(#version 330 core
in vec2 uv;
out vec4 color;
uniform sampler2D picture;
void main() { color = vec4(texture(picture, uv).rgb, 1.0); }
)";

}  // namespace

PictureView::PictureView()
    : program_(gl::make_program(kVertexShader, kFragmentShader, "picture")),
      vertex_array_(gl::make_vertex_array()),
      texture_(gl::make_texture()) {
  glBindTexture(GL_TEXTURE_2D, texture_.get());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

void PictureView::show_texture(GLuint texture, int width, int height) {
  shown_ = texture;
  width_ = width;
  height_ = height;
}

void PictureView::upload(const Image& picture) {
  shown_ = texture_.get();
  glBindTexture(GL_TEXTURE_2D, texture_.get());
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  width_ = picture.width;
  height_ = picture.height;
  if (width_ != uploaded_width_ || height_ != uploaded_height_) {
    uploaded_width_ = width_;
    uploaded_height_ = height_;
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, width_, height_, 0, GL_RGB, GL_UNSIGNED_BYTE,
                 picture.rgb.data());
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width_, height_, GL_RGB, GL_UNSIGNED_BYTE,
                    picture.rgb.data());
  }
}

gl::Rect PictureView::draw(int fb_width, int fb_height) {
  glViewport(0, 0, fb_width, fb_height);
  glClearColor(0.f, 0.f, 0.f, 1.f);
  glClear(GL_COLOR_BUFFER_BIT);
  gl::Rect rect = gl::letterbox(fb_width, fb_height, width_, height_);
  if (rect.width == 0) return rect;
  glViewport(rect.x, rect.y, rect.width, rect.height);
  glDisable(GL_BLEND);
  glUseProgram(program_.get());
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, shown_);
  glUniform1i(glGetUniformLocation(program_.get(), "picture"), 0);
  glBindVertexArray(vertex_array_.get());
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  glViewport(0, 0, fb_width, fb_height);
  return rect;
}

Image PictureView::read_texture() const {
  Image image(width_, height_);
  if (!shown_ || image.empty()) return image;
  glBindTexture(GL_TEXTURE_2D, shown_);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glGetTexImage(GL_TEXTURE_2D, 0, GL_RGB, GL_UNSIGNED_BYTE, image.rgb.data());
  return image;
}

Image read_pixels(const gl::Rect& rect) {
  Image image(rect.width, rect.height);
  std::vector<std::uint8_t> rows(image.rgb.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(rect.x, rect.y, rect.width, rect.height, GL_RGB, GL_UNSIGNED_BYTE, rows.data());
  size_t stride = static_cast<size_t>(rect.width) * 3;
  for (int y = 0; y < rect.height; ++y) {  // GL rows are bottom first
    std::copy_n(&rows[(rect.height - 1 - y) * stride], stride, image.pixel(0, y));
  }
  return image;
}

}  // namespace parla::player
