// Eyes: blinks slide the upper lid (its skin and lashes) down over the eyeball, which
// stays put; gaze moves the iris inside the opening, clipped by the lids, with the
// uncovered part filled by the portrait's own sclera colour.
#include <algorithm>
#include <cmath>
#include <vector>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

struct EyeCoords {
  float u;  // 0 at the outer corner, 1 at the inner corner
  float v;  // pixels along the normal (down the face)
};

EyeCoords eye_coords(const EyeModel& eye, Point p) {
  float dx = p.x - eye.corner.x, dy = p.y - eye.corner.y;
  return {(dx * eye.axis.x + dy * eye.axis.y) / eye.width_px, dx * eye.normal.x + dy * eye.normal.y};
}

Point eye_point(const EyeModel& eye, float u, float v) {
  return {eye.corner.x + eye.axis.x * u * eye.width_px + eye.normal.x * v,
          eye.corner.y + eye.axis.y * u * eye.width_px + eye.normal.y * v};
}

// Fits v = u(1-u)(a + b u) through two contour points.
void fit_contour(EyeCoords p1, EyeCoords p2, float& a, float& b) {
  auto basis = [](float u) { return std::max(0.05f, u * (1 - u)); };
  float r1 = p1.v / basis(p1.u), r2 = p2.v / basis(p2.u);
  if (std::abs(p2.u - p1.u) < 0.05f) {
    a = (r1 + r2) / 2, b = 0.f;
    return;
  }
  b = (r2 - r1) / (p2.u - p1.u);
  a = r1 - b * p1.u;
}

}  // namespace

EyeModel build_eye(const Image& portrait, const Landmarks& l, bool subject_left) {
  // Outer corner, inner corner, upper pair and lower pair (each from the outer side).
  const int outer = subject_left ? 45 : 36, inner = subject_left ? 42 : 39;
  const int up1 = subject_left ? 44 : 37, up2 = subject_left ? 43 : 38;
  const int lo1 = subject_left ? 46 : 41, lo2 = subject_left ? 47 : 40;
  EyeModel eye;
  eye.corner = l[outer];
  float dx = l[inner].x - l[outer].x, dy = l[inner].y - l[outer].y;
  eye.width_px = std::max(1.f, std::hypot(dx, dy));
  eye.axis = {dx / eye.width_px, dy / eye.width_px};
  FaceFrame frame = face_frame(l);
  Point down = {-std::sin(frame.angle_rad), std::cos(frame.angle_rad)};
  eye.normal = {-eye.axis.y, eye.axis.x};
  if (eye.normal.x * down.x + eye.normal.y * down.y < 0) eye.normal = {-eye.normal.x, -eye.normal.y};
  fit_contour(eye_coords(eye, l[up1]), eye_coords(eye, l[up2]), eye.upper_a, eye.upper_b);
  fit_contour(eye_coords(eye, l[lo1]), eye_coords(eye, l[lo2]), eye.lower_a, eye.lower_b);
  // The opening must not invert even for a squinting fit.
  eye.upper_a = std::min(eye.upper_a, -0.2f), eye.lower_a = std::max(eye.lower_a, 0.2f);
  eye.lid_band_px = 0.35f * eye.width_px;

  // Pixels inside the opening: iris = dark-weighted centroid, sclera = the bright ones.
  struct Sample {
    Point p;
    float luma;
    const std::uint8_t* rgb;
  };
  std::vector<Sample> inside;
  float min_v = 0.f, max_v = 0.f;
  for (float u = 0.f; u <= 1.f; u += 0.05f) {
    min_v = std::min(min_v, eye.upper(u));
    max_v = std::max(max_v, eye.lower(u));
  }
  std::array<Point, 4> box = {eye_point(eye, 0, min_v), eye_point(eye, 1, min_v),
                              eye_point(eye, 0, max_v), eye_point(eye, 1, max_v)};
  int x0 = portrait.width, y0 = portrait.height, x1 = 0, y1 = 0;
  for (const Point& p : box) {
    x0 = std::min(x0, static_cast<int>(std::floor(p.x))), x1 = std::max(x1, static_cast<int>(std::ceil(p.x)));
    y0 = std::min(y0, static_cast<int>(std::floor(p.y))), y1 = std::max(y1, static_cast<int>(std::ceil(p.y)));
  }
  for (int y = std::max(0, y0); y <= std::min(portrait.height - 1, y1); ++y) {
    for (int x = std::max(0, x0); x <= std::min(portrait.width - 1, x1); ++x) {
      Point p = {x + 0.5f, y + 0.5f};
      EyeCoords c = eye_coords(eye, p);
      if (c.u <= 0.08f || c.u >= 0.92f || c.v <= eye.upper(c.u) + 0.5f || c.v >= eye.lower(c.u) - 0.5f) continue;
      inside.push_back({p, luma(portrait.pixel(x, y)), portrait.pixel(x, y)});
    }
  }
  eye.iris = eye_point(eye, 0.5f, (eye.upper(0.5f) + eye.lower(0.5f)) / 2);
  eye.iris_radius_px = 0.2f * eye.width_px;
  eye.sclera = {225.f, 220.f, 215.f};
  eye.iris_rgb = {70.f, 55.f, 45.f};
  if (inside.size() >= 6) {
    float mean = 0.f;
    for (const Sample& s : inside) mean += s.luma;
    mean /= inside.size();
    Point centroid;
    float total = 0.f;
    for (const Sample& s : inside) {
      float w = std::max(0.f, mean - s.luma);
      w *= w;
      centroid.x += w * s.p.x, centroid.y += w * s.p.y, total += w;
    }
    if (total > 0.f) {
      EyeCoords c = eye_coords(eye, {centroid.x / total, centroid.y / total});
      c.u = std::clamp(c.u, 0.25f, 0.75f);
      c.v = std::clamp(c.v, eye.upper(c.u), eye.lower(c.u));
      eye.iris = eye_point(eye, c.u, c.v);
    }
    std::vector<float> lumas;
    for (const Sample& s : inside) lumas.push_back(s.luma);
    std::nth_element(lumas.begin(), lumas.begin() + lumas.size() * 3 / 4, lumas.end());
    float bright = lumas[lumas.size() * 3 / 4];
    // Iris radius: half the dark run along the eye through the iris centre (the lids
    // may hide its top and bottom), between 0.15 and 0.32 eye widths.
    {
      const float threshold = 0.5f * (mean + bright);
      EyeCoords centre = eye_coords(eye, eye.iris);
      auto dark_until = [&](float direction) {
        float reach = 0.f;
        for (float t = 0.f; t < 0.45f; t += 0.01f) {
          float u = centre.u + direction * t;
          if (u <= 0.02f || u >= 0.98f) break;
          Point p = eye_point(eye, u, centre.v);
          float rgb[3];
          sample_bilinear(portrait, p.x, p.y, rgb);
          if (luma(rgb[0], rgb[1], rgb[2]) > threshold) break;
          reach = t;
        }
        return reach;
      };
      float width_units = dark_until(-1.f) + dark_until(1.f);
      eye.iris_radius_px = std::clamp(0.5f * width_units, 0.15f, 0.32f) * eye.width_px;
    }
    std::array<float, 3> sclera{}, iris{};
    int sclera_n = 0, iris_n = 0;
    for (const Sample& s : inside) {
      float d = std::hypot(s.p.x - eye.iris.x, s.p.y - eye.iris.y);
      if (d > eye.iris_radius_px && s.luma >= bright) {
        for (int k = 0; k < 3; ++k) sclera[k] += s.rgb[k];
        ++sclera_n;
      }
      if (d < 0.6f * eye.iris_radius_px) {
        for (int k = 0; k < 3; ++k) iris[k] += s.rgb[k];
        ++iris_n;
      }
    }
    for (int k = 0; k < 3; ++k) {
      if (sclera_n > 0) eye.sclera[k] = sclera[k] / sclera_n;
      if (iris_n > 0) eye.iris_rgb[k] = iris[k] / iris_n;
    }
  }
  // Lash thickness and the lid's skin colour: the brighter half of the band above.
  eye.lash_px = std::max(1.f, 0.07f * eye.width_px);
  {
    std::vector<std::pair<float, const std::uint8_t*>> band;
    for (float u = 0.15f; u <= 0.85f; u += 0.05f) {
      for (float v = eye.upper(u) - eye.lid_band_px; v < eye.upper(u) - 1.5f * eye.lash_px; v += 0.5f) {
        Point p = eye_point(eye, u, v);
        int x = static_cast<int>(p.x), y = static_cast<int>(p.y);
        if (x < 0 || y < 0 || x >= portrait.width || y >= portrait.height) continue;
        band.push_back({luma(portrait.pixel(x, y)), portrait.pixel(x, y)});
      }
    }
    eye.lid_skin = eye.sclera;
    if (!band.empty()) {
      std::sort(band.begin(), band.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      std::array<float, 3> sum{};
      size_t n = 0;
      for (size_t i = band.size() / 2; i < band.size(); ++i, ++n) {
        for (int k = 0; k < 3; ++k) sum[k] += band[i].second[k];
      }
      for (int k = 0; k < 3; ++k) eye.lid_skin[k] = sum[k] / n;
    }
  }
  // Everything shade_eye may change: the opening and the lid band above it.
  std::array<Point, 4> reach = {eye_point(eye, 0, min_v - eye.lid_band_px), eye_point(eye, 1, min_v - eye.lid_band_px),
                                eye_point(eye, 0, max_v), eye_point(eye, 1, max_v)};
  eye.bounds_px = {reach[0].x, reach[0].y, reach[0].x, reach[0].y};
  for (const Point& p : reach) {
    eye.bounds_px[0] = std::min(eye.bounds_px[0], p.x - 2.f);
    eye.bounds_px[1] = std::min(eye.bounds_px[1], p.y - 2.f);
    eye.bounds_px[2] = std::max(eye.bounds_px[2], p.x + 2.f);
    eye.bounds_px[3] = std::max(eye.bounds_px[3], p.y + 2.f);
  }
  return eye;
}

EyePose eye_pose(const EyeModel& eye, const MotionFrame& motion, bool subject_left) {
  auto value = [&](Channel c) { return channel_value(motion, c); };
  EyePose pose;
  pose.blink = value(subject_left ? Channel::EyeBlinkLeft : Channel::EyeBlinkRight);
  // Gaze in the face frame: +x toward the subject's left (image right), +y up.
  float look_x = value(Channel::EyeLookX), look_y = value(Channel::EyeLookY);
  Point face_x = {eye.normal.y, -eye.normal.x};  // the normal turned a quarter
  float along = 0.22f * eye.width_px * look_x;
  float up = 0.10f * eye.width_px * look_y;
  pose.gaze_px = {face_x.x * along - eye.normal.x * up, face_x.y * along - eye.normal.y * up};
  return pose;
}

bool shade_eye(const EyeModel& eye, const EyePose& pose, const Image& portrait, Point p,
               std::array<float, 3>& rgb) {
  EyeCoords c = eye_coords(eye, p);
  if (c.u <= 0.f || c.u >= 1.f) return false;
  const float upper = eye.upper(c.u), lower = eye.lower(c.u);
  const float top = upper - eye.lid_band_px;
  if (c.v < top || c.v > lower) return false;
  // Right at the corners the lid eases in, so the skin just beyond them never shears.
  const float taper = smoothstep(0.f, 0.1f, c.u) * smoothstep(0.f, 0.1f, 1.f - c.u);
  const float lid = upper + pose.blink * (lower - upper) * (taper + (1.f - taper) * pose.blink * pose.blink);
  if (c.v < lid) {
    // Lid: the band above the eye slides down. The lash line keeps its thickness at the
    // lid edge; the skin above it stretches and evens out towards the lid's skin colour.
    const float lash = eye.lash_px;
    float source_v;
    if (c.v >= lid - lash) {
      source_v = upper - (lid - c.v);
      Point s = eye_point(eye, c.u, source_v);
      sample_bilinear(portrait, s.x, s.y, rgb.data());
      return true;
    }
    source_v = top + (c.v - top) * (upper - lash - top) / std::max(1e-3f, lid - lash - top);
    Point s = eye_point(eye, c.u, source_v);
    sample_bilinear(portrait, s.x, s.y, rgb.data());
    float covering = clamp01((c.v - (upper - lash)) / std::max(1.f, lid - upper));
    float even = 0.6f * pose.blink * covering * taper;
    float shade = 0.9f + 0.1f * (1.f - covering);
    for (int k = 0; k < 3; ++k) rgb[k] += (eye.lid_skin[k] * shade - rgb[k]) * even;
    return true;
  }
  sample_bilinear(portrait, p.x, p.y, rgb.data());
  if (pose.gaze_px.x != 0.f || pose.gaze_px.y != 0.f) {
    const float r = eye.iris_radius_px;
    // The iris' old place shows sclera, darker toward the corners.
    float d_old = std::hypot(p.x - eye.iris.x, p.y - eye.iris.y);
    float a_old = clamp01(1.1f * r - d_old + 0.5f);  // a margin: no rim of the old iris
    if (a_old > 0.f) {
      float shade = 0.9f + 0.1f * std::sqrt(clamp01(4.f * c.u * (1.f - c.u)));
      for (int k = 0; k < 3; ++k) rgb[k] += (eye.sclera[k] * shade - rgb[k]) * a_old;
    }
    // The iris in its new place, its texture from the old one.
    Point moved = {eye.iris.x + pose.gaze_px.x, eye.iris.y + pose.gaze_px.y};
    float d_new = std::hypot(p.x - moved.x, p.y - moved.y);
    float a_new = clamp01(r - d_new + 0.5f);
    if (a_new > 0.f) {
      Point s = {p.x - pose.gaze_px.x, p.y - pose.gaze_px.y};
      EyeCoords sc = eye_coords(eye, s);
      std::array<float, 3> iris = eye.iris_rgb;
      // Texture only where the source lies inside the opening (not on the lid).
      if (sc.u > 0.f && sc.u < 1.f && sc.v > eye.upper(sc.u) + 0.5f && sc.v < eye.lower(sc.u) - 0.5f) {
        sample_bilinear(portrait, s.x, s.y, iris.data());
      }
      for (int k = 0; k < 3; ++k) rgb[k] += (iris[k] - rgb[k]) * a_new;
    }
  }
  // The lid's shadow on the eyeball just under its edge.
  if (pose.blink > 0.f) {
    float shadow = 1.f - 0.3f * pose.blink * std::exp(-(c.v - lid) / std::max(0.6f, 0.25f * (lower - upper)));
    for (float& k : rgb) k *= shadow;
  }
  return true;
}

}  // namespace parla::video
