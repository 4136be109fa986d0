// Issue #16, "any video frame is a portrait": a frame taken mid-word shows its own open
// jaw. The rig reads the track's jawOpen relative to it (video::rig_motion): the mouth
// relaxes shut at jawOpen 0, looks as the picture does at the portrait's own jaw and
// opens on beyond it. Before, such a portrait never closed its mouth except on p, b and
// m: its opening was the rest pose. Read back as a viewer would: dlib's fit of the
// default 512² render.
#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(Faces, MidWordPortrait, ::testing::ValuesIn(mid_word_faces()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace parla
