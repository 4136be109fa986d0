// The picture faults of the VQ training negatives (critic/degrade.h). Every fault is placed
// and sized in the face frame (origin between the eyes, unit = inter-ocular distance), so it
// looks the same on a 512² portrait and a 1280×720 video frame, and only the face's box is
// touched. Placements come from the seed alone, so the same seed on consecutive frames puts
// the same fault on the same part of the face.
#include "critic/degrade.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace parla::critic {
namespace {

using video::Point;

// Strength in 0.5..1 as a 0..1 knob between "clearly visible" and "severe".
float knob(float strength) { return std::clamp((strength - 0.5f) / 0.5f, 0.f, 1.f); }
float mix(float lo, float hi, float t) { return lo + (hi - lo) * t; }
float smoothstep(float e0, float e1, float x) {
  float t = std::clamp((x - e0) / (e1 - e0), 0.f, 1.f);
  return t * t * (3 - 2 * t);
}
std::uint8_t to_u8(float v) { return static_cast<std::uint8_t>(std::clamp(v + 0.5f, 0.f, 255.f)); }

// A pixel box [x0, x1) × [y0, y1).
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
};

// The face as faults see it: the face frame and an ellipse (face units) over forehead,
// cheeks and chin whose soft edge (kFeather) bounds every local fault.
constexpr float kFeather = 0.18f;  // ellipse radii over which a fault fades out
struct Face {
  float ox = 0, oy = 0;  // origin, pixels
  float cos_a = 1, sin_a = 0;
  float iod = 1;                           // pixels per face unit
  Point centre;                            // ellipse centre, face units
  float rx = 1, ry = 1;                    // ellipse radii, face units
  Point mouth;                             // outer-lip centre, face units
  float mouth_rx = 0.4f, mouth_ry = 0.2f;  // outer-lip half extents, face units
  float nose_y = 0.8f;                     // nose base (landmark 33), face units
  float chin_y = 1.8f;                     // chin (landmark 8), face units
  Box box;                                 // the ellipse and its feather, clamped to the frame

  Point to_face(float x_px, float y_px) const {
    float dx = x_px - ox, dy = y_px - oy;
    return {(cos_a * dx + sin_a * dy) / iod, (-sin_a * dx + cos_a * dy) / iod};
  }
  Point to_image(Point f) const {
    float x = f.x * iod, y = f.y * iod;
    return {ox + cos_a * x - sin_a * y, oy + sin_a * x + cos_a * y};
  }
  // Image-space step of one face unit along the face's x and y axes.
  Point x_axis() const { return {cos_a * iod, sin_a * iod}; }
  Point y_axis() const { return {-sin_a * iod, cos_a * iod}; }
  // 1 inside the face ellipse, fading to 0 over kFeather beyond it.
  float weight(Point f) const {
    float dx = (f.x - centre.x) / rx, dy = (f.y - centre.y) / ry;
    return 1.f - smoothstep(1.f, 1.f + kFeather, std::sqrt(dx * dx + dy * dy));
  }
};

Face face_of(const video::Landmarks& lm, int width, int height) {
  video::FaceFrame ff = video::face_frame(lm);
  Face f;
  f.ox = ff.origin.x;
  f.oy = ff.origin.y;
  f.cos_a = std::cos(ff.angle_rad);
  f.sin_a = std::sin(ff.angle_rad);
  f.iod = std::max(ff.interocular_px, 4.f);
  float x_lo = 1e9f, x_hi = -1e9f, y_lo = 1e9f, y_hi = -1e9f;
  for (const Point& p : lm) {
    Point q = f.to_face(p.x, p.y);
    x_lo = std::min(x_lo, q.x), x_hi = std::max(x_hi, q.x);
    y_lo = std::min(y_lo, q.y), y_hi = std::max(y_hi, q.y);
  }
  y_lo -= 0.45f;  // forehead above the brows
  f.centre = {(x_lo + x_hi) / 2, (y_lo + y_hi) / 2};
  f.rx = (x_hi - x_lo) / 2 + 0.08f;
  f.ry = (y_hi - y_lo) / 2 + 0.08f;
  float mx_lo = 1e9f, mx_hi = -1e9f, my_lo = 1e9f, my_hi = -1e9f;
  for (int i = 48; i < 60; ++i) {
    Point q = f.to_face(lm[i].x, lm[i].y);
    mx_lo = std::min(mx_lo, q.x), mx_hi = std::max(mx_hi, q.x);
    my_lo = std::min(my_lo, q.y), my_hi = std::max(my_hi, q.y);
  }
  f.mouth = {(mx_lo + mx_hi) / 2, (my_lo + my_hi) / 2};
  f.mouth_rx = std::max((mx_hi - mx_lo) / 2, 0.2f);
  f.mouth_ry = std::max((my_hi - my_lo) / 2, 0.08f);
  f.nose_y = f.to_face(lm[33].x, lm[33].y).y;
  f.chin_y = f.to_face(lm[8].x, lm[8].y).y;
  // The ellipse's bounding box in pixels: the rotated box of its four extreme corners.
  float ex = f.rx * (1 + kFeather) + 0.05f, ey = f.ry * (1 + kFeather) + 0.05f;
  float bx0 = 1e9f, bx1 = -1e9f, by0 = 1e9f, by1 = -1e9f;
  for (float sx : {-1.f, 1.f}) {
    for (float sy : {-1.f, 1.f}) {
      Point p = f.to_image({f.centre.x + sx * ex, f.centre.y + sy * ey});
      bx0 = std::min(bx0, p.x), bx1 = std::max(bx1, p.x);
      by0 = std::min(by0, p.y), by1 = std::max(by1, p.y);
    }
  }
  f.box = {std::clamp(static_cast<int>(std::floor(bx0)), 0, width),
           std::clamp(static_cast<int>(std::floor(by0)), 0, height),
           std::clamp(static_cast<int>(std::ceil(bx1)), 0, width),
           std::clamp(static_cast<int>(std::ceil(by1)), 0, height)};
  return f;
}

// Bilinear sample at a landmark-space point (pixel centres at +0.5), clamped to the frame.
void sample(const Image& img, float x, float y, float out[3]) {
  x = std::clamp(x - 0.5f, 0.f, img.width - 1.001f);
  y = std::clamp(y - 0.5f, 0.f, img.height - 1.001f);
  int xi = static_cast<int>(x), yi = static_cast<int>(y);
  float fx = x - xi, fy = y - yi;
  int x1 = std::min(xi + 1, img.width - 1), y1 = std::min(yi + 1, img.height - 1);
  const std::uint8_t *a = img.pixel(xi, yi), *b = img.pixel(x1, yi);
  const std::uint8_t *c = img.pixel(xi, y1), *d = img.pixel(x1, y1);
  for (int k = 0; k < 3; ++k) {
    float top = a[k] + (b[k] - a[k]) * fx, bottom = c[k] + (d[k] - c[k]) * fx;
    out[k] = top + (bottom - top) * fy;
  }
}

void blend_pixel(std::uint8_t* dst, const float src[3], float w) {
  for (int k = 0; k < 3; ++k) dst[k] = to_u8(dst[k] + (src[k] - dst[k]) * w);
}

// Calls fn(x, y, face point, face weight) for every pixel of the face box.
template <typename Fn>
void for_face_pixels(const Face& f, Fn&& fn) {
  Point ax = f.to_face(1, 0), a0 = f.to_face(0, 0);
  Point dx = {ax.x - a0.x, ax.y - a0.y};  // one pixel to the right, in face units
  for (int y = f.box.y0; y < f.box.y1; ++y) {
    Point row = f.to_face(f.box.x0 + 0.5f, y + 0.5f);
    for (int x = f.box.x0; x < f.box.x1; ++x) {
      Point q = {row.x + dx.x * (x - f.box.x0), row.y + dx.y * (x - f.box.x0)};
      fn(x, y, q);
    }
  }
}

// ---------------------------------------------------------------------------------
// Whole-region filters: computed on the face box, blended in through the face ellipse.

// Three passes of a running box filter of radius r (≈ Gaussian of σ² = r(r+1)) over the
// box, in place, edges clamped.
void box_blur(std::vector<std::uint8_t>& px, int w, int h, int r) {
  std::vector<std::uint8_t> line(static_cast<size_t>(std::max(w, h)) * 3);
  auto pass = [&](int count, int length, auto at) {
    for (int i = 0; i < count; ++i) {
      for (int j = 0; j < length; ++j) std::copy_n(at(i, j), 3, &line[3 * j]);
      int sum[3] = {0, 0, 0};
      for (int j = -r - 1; j < r; ++j) {
        int jj = std::clamp(j, 0, length - 1);
        for (int k = 0; k < 3; ++k) sum[k] += line[3 * jj + k];
      }
      for (int j = 0; j < length; ++j) {
        int add = std::min(j + r, length - 1), sub = std::max(j - r - 1, 0);
        std::uint8_t* dst = at(i, j);
        for (int k = 0; k < 3; ++k) {
          sum[k] += line[3 * add + k] - line[3 * sub + k];
          dst[k] = static_cast<std::uint8_t>((sum[k] + r) / (2 * r + 1));
        }
      }
    }
  };
  for (int it = 0; it < 3; ++it) {
    pass(h, w, [&](int i, int j) { return &px[3 * (static_cast<size_t>(i) * w + j)]; });
    pass(w, h, [&](int i, int j) { return &px[3 * (static_cast<size_t>(j) * w + i)]; });
  }
}

std::vector<std::uint8_t> copy_box(const Image& img, const Box& b) {
  std::vector<std::uint8_t> px(static_cast<size_t>(b.width()) * b.height() * 3);
  for (int y = b.y0; y < b.y1; ++y) {
    std::copy_n(img.pixel(b.x0, y), 3 * b.width(),
                &px[3 * static_cast<size_t>(y - b.y0) * b.width()]);
  }
  return px;
}

// Blends a processed copy of the face box back into `out` through the face ellipse.
void blend_box(Image& out, const Face& f, const std::vector<std::uint8_t>& px) {
  int w = f.box.width();
  for_face_pixels(f, [&](int x, int y, Point q) {
    float wt = f.weight(q);
    if (wt <= 0) return;
    const std::uint8_t* s = &px[3 * (static_cast<size_t>(y - f.box.y0) * w + (x - f.box.x0))];
    float src[3] = {float(s[0]), float(s[1]), float(s[2])};
    blend_pixel(out.pixel(x, y), src, wt);
  });
}

// Blur: defocus or an upscaled low-resolution face; σ = 0.035..0.08 inter-ocular distances.
void apply_blur(Image& out, const Face& f, float t) {
  float sigma = mix(0.035f, 0.08f, t) * f.iod;
  int r = std::max(1, static_cast<int>(std::lround((std::sqrt(1 + 4 * sigma * sigma) - 1) / 2)));
  std::vector<std::uint8_t> px = copy_box(out, f.box);
  box_blur(px, f.box.width(), f.box.height(), r);
  blend_box(out, f, px);
}

// Blocking: the face box coded as a low-bitrate stream at 1/k resolution (k so that a face
// is ~40 px between the eyes, as small streams are) with 8×8 DCT blocks quantised by the JPEG
// tables at quality 14..4, then upscaled bilinearly: flat blocks, ringing at edges, chroma
// bleeding. The block grid is aligned to the frame, as a codec's is.
void apply_blocking(Image& out, const Face& f, float t) {
  static const std::array<float, 64> kLuma = {
      16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
      14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
      18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
      49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
  static const std::array<float, 64> kChroma = {
      17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
      99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
      99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};
  static const auto kCos = [] {
    std::array<float, 64> c{};
    for (int u = 0; u < 8; ++u) {
      for (int x = 0; x < 8; ++x) {
        float a = u == 0 ? std::sqrt(1.f / 8) : std::sqrt(2.f / 8);
        c[u * 8 + x] = a * std::cos((2 * x + 1) * u * std::numbers::pi_v<float> / 16);
      }
    }
    return c;
  }();
  int k = std::clamp(static_cast<int>(std::lround(f.iod / 40)), 1, 4);
  int cell = 8 * k;
  // The face box grown to whole codec blocks.
  Box b = f.box;
  b.x0 = b.x0 / cell * cell, b.y0 = b.y0 / cell * cell;
  b.x1 = std::min((b.x1 + cell - 1) / cell * cell, out.width / cell * cell);
  b.y1 = std::min((b.y1 + cell - 1) / cell * cell, out.height / cell * cell);
  if (b.width() <= 0 || b.height() <= 0) return;
  int sw = b.width() / k, sh = b.height() / k;
  float quality = mix(14.f, 4.f, t);
  float scale = 5000.f / quality / 100.f;
  // YCbCr planes at 1/k resolution (box-averaged).
  std::vector<float> plane[3];
  for (auto& p : plane) p.assign(static_cast<size_t>(sw) * sh, 0.f);
  float inv = 1.f / (k * k);
  for (int y = 0; y < sh; ++y) {
    for (int x = 0; x < sw; ++x) {
      float rgb[3] = {0, 0, 0};
      for (int j = 0; j < k; ++j) {
        const std::uint8_t* s = out.pixel(b.x0 + x * k, b.y0 + y * k + j);
        for (int i = 0; i < k; ++i) {
          for (int c = 0; c < 3; ++c) rgb[c] += s[3 * i + c];
        }
      }
      float r = rgb[0] * inv, g = rgb[1] * inv, bl = rgb[2] * inv;
      size_t o = static_cast<size_t>(y) * sw + x;
      plane[0][o] = 0.299f * r + 0.587f * g + 0.114f * bl - 128.f;
      plane[1][o] = -0.168736f * r - 0.331264f * g + 0.5f * bl;
      plane[2][o] = 0.5f * r - 0.418688f * g - 0.081312f * bl;
    }
  }
  std::array<float, 64> blk, tmp;
  for (int c = 0; c < 3; ++c) {
    const auto& table = c == 0 ? kLuma : kChroma;
    for (int by = 0; by < sh; by += 8) {
      for (int bx = 0; bx < sw; bx += 8) {
        for (int y = 0; y < 8; ++y) {
          for (int x = 0; x < 8; ++x) blk[y * 8 + x] = plane[c][(by + y) * size_t(sw) + bx + x];
        }
        // Forward DCT (rows then columns), quantise, inverse.
        for (int y = 0; y < 8; ++y) {
          for (int u = 0; u < 8; ++u) {
            float s = 0;
            for (int x = 0; x < 8; ++x) s += kCos[u * 8 + x] * blk[y * 8 + x];
            tmp[y * 8 + u] = s;
          }
        }
        for (int v = 0; v < 8; ++v) {
          for (int u = 0; u < 8; ++u) {
            float s = 0;
            for (int y = 0; y < 8; ++y) s += kCos[v * 8 + y] * tmp[y * 8 + u];
            float q = std::max(1.f, std::floor(table[v * 8 + u] * scale + 0.5f));
            blk[v * 8 + u] = std::round(s / q) * q;
          }
        }
        for (int y = 0; y < 8; ++y) {
          for (int u = 0; u < 8; ++u) {
            float s = 0;
            for (int v = 0; v < 8; ++v) s += kCos[v * 8 + y] * blk[v * 8 + u];
            tmp[y * 8 + u] = s;
          }
        }
        for (int y = 0; y < 8; ++y) {
          for (int x = 0; x < 8; ++x) {
            float s = 0;
            for (int u = 0; u < 8; ++u) s += kCos[u * 8 + x] * tmp[y * 8 + u];
            plane[c][(by + y) * size_t(sw) + bx + x] = s;
          }
        }
      }
    }
  }
  // Upscale (bilinear, as a player does) into a copy of the face box, then blend it in.
  std::vector<std::uint8_t> px = copy_box(out, f.box);
  for (int y = f.box.y0; y < f.box.y1; ++y) {
    for (int x = f.box.x0; x < f.box.x1; ++x) {
      if (x < b.x0 || x >= b.x1 || y < b.y0 || y >= b.y1) continue;
      float sx = std::clamp((x - b.x0 + 0.5f) / k - 0.5f, 0.f, sw - 1.001f);
      float sy = std::clamp((y - b.y0 + 0.5f) / k - 0.5f, 0.f, sh - 1.001f);
      int xi = static_cast<int>(sx), yi = static_cast<int>(sy);
      float fx = sx - xi, fy = sy - yi;
      float v[3];
      for (int c = 0; c < 3; ++c) {
        const float* p = &plane[c][static_cast<size_t>(yi) * sw + xi];
        float top = p[0] + (p[1] - p[0]) * fx, bottom = p[sw] + (p[sw + 1] - p[sw]) * fx;
        v[c] = top + (bottom - top) * fy;
      }
      float luma = v[0] + 128.f;
      std::uint8_t* d = &px[3 * (static_cast<size_t>(y - f.box.y0) * f.box.width() + x - f.box.x0)];
      d[0] = to_u8(luma + 1.402f * v[2]);
      d[1] = to_u8(luma - 0.344136f * v[1] - 0.714136f * v[2]);
      d[2] = to_u8(luma + 1.772f * v[1]);
    }
  }
  blend_box(out, f, px);
}

// A cheap near-Gaussian draw (sum of four 16-bit uniforms, unit variance) from a hash.
float hashed_normal(std::uint64_t h) {
  h = mix_seed(h);
  float s =
      float(h & 0xFFFF) + float((h >> 16) & 0xFFFF) + float((h >> 32) & 0xFFFF) + float(h >> 48);
  return (s / 65535.f - 2.f) * 1.7320508f;
}

// A hash of a few pixels, so the grain changes from frame to frame like sensor noise while
// the same frame and seed give the same grain.
std::uint64_t frame_hash(const Image& img, const Box& b) {
  std::uint64_t h = 0x51ED270B27FAB1E5ull;
  for (int i = 0; i < 64; ++i) {
    int x = b.x0 + (b.width() * ((i * 37) % 64)) / 64, y = b.y0 + (b.height() * i) / 64;
    if (x >= img.width || y >= img.height) continue;
    const std::uint8_t* p = img.pixel(x, y);
    h = mix_seed(h ^ (p[0] | (p[1] << 8) | (p[2] << 16)));
  }
  return h;
}

// Noise: luma grain σ = 10..24 grey levels plus chroma blotches σ = 7..17 of twice the grain's
// size (a dark, high-ISO source). The grain is 1/55 of the inter-ocular distance (at least a
// pixel), so it survives the face crop's downscaling on large faces too.
void apply_noise(Image& out, const Face& f, float t, std::uint64_t seed) {
  float sigma_luma = mix(10.f, 24.f, t), sigma_chroma = 0.7f * sigma_luma;
  std::uint64_t base = mix_seed(seed ^ frame_hash(out, f.box));
  int grain = std::max(1, static_cast<int>(std::lround(f.iod / 55)));
  for_face_pixels(f, [&](int x, int y, Point q) {
    float wt = f.weight(q);
    if (wt <= 0) return;
    std::uint64_t gx = static_cast<std::uint64_t>(x / grain),
                  gy = static_cast<std::uint64_t>(y / grain);
    std::uint64_t at = base + (gy << 32) + gx;
    std::uint64_t cell = base + 0x9E37ull + ((gy / 2) << 32) + gx / 2;
    float n = hashed_normal(at) * sigma_luma;
    float cb = hashed_normal(cell * 3) * sigma_chroma,
          cr = hashed_normal(cell * 3 + 1) * sigma_chroma;
    std::uint8_t* p = out.pixel(x, y);
    float v[3] = {p[0] + n + 1.402f * cr, p[1] + n - 0.344f * cb - 0.714f * cr,
                  p[2] + n + 1.772f * cb};
    blend_pixel(p, v, wt);
  });
}

// Colour shift: a colour cast (gains 1 ± 0.12..0.3 along a random chroma direction) and the
// red and blue planes misregistered by ±0.03..0.07 inter-ocular distances.
void apply_color_shift(Image& out, const Image& in, const Face& f, float t, Random& rng) {
  float hue = static_cast<float>(rng.uniform(0, 2 * std::numbers::pi));
  float amount = mix(0.12f, 0.3f, t);
  float gain[3];
  for (int c = 0; c < 3; ++c) {
    gain[c] = 1.f + amount * std::cos(hue + c * 2.f * std::numbers::pi_v<float> / 3.f);
  }
  float shift_angle = static_cast<float>(rng.uniform(0, 2 * std::numbers::pi));
  float shift_px = mix(0.03f, 0.07f, t) * f.iod;
  float sx = shift_px * std::cos(shift_angle), sy = shift_px * std::sin(shift_angle);
  for_face_pixels(f, [&](int x, int y, Point q) {
    float wt = f.weight(q);
    if (wt <= 0) return;
    float r[3], b[3];
    sample(in, x + 0.5f + sx, y + 0.5f + sy, r);
    sample(in, x + 0.5f - sx, y + 0.5f - sy, b);
    const std::uint8_t* g = in.pixel(x, y);
    float v[3] = {r[0] * gain[0], g[1] * gain[1], b[2] * gain[2]};
    blend_pixel(out.pixel(x, y), v, wt);
  });
}

// ---------------------------------------------------------------------------------
// Geometric faults: a warp of the face (source point per output pixel) in face units.

// A random line across the lower face (nose base to chin), as an angle and a point.
struct Line {
  Point at;         // face units
  float angle = 0;  // radians from the face's x axis
};
Line lower_face_line(const Face& f, Random& rng, float lo, float hi) {
  float y = mix(f.nose_y, f.chin_y, static_cast<float>(rng.uniform(lo, hi)));
  return {{f.mouth.x, y}, static_cast<float>(rng.uniform(-0.3, 0.3))};
}

// Tear: below a line across the lower face the mesh is cut and shifted sideways by
// 0.2..0.45 inter-ocular distances (the shift fading out past the chin and at the jaw's
// sides), with a dark 0.03-unit crack along the cut.
void apply_tear(Image& out, const Image& in, const Face& f, float t, Random& rng) {
  Line line = lower_face_line(f, rng, 0.05, 0.55);
  float shift = mix(0.2f, 0.45f, t) * (rng.chance(0.5) ? 1.f : -1.f);
  float ca = std::cos(line.angle), sa = std::sin(line.angle);
  float band = f.chin_y - line.at.y + 0.15f;    // the cut part reaches past the chin
  float crack = std::max(0.03f, 2.5f / f.iod);  // at least 2.5 px
  for_face_pixels(f, [&](int x, int y, Point q) {
    float along = (q.x - line.at.x) * ca + (q.y - line.at.y) * sa;
    float across = -(q.x - line.at.x) * sa + (q.y - line.at.y) * ca;  // > 0 below the cut
    if (across <= 0) return;
    float lateral = 1.f - smoothstep(f.rx * 0.7f, f.rx * 0.95f, std::abs(along));
    float w = lateral * (1.f - smoothstep(band, band + 0.4f, across));
    if (w <= 0) return;
    float d = shift * w;
    Point src = f.to_image({q.x - d * ca, q.y - d * sa});
    float v[3];
    sample(in, src.x, src.y, v);
    if (across < crack) {
      for (float& c : v) c *= mix(1.f, 0.45f, lateral);
    }
    std::uint8_t* p = out.pixel(x, y);
    for (int c = 0; c < 3; ++c) p[c] = to_u8(v[c]);
  });
}

// Fold: a strip across the lower face 0.45..0.8 units tall folds over itself — within it
// the face runs forwards (compressed ×2.25), backwards (a mirrored, shaded copy), then
// forwards again — leaving creases and a reversed band of mouth or nose.
void apply_fold(Image& out, const Image& in, const Face& f, float t, Random& rng) {
  Line line = lower_face_line(f, rng, 0.2, 0.6);
  float h = mix(0.22f, 0.4f, t);  // half height of the strip
  float ca = std::cos(line.angle), sa = std::sin(line.angle);
  for_face_pixels(f, [&](int x, int y, Point q) {
    float along = (q.x - line.at.x) * ca + (q.y - line.at.y) * sa;
    float v = -(q.x - line.at.x) * sa + (q.y - line.at.y) * ca;
    if (v <= -h || v >= h) return;
    float lateral = 1.f - smoothstep(f.rx * 0.65f, f.rx * 0.9f, std::abs(along));
    if (lateral <= 0) return;
    float src_v, shade = 1.f;
    if (v < -h / 3) {
      src_v = -h + (v + h) * 2.25f;
    } else if (v < h / 3) {
      src_v = h / 2 - (v + h / 3) * 1.5f;
      shade = 0.72f;  // the back of the fold faces away from the light
    } else {
      src_v = -h / 2 + (v - h / 3) * 2.25f;
    }
    src_v = v + lateral * (src_v - v);
    shade = 1.f + lateral * (shade - 1.f);
    Point src_f = {line.at.x + along * ca - src_v * sa, line.at.y + along * sa + src_v * ca};
    Point src = f.to_image(src_f);
    float c[3];
    sample(in, src.x, src.y, c);
    std::uint8_t* p = out.pixel(x, y);
    for (int k = 0; k < 3; ++k) p[k] = to_u8(c[k] * shade);
  });
}

// Smear: around a point near the mouth or jaw, pixels are dragged 0.4..0.75 units along a
// random direction with a Gaussian falloff (σ 0.22 units), which folds the texture into
// streaks, and averaged along the drag (a rubber-sheet stretch).
void apply_smear(Image& out, const Image& in, const Face& f, float t, Random& rng) {
  Point c = {f.mouth.x + static_cast<float>(rng.uniform(-0.35, 0.35)),
             f.mouth.y + static_cast<float>(rng.uniform(-0.05, 0.25))};
  float angle = static_cast<float>(rng.uniform(0, 2 * std::numbers::pi));
  float length = mix(0.4f, 0.75f, t);
  Point drag = {length * std::cos(angle), length * std::sin(angle)};
  float sigma = 0.22f, reach = 3.2f * sigma;
  constexpr int kTaps = 6;
  for_face_pixels(f, [&](int x, int y, Point q) {
    float dx = q.x - c.x, dy = q.y - c.y, d2 = dx * dx + dy * dy;
    if (d2 > reach * reach) return;
    float w = std::exp(-d2 / (2 * sigma * sigma)) * f.weight(q);
    if (w < 0.01f) return;
    float acc[3] = {0, 0, 0};
    for (int i = 0; i < kTaps; ++i) {
      float s = w * (1.f - 0.6f * i / (kTaps - 1));
      Point src = f.to_image({q.x - drag.x * s, q.y - drag.y * s});
      float v[3];
      sample(in, src.x, src.y, v);
      for (int k = 0; k < 3; ++k) acc[k] += v[k] / kTaps;
    }
    blend_pixel(out.pixel(x, y), acc, std::min(1.f, 4.f * w));
  });
}

// Hole: an irregular patch of radius 0.22..0.38 units on or beside the mouth, flat near-black (a
// missing mesh piece) or flat background colour (the background showing through).
void apply_hole(Image& out, const Face& f, float t, Random& rng) {
  Point c = {f.mouth.x + static_cast<float>(rng.uniform(-0.4, 0.4)),
             f.mouth.y + static_cast<float>(rng.uniform(-0.3, 0.2))};
  float radius = mix(0.22f, 0.38f, t);
  float phase1 = static_cast<float>(rng.uniform(0, 6.3)),
        phase2 = static_cast<float>(rng.uniform(0, 6.3));
  float a1 = static_cast<float>(rng.uniform(0.1, 0.25)),
        a2 = static_cast<float>(rng.uniform(0.05, 0.15));
  float colour[3] = {14, 11, 12};
  if (rng.chance(0.5)) {
    // Background: the mean of points beside the face, outside its ellipse.
    float sum[3] = {0, 0, 0};
    int n = 0;
    for (int i = 0; i < 16; ++i) {
      float a = std::numbers::pi_v<float> * (0.05f + 0.9f * i / 15.f);  // the upper half
      Point p = f.to_image(
          {f.centre.x + 1.35f * f.rx * std::cos(a), f.centre.y - 1.2f * f.ry * std::sin(a)});
      if (p.x < 0 || p.y < 0 || p.x >= out.width || p.y >= out.height) continue;
      float v[3];
      sample(out, p.x, p.y, v);
      for (int k = 0; k < 3; ++k) sum[k] += v[k];
      ++n;
    }
    if (n > 0) {
      for (int k = 0; k < 3; ++k) colour[k] = sum[k] / n;
    }
  }
  float edge = std::max(1.f / f.iod, 0.015f);  // anti-aliased edge, about a pixel
  for_face_pixels(f, [&](int x, int y, Point q) {
    float dx = q.x - c.x, dy = q.y - c.y;
    float d = std::sqrt(dx * dx + dy * dy);
    if (d > radius * 1.5f) return;
    float a = std::atan2(dy, dx);
    float r = radius * (1.f + a1 * std::sin(2 * a + phase1) + a2 * std::sin(3 * a + phase2));
    float w = 1.f - smoothstep(r - edge, r + edge, d);
    if (w > 0) blend_pixel(out.pixel(x, y), colour, w);
  });
}

// Ghosted mouth: a second copy of the mouth, shifted 0.35..0.55 units (mostly down or
// diagonally down, sometimes up) and blended at opacity 0.55..0.8 — a doubled lip line and teeth.
void apply_ghost_mouth(Image& out, const Image& in, const Face& f, float t, Random& rng) {
  float dist = mix(0.35f, 0.55f, t);
  static constexpr std::array<float, 6> kDirections = {90, 60, 120, 75, 105, -90};  // degrees
  float deg = kDirections[rng.below(kDirections.size())] + static_cast<float>(rng.uniform(-15, 15));
  float rad = deg * std::numbers::pi_v<float> / 180.f;
  Point offset = {dist * std::cos(rad), dist * std::sin(rad)};
  float alpha = mix(0.55f, 0.8f, t);
  float ex = f.mouth_rx + 0.12f, ey = f.mouth_ry + 0.1f;
  for_face_pixels(f, [&](int x, int y, Point q) {
    Point s = {q.x - offset.x, q.y - offset.y};  // where the copy comes from
    float dx = (s.x - f.mouth.x) / ex, dy = (s.y - f.mouth.y) / ey;
    float r = std::sqrt(dx * dx + dy * dy);
    if (r >= 1.f) return;
    float w = alpha * (1.f - smoothstep(0.75f, 1.f, r));
    Point src = f.to_image(s);
    float v[3];
    sample(in, src.x, src.y, v);
    blend_pixel(out.pixel(x, y), v, w);
  });
}

}  // namespace

std::string_view degradation_name(Degradation d) {
  switch (d) {
    case Degradation::Blur:
      return "blur";
    case Degradation::Blocking:
      return "blocking";
    case Degradation::Noise:
      return "noise";
    case Degradation::Tear:
      return "tear";
    case Degradation::Fold:
      return "fold";
    case Degradation::Hole:
      return "hole";
    case Degradation::Smear:
      return "smear";
    case Degradation::GhostMouth:
      return "ghost_mouth";
    case Degradation::ColorShift:
      return "color_shift";
    case Degradation::Frozen:
      return "frozen";
  }
  return "unknown";
}

Image degrade_frame(const Image& frame, const video::Landmarks& landmarks, Degradation d,
                    float strength, std::uint64_t seed, const Image* previous) {
  if (d == Degradation::Frozen) return previous != nullptr ? *previous : frame;
  if (frame.empty()) return frame;
  Image out = frame;
  Face f = face_of(landmarks, frame.width, frame.height);
  if (f.box.width() <= 1 || f.box.height() <= 1) return out;
  float t = knob(strength);
  Random rng(mix_seed(seed) ^
             static_cast<std::uint64_t>(static_cast<int>(d) + 1) * 0x2545F4914F6CDD1Dull);
  switch (d) {
    case Degradation::Blur:
      apply_blur(out, f, t);
      break;
    case Degradation::Blocking:
      apply_blocking(out, f, t);
      break;
    case Degradation::Noise:
      apply_noise(out, f, t, seed);
      break;
    case Degradation::Tear:
      apply_tear(out, frame, f, t, rng);
      break;
    case Degradation::Fold:
      apply_fold(out, frame, f, t, rng);
      break;
    case Degradation::Hole:
      apply_hole(out, f, t, rng);
      break;
    case Degradation::Smear:
      apply_smear(out, frame, f, t, rng);
      break;
    case Degradation::GhostMouth:
      apply_ghost_mouth(out, frame, f, t, rng);
      break;
    case Degradation::ColorShift:
      apply_color_shift(out, frame, f, t, rng);
      break;
    case Degradation::Frozen:
      break;
  }
  return out;
}

void recolour_mouth(Image& frame, const video::Landmarks& landmarks, float saturation, float gain) {
  video::for_each_inner_lip_pixel(frame.width, frame.height, landmarks, [&](int x, int y) {
    std::uint8_t* rgb = frame.pixel(x, y);
    const float grey = 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
    for (int k = 0; k < 3; ++k) rgb[k] = to_u8(gain * (grey + (rgb[k] - grey) * saturation));
  });
}

void add_grain(Image& image, float sigma, std::uint64_t seed) {
  const std::uint64_t base = mix_seed(seed);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const float n = sigma * hashed_normal(base + (static_cast<std::uint64_t>(y) << 32) + static_cast<std::uint64_t>(x));
      std::uint8_t* rgb = image.pixel(x, y);
      for (int k = 0; k < 3; ++k) rgb[k] = to_u8(rgb[k] + n);
    }
  }
}

}  // namespace parla::critic
