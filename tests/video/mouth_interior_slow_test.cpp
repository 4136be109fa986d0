// Issue #16: the open mouth shows one row of teeth per jaw. The interior the renderer
// paints between the lips continues what the portrait shows: below teeth whose edge the
// portrait already shows (and the dark mouth behind them) it paints no second row.
// Read back as a viewer would: the column through the middle of the mouth on the
// default 512² render, between the outer lips dlib finds on it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace parla {
namespace {

// Runs of teeth-coloured pixels (testing::teeth_coloured) of at least 2 px,
// down the column through the middle of the mouth from the upper lip's top (51) to the
// lower lip's bottom (57); a run may bridge one darker pixel (a tooth's edge).
int teeth_runs(const Image& picture) {
  const video::Landmarks l = video::fit_face(picture, "render").landmarks;
  const int x = static_cast<int>(std::lround((l[51].x + l[57].x) / 2.f));
  int runs = 0, length = 0, gap = 0;
  for (int y = static_cast<int>(l[51].y); y <= static_cast<int>(l[57].y); ++y) {
    if (testing::teeth_coloured(picture.pixel(x, y))) {
      length += 1 + gap;
      gap = 0;
      if (length == 2) ++runs;
    } else if (length > 0 && gap == 0) {
      gap = 1;
    } else {
      length = gap = 0;
    }
  }
  return runs;
}

class MouthInterior : public ::testing::TestWithParam<testing::Face> {};

// The renderer before this test painted a row of upper teeth below the cut whatever the
// portrait showed there: on katiehill's frame at 0.5 s, whose own upper teeth end above
// a dark mouth, the middle column crossed 3 runs of teeth (her upper row, the painted
// one, her lower row) at jawOpen 0.55 and 0.8; now 2. The other faces guard the rule
// (shut and teeth-showing portraits alike).
TEST_P(MouthInterior, OneRowOfTeethPerJaw) {
  const testing::Face& face = GetParam();
  const Image picture = testing::load_face(face);
  video::Rig rig(picture, video::fit_face(picture, face.path.string()));
  video::Renderer renderer(rig, {});
  for (float jaw : {0.35f, 0.55f, 0.8f}) {
    MotionFrame motion = neutral_frame();
    motion[index(Channel::JawOpen)] = jaw;
    const int runs = teeth_runs(renderer.render(motion));
    std::printf("%s: jawOpen %.2f, %d runs of teeth down the middle of the mouth\n", face.name, jaw, runs);
    EXPECT_LE(runs, 2) << "jawOpen " << jaw;
  }
}

INSTANTIATE_TEST_SUITE_P(Faces, MouthInterior, ::testing::ValuesIn(testing::mouth_test_faces()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace parla
