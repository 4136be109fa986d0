// The Rig: built once per portrait from its fit (face frame, geometry, mesh, fields,
// eye and mouth models); posing turns a MotionFrame into mesh vertex positions.
#include <algorithm>
#include <cmath>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

// Pose beyond these angles would fold the 2.5-D head: larger values ease into them.
float soft_limit(float value, float linear, float limit) {
  float magnitude = std::abs(value);
  if (magnitude <= linear) return value;
  float eased = linear + (limit - linear) * std::tanh((magnitude - linear) / (limit - linear));
  return value < 0 ? -eased : eased;
}

struct Pose {
  float yaw = 0.f, pitch = 0.f, roll = 0.f;  // radians
  float x = 0.f, y = 0.f;                    // face units
  float log_scale = 0.f;
  bool still() const {
    return yaw == 0.f && pitch == 0.f && roll == 0.f && x == 0.f && y == 0.f && log_scale == 0.f;
  }
};

// Pivot of head rotations (face units): the top of the neck.
constexpr float kPivotY = 1.0f;
// Camera distance (face units) for the perspective of turning heads.
constexpr float kCameraDistance = 10.f;

Point project(float x, float y, float z) {
  float k = kCameraDistance / (kCameraDistance - z);
  return {x * k, y * k};
}

// The posed position (face units) of point (x, y) at depth z, with the pose scaled by
// `amount` (the head weight): partial weights turn and shift the point partly, which
// bends the neck and hair edge smoothly instead of tearing them.
Point apply_pose(const Pose& pose, float amount, float x, float y, float z) {
  float yaw = pose.yaw * amount, pitch = pose.pitch * amount, roll = pose.roll * amount;
  float cy = std::cos(yaw), sy = std::sin(yaw);
  float cp = std::cos(pitch), sp = std::sin(pitch);
  float cr = std::cos(roll), sr = std::sin(roll);
  float py = y - kPivotY;
  // Yaw (about the vertical axis), then pitch (+ nods down), then roll (+ clockwise).
  float x1 = x * cy + z * sy, z1 = -x * sy + z * cy;
  float y2 = py * cp + z1 * sp, z2 = -py * sp + z1 * cp;
  float x3 = x1 * cr - y2 * sr, y3 = x1 * sr + y2 * cr;
  float scale = std::exp(pose.log_scale * amount);
  Point posed = project(x3 * scale, y3 * scale + kPivotY, z2 * scale);
  Point rest = project(x, y, z);
  return {x + posed.x - rest.x + pose.x * amount, y + posed.y - rest.y + pose.y * amount};
}

}  // namespace

Rig::Rig(Image portrait, const FaceFit& fit, RigParams params) {
  auto impl = std::make_shared<Impl>();
  impl->frame = face_frame(fit.landmarks);
  if (!(impl->frame.interocular_px >= kMinInterocularPx)) {
    throw InputError("the face is too small to animate: " +
                     std::to_string(static_cast<int>(impl->frame.interocular_px)) +
                     " px between the eyes, the minimum is " +
                     std::to_string(static_cast<int>(kMinInterocularPx)) + " px");
  }
  impl->portrait = std::move(portrait);
  impl->landmarks = fit.landmarks;
  Landmarks face_units;
  for (int i = 0; i < kLandmarkCount; ++i) face_units[i] = impl->frame.to_face(fit.landmarks[i]);
  impl->geometry = face_geometry(face_units);
  impl->eyes[0] = build_eye(impl->portrait, fit.landmarks, /*subject_left=*/false);
  impl->eyes[1] = build_eye(impl->portrait, fit.landmarks, /*subject_left=*/true);
  impl->mouth = build_mouth(impl->portrait, fit.landmarks);
  build_mesh(*impl, params);
  impl_ = std::move(impl);
}

const Image& Rig::portrait() const { return impl_->portrait; }
const Landmarks& Rig::landmarks() const { return impl_->landmarks; }
const FaceFrame& Rig::frame() const { return impl_->frame; }
std::span<const Point> Rig::rest_vertices() const { return impl_->rest_px; }
std::span<const std::array<int, 3>> Rig::triangles() const { return impl_->triangles; }
std::span<const float> Rig::head_weights() const { return impl_->weight; }

std::vector<Point> Rig::posed_vertices(const MotionFrame& motion) const {
  std::vector<Point> out;
  pose_vertices(*impl_, motion, out);
  return out;
}

void pose_vertices(const Rig::Impl& rig, const MotionFrame& motion, std::vector<Point>& out_px) {
  auto value = [&](Channel c) {
    const ChannelInfo& info = channel_info(c);
    return std::clamp(motion[index(c)], info.min, info.max);
  };
  const Coefficients k = expression_coefficients(motion);
  float face_width = 2.f * rig.geometry.jaw_half_width;
  Pose pose;
  pose.yaw = soft_limit(value(Channel::HeadYaw), 0.4f, 0.6f);
  pose.pitch = soft_limit(value(Channel::HeadPitch), 0.3f, 0.45f);
  pose.roll = soft_limit(value(Channel::HeadRoll), 0.3f, 0.45f);
  pose.x = soft_limit(value(Channel::HeadX), 0.2f, 0.3f) * face_width;
  pose.y = soft_limit(value(Channel::HeadY), 0.2f, 0.3f) * face_width;
  pose.log_scale = soft_limit(value(Channel::HeadScale), 0.1f, 0.15f);
  const bool still = pose.still();

  const size_t count = rig.rest_face.size();
  out_px.resize(count);
  for (size_t v = 0; v < count; ++v) {
    Point q = rig.rest_face[v];
    const auto& basis = rig.basis[v];
    for (int b = 0; b < kBasisCount; ++b) {
      q.x += k[b] * basis[b].x;
      q.y += k[b] * basis[b].y;
    }
    const float w = rig.weight[v];
    if (!still && w > 0.f) q = apply_pose(pose, w, q.x, q.y, rig.depth[v]);
    out_px[v] = (q.x == rig.rest_face[v].x && q.y == rig.rest_face[v].y) ? rig.rest_px[v]
                                                                         : rig.frame.to_image(q);
  }
}

}  // namespace parla::video
