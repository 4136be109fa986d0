// Fold checks shared by rig_mesh_test.cpp (the sample) and rig_mesh_slow_test.cpp (the
// real portraits): triangle orientation and the mouth strip over extreme channel
// combinations. PARLA_DEBUG_FOLDS=1 prints every fold.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "tests/video/rig_cases.h"
#include "video/video.h"

namespace parla::testing {

// Folded triangles of one pose (video::rig_distortion: a rest triangle with real area
// whose posed area turns over or collapses below 2 %; over the portrait's own teeth only
// an inversion beyond 5 %).
inline int folded_triangles(const video::Rig& rig, const MotionFrame& motion) {
  video::RigDistortion d = video::rig_distortion(rig, motion);
  if (std::getenv("PARLA_DEBUG_FOLDS")) {
    auto rest = rig.rest_vertices();
    std::vector<video::Point> posed = rig.posed_vertices(motion);
    for (int i : d.folded) {
      const auto& t = rig.triangles()[i];
      std::printf("fold:");
      for (int k = 0; k < 3; ++k) {
        video::Point f = rig.frame().to_face(rest[t[k]]), g = rig.frame().to_face(posed[t[k]]);
        std::printf(" v%d (%.3f, %.3f)->(%.3f, %.3f)", t[k], f.x, f.y, g.x, g.y);
      }
      std::printf("\n");
    }
  }
  return static_cast<int>(d.folded.size());
}

// Every mouth-strip triangle (zero area at rest) keeps one orientation: the lower lip
// never crosses above the upper lip.
inline int inverted_mouth_triangles(const video::Rig& rig, const MotionFrame& motion) {
  return video::rig_distortion(rig, motion).inverted_mouth;
}

inline std::vector<MotionFrame> extreme_combinations() {
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
      int pick = static_cast<int>(random() % 3) - (is_signed(channel) ? 1 : 0);
      f[c] = std::clamp(pick * natural_extreme(channel), channel_table()[c].min,
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

// Every combination of extreme_combinations() on `rig`: no folds, no inverted mouth.
inline void expect_no_folds(const video::Rig& rig) {
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

}  // namespace parla::testing
