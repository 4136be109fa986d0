// The fit preview: the portrait dimmed slightly, the mesh where the head moves, the
// mouth interior strip and the 68 landmarks.
#include <algorithm>
#include <cmath>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

void blend(Image& image, int x, int y, const std::array<float, 3>& rgb, float alpha) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  std::uint8_t* p = image.pixel(x, y);
  for (int k = 0; k < 3; ++k) p[k] = static_cast<std::uint8_t>(p[k] + (rgb[k] - p[k]) * alpha);
}

void draw_line(Image& image, Point a, Point b, const std::array<float, 3>& rgb, float alpha) {
  int steps = static_cast<int>(std::ceil(std::max(std::abs(b.x - a.x), std::abs(b.y - a.y)))) + 1;
  for (int i = 0; i <= steps; ++i) {
    float t = static_cast<float>(i) / steps;
    blend(image, static_cast<int>(a.x + (b.x - a.x) * t), static_cast<int>(a.y + (b.y - a.y) * t), rgb, alpha);
  }
}

void draw_dot(Image& image, Point c, float radius, const std::array<float, 3>& rgb) {
  for (int y = static_cast<int>(c.y - radius - 1); y <= static_cast<int>(c.y + radius + 1); ++y) {
    for (int x = static_cast<int>(c.x - radius - 1); x <= static_cast<int>(c.x + radius + 1); ++x) {
      float d = std::hypot(x + 0.5f - c.x, y + 0.5f - c.y);
      blend(image, x, y, rgb, clamp01(radius - d + 0.5f));
    }
  }
}

}  // namespace

Image draw_fit_preview(const Rig& rig) {
  const Rig::Impl& impl = rig.impl();
  // Small portraits are enlarged so the points stay legible.
  int factor = std::max(1, 1024 / std::max(impl.portrait.width, impl.portrait.height));
  Image image = resize(impl.portrait, impl.portrait.width * factor, impl.portrait.height * factor);
  auto at = [&](Point p) { return Point{p.x * factor, p.y * factor}; };
  for (size_t t = 0; t < impl.triangles.size(); ++t) {
    const auto& tri = impl.triangles[t];
    float weight = std::max({impl.weight[tri[0]], impl.weight[tri[1]], impl.weight[tri[2]]});
    bool mouth = impl.materials[t] == Material::Mouth;
    if (weight <= 0.f && !mouth) continue;
    std::array<float, 3> colour = mouth ? std::array<float, 3>{255, 60, 220}
                                  : impl.materials[t] == Material::Eye ? std::array<float, 3>{255, 220, 60}
                                                                       : std::array<float, 3>{60, 220, 255};
    float alpha = mouth ? 0.9f : 0.06f + 0.16f * weight;
    for (int e = 0; e < 3; ++e) {
      draw_line(image, at(impl.rest_px[tri[e]]), at(impl.rest_px[tri[(e + 1) % 3]]), colour, alpha);
    }
  }
  float radius = std::clamp(impl.frame.interocular_px * factor / 40.f, 2.f, 5.f);
  for (const Point& p : impl.landmarks) {
    draw_dot(image, at(p), radius + 1.f, {20, 20, 20});  // outline for any background
    draw_dot(image, at(p), radius, {255, 60, 40});
  }
  return image;
}

}  // namespace parla::video
