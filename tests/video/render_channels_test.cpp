// Each channel at its extremes changes pixels only where it should: masks built from
// the landmark regions in the face frame; pose moves the head but never the far
// background.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tests/support/testing.h"
#include "tests/video/image_compare.h"
#include "tests/video/rig_cases.h"
#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace parla {
namespace {

struct Box {
  float x0, y0, x1, y1;  // face units
  bool contains(video::Point p) const { return p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1; }
};

class RenderChannels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { rig_ = new video::Rig(testing::sample_rig()); }
  static void TearDownTestSuite() { delete rig_; }

  // Face-frame box around landmarks [first, last], grown by `margin` face units.
  static Box landmark_box(int first, int last, float margin) {
    Box box{1e9f, 1e9f, -1e9f, -1e9f};
    for (int i = first; i <= last; ++i) {
      video::Point p = rig_->frame().to_face(rig_->landmarks()[i]);
      box = {std::min(box.x0, p.x), std::min(box.y0, p.y), std::max(box.x1, p.x), std::max(box.y1, p.y)};
    }
    return {box.x0 - margin, box.y0 - margin, box.x1 + margin, box.y1 + margin};
  }

  // Renders `motion` at full framing; returns (changed pixels, changed outside `allowed`,
  // changed inside `must`).
  struct Changes {
    int total = 0, outside = 0, inside_must = 0;
  };
  static Changes changes(const MotionFrame& motion, const std::vector<Box>& allowed, const Box& must) {
    video::Renderer renderer(*rig_, {.framing = video::Framing::Full, .threads = 2});
    Image picture = renderer.render(motion);
    std::vector<bool> mask = testing::changed_pixels(picture, rig_->portrait(), /*threshold=*/2);
    Changes result;
    for (int y = 0; y < picture.height; ++y) {
      for (int x = 0; x < picture.width; ++x) {
        if (!mask[static_cast<size_t>(y) * picture.width + x]) continue;
        ++result.total;
        video::Point f = rig_->frame().to_face({x + 0.5f, y + 0.5f});
        bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const Box& b) { return b.contains(f); });
        if (!ok) {
          ++result.outside;
          if (std::getenv("PARLA_DEBUG_MASKS")) std::printf("outside at face (%.2f, %.2f)\n", f.x, f.y);
        }
        if (must.contains(f)) ++result.inside_must;
      }
    }
    return result;
  }

  static video::Rig* rig_;
};

video::Rig* RenderChannels::rig_ = nullptr;

TEST_F(RenderChannels, MouthChannelsStayInTheLowerFace) {
  // Below the eyes (y > 0.25) and within the jaw, down to the neck.
  float chin = rig_->frame().to_face(rig_->landmarks()[8]).y;
  Box lower_face{-1.6f, 0.25f, 1.6f, chin + 1.0f};
  Box mouth = landmark_box(48, 67, 0.02f);
  for (Channel c : {Channel::JawOpen, Channel::MouthClose, Channel::MouthFunnel, Channel::MouthPucker,
                    Channel::MouthStretch, Channel::MouthSmile, Channel::MouthRollLower, Channel::TongueOut}) {
    SCOPED_TRACE(std::string(channel_info(c).name));
    Changes ch = changes(testing::single_channel(c, 1.f), {lower_face}, mouth);
    EXPECT_EQ(ch.outside, 0);
    EXPECT_GT(ch.inside_must, 15);
  }
}

TEST_F(RenderChannels, BlinksChangeOnlyTheirOwnEye) {
  // Subject's left eye = landmarks 42-47 (image right); the lid band reaches above it.
  Box left = landmark_box(42, 47, 0.06f), right = landmark_box(36, 41, 0.06f);
  left.y0 -= 0.25f, right.y0 -= 0.25f;
  Changes l = changes(testing::single_channel(Channel::EyeBlinkLeft, 1.f), {left}, left);
  EXPECT_EQ(l.outside, 0);
  EXPECT_GT(l.total, 30);
  Changes r = changes(testing::single_channel(Channel::EyeBlinkRight, 1.f), {right}, right);
  EXPECT_EQ(r.outside, 0);
  EXPECT_GT(r.total, 30);
}

TEST_F(RenderChannels, GazeChangesOnlyTheEyeOpenings) {
  Box left = landmark_box(42, 47, 0.04f), right = landmark_box(36, 41, 0.04f);
  for (Channel c : {Channel::EyeLookX, Channel::EyeLookY}) {
    for (float sign : {-1.f, 1.f}) {
      SCOPED_TRACE(std::string(channel_info(c).name) + (sign > 0 ? " +" : " -"));
      Changes ch = changes(testing::single_channel(c, sign), {left, right}, left);
      EXPECT_EQ(ch.outside, 0);
      EXPECT_GT(ch.inside_must, 4);
    }
  }
}

TEST_F(RenderChannels, BrowsStayAboveTheEyes) {
  Box eyes_top = landmark_box(36, 47, 0.f);
  Box forehead{-1.6f, -1.6f, 1.6f, eyes_top.y0 + 0.08f};
  Box brows = landmark_box(17, 26, 0.05f);
  for (Channel c : {Channel::BrowInnerUp, Channel::BrowDown}) {
    SCOPED_TRACE(std::string(channel_info(c).name));
    Changes ch = changes(testing::single_channel(c, 1.f), {forehead}, brows);
    EXPECT_EQ(ch.outside, 0);
    EXPECT_GT(ch.inside_must, 15);
  }
}

TEST_F(RenderChannels, PoseMovesTheHeadButNotTheFarBackground) {
  // The head region: everything the mesh can move lies within its rest bounds.
  Box head{-3.f, -4.2f, 3.f, 4.2f};
  Box face = landmark_box(0, 67, 0.f);
  for (int c = index(Channel::HeadYaw); c <= index(Channel::HeadScale); ++c) {
    for (float sign : {-1.f, 1.f}) {
      auto channel = static_cast<Channel>(c);
      SCOPED_TRACE(std::string(channel_info(channel).name) + (sign > 0 ? " +" : " -"));
      Changes ch = changes(testing::single_channel(channel, sign), {head}, face);
      EXPECT_EQ(ch.outside, 0);
      EXPECT_GT(ch.inside_must, 200);
    }
  }
  // The helmet and suit at the bottom of the picture never move.
  video::Renderer renderer(*rig_, {.framing = video::Framing::Full});
  MotionFrame all = neutral_frame();
  for (int c = 0; c < kChannelCount; ++c) all[c] = testing::natural_extreme(static_cast<Channel>(c));
  Image picture = renderer.render(all);
  EXPECT_EQ(testing::psnr(picture, rig_->portrait(), 0, 400, 512, 512), std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace parla
