// The expression deformers: one smooth displacement field per channel, in face units,
// anchored on the landmarks. Fields are split along the lip line (LipSide) so the lips
// can part; every field keeps the lower lip at or below the upper lip, so the mouth
// gap never inverts.
#include <algorithm>
#include <cmath>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

Point mean(const Landmarks& l, std::initializer_list<int> ids) {
  Point sum;
  for (int i : ids) {
    sum.x += l[i].x;
    sum.y += l[i].y;
  }
  return {sum.x / ids.size(), sum.y / ids.size()};
}

// A Gaussian-like bump that reaches exactly 0 at 2.83 sigma: (1 - r²/8)^4. Compact
// support keeps every deformer's far field exactly still (no sub-pixel creep on
// high-contrast hair edges far away).
float gauss(float dx, float dy, float sigma_x, float sigma_y) {
  float r2 = dx * dx / (sigma_x * sigma_x) + dy * dy / (sigma_y * sigma_y);
  if (r2 >= 8.f) return 0.f;
  float t = 1.f - r2 / 8.f;
  t *= t;
  return t * t;
}

// Fritsch–Carlson tangent at a point between secants `left` and `right` over spans
// `h_left` and `h_right`: 0 at a turn (so the curve never goes past its neighbours'
// values), else their weighted harmonic mean.
float monotone_tangent(float left, float right, float h_left, float h_right) {
  if (left * right <= 0.f) return 0.f;
  const float w_left = 2.f * h_right + h_left, w_right = h_right + 2.f * h_left;
  return (w_left + w_right) / (w_left / left + w_right / right);
}

using LipPoints = std::array<Point, 5>;

// lip_line[k + 1].x - lip_line[k].x, at least 1e-4.
float lip_span(const LipPoints& line, size_t k) {
  return std::max(1e-4f, line[k + 1].x - line[k].x);
}

// The monotone cubic through `values` at the lip line's points, at x between points
// i - 1 and i: a cubic Hermite whose tangent at each inner point is monotone_tangent of
// `secant(k)` (the slope from point k to k + 1) either side, and at an end its secant.
template <typename Secant>
float monotone_cubic(const LipPoints& line, const std::array<float, 5>& values, size_t i, float x,
                     Secant secant) {
  const size_t last = line.size() - 1;
  auto tangent = [&](size_t k) {
    if (k == 0) return secant(0);
    if (k == last) return secant(last - 1);
    return monotone_tangent(secant(k - 1), secant(k), lip_span(line, k - 1), lip_span(line, k));
  };
  const float h = lip_span(line, i - 1), t = std::clamp((x - line[i - 1].x) / h, 0.f, 1.f);
  const float t2 = t * t, t3 = t2 * t;
  return (2.f * t3 - 3.f * t2 + 1.f) * values[i - 1] + (t3 - 2.f * t2 + t) * h * tangent(i - 1) +
         (-2.f * t3 + 3.f * t2) * values[i] + (t3 - t2) * h * tangent(i);
}

}  // namespace

// `values` (one per lip-line point) at x, constant beyond the ends: linear between the
// points, or with curved_lips a monotone cubic through them (no corner at a point).
float FaceGeometry::along_lip_line(const std::array<float, 5>& values, float x) const {
  if (x <= lip_line.front().x) return values.front();
  const size_t last = lip_line.size() - 1;
  for (size_t i = 1; i <= last; ++i) {
    if (x > lip_line[i].x) continue;
    if (curved_lips) {
      return monotone_cubic(lip_line, values, i, x, [&](size_t k) {
        return (values[k + 1] - values[k]) / lip_span(lip_line, k);
      });
    }
    const float t = (x - lip_line[i - 1].x) / lip_span(lip_line, i - 1);
    return values[i - 1] + t * (values[i] - values[i - 1]);
  }
  return values.back();
}

float FaceGeometry::lip_line_y(float x) const {
  std::array<float, 5> ys;
  for (size_t i = 0; i < ys.size(); ++i) ys[i] = lip_line[i].y;
  return along_lip_line(ys, x);
}

float FaceGeometry::half_gap(float x) const {
  if (x <= lip_line.front().x || x >= lip_line.back().x) return 0.f;
  const size_t last = lip_line.size() - 1;
  for (size_t i = 1; i <= last; ++i) {
    if (x <= lip_line[i].x) {
      const float t = (x - lip_line[i - 1].x) / lip_span(lip_line, i - 1);
      // Next to a corner the opening is rounded (as an ellipse's end), not a wedge: a
      // smile's teeth show almost up to the corners.
      if (i == 1) return lip_half_gap[1] * std::sqrt(t);
      if (i == last) return lip_half_gap[last - 1] * std::sqrt(1.f - t);
      if (!curved_lips) return lip_half_gap[i - 1] + t * (lip_half_gap[i] - lip_half_gap[i - 1]);
      // Between the three middle points a monotone cubic; next to each corner the
      // rounded end's own slope (half the gap over the span, at t = 1) stands in for
      // the secant, so the opening has no corner in the middle and meets its rounded
      // ends at a turn no sharper than straight segments did.
      return monotone_cubic(lip_line, lip_half_gap, i, x, [&](size_t k) {
        if (k == 0) return 0.5f * lip_half_gap[1] / lip_span(lip_line, 0);
        if (k == last - 1) return -0.5f * lip_half_gap[last - 1] / lip_span(lip_line, last - 1);
        return (lip_half_gap[k + 1] - lip_half_gap[k]) / lip_span(lip_line, k);
      });
    }
  }
  return 0.f;
}

float FaceGeometry::widest_half_gap() const {
  return *std::max_element(lip_half_gap.begin(), lip_half_gap.end());
}

float FaceGeometry::cut_y(float x) const {
  return lip_line_y(x) + along_lip_line(lip_cut_ratio, x) * half_gap(x);
}

float FaceGeometry::closure_shift(float x, float distance) const {
  const float own_gap = half_gap(x);
  if (own_gap <= 0.f || distance <= 0.f) return 0.f;
  if (distance <= own_gap) return distance;
  return own_gap * (1.f - smoothstep(own_gap, own_gap + 0.3f, distance));
}

bool FaceGeometry::lips_apart(const RigParams& params) const {
  const float cell = 1.f / std::max(4.f, params.grid_cells_per_unit);
  return widest_half_gap() > 0.15f * cell;
}

FaceGeometry face_geometry(const Landmarks& f) {
  FaceGeometry g;
  g.mouth_centre = mean(f, {48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59});
  g.mouth_half_width = std::max(0.2f, std::abs(f[54].x - f[48].x) / 2);
  g.lip_line = {f[60], mean(f, {61, 67}), mean(f, {62, 66}), mean(f, {63, 65}), f[64]};
  g.lip_half_gap = {0.f, std::max(0.f, f[67].y - f[61].y) / 2, std::max(0.f, f[66].y - f[62].y) / 2,
                    std::max(0.f, f[65].y - f[63].y) / 2, 0.f};
  if (g.lip_line.front().x > g.lip_line.back().x) {  // a mirrored (upside-down) fit
    std::reverse(g.lip_line.begin(), g.lip_line.end());
    std::reverse(g.lip_half_gap.begin(), g.lip_half_gap.end());
  }
  g.upper_lip_top = f[51].y;
  g.lower_lip_bottom = f[57].y;
  g.chin_y = f[8].y;
  g.jaw_half_width = std::max(0.6f, std::abs(f[16].x - f[0].x) / 2);
  g.eye_top_y = mean(f, {37, 38, 43, 44}).y;
  g.brow_y = mean(f, {17, 18, 19, 20, 21, 22, 23, 24, 25, 26}).y;
  g.nose_tip = f[30];
  return g;
}

std::array<Point, kBasisCount> expression_basis(const FaceGeometry& g, Point p, LipSide side) {
  std::array<Point, kBasisCount> d{};
  const Point m = g.mouth_centre;
  const float mw = g.mouth_half_width;
  const float line_y = g.lip_line_y(p.x);
  const float b = p.y - line_y;  // below the lip line > 0
  if (side == LipSide::Auto) side = b > 0 ? LipSide::Lower : LipSide::Upper;
  // Every lip-splitting term below vanishes on the line beyond the corners, so the two
  // sides agree there and a vertex may take either.
  const bool lower = side == LipSide::Lower;
  const float a = (p.x - m.x) / mw;  // -1 .. 1 corner to corner
  // Lip-shaped profile: 1 mid-mouth, 0 at and beyond the inner lip corners (where the
  // lip cut ends, so both sides of the cut agree there).
  const float inner_left = g.lip_line.front().x, inner_right = g.lip_line.back().x;
  const float ai = (p.x - 0.5f * (inner_left + inner_right)) /
                   std::max(0.05f, 0.5f * (inner_right - inner_left));
  // Lens-shaped: the opening tapers into the corners instead of ending bluntly.
  const float lip_profile = std::pow(std::max(0.f, 1.f - ai * ai), 0.8f);
  const float round_profile = std::sqrt(lip_profile);
  // Lateral and lower limits of the jaw: the jaw outline and the neck stay put.
  const float lateral = 1.f - smoothstep(g.jaw_half_width * 0.85f, g.jaw_half_width * 1.3f,
                                         std::abs(p.x - m.x));
  const float neck = 1.f - smoothstep(g.chin_y - 0.1f, g.chin_y + 0.9f, p.y);
  const float above_mouth = 1.f - smoothstep(0.f, 0.35f, -b);  // upper lip / philtrum
  const float upper_lip_band = smoothstep(0.f, std::max(0.03f, line_y - g.upper_lip_top), -b) *
                               (1.f - smoothstep(line_y - g.upper_lip_top, 0.45f, -b));
  const float lower_lip_band = smoothstep(0.f, std::max(0.03f, g.lower_lip_bottom - line_y), b) *
                               (1.f - smoothstep(g.lower_lip_bottom - line_y, 0.5f, b));
  // Within ~one mouth width of the mouth.
  const float near_mouth = gauss(p.x - m.x, p.y - m.y, mw * 1.15f, 0.38f);

  // mouthClose also closes the portrait's own lip opening (closure_shift); no point moves
  // past the cut, so the lips never cross. Where part of that opening is the jaw's (a
  // frame taken mid-word, FaceGeometry::jaw_share), the lips meet that share of the half
  // gap above the midline: what lies between them goes there, the upper lip comes down
  // over the rest only, and the lower lip rises with the chin, keeping its thickness, as
  // a jaw closes (a lower lip stretched up over the whole opening looked swollen).
  auto close_gap = [&](float distance) { return g.closure_shift(p.x, distance); };
  const float own_gap = g.half_gap(p.x);
  const float share = g.jaw_share;
  const float meet = share * own_gap;  // the lips meet this far above the midline
  if (lower) {
    // The jaw rotates down: the lower lip arcs open (corners fixed), the chin drops.
    float rigid = 1.f - 0.55f * smoothstep(0.2f, 1.1f, std::abs(p.x - m.x));
    float depth = smoothstep(0.f, 0.3f, b);
    float jaw = (lip_profile + (rigid - lip_profile) * depth) * lateral * neck;
    d[kJaw] = {-0.06f * (p.x - m.x) * near_mouth, 0.30f * jaw};
    // mouthClose with the jaw open: the lips stay together while the chin drops.
    float lips = 1.f - smoothstep(g.lower_lip_bottom - line_y, g.lower_lip_bottom - line_y + 0.35f, b);
    d[kCloseJaw] = {0.f, -0.30f * jaw * lips};
    if (b <= own_gap) {
      d[kClose] = {0.f, -(std::max(0.f, b) + meet)};  // inside the opening: to the meeting line
    } else {
      // The jaw's share of the gap: the lip's own opening at its inner edge, turning into
      // the rigid jaw (as wide as the opening's middle) within 0.6 units below it; the
      // cheeks below the corners rise with the chin, compressed over that span, never folded.
      const float rise = 2.f * share * lateral * neck *
                         (own_gap + (rigid * g.widest_half_gap() - own_gap) * smoothstep(own_gap, own_gap + 0.6f, b));
      d[kClose] = {0.f, -std::min(0.03f * lip_profile * lower_lip_band + (1.f - share) * close_gap(b) + rise, b + meet)};
    }
    d[kFunnel] = {0.f, 0.11f * round_profile * near_mouth +
                           0.02f * lower_lip_band * lip_profile};
    d[kPucker] = {0.f, 0.02f * lower_lip_band * lip_profile};
    d[kStretch] = {0.f, 0.03f * lip_profile * near_mouth};
    d[kRollLower] = {0.f, -0.05f * lip_profile * lower_lip_band};
  } else {
    d[kJaw] = {-0.06f * (p.x - m.x) * near_mouth, -0.035f * lip_profile * above_mouth};
    d[kCloseJaw] = {0.f, 0.035f * lip_profile * above_mouth};
    // The upper side below the midline (the cut at the bite) rises to it as the lips shut.
    if (b > 0.f || -b <= own_gap) {
      d[kClose] = {0.f, (b > 0.f ? -close_gap(b) : -b) - meet};  // inside the opening: to the meeting line
    } else {
      d[kClose] = {0.f, std::min(0.03f * lip_profile * upper_lip_band + (1.f - share) * close_gap(-b), -b - meet)};
    }
    d[kFunnel] = {0.f, -0.07f * round_profile * near_mouth -
                           0.015f * upper_lip_band * lip_profile};
    d[kPucker] = {0.f, -0.02f * upper_lip_band * lip_profile};
    d[kRollLower] = {0.f, -0.035f * lip_profile * above_mouth};
  }
  // Horizontal lip motion is the same on both sides of the cut, as a fraction of the
  // distance to the mouth centre (funnel + pucker together keep a third of the width).
  d[kFunnel].x += -0.30f * (p.x - m.x) * near_mouth;
  d[kPucker].x += -0.33f * (p.x - m.x) * near_mouth;
  d[kStretch].x += 0.28f * (p.x - m.x) * near_mouth;
  d[kStretch].y += 0.03f * std::min(1.f, a * a) * near_mouth;
  // Smile: each corner moves up and out, the cheeks rise.
  for (float side_sign : {-1.f, 1.f}) {
    Point corner = {m.x + side_sign * mw, g.lip_line_y(m.x + side_sign * mw * 0.95f)};
    float w = gauss(p.x - corner.x, p.y - corner.y, 0.3f, 0.3f);
    d[kSmile].x += side_sign * 0.07f * w;
    d[kSmile].y += -0.10f * w;
    float cheek = gauss(p.x - side_sign * 0.6f, p.y - (g.nose_tip.y + 0.1f), 0.3f, 0.25f);
    d[kSmile].y += -0.04f * cheek;
  }
  // The lower face's fields fade out between the nose and the lower eyelids.
  const float below_eyes = smoothstep(0.3f, std::max(0.45f, g.nose_tip.y - 0.15f), p.y);
  for (int b : {kJaw, kCloseJaw, kClose, kFunnel, kPucker, kStretch, kSmile, kRollLower}) {
    d[b].x *= below_eyes;
    d[b].y *= below_eyes;
  }
  // Brows: above the upper eyelids only, so the eyes never move.
  float brow_band = smoothstep(g.eye_top_y - 0.02f, g.brow_y, p.y) *
                    (1.f - smoothstep(g.brow_y - 0.2f, g.brow_y - 1.0f, p.y));
  float inner = gauss(std::abs(p.x) - 0.28f, 0.f, 0.3f, 1.f) * brow_band;
  d[kBrowInnerUp] = {0.f, -0.10f * inner};
  float brow = gauss(std::abs(p.x) - 0.5f, 0.f, 0.45f, 1.f) * brow_band;
  d[kBrowDown] = {-0.04f * (p.x > 0 ? 1.f : -1.f) * brow * std::min(1.f, std::abs(p.x) / 0.2f),
                  0.07f * brow};
  return d;
}

Coefficients expression_coefficients(const MotionFrame& motion) {
  auto value = [&](Channel c) { return channel_value(motion, c); };
  Coefficients k{};
  float tongue = value(Channel::TongueOut);
  // The tongue needs a little room: it opens the jaw slightly.
  float jaw = value(Channel::JawOpen);
  jaw = jaw + 0.5f * tongue * (1.f - jaw);
  k[kJaw] = jaw;
  k[kCloseJaw] = value(Channel::MouthClose) * jaw;
  k[kClose] = value(Channel::MouthClose);
  k[kFunnel] = value(Channel::MouthFunnel);
  k[kPucker] = value(Channel::MouthPucker);
  k[kStretch] = value(Channel::MouthStretch);
  k[kSmile] = value(Channel::MouthSmile);
  k[kRollLower] = value(Channel::MouthRollLower);
  k[kBrowInnerUp] = value(Channel::BrowInnerUp);
  k[kBrowDown] = value(Channel::BrowDown);
  return k;
}

float template_depth(const FaceGeometry& g, Point p) {
  // A paraboloid head (soft enough that a yaw of 0.6 rad folds nothing) and a nose.
  float ax = std::max(1.6f, g.jaw_half_width * 1.4f);
  float ay = 2.4f;
  float cy = (g.chin_y - 2.2f) / 2;
  float r2 = (p.x / ax) * (p.x / ax) + ((p.y - cy) / ay) * ((p.y - cy) / ay);
  float head = std::max(0.f, 1.f - r2);
  head = 0.8f * (head * head * (3.f - 2.f * head) * 0.5f + head * 0.5f);  // rounder top
  // The nose is kept low and wide: a steeper flank would fold over the far cheek.
  float nose = 0.2f * gauss(p.x - g.nose_tip.x, p.y - (g.nose_tip.y - 0.15f), 0.22f, 0.3f);
  return head + nose;
}

float head_weight(const FaceGeometry& g, Point p) {
  float ax = g.jaw_half_width * 1.25f;
  float centre_y = -0.1f;
  if (p.y < centre_y) {
    // Face and hair: full weight inside, falling off over the background around it.
    float e = std::hypot(p.x / ax, (p.y - centre_y) / 2.3f);
    return 1.f - smoothstep(1.0f, 1.7f, e);
  }
  // Jaw and neck: the neck bends over ~0.9 face units below the chin; shoulders stay.
  // The falloff's outer edge goes from 1.7x the ellipse at the sides (as above) to
  // 0.9 units below the chin straight down.
  float ay = (g.chin_y - centre_y) * 1.05f;
  float e = std::hypot(p.x / ax, (p.y - centre_y) / ay);
  float down = e > 0.f ? (p.y - centre_y) / ay / e : 0.f;
  float outer = 1.7f + (1.f + 0.9f / ay - 1.7f) * down * down;
  return 1.f - smoothstep(1.0f, outer, e);
}

}  // namespace parla::video
