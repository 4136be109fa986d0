// dlib fitting on the real portraits in ../shared/media (slow: several detections).
#include <gtest/gtest.h>

#include "tests/support/testing.h"
#include "video/video.h"

namespace parla {
namespace {

TEST(FitFaceReal, RealPortraits) {
  for (const char* name : {"obama.jpg", "mona_lisa.jpg", "illustration.png"}) {
    SCOPED_TRACE(name);
    auto path = testing::shared_media_dir() / "portraits" / name;
    Image image = video::load_image(path);
    video::FaceFit fit = video::fit_face(image, path.string());
    const video::Landmarks& l = fit.landmarks;
    video::FaceFrame frame = video::face_frame(l);
    EXPECT_LT(l[36].x, l[45].x);  // subject's right eye on the image left
    EXPECT_GT(l[30].y, l[27].y);  // nose tip below its bridge
    EXPECT_GT(l[57].y, l[33].y);  // mouth below the nose
    EXPECT_GT(l[8].y, l[57].y);   // chin below the mouth
    EXPECT_GT(frame.interocular_px, video::kMinInterocularPx);
    EXPECT_LT(std::abs(frame.angle_rad), 0.5f);
    for (const video::Point& p : l) {
      EXPECT_GE(p.x, 0.f);
      EXPECT_LE(p.x, image.width);
      EXPECT_GE(p.y, 0.f);
      EXPECT_LE(p.y, image.height);
    }
    // The rig builds on it.
    EXPECT_NO_THROW(video::Rig(image, fit));
  }
}

}  // namespace
}  // namespace parla
