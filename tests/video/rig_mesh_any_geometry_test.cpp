// build_mesh on any geometry, including what Rig refuses (issue #15): mirrored
// landmarks once put the lip cut row past the end of the grid and wrote past the mesh's
// arrays (heap corruption, seen by ASan at rig_mesh.cpp's lip-side loop). Called here
// directly, bypassing Rig's landmark_geometry_problem check; run it under
// -DPARLA_SANITIZE=address to see any stray write.
#include <gtest/gtest.h>

#include "tests/video/rig_fixtures.h"
#include "video/rig_internal.h"

namespace parla {
namespace {

// The sample's landmarks through `f`, meshed directly.
template <class F>
video::Rig::Impl mesh_of(F f) {
  Image image = video::load_image(testing::sample_portrait_path());
  video::Landmarks landmarks =
      video::read_landmarks_file(testing::sample_landmarks_path(), image.width, image.height).landmarks;
  for (auto& p : landmarks) p = f(p);
  video::Rig::Impl impl;
  impl.frame = video::face_frame(landmarks);
  video::Landmarks face_units;
  for (int i = 0; i < video::kLandmarkCount; ++i) face_units[i] = impl.frame.to_face(landmarks[i]);
  impl.geometry = video::face_geometry(face_units);
  video::build_mesh(impl, video::RigParams{});
  return impl;
}

void expect_consistent(const video::Rig::Impl& mesh) {
  const size_t count = mesh.rest_face.size();
  ASSERT_GT(count, 0u);
  EXPECT_EQ(mesh.lip_side.size(), count);
  EXPECT_EQ(mesh.mouth_u.size(), count);
  EXPECT_EQ(mesh.rest_px.size(), count);
  for (const auto& t : mesh.triangles) {
    for (int v : t) ASSERT_LT(static_cast<size_t>(v), count);
  }
  // The upper copy of every cut vertex and the original of every teeth copy are grid
  // vertices (the copies are appended after the grid): a cut row outside the grid gives
  // indices past it.
  const size_t grid = count - mesh.cut_pairs.size() - mesh.teeth_pairs.size();
  for (const auto& pairs : {mesh.cut_pairs, mesh.teeth_pairs}) {
    for (const auto& [original, copy] : pairs) {
      EXPECT_LT(static_cast<size_t>(original), grid);
      EXPECT_GE(static_cast<size_t>(copy), grid);
      EXPECT_LT(static_cast<size_t>(copy), count);
    }
  }
  EXPECT_EQ(mesh.slide_y.size(), count);
}

TEST(RigMeshAnyGeometry, MirroredAndUpsideDownFitsStayInsideTheMesh) {
  constexpr float kSide = 512.f;
  auto left_right = mesh_of([&](video::Point p) { return video::Point{kSide - p.x, p.y}; });
  expect_consistent(left_right);
  auto top_bottom = mesh_of([&](video::Point p) { return video::Point{p.x, kSide - p.y}; });
  expect_consistent(top_bottom);
  auto upright = mesh_of([](video::Point p) { return p; });
  expect_consistent(upright);
  EXPECT_FALSE(upright.cut_pairs.empty());
}

TEST(RigMeshAnyGeometry, RigRefusesWhatIsNotAFace) {
  Image image = video::load_image(testing::sample_portrait_path());
  video::FaceFit fit = video::read_landmarks_file(testing::sample_landmarks_path(), image.width, image.height);
  EXPECT_EQ(video::landmark_geometry_problem(fit.landmarks), "");
  for (auto& p : fit.landmarks) p.x = image.width - p.x;
  EXPECT_NE(video::landmark_geometry_problem(fit.landmarks).find("mirrored"), std::string::npos);
  EXPECT_THROW(video::Rig(image, fit), InputError);
}

}  // namespace
}  // namespace parla
