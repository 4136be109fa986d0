// GlRigView: per frame the worker's posed vertices become one vertex buffer of the
// triangles to redraw; the shaders do the per-pixel work (player/rig_shaders.cpp).
#include "player/gl_rig.h"

#include <cmath>
#include <string>

#include "player/rig_shaders.h"
#include "video/rig_internal.h"  // the rig's mesh, eye and mouth models (Rig::impl())

namespace parla::player {
namespace {

constexpr int kFloatsPerVertex = 7;  // dest xy, source xy, mouth (u, below upper, above lower)

void push_vertex(std::vector<float>& v, video::Point dest, video::Point source, float mu, float mv,
                 float gap) {
  const float values[kFloatsPerVertex] = {dest.x, dest.y, source.x, source.y, mu, mv, gap};
  v.insert(v.end(), values, values + kFloatsPerVertex);
}

GLint uniform(GLuint program, const std::string& name) {
  return glGetUniformLocation(program, name.c_str());
}

void set_vec3(GLuint program, const std::string& name, const std::array<float, 3>& v) {
  glUniform3f(uniform(program, name), v[0], v[1], v[2]);
}

}  // namespace

RigFraming framing_of(const video::Renderer& renderer) {
  return {renderer.width(), renderer.height(), static_cast<float>(renderer.scale()),
          renderer.origin()};
}

GlRigView::GlRigView(const video::Rig& rig, RigFraming framing)
    : rig_(rig),
      framing_(framing),
      programs_{gl::make_program(kRigVertexShader, rig_fragment_shader(0).c_str(), "rig skin"),
                gl::make_program(kRigVertexShader, rig_fragment_shader(1).c_str(), "rig eye"),
                gl::make_program(kRigVertexShader, rig_fragment_shader(2).c_str(), "rig mouth"),
                gl::make_program(kRigVertexShader, rig_fragment_shader(3).c_str(), "rig lip")},
      vertex_array_(gl::make_vertex_array()),
      vertices_(gl::make_buffer()),
      portrait_(gl::make_texture()),
      target_(gl::make_texture()) {
  const Image& portrait = rig_.portrait();
  glBindTexture(GL_TEXTURE_2D, portrait_.get());
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, portrait.width, portrait.height, 0, GL_RGB,
               GL_UNSIGNED_BYTE, portrait.rgb.data());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);

  glBindTexture(GL_TEXTURE_2D, target_.get());
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, framing_.width, framing_.height, 0, GL_RGBA,
               GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glGenFramebuffers(1, &framebuffer_);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target_.get(), 0);
  GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    glDeleteFramebuffers(1, &framebuffer_);
    throw Error("cannot create the " + std::to_string(framing_.width) + "x" +
                std::to_string(framing_.height) + " OpenGL render target (status " +
                std::to_string(status) + ")");
  }

  glBindVertexArray(vertex_array_.get());
  glBindBuffer(GL_ARRAY_BUFFER, vertices_.get());
  const GLsizei stride = kFloatsPerVertex * sizeof(float);
  auto attribute = [&](GLuint location, GLint size, int offset) {
    glEnableVertexAttribArray(location);
    glVertexAttribPointer(location, size, GL_FLOAT, GL_FALSE, stride,
                          reinterpret_cast<void*>(static_cast<size_t>(offset) * sizeof(float)));
  };
  attribute(0, 2, 0);
  attribute(1, 2, 2);
  attribute(2, 3, 4);
  glBindVertexArray(0);
  for (const gl::Program& program : programs_) set_static_uniforms(program.get());
  warm_up();
}

// llvmpipe compiles a shader when it first rasterises with it: a few hundred ms for
// the eye program. Drawing a small triangle with each program now keeps that stall
// out of playback.
void GlRigView::warm_up() {
  std::vector<float> triangle;
  for (video::Point p : {video::Point{0, 0}, video::Point{4, 0}, video::Point{0, 4}}) {
    push_vertex(triangle, p, {1, 1}, 0.5f, 0.5f, 1.f);
  }
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glViewport(0, 0, framing_.width, framing_.height);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, portrait_.get());
  glBindVertexArray(vertex_array_.get());
  glBindBuffer(GL_ARRAY_BUFFER, vertices_.get());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(triangle.size() * sizeof(float)),
               triangle.data(), GL_STREAM_DRAW);
  for (const gl::Program& program : programs_) {
    glUseProgram(program.get());
    glDrawArrays(GL_TRIANGLES, 0, 3);
  }
  glFinish();
  glBindVertexArray(0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

GlRigView::~GlRigView() {
  if (framebuffer_) glDeleteFramebuffers(1, &framebuffer_);
}

GLuint GlRigView::texture() const { return target_.get(); }

void GlRigView::set_static_uniforms(GLuint p) {
  const video::Rig::Impl& impl = rig_.impl();
  glUseProgram(p);
  glUniform1i(uniform(p, "portrait"), 0);
  glUniform2f(uniform(p, "portrait_size"), static_cast<float>(impl.portrait.width),
              static_cast<float>(impl.portrait.height));
  glUniform2f(uniform(p, "output_size"), static_cast<float>(framing_.width),
              static_cast<float>(framing_.height));
  glUniform1f(uniform(p, "px_per_unit"), impl.frame.interocular_px * framing_.scale);
  glUniform1f(uniform(p, "detail_px"), video::mouth_detail_px(framing_.scale));
  glUniform1f(uniform(p, "seam_width_px"),
              video::lip_seam_width(impl.frame.interocular_px * framing_.scale, framing_.scale));
  set_vec3(p, "mouth.cavity", impl.mouth.cavity);
  set_vec3(p, "mouth.teeth", impl.mouth.teeth);
  set_vec3(p, "mouth.tongue", impl.mouth.tongue);
  set_vec3(p, "mouth.lip", impl.mouth.lip);
  set_vec3(p, "seam_lip", impl.seam_lip);
  glUniform1f(uniform(p, "mouth.upper_teeth_units"), impl.mouth.upper_teeth_units);
  glUniform1f(uniform(p, "mouth.lower_teeth_units"), impl.mouth.lower_teeth_units);
  glUniform1f(uniform(p, "mouth.teeth_edge"), impl.mouth.teeth_edge);
  glUniform1f(uniform(p, "mouth.lower_teeth_edge"), impl.mouth.lower_teeth_edge);
  glUniform1f(uniform(p, "mouth.teeth_edge_reach"), impl.mouth.teeth_edge_reach);
  for (int e = 0; e < 2; ++e) {
    const video::EyeModel& eye = impl.eyes[e];
    std::string n = "eyes[" + std::to_string(e) + "].";
    glUniform2f(uniform(p, n + "corner"), eye.corner.x, eye.corner.y);
    glUniform2f(uniform(p, n + "axis"), eye.axis.x, eye.axis.y);
    glUniform2f(uniform(p, n + "normal"), eye.normal.x, eye.normal.y);
    glUniform1f(uniform(p, n + "width_px"), eye.width_px);
    glUniform1f(uniform(p, n + "upper_a"), eye.upper_a);
    glUniform1f(uniform(p, n + "upper_b"), eye.upper_b);
    glUniform1f(uniform(p, n + "lower_a"), eye.lower_a);
    glUniform1f(uniform(p, n + "lower_b"), eye.lower_b);
    glUniform1f(uniform(p, n + "lid_band_px"), eye.lid_band_px);
    glUniform1f(uniform(p, n + "lash_px"), eye.lash_px);
    set_vec3(p, n + "lid_skin", eye.lid_skin);
    glUniform2f(uniform(p, n + "iris"), eye.iris.x, eye.iris.y);
    glUniform1f(uniform(p, n + "iris_radius_px"), eye.iris_radius_px);
    set_vec3(p, n + "sclera", eye.sclera);
    set_vec3(p, n + "iris_rgb", eye.iris_rgb);
    glUniform4f(uniform(p, n + "bounds_px"), eye.bounds_px[0], eye.bounds_px[1], eye.bounds_px[2],
                eye.bounds_px[3]);
  }
}

void GlRigView::draw(const std::vector<video::Point>& posed_px, const MotionFrame& track_frame) {
  const video::Rig::Impl& impl = rig_.impl();
  const MotionFrame motion = video::rig_motion(impl, track_frame);
  const size_t count = impl.rest_px.size();
  if (posed_px.size() != count) return;
  const RigFraming& f = framing_;
  auto to_output = [&](video::Point p) {
    return video::Point{(p.x - f.origin.x) * f.scale, (p.y - f.origin.y) * f.scale};
  };

  // Mirrors video/renderer.cpp setup_frame: what moves, lip gaps, eye poses.
  moving_.assign(count, 0);
  for (size_t v = 0; v < count; ++v) {
    // Motion under 1/50 output pixel is invisible: such vertices count as still.
    moving_[v] = std::abs(posed_px[v].x - impl.rest_px[v].x) * f.scale > 0.02f ||
                 std::abs(posed_px[v].y - impl.rest_px[v].y) * f.scale > 0.02f;
  }
  dest_px_.resize(count);
  for (size_t v = 0; v < count; ++v) dest_px_[v] = to_output(posed_px[v]);
  gap_px_.assign(count, 0.f);
  for (const auto& [upper, lower] : impl.cut_pairs) {
    video::Point a = dest_px_[upper], b = dest_px_[lower];
    gap_px_[upper] = gap_px_[lower] = std::hypot(b.x - a.x, b.y - a.y);
  }
  video::lip_seam(impl, dest_px_, impl.frame.interocular_px * f.scale,
                  video::channel_value(motion, Channel::MouthClose), seam_);
  video::source_vertices(impl, motion, source_px_);
  std::array<video::EyePose, 2> poses;
  for (int e = 0; e < 2; ++e)
    poses[e] = video::eye_pose(impl.eyes[e], motion, /*subject_left=*/e == 1);
  const bool eyes_active = poses[0].active() || poses[1].active();

  for (auto& group : scratch_) group.clear();
  // The still background: the framed portrait over the whole target.
  const float w = static_cast<float>(f.width), h = static_cast<float>(f.height);
  auto background = [&](float x, float y) {
    push_vertex(scratch_[0], {x, y}, {f.origin.x + x / f.scale, f.origin.y + y / f.scale}, 0, 0, 0);
  };
  background(0, 0), background(w, 0), background(0, h);
  background(w, 0), background(w, h), background(0, h);
  for (size_t t = 0; t < impl.triangles.size(); ++t) {
    const auto& tri = impl.triangles[t];
    const video::Material material = impl.materials[t];
    bool needed = moving_[tri[0]] || moving_[tri[1]] || moving_[tri[2]] ||
                  (material == video::Material::Eye && eyes_active);
    if (!needed) continue;
    for (int k = 0; k < 3; ++k) {
      int v = tri[k];
      std::vector<float>& group = scratch_[static_cast<int>(material)];
      if (material == video::Material::Lip) {
        const auto [below, strength, blend] = video::lip_seam_attributes(impl, seam_, dest_px_, v);
        push_vertex(group, dest_px_[v], source_px_[v], below, strength, blend);
        continue;
      }
      bool lower = impl.lip_side[v] == static_cast<std::uint8_t>(video::LipSide::Lower);
      // Mouth attributes as video/renderer.cpp: (u, px below the upper lip, px above
      // the lower lip), affine within a triangle and equal along shared edges.
      push_vertex(group, dest_px_[v], source_px_[v], impl.mouth_u[v], lower ? gap_px_[v] : 0.f,
                  lower ? 0.f : gap_px_[v]);
    }
  }

  upload_.clear();
  for (const auto& group : scratch_) upload_.insert(upload_.end(), group.begin(), group.end());
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glViewport(0, 0, f.width, f.height);
  glDisable(GL_BLEND);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, portrait_.get());
  glBindVertexArray(vertex_array_.get());
  glBindBuffer(GL_ARRAY_BUFFER, vertices_.get());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(upload_.size() * sizeof(float)),
               upload_.data(), GL_STREAM_DRAW);
  GLint first = 0;
  for (int m = 0; m < static_cast<int>(scratch_.size()); ++m) {
    auto n = static_cast<GLsizei>(scratch_[m].size() / kFloatsPerVertex);
    if (n == 0) continue;
    GLuint p = programs_[m].get();
    glUseProgram(p);
    if (m == static_cast<int>(video::Material::Mouth)) {
      glUniform1f(uniform(p, "tongue_out"),
                  video::channel_value(motion, Channel::TongueOut));
      glUniform1f(uniform(p, "teeth_shown"), video::teeth_in_view(motion));
      glUniform1f(uniform(p, "hairline_lip"),
                  video::hairline_lip_share(impl, video::channel_value(motion, Channel::MouthClose)));
    }
    if (m == static_cast<int>(video::Material::Eye)) {
      for (int e = 0; e < 2; ++e) {
        std::string n_eye = "eyes[" + std::to_string(e) + "].";
        glUniform1f(uniform(p, n_eye + "blink"), poses[e].blink);
        glUniform2f(uniform(p, n_eye + "gaze_px"), poses[e].gaze_px.x, poses[e].gaze_px.y);
      }
    }
    glDrawArrays(GL_TRIANGLES, first, n);
    first += n;
  }
  glBindVertexArray(0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

}  // namespace parla::player
