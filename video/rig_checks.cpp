// rig_distortion: folds, inverted mouth strips and stretched triangles of one pose,
// against the rest mesh and two reference poses (lips shut, jaw open).
#include <algorithm>
#include <cmath>

#include "video/video.h"

namespace parla::video {
namespace {

double signed_area(Point a, Point b, Point c) {
  return 0.5 * ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
}

MotionFrame with_channel(Channel c, float value) {
  MotionFrame f = neutral_frame();
  f[index(c)] = value;
  return f;
}

}  // namespace

RigDistortion rig_distortion(const Rig& rig, const MotionFrame& motion) {
  RigDistortion d;
  const auto rest = rig.rest_vertices();
  const auto triangles = rig.triangles();
  const std::vector<Point> posed = rig.posed_vertices(motion);
  // The lips shut: triangles over the portrait's teeth collapse to 2 % under them.
  const std::vector<Point> shut = rig.posed_vertices(with_channel(Channel::MouthClose, 1.f));
  // A plain jaw drop: the orientation of an open mouth strip.
  const std::vector<Point> open = rig.posed_vertices(with_channel(Channel::JawOpen, 1.f));
  for (size_t i = 0; i < triangles.size(); ++i) {
    const auto& t = triangles[i];
    const double before = signed_area(rest[t[0]], rest[t[1]], rest[t[2]]);
    const double after = signed_area(posed[t[0]], posed[t[1]], posed[t[2]]);
    if (std::abs(before) < 1e-3) {  // the mouth strip, empty at rest
      const double reference = signed_area(open[t[0]], open[t[1]], open[t[2]]);
      // Closed lips give zero-area strips: only a visible inversion counts.
      if ((reference > 0 ? after : -after) < -0.05) ++d.inverted_mouth;
      continue;
    }
    const bool covered_teeth = signed_area(shut[t[0]], shut[t[1]], shut[t[2]]) / before < 0.1;
    if (after / before < (covered_teeth ? -0.05 : 0.02)) d.folded.push_back(static_cast<int>(i));
    if (after / before > kRigStretchLimit) ++d.stretched;
    d.max_area_ratio = std::max(d.max_area_ratio, after / before);
  }
  return d;
}

}  // namespace parla::video
