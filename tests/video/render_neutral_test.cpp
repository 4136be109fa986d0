// The renderer reproduces the portrait at rest, restores what moved, is deterministic
// across thread counts, and frames the crop as documented.
#include <gtest/gtest.h>

#include <limits>

#include "tests/support/testing.h"
#include "tests/video/image_compare.h"
#include "tests/video/rig_cases.h"
#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace parla {
namespace {

using testing::sample_rig;

// A frame that moves every head vertex by a hair, so every triangle is re-rasterised.
MotionFrame tiny_motion() {
  MotionFrame f = neutral_frame();
  for (int c = 0; c < kChannelCount; ++c) f[c] = 1e-3f * testing::natural_extreme(static_cast<Channel>(c));
  return f;
}

TEST(RenderNeutral, FullFramingIsThePortraitExactly) {
  video::Rig rig = sample_rig();
  video::Renderer renderer(rig, {.framing = video::Framing::Full});
  EXPECT_EQ(renderer.width(), 512);
  EXPECT_EQ(renderer.render(neutral_frame()).rgb, rig.portrait().rgb);
  EXPECT_EQ(renderer.last_dirty_rect()[2] - renderer.last_dirty_rect()[0], 0);
}

TEST(RenderNeutral, ReRasterisedFaceMatchesThePortraitAbove40dB) {
  video::Rig rig = sample_rig();
  video::Renderer renderer(rig, {.framing = video::Framing::Crop, .size = 512});
  Image still = renderer.render(neutral_frame());
  Image moved = renderer.render(tiny_motion());
  auto dirty = renderer.last_dirty_rect();
  // Really re-drawn: the head (the background beside it stays still since #16).
  EXPECT_GT((dirty[2] - dirty[0]) * (dirty[3] - dirty[1]), 512 * 512 * 2 / 5);
  // The face crop: the middle half of the frame.
  double psnr = testing::psnr(moved, still, 128, 128, 384, 384);
  EXPECT_GE(psnr, 40.0);
  video::Renderer full(rig, {.framing = video::Framing::Full});
  EXPECT_GE(testing::psnr(full.render(tiny_motion()), rig.portrait()), 40.0);
}

TEST(RenderNeutral, NeutralAfterMotionRestoresThePictureExactly) {
  video::Rig rig = sample_rig();
  video::Renderer renderer(rig, {.size = 256});
  Image first = renderer.render(neutral_frame());
  for (const MotionFrame& f : testing::talking_track(1.0).frames) renderer.render(f);
  EXPECT_EQ(renderer.render(neutral_frame()).rgb, first.rgb);
}

TEST(RenderNeutral, DeterministicAcrossRunsAndThreadCounts) {
  video::Rig rig = sample_rig();
  video::Renderer one(rig, {.size = 256, .threads = 1});
  video::Renderer two(rig, {.size = 256, .threads = 2});
  video::Renderer three(rig, {.size = 256, .threads = 3});
  for (const MotionFrame& f : testing::talking_track(1.0).frames) {
    const Image& a = one.render(f);
    ASSERT_EQ(a.rgb, two.render(f).rgb);
    ASSERT_EQ(a.rgb, three.render(f).rgb);
  }
}

TEST(RenderNeutral, OutOfRangeAndNanValuesAreClampedNotFatal) {
  video::Rig rig = sample_rig();
  video::Renderer renderer(rig, {.size = 256});
  Image still = renderer.render(neutral_frame());
  MotionFrame wild = neutral_frame();
  for (int c = 0; c < kChannelCount; ++c) wild[c] = (c % 2 ? 50.f : -50.f);
  EXPECT_EQ(renderer.render(wild).width, 256);
  MotionFrame nan = neutral_frame();
  nan.fill(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(renderer.render(nan).rgb, still.rgb);
}

TEST(RenderFraming, CropFollowsTheFaceResolutionAndSaysWhenItEnlarges) {
  video::Rig rig = sample_rig();
  // Auto size: the crop's own pixels (~200 px for the sample), at least 256.
  video::Renderer automatic(rig);
  EXPECT_EQ(automatic.width(), 256);
  EXPECT_EQ(automatic.height(), 256);
  EXPECT_LT(automatic.scale(), 1.5);
  EXPECT_TRUE(automatic.framing_note().empty());
  video::Renderer large(rig, {.size = 512});
  EXPECT_EQ(large.width(), 512);
  EXPECT_GT(large.scale(), 2.0);
  EXPECT_NE(large.framing_note().find("enlarged"), std::string::npos) << large.framing_note();
  video::Renderer odd(rig, {.size = 301});
  EXPECT_EQ(odd.width() % 2, 0);  // encoders need even sizes
}

TEST(RenderFraming, FullFramingRendersOnlyTheHeadRegion) {
  video::Rig rig = sample_rig();
  video::Renderer renderer(rig, {.framing = video::Framing::Full});
  MotionFrame f = neutral_frame();
  f[index(Channel::HeadYaw)] = 0.3f;
  renderer.render(f);
  auto r = renderer.last_dirty_rect();
  EXPECT_GT(r[2] - r[0], 100);
  EXPECT_LT((r[2] - r[0]) * (r[3] - r[1]), 512 * 512 * 6 / 10);
}

}  // namespace
}  // namespace parla
