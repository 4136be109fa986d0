// GL object creation, shader compilation and letterboxing.
#include "player/gl.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/core.h"

namespace parla::player::gl {

Texture make_texture() {
  GLuint n = 0;
  glGenTextures(1, &n);
  return Texture(n);
}

Buffer make_buffer() {
  GLuint n = 0;
  glGenBuffers(1, &n);
  return Buffer(n);
}

Framebuffer make_framebuffer() {
  GLuint n = 0;
  glGenFramebuffers(1, &n);
  return Framebuffer(n);
}

VertexArray make_vertex_array() {
  GLuint n = 0;
  glGenVertexArrays(1, &n);
  return VertexArray(n);
}

namespace {

GLuint compile(GLenum type, const char* source, const std::string& what) {
  GLuint shader = glCreateShader(type);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = 0;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    GLint length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<size_t>(std::max(length, 1)));
    glGetShaderInfoLog(shader, length, nullptr, log.data());
    glDeleteShader(shader);
    throw Error("cannot compile the " + what + " shader: " + std::string(log.data()));
  }
  return shader;
}

}  // namespace

Program make_program(const char* vertex_source, const char* fragment_source,
                     const std::string& what) {
  GLuint vs = compile(GL_VERTEX_SHADER, vertex_source, what + " vertex");
  GLuint fs = 0;
  try {
    fs = compile(GL_FRAGMENT_SHADER, fragment_source, what + " fragment");
  } catch (...) {
    glDeleteShader(vs);
    throw;
  }
  Program program(glCreateProgram());
  glAttachShader(program.get(), vs);
  glAttachShader(program.get(), fs);
  glLinkProgram(program.get());
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(program.get(), GL_LINK_STATUS, &ok);
  if (!ok) {
    GLint length = 0;
    glGetProgramiv(program.get(), GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<size_t>(std::max(length, 1)));
    glGetProgramInfoLog(program.get(), length, nullptr, log.data());
    throw Error("cannot link the " + what + " program: " + std::string(log.data()));
  }
  return program;
}

Rect letterbox(int fb_width, int fb_height, int picture_width, int picture_height) {
  if (fb_width <= 0 || fb_height <= 0 || picture_width <= 0 || picture_height <= 0) return {};
  double scale = std::min(static_cast<double>(fb_width) / picture_width,
                          static_cast<double>(fb_height) / picture_height);
  int w = std::max(1, static_cast<int>(std::lround(picture_width * scale)));
  int h = std::max(1, static_cast<int>(std::lround(picture_height * scale)));
  return {(fb_width - w) / 2, (fb_height - h) / 2, w, h};
}

}  // namespace parla::player::gl
