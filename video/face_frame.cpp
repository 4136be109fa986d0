// The face frame: origin between the eyes, x along the eye line, unit = inter-ocular
// distance. Every deformer is defined in it, so one rig fits any face size and tilt.
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

}  // namespace parla::video
