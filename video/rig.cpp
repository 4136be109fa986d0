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

// Pivot of head rotations (face units below the eyes): level with the ear lobes, where
// the skull turns on the neck; lower pivots swing the crown too far for the falloff.
constexpr float kPivotY = 0.7f;
// Camera distance (face units) for the perspective of turning heads.
constexpr float kCameraDistance = 10.f;

Point project(float x, float y, float z) {
  float k = kCameraDistance / (kCameraDistance - z);
  return {x * k, y * k};
}

// The rigid head pose: rotation (yaw, then pitch, then roll about the top of the
// neck), scale, shift and perspective, evaluated once per frame.
struct RigidPose {
  float m[3][3];  // rotation times scale
  float shift_x = 0.f, shift_y = 0.f;

  explicit RigidPose(const Pose& pose) {
    float cy = std::cos(pose.yaw), sy = std::sin(pose.yaw);
    float cp = std::cos(pose.pitch), sp = std::sin(pose.pitch);
    float cr = std::cos(pose.roll), sr = std::sin(pose.roll);
    float s = std::exp(pose.log_scale);
    // Yaw: x1 = x cy + z sy, z1 = -x sy + z cy. Pitch (+ nods down): y2 = y cp + z1 sp,
    // z2 = -y sp + z1 cp. Roll (+ clockwise on screen): x3 = x1 cr - y2 sr, y3 = x1 sr + y2 cr.
    float yaw[3][3] = {{cy, 0, sy}, {0, 1, 0}, {-sy, 0, cy}};
    float pitch[3][3] = {{1, 0, 0}, {0, cp, sp}, {0, -sp, cp}};
    float roll[3][3] = {{cr, -sr, 0}, {sr, cr, 0}, {0, 0, 1}};
    float py[3][3];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        py[i][j] = 0;
        for (int k = 0; k < 3; ++k) py[i][j] += pitch[i][k] * yaw[k][j];
      }
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        m[i][j] = 0;
        for (int k = 0; k < 3; ++k) m[i][j] += s * roll[i][k] * py[k][j];
      }
    shift_x = pose.x, shift_y = pose.y;
  }

  // Displacement (face units) of the point (x, y) at depth z when the head is posed.
  Point displacement(float x, float y, float z) const {
    float py = y - kPivotY;
    float x3 = m[0][0] * x + m[0][1] * py + m[0][2] * z;
    float y3 = m[1][0] * x + m[1][1] * py + m[1][2] * z;
    float z3 = m[2][0] * x + m[2][1] * py + m[2][2] * z;
    Point posed = project(x3, y3 + kPivotY, z3);
    Point rest = project(x, y, z);
    return {posed.x - rest.x + shift_x, posed.y - rest.y + shift_y};
  }
};

// Smallest share of its rest area the head pose may leave a mesh triangle.
constexpr float kMinPoseAreaRatio = 0.12f;

}  // namespace

Rig::Rig(Image portrait, const FaceFit& fit, RigParams params) {
  auto impl = std::make_shared<Impl>();
  if (std::string problem = landmark_geometry_problem(fit.landmarks); !problem.empty()) {
    throw InputError("the face's landmarks cannot be rigged: " + problem);
  }
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
  impl->mouth = build_mouth(impl->portrait, fit.landmarks, impl->frame, impl->geometry);
  open_lip_corners(impl->portrait, impl->frame, face_units, impl->mouth, params, impl->geometry);
  set_teeth_edge_reach(impl->mouth, impl->geometry);
  impl->silhouette = estimate_silhouette(impl->portrait, impl->frame, impl->geometry, face_units);
  build_mesh(*impl, params);
  impl->seam_own_dip = lip_line_dip(*impl);
  const float own_line = impl->teeth_pairs.empty() ? 1.f - impl->seam_own_dip : 1.f;
  for (int k = 0; k < 3; ++k) impl->seam_lip[k] = own_line * impl->mouth.lip[k];
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
  pose_vertices(*impl_, rig_motion(*impl_, motion), out);
  return out;
}

MotionFrame rig_motion(const Rig::Impl& rig, const MotionFrame& motion) {
  const float own = rig.mouth.own_jaw;
  if (own <= 0.f) return motion;
  const float jaw = channel_value(motion, Channel::JawOpen);
  MotionFrame out = motion;
  out[index(Channel::JawOpen)] = std::max(0.f, jaw - own);
  out[index(Channel::MouthClose)] = std::max(channel_value(motion, Channel::MouthClose), 1.f - std::min(1.f, jaw / own));
  return out;
}

void pose_vertices(const Rig::Impl& rig, const MotionFrame& motion, std::vector<Point>& out_px) {
  auto value = [&](Channel c) { return channel_value(motion, c); };
  const Coefficients k = expression_coefficients(motion);
  float face_width = 2.f * rig.geometry.jaw_half_width;
  Pose pose;
  pose.yaw = soft_limit(value(Channel::HeadYaw), 0.4f, 0.6f);
  pose.pitch = soft_limit(value(Channel::HeadPitch), 0.3f, 0.45f);
  pose.roll = soft_limit(value(Channel::HeadRoll), 0.3f, 0.45f);
  pose.x = soft_limit(value(Channel::HeadX), 0.2f, 0.3f) * face_width;
  pose.y = -soft_limit(value(Channel::HeadY), 0.2f, 0.3f) * face_width;  // + = up
  pose.log_scale = soft_limit(value(Channel::HeadScale), 0.1f, 0.15f);
  const bool still = pose.still();

  const size_t count = rig.rest_face.size();
  out_px.resize(count);
  // Expressions first (face units), then the head's rigid displacement blended by the
  // head weight. Extreme pose combinations are scaled down (limit < 1) until no mesh
  // triangle keeps less than kMinPoseAreaRatio of its rest area (or less than the
  // expressions alone left it): the neck and the hair edge bend but never fold.
  std::vector<Point>& face = out_px;  // reused: face units first, pixels at the end
  thread_local std::vector<Point> head;
  head.assign(count, Point{});
  for (size_t v = 0; v < count; ++v) {
    Point q = rig.rest_face[v];
    const auto& basis = rig.basis[v];
    for (int b = 0; b < kBasisCount; ++b) {
      q.x += k[b] * basis[b].x;
      q.y += k[b] * basis[b].y;
    }
    face[v] = q;
  }
  // Mouth channels add up; keep every row on its own side of its neighbour toward the
  // lip cut (at least 30% of their rest distance apart), so combinations never fold.
  // Lips shut over the teeth stay shut whatever else moves them: what the other
  // channels (a smile, a stretch) open between a closing lip edge and the cut closes
  // over mouthClose's last 30 %, or the teeth at the cut would show through as a
  // dashed white line on every p, b and m of a smiling portrait.
  const float shut = smoothstep(0.7f, 1.f, channel_value(motion, Channel::MouthClose));
  // Likewise the opening a funnel, pucker or stretch makes between the cut's two copies
  // (the jaw's is mouthClose's own cross term): left open, the shut lips part in a
  // hairline that shows the portrait's teeth along the cut as light specks.
  if (shut > 0.f) {
    for (const auto& [upper, lower] : rig.cut_pairs) {
      float opened = 0.f;
      for (int b : {kFunnel, kPucker, kStretch, kSmile, kRollLower}) {
        opened += k[b] * (rig.basis[lower][b].y - rig.basis[upper][b].y);
      }
      const float close = 0.5f * shut * std::clamp(opened, 0.f, std::max(0.f, face[lower].y - face[upper].y));
      face[upper].y += close;
      face[lower].y -= close;
    }
  }
  for (const auto& [v, anchor, side, keep] : rig.lip_guards) {
    float rest_gap = (rig.rest_face[v].y - rig.rest_face[anchor].y) * static_cast<float>(side);
    float gap = (face[v].y - face[anchor].y) * static_cast<float>(side);
    if (gap < keep * rest_gap) face[v].y = face[anchor].y + static_cast<float>(side) * keep * rest_gap;
    if (keep == 0.f && gap > 0.f) face[v].y -= static_cast<float>(side) * shut * gap;
    if (keep < 0.3f && rest_gap > 0.f) {
      // A lip edge closing over the teeth: the teeth between it and the cut shrink as a
      // whole, their sideways offset with their height, so no sliver turns over.
      const float share = std::clamp((face[v].y - face[anchor].y) * static_cast<float>(side) / rest_gap, 0.f, 1.f);
      face[v].x = face[anchor].x + (face[v].x - face[anchor].x) * share;
    }
  }
  for (const auto& [original, copy] : rig.teeth_pairs) face[copy] = face[original];
  float limit = 1.f;
  if (!still) {
    const RigidPose rigid(pose);
    for (size_t v = 0; v < count; ++v) {
      const float w = rig.weight[v];
      if (w <= 0.f) continue;
      Point d = rigid.displacement(face[v].x, face[v].y, rig.depth[v]);
      head[v] = {w * d.x, w * d.y};
    }
    auto area = [&](const std::array<int, 3>& t, float s) {
      Point a = {face[t[0]].x + s * head[t[0]].x, face[t[0]].y + s * head[t[0]].y};
      Point b = {face[t[1]].x + s * head[t[1]].x, face[t[1]].y + s * head[t[1]].y};
      Point c = {face[t[2]].x + s * head[t[2]].x, face[t[2]].y + s * head[t[2]].y};
      return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    };
    auto folds = [&](float s) {
      for (size_t t = 0; t < rig.triangles.size(); ++t) {
        const float rest = rig.rest_area[t];
        if (rest == 0.f) continue;  // the mouth strip
        const auto& tri = rig.triangles[t];
        const float floor = std::min(area(tri, 0.f) / rest, kMinPoseAreaRatio);
        if (area(tri, s) / rest < floor) return true;
      }
      return false;
    };
    // Bisection, so the limit (and the picture) changes continuously with the motion.
    if (folds(1.f)) {
      float safe = 0.f, unsafe = 1.f;
      for (int i = 0; i < 10; ++i) {
        float mid = 0.5f * (safe + unsafe);
        (folds(mid) ? unsafe : safe) = mid;
      }
      limit = safe;
    }
  }
  for (size_t v = 0; v < count; ++v) {
    Point q = {face[v].x + limit * head[v].x, face[v].y + limit * head[v].y};
    out_px[v] = (q.x == rig.rest_face[v].x && q.y == rig.rest_face[v].y) ? rig.rest_px[v]
                                                                         : rig.frame.to_image(q);
  }
}

void source_vertices(const Rig::Impl& rig, const MotionFrame& motion, std::vector<Point>& out_px) {
  out_px.assign(rig.rest_px.begin(), rig.rest_px.end());
  const float close = channel_value(motion, Channel::MouthClose);
  if (close == 0.f) return;
  for (int v : rig.slid) {
    const Point p = rig.rest_face[v];
    out_px[v] = rig.frame.to_image({p.x, p.y + close * rig.slide_y[v]});
  }
  // Over an open jaw (Rig::Impl::teeth_covers): the rig closes the teeth strips and the
  // gap between the rows by the same share, 1 - close; a lip that passes over its teeth
  // while the gap closes would have covered close / (1 - close) x gap / strips of what is
  // left of them. Only from mouthClose 0.6 on: the generator's tracks hold partial
  // closures on most speech frames, where real speakers' lips do not narrow, and covering
  // them too followed the real speakers' jaw less (r 0.527 -> 0.511, docs/rig.md).
  const float late = smoothstep(0.6f, 0.9f, close);
  if (late == 0.f || rig.teeth_covers.empty()) return;  // most frames: nothing covered
  const float jaw = expression_coefficients(motion)[kJaw];
  if (jaw <= 0.f) return;
  const float lead = close / std::max(1e-3f, 1.f - close) * jaw * late;
  for (const auto& [v, lip_edge, at_edge, ratio] : rig.teeth_covers) {
    const float cover = std::min(1.f, lead * ratio);
    const Point p = rig.rest_face[v], edge = rig.rest_face[lip_edge];
    const float y = p.y + close * rig.slide_y[v];
    const float lip = edge.y + (close + (at_edge ? 0.f : 0.5f)) * rig.slide_y[lip_edge];
    out_px[v] = rig.frame.to_image({p.x, y + (lip - y) * cover});
  }
}

float hairline_lip_share(const Rig::Impl& rig, float mouth_close) {
  return rig.teeth_pairs.empty() ? 0.f : smoothstep(0.5f, 1.f, mouth_close);
}

void lip_seam(const Rig::Impl& rig, const std::vector<Point>& dest_px, float px_per_unit, float close,
              std::vector<SeamColumn>& out) {
  out.resize(rig.seam_pairs.size());
  for (size_t k = 0; k < rig.seam_pairs.size(); ++k) {
    const auto [upper, lower] = rig.seam_pairs[k];
    const Point a = dest_px[upper], b = dest_px[lower];
    const Point ra = rig.rest_face[upper], rb = rig.rest_face[lower];
    const float gap = std::hypot(b.x - a.x, b.y - a.y) / px_per_unit;  // face units
    const float rest = std::hypot(rb.x - ra.x, rb.y - ra.y);
    // The line is the rig's once it has brought the lips together, and while they touch.
    // Where they touch in the portrait too, it stands in for the portrait's own line as
    // their inner bands slide out of view with mouthClose: as dark as that line was (a
    // soft, painted one stays soft), never under a third of the full line.
    const float own = std::clamp(rig.seam_own_dip / 0.35f, 0.35f, 1.f);
    const float closed = smoothstep(0.f, 0.02f, rest - gap);
    const float brought = std::max(closed, close * std::max(own, smoothstep(0.f, 0.02f, rest)));
    // a corner column draws no line
    const float touch = (upper == lower ? 0.f : 1.f) * (1.f - smoothstep(0.01f, 0.035f, gap));
    out[k] = {0.5f * (a.y + b.y), touch * brought, touch * std::max(closed, close)};
  }
}

}  // namespace parla::video
