// The rig's mesh under motion: no triangle folds over a grid of channel combinations
// at their extremes, the mouth gap never inverts, and the mesh border never moves.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "tests/support/testing.h"
#include "tests/video/rig_cases.h"
#include "video/video.h"

namespace parla {
namespace {

namespace fs = std::filesystem;

video::Rig make_rig(const fs::path& path) {
  Image image = video::load_image(path);
  video::FaceFit fit = video::fit_face(image, path.string());
  return video::Rig(std::move(image), fit);
}

double signed_area(video::Point a, video::Point b, video::Point c) {
  return 0.5 * ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
}

// Counts folded triangles: a rest triangle with real area whose posed area has the
// opposite sign (or collapses below 2% of its rest area).
int folded_triangles(const video::Rig& rig, const MotionFrame& motion) {
  auto rest = rig.rest_vertices();
  std::vector<video::Point> posed = rig.posed_vertices(motion);
  int folded = 0;
  for (const auto& t : rig.triangles()) {
    double before = signed_area(rest[t[0]], rest[t[1]], rest[t[2]]);
    if (std::abs(before) < 1e-3) continue;  // the mouth strip, empty at rest
    double after = signed_area(posed[t[0]], posed[t[1]], posed[t[2]]);
    if (after / before < 0.02) {
      ++folded;
      if (std::getenv("PARLA_DEBUG_FOLDS")) {
        std::printf("fold ratio %.3f:", after / before);
        for (int k = 0; k < 3; ++k) {
          video::Point f = rig.frame().to_face(rest[t[k]]), g = rig.frame().to_face(posed[t[k]]);
          std::printf(" v%d (%.3f, %.3f)->(%.3f, %.3f)", t[k], f.x, f.y, g.x, g.y);
        }
        std::printf("\n");
      }
    }
  }
  return folded;
}

// Every mouth-strip triangle (zero area at rest) keeps one orientation: the lower lip
// never crosses above the upper lip.
int inverted_mouth_triangles(const video::Rig& rig, const MotionFrame& motion) {
  auto rest = rig.rest_vertices();
  std::vector<video::Point> posed = rig.posed_vertices(motion);
  // The orientation of an open mouth, from a plain jaw drop.
  std::vector<video::Point> open = rig.posed_vertices(testing::single_channel(Channel::JawOpen, 1.f));
  int inverted = 0;
  for (const auto& t : rig.triangles()) {
    if (std::abs(signed_area(rest[t[0]], rest[t[1]], rest[t[2]])) >= 1e-3) continue;
    double reference = signed_area(open[t[0]], open[t[1]], open[t[2]]);
    double now = signed_area(posed[t[0]], posed[t[1]], posed[t[2]]);
    // Closed lips give zero-area strips: only a visible inversion (>0.05 px²) counts.
    if ((reference > 0 ? now : -now) < -0.05) ++inverted;
  }
  return inverted;
}

std::vector<MotionFrame> extreme_combinations() {
  std::vector<MotionFrame> frames;
  // Every channel alone at both ends of its valid range (the hard limits).
  for (int c = 0; c < kChannelCount; ++c) {
    for (bool high : {false, true}) {
      MotionFrame f = neutral_frame();
      f[c] = high ? channel_table()[c].max : channel_table()[c].min;
      frames.push_back(f);
    }
  }
  // Every pair of mouth channels at 1 (they share the lips).
  for (int a = 0; a <= index(Channel::TongueOut); ++a) {
    for (int b = a + 1; b <= index(Channel::TongueOut); ++b) {
      MotionFrame f = neutral_frame();
      f[a] = f[b] = 1.f;
      frames.push_back(f);
    }
  }
  // Random corners of the natural-extreme box: each channel at -1, 0 or +1 of its
  // natural extreme (0 or 1 for one-sided channels), fixed seed.
  std::mt19937 random(1234);
  for (int i = 0; i < 300; ++i) {
    MotionFrame f = neutral_frame();
    for (int c = 0; c < kChannelCount; ++c) {
      auto channel = static_cast<Channel>(c);
      int pick = static_cast<int>(random() % 3) - (testing::is_signed(channel) ? 1 : 0);
      f[c] = std::clamp(pick * testing::natural_extreme(channel), channel_table()[c].min,
                        channel_table()[c].max);
    }
    frames.push_back(f);
  }
  // Everything at its hard maximum, then at its hard minimum.
  MotionFrame high = neutral_frame(), low = neutral_frame();
  for (int c = 0; c < kChannelCount; ++c) high[c] = channel_table()[c].max, low[c] = channel_table()[c].min;
  frames.push_back(high);
  frames.push_back(low);
  return frames;
}

class RigMesh : public ::testing::TestWithParam<const char*> {};

TEST_P(RigMesh, NoTriangleFoldsAtExtremeCombinations) {
  fs::path path = std::string(GetParam()) == "sample" ? testing::data_dir() / "sample" / "portrait.png"
                                                       : testing::shared_media_dir() / "portraits" / GetParam();
  video::Rig rig = make_rig(path);
  ASSERT_GT(rig.triangles().size(), 1000u);
  int checked = 0;
  for (const MotionFrame& f : extreme_combinations()) {
    if (std::getenv("PARLA_DEBUG_FOLDS")) std::printf("frame %d\n", checked);
    EXPECT_EQ(folded_triangles(rig, f), 0) << "frame " << checked;
    EXPECT_EQ(inverted_mouth_triangles(rig, f), 0) << "frame " << checked;
    ++checked;
  }
  EXPECT_GT(checked, 300);
}

INSTANTIATE_TEST_SUITE_P(Portraits, RigMesh,
                         ::testing::Values("sample", "obama.jpg", "mona_lisa.jpg", "illustration.png"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

TEST(Rig, NeutralPoseIsTheRestMeshAndTheBorderNeverMoves) {
  video::Rig rig = make_rig(testing::data_dir() / "sample" / "portrait.png");
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
  video::Rig rig = make_rig(testing::data_dir() / "sample" / "portrait.png");
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
