// The mouth interior drawn in the gap between the lips: a shaded cavity, upper and
// lower teeth and the tongue, all tinted from the portrait's own lip and skin colours
// so that they sit in its lighting.
#include <algorithm>
#include <cmath>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

std::array<float, 3> mean_patch(const Image& image, std::initializer_list<Point> centres, int radius) {
  std::array<float, 3> sum{};
  int n = 0;
  for (const Point& c : centres) {
    for (int dy = -radius; dy <= radius; ++dy) {
      for (int dx = -radius; dx <= radius; ++dx) {
        int x = static_cast<int>(c.x) + dx, y = static_cast<int>(c.y) + dy;
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
        for (int k = 0; k < 3; ++k) sum[k] += image.pixel(x, y)[k];
        ++n;
      }
    }
  }
  for (float& v : sum) v = n > 0 ? v / n : 128.f;
  return sum;
}

Point mid(Point a, Point b) { return {(a.x + b.x) / 2, (a.y + b.y) / 2}; }

std::array<float, 3> mix(const std::array<float, 3>& a, const std::array<float, 3>& b, float t) {
  return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

std::array<float, 3> scaled(const std::array<float, 3>& a, float s) {
  return {a[0] * s, a[1] * s, a[2] * s};
}

}  // namespace

MouthModel build_mouth(const Image& portrait, const Landmarks& l) {
  MouthModel m;
  int radius = std::max(0, static_cast<int>(face_frame(l).interocular_px / 40.f));
  m.lip = mean_patch(portrait, {mid(l[50], l[61]), mid(l[51], l[62]), mid(l[52], l[63]),
                                mid(l[56], l[65]), mid(l[57], l[66]), mid(l[58], l[67])}, radius);
  std::array<float, 3> skin = mean_patch(portrait, {mid(l[41], l[48]), mid(l[46], l[54]),
                                                    mid(l[31], l[3]), mid(l[35], l[13])}, radius + 1);
  float skin_luma = 0.299f * skin[0] + 0.587f * skin[1] + 0.114f * skin[2];
  // Teeth are lit like the skin around them: brighter than it, never paper white.
  float light = std::clamp(skin_luma / 165.f, 0.5f, 1.1f);
  m.teeth = mix(scaled({228.f, 222.f, 206.f}, light), skin, 0.22f);
  for (float& v : m.teeth) v = std::min(v, 245.f);
  m.cavity = {m.lip[0] * 0.26f + 6.f, m.lip[1] * 0.11f + 4.f, m.lip[2] * 0.11f + 4.f};
  // Teeth already shown by the portrait move with their lips; paint only the rest.
  FaceFrame frame = face_frame(l);
  float gap_px = (std::hypot(l[67].x - l[61].x, l[67].y - l[61].y) + std::hypot(l[66].x - l[62].x, l[66].y - l[62].y) +
                  std::hypot(l[65].x - l[63].x, l[65].y - l[63].y)) / 3.f;
  m.source_gap_units = gap_px / frame.interocular_px;
  m.tongue = scaled(mix(m.lip, scaled({190.f, 95.f, 100.f}, light), 0.3f), 0.8f);
  return m;
}

std::array<float, 3> shade_mouth(const MouthModel& m, float u, float v, float gap_units,
                                 float tongue_out, float px_per_unit) {
  const float x = 2.f * u - 1.f;  // -1 .. 1 corner to corner
  const float y = v * gap_units;  // face units below the upper lip
  const float aa = 1.f / std::max(1.f, px_per_unit);  // one output pixel in face units
  const float side = 1.f - 0.6f * x * x;              // the sides of the mouth are darker
  // Cavity: darkest at the back and under the upper lip.
  std::array<float, 3> rgb = scaled(m.cavity, (0.5f + 0.5f * side) * (0.55f + 0.45f * smoothstep(0.f, 0.8f, v)));
  // Lower teeth: a narrow band above the lower lip, shown once the jaw is well open.
  const float shown = 0.5f * m.source_gap_units;  // teeth height already in the portrait
  float lower_top = gap_units - std::max(0.f, 0.055f - shown) * (1.f - 0.3f * x * x);
  float lower_alpha = clamp01((y - lower_top) / aa + 0.5f) * clamp01((0.7f - std::abs(x)) / 0.15f) *
                      smoothstep(0.06f, 0.12f, gap_units) * smoothstep(0.f, 0.01f, 0.055f - shown);
  if (lower_alpha > 0.f) {
    rgb = mix(rgb, scaled(m.teeth, 0.78f * side), lower_alpha);
  }
  // Tongue: a rounded hump behind the lower teeth that rises with tongueOut.
  float tongue_top = gap_units * (0.7f - 0.55f * tongue_out) + 0.2f * x * x;
  // A soft top edge (the tongue is rounded and in the mouth's shadow), lit towards the
  // front as it comes out.
  float tongue_alpha = clamp01((y - tongue_top) / (0.03f + 2.f * aa) + 0.2f) * clamp01((0.85f - std::abs(x)) / 0.25f);
  if (tongue_alpha > 0.f) {
    float lit = (0.5f + 0.25f * (1.f - std::abs(x))) * (0.75f + 0.5f * tongue_out);
    rgb = mix(rgb, scaled(m.tongue, lit), tongue_alpha * (0.55f + 0.45f * std::max(tongue_out, 1.f - lower_alpha)));
  }
  // Upper teeth: hang from the upper lip, edge slightly curved; gaps between teeth.
  float upper_bottom = std::max(0.f, 0.10f - shown) * (1.f - 0.35f * x * x);
  float upper_alpha = clamp01((upper_bottom - y) / aa + 0.5f) * clamp01((0.82f - std::abs(x)) / 0.15f) *
                      smoothstep(0.f, 0.01f, 0.10f - shown);
  if (upper_alpha > 0.f) {
    float shade = side * (0.72f + 0.28f * smoothstep(0.f, 0.03f, y));  // the lip's shadow
    // Tooth boundaries every ~0.17 of the half-width from the middle outwards.
    float ax = std::abs(x);
    float edge = std::min({ax, std::abs(ax - 0.19f), std::abs(ax - 0.35f), std::abs(ax - 0.5f),
                           std::abs(ax - 0.64f)});
    shade *= 1.f - 0.08f * (1.f - smoothstep(0.f, 0.02f + 1.5f * aa, edge));
    rgb = mix(rgb, scaled(m.teeth, shade), upper_alpha);
  }
  return rgb;
}

}  // namespace parla::video
