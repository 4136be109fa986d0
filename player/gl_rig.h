// Private to player: the OpenGL twin of video::Renderer. It draws the rig's mesh posed
// for one frame into an offscreen target of the renderer's output size and framing:
// the still background, then only the triangles that move (and the eyes while they
// blink or look), shaded by the GLSL ports of the CPU renderer's per-pixel code.
// Main thread only (GL).
#pragma once

#include <array>
#include <vector>

#include "player/gl.h"
#include "video/video.h"

namespace parla::video {
struct SeamColumn;  // video/rig_internal.h
}  // namespace parla::video

namespace parla::player {

// The CPU renderer's framing: output = (portrait - origin) * scale.
struct RigFraming {
  int width = 0, height = 0;  // output pixels
  float scale = 1.f;          // output pixels per portrait pixel
  video::Point origin;        // portrait pixels
};
RigFraming framing_of(const video::Renderer& renderer);

class GlRigView {
 public:
  GlRigView(const video::Rig& rig, RigFraming framing);
  ~GlRigView();
  GlRigView(const GlRigView&) = delete;
  GlRigView& operator=(const GlRigView&) = delete;

  // Draws the mesh posed at `posed_px` (Rig::posed_vertices of `motion`) into texture().
  void draw(const std::vector<video::Point>& posed_px, const MotionFrame& motion);
  // The picture, RGBA8, row 0 = the top row (like an uploaded Image).
  GLuint texture() const;
  int width() const { return framing_.width; }
  int height() const { return framing_.height; }

 private:
  void set_static_uniforms(GLuint program);
  void warm_up();
  video::Rig rig_;
  RigFraming framing_;
  std::array<gl::Program, 4> programs_;  // by material: skin, eye, mouth, lip
  gl::VertexArray vertex_array_;
  gl::Buffer vertices_;
  gl::Texture portrait_;
  gl::Texture target_;
  GLuint framebuffer_ = 0;
  std::array<std::vector<float>, 4> scratch_;  // per-frame vertices by material, reused
  std::vector<float> upload_;
  std::vector<float> gap_px_;  // per mesh vertex, reused
  std::vector<video::Point> dest_px_;  // per mesh vertex: output pixels
  std::vector<video::SeamColumn> seam_;  // per seam column
  std::vector<video::Point> source_px_;  // per mesh vertex: where it samples the portrait
  std::vector<std::uint8_t> moving_;
};

}  // namespace parla::player
