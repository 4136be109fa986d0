// Private to player: OpenGL 3.3 core through GLFW's headers with no loader (GLVND's
// libGL exports every core entry point), and RAII owners for GL objects. Main thread
// only: every GL call needs the window's context current.
#pragma once

#define GL_GLEXT_PROTOTYPES 1
#define GLFW_INCLUDE_GLCOREARB 1
#include <GLFW/glfw3.h>

#include <string>
#include <utility>

namespace parla::player::gl {

// A GL name with its delete function; moves, never copies.
template <void (*Delete)(GLuint)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(GLuint name) : name_(name) {}
  ~Handle() {
    if (name_) Delete(name_);
  }
  Handle(Handle&& other) noexcept : name_(std::exchange(other.name_, 0)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      if (name_) Delete(name_);
      name_ = std::exchange(other.name_, 0);
    }
    return *this;
  }
  GLuint get() const { return name_; }

 private:
  GLuint name_ = 0;
};

inline void delete_texture(GLuint n) { glDeleteTextures(1, &n); }
inline void delete_buffer(GLuint n) { glDeleteBuffers(1, &n); }
inline void delete_vertex_array(GLuint n) { glDeleteVertexArrays(1, &n); }
inline void delete_program(GLuint n) { glDeleteProgram(n); }
inline void delete_framebuffer(GLuint n) { glDeleteFramebuffers(1, &n); }

using Texture = Handle<delete_texture>;
using Buffer = Handle<delete_buffer>;
using VertexArray = Handle<delete_vertex_array>;
using Program = Handle<delete_program>;
using Framebuffer = Handle<delete_framebuffer>;

Texture make_texture();
Buffer make_buffer();
VertexArray make_vertex_array();
Framebuffer make_framebuffer();
// Compiles and links; throws parla::Error with the GL info log on failure.
Program make_program(const char* vertex_source, const char* fragment_source,
                     const std::string& what);

// Pixel rectangle in framebuffer coordinates (origin bottom-left, as glViewport).
struct Rect {
  int x = 0, y = 0, width = 0, height = 0;
};

// The largest rectangle of the picture's aspect centred in the framebuffer.
Rect letterbox(int framebuffer_width, int framebuffer_height, int picture_width,
               int picture_height);

}  // namespace parla::player::gl
