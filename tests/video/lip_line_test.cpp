// FaceGeometry's lip line and opening between dlib's five inner-lip points (issue #16:
// "a V-shaped kink in the lips"). Where the portrait's lips are apart mouthClose draws
// the shut line along them, so they bend through the points without a corner and never
// past a neighbour's value; where the lips are shut in the picture the cut stays on the
// straight segments between dlib's points, along the picture's own line.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "video/rig_internal.h"

namespace parla {
namespace {

// A smile: the middle of the line 0.12 face units below its corners, the opening widest
// in the middle.
video::FaceGeometry smile(bool curved) {
  video::FaceGeometry g;
  g.lip_line = {
      video::Point{-0.40f, 0.f}, {-0.18f, 0.05f}, {0.f, 0.12f}, {0.22f, 0.05f}, {0.40f, 0.f}};
  g.lip_half_gap = {0.f, 0.04f, 0.06f, 0.035f, 0.f};
  g.curved_lips = curved;
  return g;
}

// How much the slope of f turns at x: its slope just right of x minus just left of it.
template <typename F>
float turn_at(F f, float x) {
  constexpr float h = 1e-4f;
  return (f(x + h) - f(x)) / h - (f(x) - f(x - h)) / h;
}

TEST(LipLine, CurvesThroughThePointsWithoutACornerWhereTheLipsAreApart) {
  const video::FaceGeometry g = smile(true);
  auto line = [&](float x) { return g.lip_line_y(x); };
  auto gap = [&](float x) { return g.half_gap(x); };
  for (size_t i = 0; i < g.lip_line.size(); ++i) {
    EXPECT_NEAR(g.lip_line_y(g.lip_line[i].x), g.lip_line[i].y, 1e-5f) << "point " << i;
    EXPECT_NEAR(g.half_gap(g.lip_line[i].x), g.lip_half_gap[i], 1e-5f) << "point " << i;
  }
  // The line at its three middle points, where straight segments turn by 0.16, 0.71 and
  // 0.04, and the opening at its middle (0.23).
  for (size_t i = 1; i + 1 < g.lip_line.size(); ++i) {
    EXPECT_LT(std::abs(turn_at(line, g.lip_line[i].x)), 0.001f) << "line at point " << i;
  }
  EXPECT_LT(std::abs(turn_at(gap, g.lip_line[2].x)), 0.001f);
  // Next to the corners the opening's rounded ends meet the curve at a turn no sharper
  // than the straight segments' there (here 0.009 and 0.007 against 0.020 and 0.016).
  const video::FaceGeometry straight = smile(false);
  auto straight_gap = [&](float x) { return straight.half_gap(x); };
  for (size_t i : {1, 3}) {
    EXPECT_LE(std::abs(turn_at(gap, g.lip_line[i].x)),
              std::abs(turn_at(straight_gap, g.lip_line[i].x)) + 1e-3f)
        << "opening at point " << i;
  }
  // Nothing past its neighbours: the line between each pair of points stays between
  // their heights, and the opening stays open.
  for (size_t i = 1; i < g.lip_line.size(); ++i) {
    const float low = std::min(g.lip_line[i - 1].y, g.lip_line[i].y);
    const float high = std::max(g.lip_line[i - 1].y, g.lip_line[i].y);
    for (int k = 0; k <= 50; ++k) {
      const float x = g.lip_line[i - 1].x +
                      (g.lip_line[i].x - g.lip_line[i - 1].x) * static_cast<float>(k) / 50.f;
      EXPECT_GE(g.lip_line_y(x), low - 1e-5f);
      EXPECT_LE(g.lip_line_y(x), high + 1e-5f);
      EXPECT_GE(g.half_gap(x), 0.f);
      EXPECT_LE(g.half_gap(x), g.widest_half_gap() + 1e-5f);
    }
  }
}

TEST(LipLine, StaysOnDlibsSegmentsWhereTheLipsAreShut) {
  const video::FaceGeometry g = smile(false);
  auto line = [&](float x) { return g.lip_line_y(x); };
  // The middle point's corner: the slopes either side, (0.12 - 0.05) / 0.18 down and
  // (0.05 - 0.12) / 0.22 up; halfway between two points, halfway between their heights.
  EXPECT_NEAR(turn_at(line, 0.f), -0.07f / 0.22f - 0.07f / 0.18f, 1e-2f);
  EXPECT_NEAR(g.lip_line_y(-0.09f), 0.085f, 1e-5f);
}

TEST(LipLine, FlatWhereItsPointsAreLevel) {
  // A lip line level over three points, then down: the curve does not dip or bulge on
  // the level part (a cubic through the points alone would overshoot).
  video::FaceGeometry g = smile(true);
  g.lip_line = {video::Point{-0.4f, 0.f}, {-0.2f, 0.f}, {0.f, 0.f}, {0.2f, 0.1f}, {0.4f, 0.1f}};
  for (float x = -0.4f; x <= 0.f; x += 0.01f) EXPECT_NEAR(g.lip_line_y(x), 0.f, 1e-6f) << "x " << x;
  for (float x = 0.2f; x <= 0.4f; x += 0.01f)
    EXPECT_NEAR(g.lip_line_y(x), 0.1f, 1e-6f) << "x " << x;
}

}  // namespace
}  // namespace parla
