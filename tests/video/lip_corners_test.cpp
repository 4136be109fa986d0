// open_lip_corners (video/mouth.cpp): the lip line's ends follow the picture's own dark
// opening out towards the outer lip corners, on a portrait whose lips are apart, and
// never inwards. Synthetic pictures (all dark, all light) over the sample's landmarks, so
// where the ends must land is known exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "tests/video/rig_fixtures.h"
#include "video/rig_internal.h"

namespace parla {
namespace {

struct Fitted {
  video::Landmarks pixels, face_units;
  video::FaceFrame frame;
};

Fitted sample_fit() {
  const video::Rig rig = testing::sample_rig();
  Fitted f{rig.landmarks(), {}, rig.frame()};
  for (int i = 0; i < video::kLandmarkCount; ++i) f.face_units[i] = f.frame.to_face(f.pixels[i]);
  return f;
}

Image uniform(int size, std::uint8_t value) {
  Image image(size, size);
  std::fill(image.rgb.begin(), image.rgb.end(), value);
  return image;
}

// The geometry after open_lip_corners on `picture`, with the lips `half_gap` face units
// apart mid-mouth and red-brown lips (luma ~99).
video::FaceGeometry corners_on(const Fitted& f, const Image& picture, float half_gap) {
  video::FaceGeometry g = video::face_geometry(f.face_units);
  g.lip_half_gap = {0.f, half_gap, half_gap, half_gap, 0.f};
  video::MouthModel mouth;
  mouth.lip = {160.f, 80.f, 80.f};
  video::open_lip_corners(picture, f.frame, f.face_units, mouth, video::RigParams{}, g);
  return g;
}

void expect_at(video::Point actual, video::Point expected) {
  EXPECT_NEAR(actual.x, expected.x, 1e-3f);
  EXPECT_NEAR(actual.y, expected.y, 1e-3f);
}

TEST(LipCorners, FollowADarkOpeningToTheOuterCorners) {
  const Fitted f = sample_fit();
  const video::FaceGeometry g = corners_on(f, uniform(512, 20), 0.05f);
  expect_at(g.lip_line.front(), f.face_units[48]);
  expect_at(g.lip_line.back(), f.face_units[54]);
  EXPECT_TRUE(g.curved_lips);  // lips apart: the line bends through its points (lip_line_test)
}

TEST(LipCorners, StayWhereThePictureIsNotDarkOrTheLipsTouch) {
  const Fitted f = sample_fit();
  const video::FaceGeometry dlib = video::face_geometry(f.face_units);
  const video::FaceGeometry light = corners_on(f, uniform(512, 200), 0.05f);
  expect_at(light.lip_line.front(), dlib.lip_line.front());
  expect_at(light.lip_line.back(), dlib.lip_line.back());
  const video::FaceGeometry touching = corners_on(f, uniform(512, 20), 0.f);
  expect_at(touching.lip_line.front(), dlib.lip_line.front());
  expect_at(touching.lip_line.back(), dlib.lip_line.back());
  EXPECT_TRUE(light.curved_lips);
  EXPECT_FALSE(touching.curved_lips);  // shut in the picture: dlib's segments
}

TEST(LipCorners, NeverMoveInwards) {
  // A fit whose outer corner 48 lies inside its inner corner 60 (Rig does not refuse it).
  Fitted f = sample_fit();
  f.pixels[48].x = f.pixels[60].x + 0.3f * (f.pixels[61].x - f.pixels[60].x);
  f.face_units[48] = f.frame.to_face(f.pixels[48]);
  const video::FaceGeometry dlib = video::face_geometry(f.face_units);
  const video::FaceGeometry g = corners_on(f, uniform(512, 20), 0.05f);
  expect_at(g.lip_line.front(), dlib.lip_line.front());
  expect_at(g.lip_line.back(), f.face_units[54]);
}

}  // namespace
}  // namespace parla
