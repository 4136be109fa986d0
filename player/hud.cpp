// Hud: a 96-glyph atlas (ASCII 32..127) built from the 3x5 font at start-up; each
// frame's text becomes one vertex buffer of textured quads.
#include "player/hud.h"

#include <algorithm>

#include "player/font3x5.h"

namespace parla::player {
namespace {

constexpr int kFirstChar = 32;
constexpr int kCharCount = 96;
constexpr int kCellWidth = kGlyphWidth + 1;    // atlas cell with a blank column
constexpr int kCellHeight = kGlyphHeight + 1;  // and a blank row
constexpr char kSolid = '#';

const char* kVertexShader = R"(#version 330 core
layout(location = 0) in vec2 position;  // framebuffer pixels, origin top-left
layout(location = 1) in vec2 atlas_uv;
layout(location = 2) in float alpha;
uniform vec2 framebuffer_size;
out vec2 uv;
out float opacity;
void main() {
  uv = atlas_uv;
  opacity = alpha;
  vec2 ndc = position / framebuffer_size * 2.0 - 1.0;
  gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
}
)";

const char* kFragmentShader = R"(#version 330 core
in vec2 uv;
in float opacity;
out vec4 color;
uniform sampler2D atlas;
void main() {
  float ink = texture(atlas, uv).r;
  // Background quads sample the solid cell and are drawn dark; glyphs are drawn light.
  color = opacity < 1.0 ? vec4(0.0, 0.0, 0.0, opacity * ink) : vec4(0.2, 1.0, 0.4, ink);
}
)";

void add_quad(std::vector<float>& v, float x0, float y0, float x1, float y1, float u0, float v0,
              float u1, float v1, float alpha) {
  const float quad[6][5] = {{x0, y0, u0, v0, alpha}, {x1, y0, u1, v0, alpha},
                            {x0, y1, u0, v1, alpha}, {x1, y0, u1, v0, alpha},
                            {x1, y1, u1, v1, alpha}, {x0, y1, u0, v1, alpha}};
  for (const auto& vertex : quad) v.insert(v.end(), vertex, vertex + 5);
}

}  // namespace

Hud::Hud()
    : program_(gl::make_program(kVertexShader, kFragmentShader, "HUD")),
      vertex_array_(gl::make_vertex_array()),
      vertices_(gl::make_buffer()),
      atlas_(gl::make_texture()) {
  int width = kCharCount * kCellWidth, height = kCellHeight;
  std::vector<std::uint8_t> pixels(static_cast<size_t>(width) * height, 0);
  for (int i = 0; i < kCharCount; ++i) {
    auto rows = glyph_rows(static_cast<char>(kFirstChar + i));
    for (int y = 0; y < kGlyphHeight; ++y) {
      for (int x = 0; x < kGlyphWidth; ++x) {
        if (rows[y] & (1 << (kGlyphWidth - 1 - x))) pixels[y * width + i * kCellWidth + x] = 255;
      }
    }
  }
  glBindTexture(GL_TEXTURE_2D, atlas_.get());
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, pixels.data());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);

  glBindVertexArray(vertex_array_.get());
  glBindBuffer(GL_ARRAY_BUFFER, vertices_.get());
  const GLsizei stride = 5 * sizeof(float);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, nullptr);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride,
                        reinterpret_cast<void*>(2 * sizeof(float)));
  glEnableVertexAttribArray(2);
  glVertexAttribPointer(2, 1, GL_FLOAT, GL_FALSE, stride,
                        reinterpret_cast<void*>(4 * sizeof(float)));
  glBindVertexArray(0);
}

void Hud::draw(const std::vector<std::string>& lines, int fb_width, int fb_height, int pixel_size) {
  if (lines.empty()) return;
  const float atlas_w = kCharCount * kCellWidth, atlas_h = kCellHeight;
  const float p = static_cast<float>(std::max(1, pixel_size));
  const float margin = 2 * p, advance = kCellWidth * p, line_height = (kCellHeight + 1) * p;
  size_t longest = 0;
  for (const auto& line : lines) longest = std::max(longest, line.size());
  scratch_.clear();
  // A strip along the bottom edge: a portrait's face, forehead and hair are at the top
  // and middle, its neck and shoulders at the bottom.
  const float block_h = 2 * margin + lines.size() * line_height;
  const float top = std::max(0.f, static_cast<float>(fb_height) - block_h);
  // Background: the solid glyph's centre texel stretched over the text block.
  float su = ((kSolid - kFirstChar) * kCellWidth + 1.5f) / atlas_w, sv = 2.5f / atlas_h;
  add_quad(scratch_, 0, top, 2 * margin + longest * advance, top + block_h, su, sv, su, sv, 0.6f);
  for (size_t row = 0; row < lines.size(); ++row) {
    float y = top + margin + row * line_height;
    for (size_t col = 0; col < lines[row].size(); ++col) {
      int code = static_cast<unsigned char>(lines[row][col]);
      if (code >= 'a' && code <= 'z') code -= 'a' - 'A';
      if (code < kFirstChar || code >= kFirstChar + kCharCount || code == ' ') continue;
      float x = margin + col * advance;
      float u0 = static_cast<float>((code - kFirstChar) * kCellWidth) / atlas_w;
      float u1 = u0 + kGlyphWidth / atlas_w;
      add_quad(scratch_, x, y, x + kGlyphWidth * p, y + kGlyphHeight * p, u0, 0.f, u1,
               kGlyphHeight / atlas_h, 1.f);
    }
  }
  submit(fb_width, fb_height);
}

void Hud::draw_bar(float x0, float y0, float x1, float y1, float fraction, int fb_width,
                   int fb_height) {
  const float atlas_w = kCharCount * kCellWidth, atlas_h = kCellHeight;
  float su = ((kSolid - kFirstChar) * kCellWidth + 1.5f) / atlas_w, sv = 2.5f / atlas_h;
  float split = x0 + std::clamp(fraction, 0.f, 1.f) * (x1 - x0);
  scratch_.clear();
  add_quad(scratch_, split, y0, x1, y1, su, sv, su, sv, 0.6f);  // the rest: dark track
  add_quad(scratch_, x0, y0, split, y1, su, sv, su, sv, 1.f);   // played: green
  submit(fb_width, fb_height);
}

void Hud::submit(int fb_width, int fb_height) {
  glViewport(0, 0, fb_width, fb_height);
  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  glUseProgram(program_.get());
  glUniform2f(glGetUniformLocation(program_.get(), "framebuffer_size"),
              static_cast<float>(fb_width), static_cast<float>(fb_height));
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, atlas_.get());
  glUniform1i(glGetUniformLocation(program_.get(), "atlas"), 0);
  glBindVertexArray(vertex_array_.get());
  glBindBuffer(GL_ARRAY_BUFFER, vertices_.get());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(scratch_.size() * sizeof(float)),
               scratch_.data(), GL_STREAM_DRAW);
  glDrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(scratch_.size() / 5));
  glBindVertexArray(0);
  glDisable(GL_BLEND);
}

}  // namespace parla::player
