// Issue #16: at mouthClose 1 the lips meet on every portrait, those that smile with
// their teeth showing included. Read back as a viewer would: dlib's fit of the default
// 512² render, the mean distance between the inner lips (61-67, 62-66, 63-65).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <utility>

#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace parla {
namespace {

struct LipRead {
  float gap = 0.f;    // inner lips apart, output pixels
  float width = 0.f;  // outer corners apart (48-54), output pixels
};

LipRead read_lips(const Image& picture) {
  const video::Landmarks l = video::fit_face(picture, "render").landmarks;
  LipRead read;
  for (auto [a, b] : {std::pair{61, 67}, std::pair{62, 66}, std::pair{63, 65}}) {
    read.gap += std::hypot(l[b].x - l[a].x, l[b].y - l[a].y) / 3.f;
  }
  read.width = std::hypot(l[54].x - l[48].x, l[54].y - l[48].y);
  return read;
}

class MouthClosure : public ::testing::TestWithParam<const char*> {};

TEST_P(MouthClosure, LipsMeetWhenShut) {
  std::string name = GetParam();
  video::Rig rig = name == "sample" ? testing::sample_rig()
                                    : testing::fitted_rig(testing::shared_media_dir() / "portraits" / name);
  video::Renderer renderer(rig, {});
  const LipRead rest = read_lips(renderer.render(neutral_frame()));
  MotionFrame shut = neutral_frame();
  shut[index(Channel::JawOpen)] = 0.06f;
  shut[index(Channel::MouthClose)] = 1.f;
  const LipRead closed = read_lips(renderer.render(shut));
  std::printf("%s: inner-lip gap %.1f px at rest, %.1f px shut (mouth %.0f px wide)\n", name.c_str(),
              rest.gap, closed.gap, rest.width);
  // Closed lips read as at most about a pixel apart plus a little for lip shape
  // (3.5 % of the mouth's width: 4.5 px on a 130 px mouth) ...
  EXPECT_LE(closed.gap, 1.f + 0.035f * rest.width);
  // ... and a portrait that shows its teeth closes to under a third of its opening.
  if (rest.gap > 5.f) EXPECT_LE(closed.gap, 0.3f * rest.gap);
}

INSTANTIATE_TEST_SUITE_P(Portraits, MouthClosure,
                         ::testing::Values("sample", "obama.jpg", "mona_lisa.jpg", "illustration.png"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace parla
