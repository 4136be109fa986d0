// The face frame: origin between the eyes, x along the eye line, unit = inter-ocular
// distance. Every deformer is defined in it, so one rig fits any face size and tilt.
#include <algorithm>
#include <cmath>

#include "video/video.h"

namespace parla::video {
namespace {

Point mean_of(const Landmarks& landmarks, int first, int count) {
  Point sum;
  for (int i = first; i < first + count; ++i) {
    sum.x += landmarks[i].x;
    sum.y += landmarks[i].y;
  }
  return {sum.x / count, sum.y / count};
}

}  // namespace

Point FaceFrame::to_face(Point image_px) const {
  float dx = image_px.x - origin.x, dy = image_px.y - origin.y;
  float c = std::cos(angle_rad), s = std::sin(angle_rad);
  return {(c * dx + s * dy) / interocular_px, (-s * dx + c * dy) / interocular_px};
}

Point FaceFrame::to_image(Point face) const {
  float c = std::cos(angle_rad), s = std::sin(angle_rad);
  float x = face.x * interocular_px, y = face.y * interocular_px;
  return {origin.x + c * x - s * y, origin.y + s * x + c * y};
}

FaceFrame face_frame(const Landmarks& landmarks) {
  Point right_eye = mean_of(landmarks, 36, 6);  // subject's right, image left
  Point left_eye = mean_of(landmarks, 42, 6);
  FaceFrame frame;
  frame.origin = {(right_eye.x + left_eye.x) / 2, (right_eye.y + left_eye.y) / 2};
  float dx = left_eye.x - right_eye.x, dy = left_eye.y - right_eye.y;
  frame.angle_rad = std::atan2(dy, dx);
  frame.interocular_px = std::hypot(dx, dy);
  return frame;
}

std::string landmark_geometry_problem(const Landmarks& landmarks) {
  // Collinear points first: every other test would report a symptom of it.
  Point centre = mean_of(landmarks, 0, kLandmarkCount);
  double sxx = 0, syy = 0, sxy = 0;
  for (const Point& p : landmarks) {
    double dx = p.x - centre.x, dy = p.y - centre.y;
    sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
  }
  double trace = sxx + syy, det = sxx * syy - sxy * sxy;
  if (!(trace > 1e-6) || det / (trace * trace) < 1e-3) {
    return "the 68 points lie on one line (or one spot); it is not a face";
  }
  FaceFrame frame = face_frame(landmarks);
  if (!(frame.interocular_px > 1e-3f)) return "the two eyes (points 36-41 and 42-47) coincide";
  if (std::cos(frame.angle_rad) < 0.f) {
    return "the eyes are mirrored: points 36-41 (the subject's right eye) must lie left of "
           "42-47, as dlib orders them (a mirrored selfie?)";
  }
  if (std::abs(frame.angle_rad) > 1.0472f) return "the eye line is tilted more than 60 degrees";
  auto at = [&](int i) { return frame.to_face(landmarks[i]); };
  Point mouth = frame.to_face(mean_of(landmarks, 48, 12));
  float nose_y = at(30).y, chin_y = at(8).y;
  if (!(nose_y > 0.15f && mouth.y > nose_y && chin_y > mouth.y)) {
    return "nose (30), mouth (48-67) and chin (8) must lie below the eyes in that order "
           "(upside down?)";
  }
  if (!(at(0).x < at(16).x && at(48).x < at(54).x && at(60).x < at(64).x)) {
    return "the jaw (0-16) or the mouth (48-67) runs right to left; dlib orders them from the "
           "subject's right (image left)";
  }
  float jaw_width = at(16).x - at(0).x;
  if (chin_y > 6.f || jaw_width < 0.8f || jaw_width > 8.f) {
    return "the proportions are not a face's: chin " + std::to_string(chin_y).substr(0, 4) +
           " and jaw width " + std::to_string(jaw_width).substr(0, 4) +
           " eye distances (a face has about 2 and 2.5)";
  }
  return "";
}

bool inside_polygon(std::span<const Point> polygon, Point p) {
  bool inside = false;
  for (size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
    const Point a = polygon[i], b = polygon[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
      inside = !inside;
  }
  return inside;
}

void for_each_pixel_inside(int width, int height, std::span<const Point> polygon,
                           const std::function<void(int x, int y)>& visit) {
  if (polygon.empty()) return;
  float x0 = polygon[0].x, x1 = x0, y0 = polygon[0].y, y1 = y0;
  for (const Point& p : polygon) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  const int top = std::max(0, static_cast<int>(y0)), bottom = std::min(height - 1, static_cast<int>(y1) + 1);
  const int left = std::max(0, static_cast<int>(x0)), right = std::min(width - 1, static_cast<int>(x1) + 1);
  for (int y = top; y <= bottom; ++y) {
    for (int x = left; x <= right; ++x) {
      if (inside_polygon(polygon, {static_cast<float>(x) + 0.5f, static_cast<float>(y) + 0.5f})) visit(x, y);
    }
  }
}

void for_each_inner_lip_pixel(int width, int height, const Landmarks& landmarks,
                              const std::function<void(int x, int y)>& visit) {
  for_each_pixel_inside(width, height, std::span<const Point>(landmarks).subspan(60, 8), visit);
}

}  // namespace parla::video
