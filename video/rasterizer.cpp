// Scanline coverage of triangles with integer edge functions (1/16 pixel vertices):
// every pixel centre on a shared edge belongs to exactly one of its two triangles, so
// a warped mesh has no holes and no double-drawn seams.
#include <algorithm>
#include <cmath>
#include <limits>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

constexpr int kSubpixel = 16;

std::int64_t to_fixed(float v) { return round_to_int(static_cast<double>(v) * kSubpixel); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {  // b > 0
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// floor(a / b) for b > 0 from a precomputed 1 / b, corrected to the exact integer result
// (the product is within one of it for the magnitudes here).
std::int64_t floor_div_fast(std::int64_t a, std::int64_t b, double inverse_b) {
  auto q = static_cast<std::int64_t>(std::floor(static_cast<double>(a) * inverse_b));
  if (q * b > a) return q - 1;
  if ((q + 1) * b <= a) return q + 1;
  return q;
}

}  // namespace

TriangleEdges triangle_edges(Point a, Point b, Point c) {
  TriangleEdges edges;
  std::array<std::int64_t, 3> x = {to_fixed(a.x), to_fixed(b.x), to_fixed(c.x)};
  std::array<std::int64_t, 3> y = {to_fixed(a.y), to_fixed(b.y), to_fixed(c.y)};
  std::int64_t area = (x[1] - x[0]) * (y[2] - y[0]) - (y[1] - y[0]) * (x[2] - x[0]);
  if (area == 0) return edges;
  if (area < 0) {
    std::swap(x[1], x[2]);
    std::swap(y[1], y[2]);
  }
  for (int e = 0; e < 3; ++e) {
    int n = (e + 1) % 3;
    edges.origin_x[e] = x[e];
    edges.origin_y[e] = y[e];
    edges.dx[e] = x[n] - x[e];
    edges.dy[e] = y[n] - y[e];
    // Of the two triangles sharing an edge, exactly one walks it this way round.
    edges.inclusive[e] = edges.dy[e] < 0 || (edges.dy[e] == 0 && edges.dx[e] > 0);
    if (edges.dy[e] != 0) edges.inverse[e] = 1.0 / static_cast<double>(std::abs(edges.dy[e]) * kSubpixel);
  }
  std::int64_t y_lo = std::min({y[0], y[1], y[2]}), y_hi = std::max({y[0], y[1], y[2]});
  // Rows whose centre (16 row + 8) lies within [y_lo, y_hi].
  edges.y_min = static_cast<int>(floor_div(y_lo - kSubpixel / 2 + kSubpixel - 1, kSubpixel));
  edges.y_max = static_cast<int>(floor_div(y_hi - kSubpixel / 2, kSubpixel));
  edges.empty = edges.y_max < edges.y_min;
  return edges;
}

bool triangle_span(const TriangleEdges& edges, int y, int& x_begin, int& x_end) {
  // Inside: E(p) = dx (py - oy) - dy (px - ox) >= 0 (> 0 on exclusive edges), with the
  // pixel centre px = 16 x + 8.
  std::int64_t lo = std::numeric_limits<std::int32_t>::min();
  std::int64_t hi = std::numeric_limits<std::int32_t>::max();
  const std::int64_t py = static_cast<std::int64_t>(y) * kSubpixel + kSubpixel / 2;
  for (int e = 0; e < 3; ++e) {
    const std::int64_t dx = edges.dx[e], dy = edges.dy[e];
    const std::int64_t bias = edges.inclusive[e] ? 0 : 1;
    // E = c - dy * px with c = dx (py - oy) + dy ox; need E >= bias.
    const std::int64_t c = dx * (py - edges.origin_y[e]) + dy * edges.origin_x[e];
    if (dy == 0) {
      if (c < bias) return false;
    } else if (dy > 0) {
      // dy (16 x + 8) <= c - bias
      hi = std::min(hi, floor_div_fast(c - bias - dy * (kSubpixel / 2), dy * kSubpixel, edges.inverse[e]) + 1);
    } else {
      // -dy (16 x + 8) >= bias - c
      std::int64_t m = -dy;
      lo = std::max(lo, -floor_div_fast(-(bias - c - m * (kSubpixel / 2)), m * kSubpixel, edges.inverse[e]));
    }
  }
  if (hi <= lo) return false;
  x_begin = static_cast<int>(lo);
  x_end = static_cast<int>(hi);
  return true;
}

SpanWalker::SpanWalker(const TriangleEdges& edges, int first_row) {
  const std::int64_t py = static_cast<std::int64_t>(first_row) * kSubpixel + kSubpixel / 2;
  for (int e = 0; e < 3; ++e) {
    Bound& b = bounds_[e];
    const std::int64_t dx = edges.dx[e], dy = edges.dy[e];
    b.bias = edges.inclusive[e] ? 0 : 1;
    const std::int64_t c = dx * (py - edges.origin_y[e]) + dy * edges.origin_x[e];
    if (dy == 0) {
      b.kind = 0;
      b.c = c;
      b.step_c = dx * kSubpixel;
      continue;
    }
    // Upper bound (dy > 0): x < floor((c - bias - 8 dy) / (16 dy)) + 1.
    // Lower bound (dy < 0, m = -dy): x >= -floor((c - bias + 8 m) / (16 m)).
    const std::int64_t m = dy > 0 ? dy : -dy;
    const std::int64_t numerator = dy > 0 ? c - b.bias - dy * (kSubpixel / 2)
                                          : c - b.bias + m * (kSubpixel / 2);
    b.kind = dy > 0 ? 1 : -1;
    b.d = m * kSubpixel;
    b.q = floor_div(numerator, b.d);
    b.r = numerator - b.q * b.d;
    const std::int64_t step = dx * kSubpixel;
    b.step_q = floor_div(step, b.d);
    b.step_r = step - b.step_q * b.d;
  }
}

}  // namespace parla::video
