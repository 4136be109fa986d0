// Per-frame measurements on 68 landmarks: head pose from a generic 3-D face, gaze from
// the iris, and the face and mouth crops (docs/critic.md "Video analysis").
#include <algorithm>
#include <cmath>

#include "critic/face_track_internal.h"

namespace parla::critic {
namespace {

// The generic frontal face in the renderer's face frame (origin between the eyes, x
// toward image right, y down, unit = inter-ocular distance): the mean of dlib's fits
// of data/sample/portrait.png and obama.jpg, made left-right symmetric.
constexpr std::array<std::array<float, 2>, video::kLandmarkCount> kGenericFace = {{
    {-1.108f, 0.083f},  {-1.087f, 0.369f},  {-1.056f, 0.652f},  {-1.004f, 0.941f},
    {-0.900f, 1.213f},  {-0.739f, 1.456f},  {-0.517f, 1.663f},  {-0.278f, 1.832f},
    {0.000f, 1.875f},   {0.278f, 1.832f},   {0.517f, 1.663f},   {0.739f, 1.456f},
    {0.900f, 1.213f},   {1.004f, 0.941f},   {1.056f, 0.652f},   {1.087f, 0.369f},
    {1.108f, 0.083f},   {-0.920f, -0.115f}, {-0.793f, -0.265f}, {-0.600f, -0.315f},
    {-0.398f, -0.304f}, {-0.198f, -0.246f}, {0.198f, -0.246f},  {0.398f, -0.304f},
    {0.600f, -0.315f},  {0.793f, -0.265f},  {0.920f, -0.115f},  {0.000f, -0.030f},
    {0.000f, 0.167f},   {0.000f, 0.359f},   {0.000f, 0.561f},   {-0.256f, 0.666f},
    {-0.129f, 0.694f},  {0.000f, 0.728f},   {0.129f, 0.694f},   {0.256f, 0.666f},
    {-0.689f, 0.008f},  {-0.570f, -0.060f}, {-0.428f, -0.065f}, {-0.302f, 0.028f},
    {-0.436f, 0.038f},  {-0.575f, 0.052f},  {0.302f, 0.028f},   {0.428f, -0.065f},
    {0.570f, -0.060f},  {0.689f, 0.008f},   {0.575f, 0.052f},   {0.436f, 0.038f},
    {-0.547f, 0.939f},  {-0.359f, 0.892f},  {-0.149f, 0.879f},  {0.000f, 0.914f},
    {0.149f, 0.879f},   {0.359f, 0.892f},   {0.547f, 0.939f},   {0.365f, 1.171f},
    {0.163f, 1.283f},   {0.000f, 1.306f},   {-0.163f, 1.283f},  {-0.365f, 1.171f},
    {-0.489f, 0.960f},  {-0.153f, 0.958f},  {0.000f, 0.982f},   {0.153f, 0.958f},
    {0.489f, 0.960f},   {0.155f, 1.148f},   {0.000f, 1.160f},   {-0.155f, 1.148f},
}};

// Points that move with the skull only: the upper jaw outline, the nose and the eye
// corners (brows, lids, lips and chin move with expressions and blinks).
constexpr std::array<int, 21> kRigidPoints = {0,  1,  2,  3,  13, 14, 15, 16, 27, 28, 29,
                                              30, 31, 32, 33, 34, 35, 36, 39, 42, 45};

// Depth is deepened a little beyond the renderer's template: the landmarks of a turned
// rendered face move as a deeper head would (the 68 points sit on the face's rim and
// ridge, where the mesh's perspective adds to the template), so this gives yaw slope ~1.
constexpr float kDepthScale = 1.25f;

float generic_depth(float x, float y) {
  constexpr float kJawHalfWidth = 1.108f, kChinY = 1.875f, kNoseX = 0.f, kNoseY = 0.561f;
  const float ax = std::max(1.6f, kJawHalfWidth * 1.4f), ay = 2.4f;
  const float cy = (kChinY - 2.2f) / 2;
  const float r2 = (x / ax) * (x / ax) + ((y - cy) / ay) * ((y - cy) / ay);
  float head = std::max(0.f, 1.f - r2);
  head = 0.8f * (head * head * (3.f - 2.f * head) * 0.5f + head * 0.5f);
  const float dx = (x - kNoseX) / 0.22f, dy = (y - (kNoseY - 0.15f)) / 0.3f;
  const float n2 = dx * dx + dy * dy;
  float nose = 0.f;
  if (n2 < 8.f) {
    float t = 1.f - n2 / 8.f;
    t *= t;
    nose = 0.2f * t * t;
  }
  return kDepthScale * (head + nose);
}

struct Vec3 {
  double x = 0, y = 0, z = 0;
};
double dot(const Vec3& a, const Vec3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
Vec3 scaled(const Vec3& a, double s) { return {a.x * s, a.y * s, a.z * s}; }
Vec3 minus(const Vec3& a, const Vec3& b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
Vec3 normalized(const Vec3& a) {
  double n = std::sqrt(dot(a, a));
  return n > 0 ? scaled(a, 1.0 / n) : Vec3{1, 0, 0};
}

// The generic model's rigid points, centred, and the inverse of their scatter matrix:
// fixed, so each fit is two small sums and a 2x3 by 3x3 product.
struct GenericModel {
  std::array<Vec3, kRigidPoints.size()> points{};
  double inverse[3][3] = {};
  GenericModel() {
    Vec3 mean;
    for (size_t i = 0; i < kRigidPoints.size(); ++i) {
      const auto& p = kGenericFace[kRigidPoints[i]];
      points[i] = {p[0], p[1], generic_depth(p[0], p[1])};
      mean = {mean.x + points[i].x, mean.y + points[i].y, mean.z + points[i].z};
    }
    mean = scaled(mean, 1.0 / kRigidPoints.size());
    double s[3][3] = {};
    for (Vec3& p : points) {
      p = minus(p, mean);
      const double v[3] = {p.x, p.y, p.z};
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) s[a][b] += v[a] * v[b];
    }
    const double det = s[0][0] * (s[1][1] * s[2][2] - s[1][2] * s[2][1]) -
                       s[0][1] * (s[1][0] * s[2][2] - s[1][2] * s[2][0]) +
                       s[0][2] * (s[1][0] * s[2][1] - s[1][1] * s[2][0]);
    for (int a = 0; a < 3; ++a) {
      for (int b = 0; b < 3; ++b) {
        // Cofactor of s[b][a] over the determinant.
        const int r0 = (b + 1) % 3, r1 = (b + 2) % 3, c0 = (a + 1) % 3, c1 = (a + 2) % 3;
        inverse[a][b] = (s[r0][c0] * s[r1][c1] - s[r0][c1] * s[r1][c0]) / det;
      }
    }
  }
};

const GenericModel& generic_model() {
  static const GenericModel model;
  return model;
}

// Bilinear sample of a square (centre, side in frame pixels) into a size² image.
Image crop_square(const Image& frame, float cx, float cy, float side, int size) {
  Image out(size, size);
  if (frame.empty()) return out;
  const float step = side / size;
  const float x_start = cx - 0.5f * side + 0.5f * step - 0.5f;
  const float y_start = cy - 0.5f * side + 0.5f * step - 0.5f;
  for (int j = 0; j < size; ++j) {
    float y = std::clamp(y_start + j * step, 0.f, frame.height - 1.001f);
    const int y0 = static_cast<int>(y);
    const float fy = y - y0;
    const int y1 = std::min(y0 + 1, frame.height - 1);
    for (int i = 0; i < size; ++i) {
      float x = std::clamp(x_start + i * step, 0.f, frame.width - 1.001f);
      const int x0 = static_cast<int>(x);
      const float fx = x - x0;
      const int x1 = std::min(x0 + 1, frame.width - 1);
      const std::uint8_t *a = frame.pixel(x0, y0), *b = frame.pixel(x1, y0);
      const std::uint8_t *c = frame.pixel(x0, y1), *d = frame.pixel(x1, y1);
      std::uint8_t* o = out.pixel(i, j);
      for (int k = 0; k < 3; ++k) {
        const float top = a[k] + (b[k] - a[k]) * fx, bottom = c[k] + (d[k] - c[k]) * fx;
        o[k] = static_cast<std::uint8_t>(std::lround(top + (bottom - top) * fy));
      }
    }
  }
  return out;
}

// The box of points first..last, its edges on pixel centres: the tracker's landmarks have
// sub-pixel fractions that wander a little on every frame, and VQ (trained on crops of
// whole-pixel landmarks) reads a crop that shifts by a fraction of a pixel on a still face
// as a frame that shakes. Snapped, a still face gives the same crop frame after frame.
Image crop_around(const Image& frame, const video::Landmarks& l, int first, int last, float margin,
                  int size) {
  float x0 = l[first].x, x1 = x0, y0 = l[first].y, y1 = y0;
  for (int i = first; i <= last; ++i) {
    x0 = std::min(x0, l[i].x), x1 = std::max(x1, l[i].x);
    y0 = std::min(y0, l[i].y), y1 = std::max(y1, l[i].y);
  }
  auto snap = [](float v) { return std::floor(v) + 0.5f; };
  x0 = snap(x0), x1 = snap(x1), y0 = snap(y0), y1 = snap(y1);
  const float side = std::max(2.f, margin * std::max(x1 - x0, y1 - y0));
  return crop_square(frame, 0.5f * (x0 + x1), 0.5f * (y0 + y1), side, size);
}

float distance(video::Point a, video::Point b) { return std::hypot(a.x - b.x, a.y - b.y); }

}  // namespace

HeadPose fit_head_pose(const video::Landmarks& landmarks) {
  const GenericModel& model = generic_model();
  double mx = 0, my = 0;
  for (int i : kRigidPoints) mx += landmarks[i].x, my += landmarks[i].y;
  mx /= kRigidPoints.size(), my /= kRigidPoints.size();
  // M = (Σ x Xᵀ)(Σ X Xᵀ)⁻¹, the least-squares 2x3 projection.
  double a[2][3] = {};
  for (size_t i = 0; i < kRigidPoints.size(); ++i) {
    const double u = landmarks[kRigidPoints[i]].x - mx, v = landmarks[kRigidPoints[i]].y - my;
    const Vec3& p = model.points[i];
    a[0][0] += u * p.x, a[0][1] += u * p.y, a[0][2] += u * p.z;
    a[1][0] += v * p.x, a[1][1] += v * p.y, a[1][2] += v * p.z;
  }
  Vec3 rows[2];
  for (int r = 0; r < 2; ++r) {
    double m[3];
    for (int c = 0; c < 3; ++c) {
      m[c] = a[r][0] * model.inverse[0][c] + a[r][1] * model.inverse[1][c] +
             a[r][2] * model.inverse[2][c];
    }
    rows[r] = {m[0], m[1], m[2]};
  }
  HeadPose pose;
  pose.scale_px = static_cast<float>(
      0.5 * (std::sqrt(dot(rows[0], rows[0])) + std::sqrt(dot(rows[1], rows[1]))));
  // Orthonormalise the two rows symmetrically; the third is their cross product.
  Vec3 r1 = normalized(rows[0]), r2 = normalized(rows[1]);
  const double e = dot(r1, r2);
  const Vec3 q1 = normalized(minus(r1, scaled(r2, 0.5 * e)));
  const Vec3 q2 = normalized(minus(r2, scaled(r1, 0.5 * e)));
  const Vec3 r3 = cross(q1, q2);
  // R = Roll · Pitch · Yaw (video/rig.cpp): its third row is (−cp sy, −sp, cp cy) and
  // R[0][1] = −sr cp, R[1][1] = cr cp.
  pose.pitch_rad = static_cast<float>(std::asin(std::clamp(-r3.y, -1.0, 1.0)));
  pose.yaw_rad = static_cast<float>(std::atan2(-r3.x, r3.z));
  pose.roll_rad = static_cast<float>(std::atan2(-q1.y, q2.y));
  // The generic chin through the fitted projection (the centroid maps to the centroid).
  Vec3 centre;
  for (int i : kRigidPoints) {
    const auto& g = kGenericFace[i];
    centre = {centre.x + g[0], centre.y + g[1], centre.z + generic_depth(g[0], g[1])};
  }
  centre = scaled(centre, 1.0 / kRigidPoints.size());
  const auto& chin = kGenericFace[8];
  const Vec3 offset = minus(Vec3{chin[0], chin[1], generic_depth(chin[0], chin[1])}, centre);
  const double s = pose.scale_px;
  const double px = mx + s * dot(q1, offset), py = my + s * dot(q2, offset);
  // The face's down axis in the image: the projection of the model's y axis.
  const double dx = q1.y, dy = q2.y, dn = std::max(1e-9, std::hypot(dx, dy));
  pose.chin_residual = static_cast<float>(
      ((landmarks[8].x - px) * dx + (landmarks[8].y - py) * dy) / dn / std::max(1e-6, s));
  return pose;
}

std::optional<std::array<float, 2>> measure_gaze(const GrayImage& gray, const video::Landmarks& l,
                                                 const HeadPose& pose) {
  (void)pose;
  float sum_x = 0, sum_y = 0;
  int eyes = 0;
  for (int first : {36, 42}) {
    std::array<video::Point, 6> poly;
    for (int k = 0; k < 6; ++k) poly[k] = l[first + k];
    // The corners: 36/39 and 42/45; in the image the first is on the left.
    const video::Point c1 = poly[0], c2 = poly[3];
    const float width = distance(c1, c2);
    const float open =
        (distance(poly[1], poly[5]) + distance(poly[2], poly[4])) / (2.f * std::max(1.f, width));
    if (width < 12.f || open < 0.2f) continue;
    std::vector<std::array<float, 3>> pixels;  // x, y, grey
    video::for_each_pixel_inside(static_cast<int>(gray.nc()), static_cast<int>(gray.nr()), poly, [&](int x, int y) {
      pixels.push_back({x + 0.5f, y + 0.5f, static_cast<float>(gray[y][x])});
    });
    if (pixels.size() < 20) continue;
    // The darkest third of the opening is the iris and pupil.
    std::vector<float> values(pixels.size());
    for (size_t i = 0; i < pixels.size(); ++i) values[i] = pixels[i][2];
    auto third = values.begin() + values.size() / 3;
    std::nth_element(values.begin(), third, values.end());
    const float threshold = *third;
    double wx = 0, wy = 0, w = 0;
    for (const auto& p : pixels) {
      if (p[2] > threshold) continue;
      const double weight = threshold - p[2] + 1.0;
      wx += weight * p[0], wy += weight * p[1], w += weight;
    }
    if (w <= 0) continue;
    const float ux = (c2.x - c1.x) / width, uy = (c2.y - c1.y) / width;  // along the eye
    const float ox = static_cast<float>(wx / w) - 0.5f * (c1.x + c2.x);
    const float oy = static_cast<float>(wy / w) - 0.5f * (c1.y + c2.y);
    // The renderer moves the iris 0.22 eye widths along and 0.10 up per unit of gaze
    // (video/eyes.cpp); the darkest-pixel centroid, clipped by the lids, moves about
    // half as far.
    sum_x += (ox * ux + oy * uy) / (0.5f * 0.22f * width);
    sum_y += -(-ox * uy + oy * ux) / (0.5f * 0.10f * width);
    ++eyes;
  }
  if (eyes == 0) return std::nullopt;
  return std::array<float, 2>{std::clamp(sum_x / eyes, -1.f, 1.f),
                              std::clamp(sum_y / eyes, -1.f, 1.f)};
}

Image crop_face(const Image& frame, const video::Landmarks& landmarks) {
  return crop_around(frame, landmarks, 0, video::kLandmarkCount - 1, 1.25f, kFaceCropSize);
}

Image crop_mouth(const Image& frame, const video::Landmarks& landmarks) {
  return crop_around(frame, landmarks, 48, 59, 1.5f, kMouthCropSize);
}

}  // namespace parla::critic
