// Issue #16, "any video frame is a portrait": a frame taken mid-word shows its own open
// jaw. The rig reads the track's jawOpen relative to it (video::rig_motion): the mouth
// relaxes shut at jawOpen 0, looks as the picture does at the portrait's own jaw and
// opens on beyond it. Before, such a portrait never closed its mouth except on p, b and
// m: its opening was the rest pose. Read back as a viewer would: dlib's fit of the
// default 512² render.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/video/rig_fixtures.h"
#include "video/rig_internal.h"  // rig_motion, MouthModel
#include "video/video.h"

namespace parla {
namespace {

MotionFrame with_jaw(float jaw) {
  MotionFrame motion = neutral_frame();
  motion[index(Channel::JawOpen)] = jaw;
  return motion;
}

using testing::LipRead;
using testing::read_lips;

// The mouth test faces taken mid-word.
std::vector<testing::Face> mid_word_faces() {
  std::vector<testing::Face> faces = testing::mouth_test_faces();
  std::erase_if(faces, [](const testing::Face& face) { return !testing::mid_word(face); });
  return faces;
}

class OwnJaw : public ::testing::TestWithParam<testing::Face> {};

// The own jaw is found on the mid-word frames only; every other portrait's motion is
// taken as it is, so closed and smiling portraits render exactly as before.
TEST_P(OwnJaw, FoundOnMidWordFramesOnly) {
  const testing::Face& face = GetParam();
  const video::Rig rig = testing::face_rig(face);
  const float own = rig.impl().mouth.own_jaw;
  std::printf("%s: own jaw %.3f\n", face.name, own);
  if (testing::mid_word(face)) {
    EXPECT_GT(own, 0.1f);
    EXPECT_LT(own, 0.5f);
  } else {
    EXPECT_EQ(own, 0.f);
    EXPECT_EQ(rig.impl().geometry.jaw_share, 0.f);
    MotionFrame motion = with_jaw(0.3f);
    motion[index(Channel::MouthClose)] = 0.2f;
    EXPECT_EQ(video::rig_motion(rig.impl(), motion), motion);
  }
}

INSTANTIATE_TEST_SUITE_P(Faces, OwnJaw, ::testing::ValuesIn(testing::mouth_test_faces()),
                         [](const auto& info) { return std::string(info.param.name); });

class MidWordPortrait : public ::testing::TestWithParam<testing::Face> {};

// Shut at jawOpen 0 (as the shut lips of MouthClosure: about a pixel plus 3.5 % of the
// mouth's width), the picture itself at its own jaw (no vertex moves), wider beyond it,
// and the opening grows with jawOpen all the way.
TEST_P(MidWordPortrait, RelaxesShutAndOpensFromThePicture) {
  const testing::Face& face = GetParam();
  const video::Rig rig = testing::face_rig(face);
  const float own = rig.impl().mouth.own_jaw;
  ASSERT_GT(own, 0.f);
  const auto rest = rig.rest_vertices();
  const std::vector<video::Point> at_own = rig.posed_vertices(with_jaw(own));
  ASSERT_EQ(at_own.size(), rest.size());
  for (size_t v = 0; v < rest.size(); ++v) {
    ASSERT_EQ(at_own[v].x, rest[v].x) << "vertex " << v;
    ASSERT_EQ(at_own[v].y, rest[v].y) << "vertex " << v;
  }
  video::Renderer renderer(rig, {});
  const float jaws[] = {0.f, 0.5f * own, own, own + 0.3f};
  LipRead read[4];
  for (int i = 0; i < 4; ++i) read[i] = read_lips(renderer.render(with_jaw(jaws[i])));
  std::printf(
      "%s (own jaw %.3f): inner-lip gap %.1f / %.1f / %.1f / %.1f px at jawOpen 0 / %.2f / %.2f / "
      "%.2f\n",
      face.name, own, read[0].gap, read[1].gap, read[2].gap, read[3].gap, jaws[1], jaws[2],
      jaws[3]);
  EXPECT_LE(read[0].gap, 1.f + 0.035f * read[2].width);
  EXPECT_GT(read[2].gap, 5.f);
  for (int i = 1; i < 4; ++i)
    EXPECT_GT(read[i].gap, read[i - 1].gap + 1.f) << "jawOpen " << jaws[i];
}

// Shutting the picture's opening is a jaw closing, as far as the opening is the jaw's
// (FaceGeometry::jaw_share): in the middle of the mouth the lips meet that share of the
// half gap above the midline, the lower lip's outer edge (landmark 57) rises by the jaw's
// whole share of the gap (within 15 %), the chin nearly as far, and the upper lip's outer
// edge stays where it is. Before, the lower lip's inner edge alone came up to the midline
// while its outer edge and the chin stayed: a lip stretched over the whole opening, the
// shut mouth swollen (PC-AVS 00086's frame, docs/rig.md).
TEST_P(MidWordPortrait, ShutsAsAJawCloses) {
  const testing::Face& face = GetParam();
  const video::Rig rig = testing::face_rig(face);
  const video::FaceGeometry& g = rig.impl().geometry;
  const float x = g.lip_line[2].x, line = g.lip_line_y(x), gap = g.half_gap(x);
  ASSERT_GT(g.jaw_share, 0.2f);
  ASSERT_GT(gap, 0.f);
  // How far mouthClose moves the point (x, y) of `geometry`'s face, face units (+ = down).
  auto closes = [&](const video::FaceGeometry& geometry, float y, video::LipSide side) {
    return video::expression_basis(geometry, {x, y}, side)[video::kClose].y;
  };
  const float inner = closes(g, line + gap, video::LipSide::Lower);
  const float outer = closes(g, g.lower_lip_bottom, video::LipSide::Lower);
  const float chin = closes(g, g.chin_y - 0.1f, video::LipSide::Lower);
  const float upper_top = closes(g, g.upper_lip_top, video::LipSide::Upper);
  std::printf("%s: jaw share %.2f, half gap %.3f; mouthClose moves the lower lip's inner edge %.3f, its outer edge "
              "%.3f, the chin %.3f, the upper lip's top %.3f face units\n",
              face.name, g.jaw_share, gap, inner, outer, chin, upper_top);
  const float jaw_rise = 2.f * g.jaw_share * gap;
  EXPECT_NEAR(inner, -(1.f + g.jaw_share) * gap, 1e-4f);  // to where the lips meet
  EXPECT_LT(outer, -0.85f * jaw_rise);
  EXPECT_LT(chin, -0.7f * jaw_rise);
  // Against the same face with none of its opening the jaw's (the stretch before).
  video::FaceGeometry stretched = g;
  stretched.jaw_share = 0.f;
  const float stretched_outer = closes(stretched, g.lower_lip_bottom, video::LipSide::Lower);
  const float stretched_top = closes(stretched, g.upper_lip_top, video::LipSide::Upper);
  std::printf("  with no jaw share: the lower lip's outer edge %.3f, the upper lip's top %.3f\n", stretched_outer, stretched_top);
  EXPECT_LT(outer - inner, 0.5f * (stretched_outer + gap));  // the lower lip stretched less than half as much
  EXPECT_LE(upper_top, stretched_top + 1e-6f);  // the upper lip comes down no further
}

INSTANTIATE_TEST_SUITE_P(Faces, MidWordPortrait, ::testing::ValuesIn(mid_word_faces()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace parla
