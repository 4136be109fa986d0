// The rig's mesh under motion: no triangle folds over a grid of channel combinations
// at their extremes, the mouth gap never inverts, and the mesh border never moves.
#include <gtest/gtest.h>


#include "tests/support/testing.h"
#include "tests/video/rig_cases.h"
#include "tests/video/rig_fixtures.h"
#include "tests/video/rig_folds.h"
#include "video/video.h"

namespace parla {
namespace {

TEST(RigMesh, NoTriangleFoldsAtExtremeCombinations) {
  // The sample here; the real portraits in rig_mesh_slow_test.cpp.
  testing::expect_no_folds(testing::sample_rig());
}

TEST(Rig, NeutralPoseIsTheRestMeshAndTheBorderNeverMoves) {
  video::Rig rig = testing::sample_rig();
  auto rest = rig.rest_vertices();
  std::vector<video::Point> neutral = rig.posed_vertices(neutral_frame());
  for (size_t v = 0; v < rest.size(); ++v) {
    ASSERT_EQ(neutral[v].x, rest[v].x);
    ASSERT_EQ(neutral[v].y, rest[v].y);
  }
  // Vertices with zero head weight far from the face stay put under any head pose.
  MotionFrame pose = neutral_frame();
  pose[index(Channel::HeadYaw)] = 0.5f;
  pose[index(Channel::HeadRoll)] = 0.3f;
  pose[index(Channel::HeadX)] = 0.2f;
  std::vector<video::Point> posed = rig.posed_vertices(pose);
  auto weights = rig.head_weights();
  int still = 0;
  for (size_t v = 0; v < rest.size(); ++v) {
    if (weights[v] > 0.f) continue;
    video::Point f = rig.frame().to_face(rest[v]);
    if (std::abs(f.y) < 2.5f) continue;  // expression fields reach the lower face
    EXPECT_EQ(posed[v].x, rest[v].x);
    EXPECT_EQ(posed[v].y, rest[v].y);
    ++still;
  }
  EXPECT_GT(still, 100);
}

TEST(Rig, FaceFrameIsBetweenTheEyesInInterocularUnits) {
  video::Rig rig = testing::sample_rig();
  const video::Landmarks& l = rig.landmarks();
  video::Point right{0, 0}, left{0, 0};
  for (int i = 0; i < 6; ++i) {
    right.x += l[36 + i].x / 6, right.y += l[36 + i].y / 6;
    left.x += l[42 + i].x / 6, left.y += l[42 + i].y / 6;
  }
  video::Point r = rig.frame().to_face(right), lf = rig.frame().to_face(left);
  EXPECT_NEAR(r.x, -0.5f, 1e-4f);
  EXPECT_NEAR(lf.x, 0.5f, 1e-4f);
  EXPECT_NEAR(r.y, 0.f, 1e-4f);
  video::Point back = rig.frame().to_image(rig.frame().to_face({100.f, 200.f}));
  EXPECT_NEAR(back.x, 100.f, 1e-3f);
  EXPECT_NEAR(back.y, 200.f, 1e-3f);
}

TEST(Rig, RejectsTinyFaces) {
  video::FaceFit fit;
  for (int i = 0; i < video::kLandmarkCount; ++i) fit.landmarks[i] = {100.f + (i % 10), 100.f + (i / 10)};
  EXPECT_THROW(video::Rig(Image(300, 300), fit), InputError);
}

}  // namespace
}  // namespace parla
