// The CPU renderer: a static background prepared once (the portrait, or its crop),
// then per frame only the mesh triangles that move are re-rasterised, by row bands on
// a small worker pool, with bilinear sampling of the portrait through per-triangle
// affine maps; eye and mouth triangles add the lids, irises and mouth interior.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "video/rig_internal.h"

namespace parla::video {
namespace {

// Per-frame setup of one moving triangle.
struct ActiveTriangle {
  TriangleEdges edges;
  Material material;
  // source = s0 + m (dest - d0), portrait pixels from output pixels.
  Point d0, s0;
  float m00, m01, m10, m11;
  bool inside = false;  // every source sample lies a pixel inside the portrait (no clamping)
  // Fixed-point (16.16) source position of output pixel (0, 0) minus half a pixel, and
  // its steps per output column and row; used when `inside`.
  std::int64_t fixed_x = 0, fixed_y = 0;
  std::int32_t fixed_dx_x = 0, fixed_dx_y = 0, fixed_dy_x = 0, fixed_dy_y = 0;
  // Mouth: (u, px below the upper lip, px above the lower lip) = a0 + n (dest - d0);
  // Lip: (px below the lips' contact line, its strength, 0).
  std::array<float, 3> a0{};
  std::array<float, 6> n{};
};

struct Affine {
  bool ok = false;
  float m00 = 0, m01 = 0, m10 = 0, m11 = 0;
};

// The linear map taking the dest edge vectors onto the given target vectors.
Affine solve_affine(Point e1, Point e2, float t1x, float t1y, float t2x, float t2y) {
  Affine a;
  float det = e1.x * e2.y - e2.x * e1.y;
  if (std::abs(det) < 1e-9f) return a;
  float i00 = e2.y / det, i01 = -e2.x / det, i10 = -e1.y / det, i11 = e1.x / det;
  a.m00 = t1x * i00 + t2x * i10;
  a.m01 = t1x * i01 + t2x * i11;
  a.m10 = t1y * i00 + t2y * i10;
  a.m11 = t1y * i01 + t2y * i11;
  a.ok = true;
  return a;
}

std::uint8_t to_byte(float v) {
  return static_cast<std::uint8_t>(v <= 0.f ? 0 : (v >= 255.f ? 255 : static_cast<int>(v + 0.5f)));
}

}  // namespace

struct Renderer::State {
  Rig rig;
  const Rig::Impl& impl;
  RenderParams params;
  int width = 0, height = 0;
  float scale = 1.f;     // output pixels per portrait pixel
  Point origin;          // portrait point at output (0, 0)
  float crop_side_px = 0.f;
  Image background;      // the still portrait in output framing
  Image output;
  WorkerPool pool;
  // Per frame.
  std::vector<Point> posed_px;    // portrait pixels
  std::vector<Point> source_px;   // where each vertex samples the portrait
  std::vector<Point> dest;        // output pixels
  std::vector<std::uint8_t> moving;
  std::vector<float> gap_px;      // per vertex, mouth gap at its lip-cut column
  std::vector<SeamColumn> seam;  // per seam column
  std::vector<ActiveTriangle> active;
  std::array<EyePose, 2> eye_poses;
  float tongue_out = 0.f;
  float teeth_shown = 1.f;
  float hairline_lip = 0.f;  // hairline_lip_share of this frame
  float seam_width = 1.f;    // lip_seam_width
  std::array<int, 4> dirty{0, 0, 0, 0};
  std::array<int, 4> previous_dirty{0, 0, 0, 0};

  State(Rig r, RenderParams p)
      : rig(std::move(r)), impl(rig.impl()), params(p),
        pool(p.threads > 0 ? p.threads : std::max(1u, std::thread::hardware_concurrency())) {}

  Point to_output(Point portrait_px) const {
    return {(portrait_px.x - origin.x) * scale, (portrait_px.y - origin.y) * scale};
  }

  void prepare_framing() {
    const Image& portrait = impl.portrait;
    if (params.framing == Framing::Full) {
      // Even sizes for 4:2:0 video: an odd last column (row) is repeated once.
      width = portrait.width + portrait.width % 2, height = portrait.height + portrait.height % 2;
      scale = 1.f, origin = {0.f, 0.f};
      crop_side_px = static_cast<float>(std::min(portrait.width, portrait.height));
      if (width == portrait.width && height == portrait.height) {
        background = portrait;
      } else {
        background = Image(width, height);
        for (int y = 0; y < height; ++y) {
          const int source_y = std::min(y, portrait.height - 1);
          std::memcpy(background.pixel(0, y), portrait.pixel(0, source_y), 3 * static_cast<size_t>(portrait.width));
          if (width > portrait.width) std::memcpy(background.pixel(width - 1, y), portrait.pixel(portrait.width - 1, source_y), 3);
        }
      }
    } else {
      const FaceFrame& frame = impl.frame;
      // Never wider than the portrait: a crop past its edges would smear them in.
      crop_side_px = std::min(std::max(16.f, params.crop_units * frame.interocular_px),
                              static_cast<float>(std::min(portrait.width, portrait.height)));
      Point centre = frame.to_image({0.f, 0.55f});
      float side = crop_side_px;
      // Keep the square inside the portrait.
      auto place = [&](float c, int extent) {
        float start = c - side / 2;
        if (side <= extent) start = std::clamp(start, 0.f, extent - side);
        return start;
      };
      origin = {place(centre.x, portrait.width), place(centre.y, portrait.height)};
      int size = params.size;
      if (size <= 0) size = std::clamp(static_cast<int>(std::ceil(side / 16.f)) * 16, 256, 512);
      size += size % 2;
      width = height = size;
      scale = size / side;
      background = Image(width, height);
      for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
          float rgb[3];
          sample_bilinear(portrait, origin.x + (x + 0.5f) / scale, origin.y + (y + 0.5f) / scale, rgb);
          for (int k = 0; k < 3; ++k) background.pixel(x, y)[k] = to_byte(rgb[k]);
        }
      }
    }
    output = background;
  }

  // Poses the mesh and collects the triangles that differ from the still portrait.
  void setup_frame(const MotionFrame& track_frame) {
    const MotionFrame motion = rig_motion(impl, track_frame);
    pose_vertices(impl, motion, posed_px);
    source_vertices(impl, motion, source_px);
    const size_t count = posed_px.size();
    dest.resize(count);
    moving.assign(count, 0);
    for (size_t v = 0; v < count; ++v) {
      dest[v] = to_output(posed_px[v]);
      // Motion under 1/50 output pixel is invisible: such vertices count as still.
      moving[v] = std::abs(posed_px[v].x - impl.rest_px[v].x) * scale > 0.02f ||
                  std::abs(posed_px[v].y - impl.rest_px[v].y) * scale > 0.02f;
    }
    gap_px.assign(count, 0.f);
    for (const auto& [upper, lower] : impl.cut_pairs) {
      float gap = std::hypot(dest[lower].x - dest[upper].x, dest[lower].y - dest[upper].y);
      gap_px[upper] = gap_px[lower] = gap;
    }
    const float close = channel_value(motion, Channel::MouthClose);
    lip_seam(impl, dest, impl.frame.interocular_px * scale, close, seam);
    seam_width = lip_seam_width(impl.frame.interocular_px * scale, scale);
    for (int e = 0; e < 2; ++e) eye_poses[e] = eye_pose(impl.eyes[e], motion, /*subject_left=*/e == 1);
    tongue_out = channel_value(motion, Channel::TongueOut);
    teeth_shown = teeth_in_view(motion);
    hairline_lip = hairline_lip_share(impl, close);
    const bool eyes_active = eye_poses[0].active() || eye_poses[1].active();

    active.clear();
    int x0 = width, y0 = height, x1 = 0, y1 = 0;
    for (size_t t = 0; t < impl.triangles.size(); ++t) {
      const auto& tri = impl.triangles[t];
      const Material material = impl.materials[t];
      bool needed = moving[tri[0]] || moving[tri[1]] || moving[tri[2]] ||
                    (material == Material::Eye && eyes_active);
      if (!needed) continue;
      ActiveTriangle a;
      a.edges = triangle_edges(dest[tri[0]], dest[tri[1]], dest[tri[2]]);
      if (a.edges.empty) continue;
      a.material = material;
      a.d0 = dest[tri[0]];
      a.s0 = source_px[tri[0]];
      Point e1 = {dest[tri[1]].x - a.d0.x, dest[tri[1]].y - a.d0.y};
      Point e2 = {dest[tri[2]].x - a.d0.x, dest[tri[2]].y - a.d0.y};
      const Point& s1 = source_px[tri[1]];
      const Point& s2 = source_px[tri[2]];
      Affine m = solve_affine(e1, e2, s1.x - a.s0.x, s1.y - a.s0.y, s2.x - a.s0.x, s2.y - a.s0.y);
      if (!m.ok) continue;
      a.m00 = m.m00, a.m01 = m.m01, a.m10 = m.m10, a.m11 = m.m11;
      {
        const Image& portrait = impl.portrait;
        float sx0 = std::min({a.s0.x, s1.x, s2.x}), sx1 = std::max({a.s0.x, s1.x, s2.x});
        float sy0 = std::min({a.s0.y, s1.y, s2.y}), sy1 = std::max({a.s0.y, s1.y, s2.y});
        // Pixel centres lie within half a pixel of the triangle: a 2 px margin is safe.
        float margin = 2.f + 1.f / scale;
        a.inside = sx0 > margin && sy0 > margin && sx1 < portrait.width - margin &&
                   sy1 < portrait.height - margin;
        double ox = 0.5 - a.d0.x, oy = 0.5 - a.d0.y;
        a.fixed_x = round_to_int((a.s0.x - 0.5 + a.m00 * ox + a.m01 * oy) * 65536.0);
        a.fixed_y = round_to_int((a.s0.y - 0.5 + a.m10 * ox + a.m11 * oy) * 65536.0);
        a.fixed_dx_x = static_cast<std::int32_t>(round_to_int(a.m00 * 65536.0));
        a.fixed_dy_x = static_cast<std::int32_t>(round_to_int(a.m01 * 65536.0));
        a.fixed_dx_y = static_cast<std::int32_t>(round_to_int(a.m10 * 65536.0));
        a.fixed_dy_y = static_cast<std::int32_t>(round_to_int(a.m11 * 65536.0));
      }
      if (material == Material::Mouth || material == Material::Lip) {
        // Mouth: (u, pixels below the upper lip, pixels above the lower lip): both
        // distances are affine within a triangle and agree along shared edges, so
        // iso-lines such as the teeth's edges run straight across the strip's triangles.
        // Lip: (pixels below the contact line at the vertex's column, its strength).
        auto attributes = [&](int v) -> std::array<float, 3> {
          if (material == Material::Lip) return lip_seam_attributes(impl, seam, dest, v);
          bool lower = impl.lip_side[v] == static_cast<std::uint8_t>(LipSide::Lower);
          return {impl.mouth_u[v], lower ? gap_px[v] : 0.f, lower ? 0.f : gap_px[v]};
        };
        auto a0 = attributes(tri[0]), a1 = attributes(tri[1]), a2 = attributes(tri[2]);
        a.a0 = a0;
        Affine ud = solve_affine(e1, e2, a1[0] - a0[0], a1[1] - a0[1], a2[0] - a0[0], a2[1] - a0[1]);
        Affine lu = solve_affine(e1, e2, a1[2] - a0[2], 0.f, a2[2] - a0[2], 0.f);
        a.n = {ud.m00, ud.m01, ud.m10, ud.m11, lu.m00, lu.m01};
      }
      x0 = std::min(x0, static_cast<int>(std::floor(std::min({dest[tri[0]].x, dest[tri[1]].x, dest[tri[2]].x}))));
      x1 = std::max(x1, static_cast<int>(std::ceil(std::max({dest[tri[0]].x, dest[tri[1]].x, dest[tri[2]].x}))) + 1);
      y0 = std::min(y0, a.edges.y_min);
      y1 = std::max(y1, a.edges.y_max + 1);
      active.push_back(a);
    }
    if (active.empty()) {
      dirty = {0, 0, 0, 0};
    } else {
      dirty = {std::max(0, x0), std::max(0, y0), std::min(width, x1), std::min(height, y1)};
    }
  }

  void shade_row(const ActiveTriangle& a, int y, int x_begin, int x_end) {
    const Image& portrait = impl.portrait;
    std::uint8_t* out = output.pixel(x_begin, y);
    if (a.material == Material::Skin && a.inside) {
      // Fixed point: 16.16 source coordinates (pixel-centre origin), 8-bit weights.
      const std::uint8_t* base = portrait.rgb.data();
      const int stride = 3 * portrait.width;
      auto fx = static_cast<std::int32_t>(a.fixed_x + std::int64_t{y} * a.fixed_dy_x +
                                          std::int64_t{x_begin} * a.fixed_dx_x);
      auto fy = static_cast<std::int32_t>(a.fixed_y + std::int64_t{y} * a.fixed_dy_y +
                                          std::int64_t{x_begin} * a.fixed_dx_y);
      const std::int32_t step_x = a.fixed_dx_x, step_y = a.fixed_dx_y;
#if defined(__SSE2__)
      // Two texels per 8-byte load ([R0 G0 B0 R1 G1 B1 . .]); `inside` guarantees the
      // extra bytes lie within the picture. 16-bit lanes: horizontal blend, >> 8,
      // vertical blend, >> 8, all within 65535.
      const __m128i zero = _mm_setzero_si128();
      const __m128i half = _mm_set1_epi16(128);
      for (int x = x_begin; x < x_end; ++x, out += 3, fx += step_x, fy += step_y) {
        const int x0 = fx >> 16, y0 = fy >> 16;
        const auto wx = static_cast<short>((fx >> 8) & 255), wy = static_cast<short>((fy >> 8) & 255);
        const std::uint8_t* p = base + y0 * stride + 3 * x0;
        const __m128i wh = _mm_setr_epi16(static_cast<short>(256 - wx), static_cast<short>(256 - wx),
                                          static_cast<short>(256 - wx), wx, wx, wx, 0, 0);
        __m128i top = _mm_mullo_epi16(_mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), zero), wh);
        __m128i bottom = _mm_mullo_epi16(
            _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + stride)), zero), wh);
        top = _mm_srli_epi16(top, 8);
        bottom = _mm_srli_epi16(bottom, 8);
        top = _mm_add_epi16(top, _mm_srli_si128(top, 6));            // lanes 0-2: blended
        bottom = _mm_add_epi16(bottom, _mm_srli_si128(bottom, 6));
        __m128i mixed = _mm_add_epi16(_mm_mullo_epi16(top, _mm_set1_epi16(static_cast<short>(256 - wy))),
                                      _mm_mullo_epi16(bottom, _mm_set1_epi16(wy)));
        mixed = _mm_srli_epi16(_mm_add_epi16(mixed, half), 8);
        const std::uint32_t rgb = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_packus_epi16(mixed, zero)));
        out[0] = static_cast<std::uint8_t>(rgb), out[1] = static_cast<std::uint8_t>(rgb >> 8);
        out[2] = static_cast<std::uint8_t>(rgb >> 16);
      }
#else
      for (int x = x_begin; x < x_end; ++x, out += 3, fx += step_x, fy += step_y) {
        const int x0 = fx >> 16, y0 = fy >> 16;
        const int wx = (fx >> 8) & 255, wy = (fy >> 8) & 255;
        const std::uint8_t* p = base + y0 * stride + 3 * x0;
        const std::uint8_t* q = p + stride;
        for (int k = 0; k < 3; ++k) {
          int top = (p[k] * (256 - wx) + p[k + 3] * wx) >> 8;
          int bottom = (q[k] * (256 - wx) + q[k + 3] * wx) >> 8;
          out[k] = static_cast<std::uint8_t>((top * (256 - wy) + bottom * wy + 128) >> 8);
        }
      }
#endif
      return;
    }
    float dx = x_begin + 0.5f - a.d0.x, dy = y + 0.5f - a.d0.y;
    float sx = a.s0.x + a.m00 * dx + a.m01 * dy;
    float sy = a.s0.y + a.m10 * dx + a.m11 * dy;
    float rgb[3];
    if (a.material == Material::Skin) {
      for (int x = x_begin; x < x_end; ++x, out += 3, sx += a.m00, sy += a.m10) {
        sample_bilinear(portrait, sx, sy, rgb);
        out[0] = to_byte(rgb[0]), out[1] = to_byte(rgb[1]), out[2] = to_byte(rgb[2]);
      }
      return;
    }
    if (a.material == Material::Lip) {
      // The lips darken along the line where they meet (lip_seam).
      float below = a.a0[0] + a.n[0] * dx + a.n[1] * dy;
      float strength = a.a0[1] + a.n[2] * dx + a.n[3] * dy;
      float blend = a.a0[2] + a.n[4] * dx + a.n[5] * dy;
      for (int x = x_begin; x < x_end; ++x, out += 3, sx += a.m00, sy += a.m10, below += a.n[0],
               strength += a.n[2], blend += a.n[4]) {
        sample_bilinear(portrait, sx, sy, rgb);
        if (strength > 0.f) lip_seam_colour(rgb, impl.seam_lip, below, strength, std::max(0.f, blend), seam_width);
        out[0] = to_byte(rgb[0]), out[1] = to_byte(rgb[1]), out[2] = to_byte(rgb[2]);
      }
      return;
    }
    if (a.material == Material::Eye) {
      std::array<float, 3> eye_rgb;
      for (int x = x_begin; x < x_end; ++x, out += 3, sx += a.m00, sy += a.m10) {
        bool shaded = false;
        for (int e = 0; e < 2 && !shaded; ++e) {
          const auto& b = impl.eyes[e].bounds_px;
          if (eye_poses[e].active() && sx >= b[0] && sx <= b[2] && sy >= b[1] && sy <= b[3]) {
            shaded = shade_eye(impl.eyes[e], eye_poses[e], portrait, {sx, sy}, eye_rgb);
          }
        }
        if (!shaded) sample_bilinear(portrait, sx, sy, eye_rgb.data());
        out[0] = to_byte(eye_rgb[0]), out[1] = to_byte(eye_rgb[1]), out[2] = to_byte(eye_rgb[2]);
      }
      return;
    }
    // Mouth interior, blended into the lip colour over the pixel at each lip edge (the
    // portrait's pixel, where it is enlarged).
    const float px_per_unit = impl.frame.interocular_px * scale;
    const float detail = mouth_detail_px(scale);
    float u = a.a0[0] + a.n[0] * dx + a.n[1] * dy;
    float down = a.a0[1] + a.n[2] * dx + a.n[3] * dy;
    float up = a.a0[2] + a.n[4] * dx + a.n[5] * dy;
    for (int x = x_begin; x < x_end; ++x, out += 3, sx += a.m00, sy += a.m10, u += a.n[0],
             down += a.n[2], up += a.n[4]) {
      float below_upper = std::max(0.f, down), above_lower = std::max(0.f, up);
      float g = below_upper + above_lower;
      float vv = g > 0.f ? below_upper / g : 0.f;
      auto interior = shade_mouth(impl.mouth, clamp01(u), vv, g / px_per_unit, tongue_out, teeth_shown,
                                  px_per_unit / detail);
      float edge = std::min(below_upper, above_lower);  // pixels to the nearer lip
      // A hairline gap (< 0.02 face units) stays mostly what lies along the cut: the
      // portrait there, or the shaded lips as they shut (hairline_lip_share).
      const float opening = smoothstep(0.f, 0.02f, g / px_per_unit);
      float alpha = clamp01(edge / detail + 0.25f) * opening;
      sample_bilinear(portrait, sx, sy, rgb);
      if (hairline_lip > 0.f) {
        const float share = hairline_lip * (1.f - opening);
        for (int k = 0; k < 3; ++k) rgb[k] += (kHairlineLipShade * impl.mouth.lip[k] - rgb[k]) * share;
      }
      for (int k = 0; k < 3; ++k) out[k] = to_byte(rgb[k] + (interior[k] - rgb[k]) * alpha);
    }
  }

  // Restores the background over the old and new dirty rectangles and draws the
  // moving triangles, rows [y_begin, y_end).
  void render_band(int y_begin, int y_end) {
    const std::array<int, 4>& p = previous_dirty;
    for (int y = y_begin; y < y_end; ++y) {
      int xa = width, xb = 0;
      if (y >= p[1] && y < p[3]) xa = std::min(xa, p[0]), xb = std::max(xb, p[2]);
      if (y >= dirty[1] && y < dirty[3]) xa = std::min(xa, dirty[0]), xb = std::max(xb, dirty[2]);
      if (xb > xa) std::memcpy(output.pixel(xa, y), background.pixel(xa, y), 3 * static_cast<size_t>(xb - xa));
    }
    for (const ActiveTriangle& a : active) {
      int r0 = std::max({a.edges.y_min, y_begin, 0});
      int r1 = std::min({a.edges.y_max + 1, y_end, height});
      if (r1 <= r0) continue;
      SpanWalker walker(a.edges, r0);
      for (int y = r0; y < r1; ++y) {
        int xb, xe;
        if (!walker.next(xb, xe)) continue;
        xb = std::max(xb, 0), xe = std::min(xe, width);
        if (xe > xb) shade_row(a, y, xb, xe);
      }
    }
  }
};

Renderer::Renderer(Rig rig, RenderParams params)
    : state_(std::make_unique<State>(std::move(rig), params)) {
  state_->prepare_framing();
}

Renderer::~Renderer() = default;

const Image& Renderer::render(const MotionFrame& motion) {
  State& s = *state_;
  s.setup_frame(motion);
  int y_begin = std::min(s.dirty[1], s.previous_dirty[3] > s.previous_dirty[1] ? s.previous_dirty[1] : s.height);
  int y_end = std::max(s.dirty[3], s.previous_dirty[3]);
  if (s.dirty[3] <= s.dirty[1]) y_begin = s.previous_dirty[1], y_end = s.previous_dirty[3];
  if (y_end > y_begin) {
    // A few bands per thread balance the load; one thread walks each triangle once.
    const int bands = std::min(y_end - y_begin, s.pool.size() == 1 ? 1 : 3 * s.pool.size());
    s.pool.run(bands, [&](int band) {
      int a = y_begin + (y_end - y_begin) * band / bands;
      int b = y_begin + (y_end - y_begin) * (band + 1) / bands;
      s.render_band(a, b);
    });
  }
  s.previous_dirty = s.dirty;
  return s.output;
}

int Renderer::width() const { return state_->width; }
int Renderer::height() const { return state_->height; }
double Renderer::scale() const { return state_->scale; }
Point Renderer::origin() const { return state_->origin; }
std::array<int, 4> Renderer::last_dirty_rect() const { return state_->dirty; }

std::string Renderer::framing_note() const {
  const State& s = *state_;
  if (s.params.framing != Framing::Crop || s.scale <= 1.5f) return {};
  char text[200];
  std::snprintf(text, sizeof(text),
                "the face crop is %d px of the portrait, enlarged %.1fx to %d px "
                "(--size %d keeps it sharp)",
                static_cast<int>(std::lround(s.crop_side_px)), s.scale, s.width,
                static_cast<int>(std::lround(s.crop_side_px / 2)) * 2);
  return text;
}

}  // namespace parla::video
