// The scanline rasterizer: a warped mesh covers every pixel exactly once (no holes,
// no double-drawn seams), and the division-free span walker matches direct spans.
#include <gtest/gtest.h>

#include <random>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

TEST(Rasterizer, JitteredGridCoversEveryPixelExactlyOnce) {
  constexpr int kCells = 12, kWidth = 97, kHeight = 83;
  std::mt19937 random(7);
  std::uniform_real_distribution<float> jitter(-0.3f, 0.3f);
  // A grid spanning the picture; inner vertices jittered by up to 0.3 cells.
  std::vector<Point> vertices;
  float cell_w = float(kWidth) / kCells, cell_h = float(kHeight) / kCells;
  for (int j = 0; j <= kCells; ++j) {
    for (int i = 0; i <= kCells; ++i) {
      bool border = i == 0 || j == 0 || i == kCells || j == kCells;
      vertices.push_back({i * cell_w + (border ? 0 : jitter(random) * cell_w),
                          j * cell_h + (border ? 0 : jitter(random) * cell_h)});
    }
  }
  std::vector<int> coverage(kWidth * kHeight, 0);
  auto id = [&](int i, int j) { return j * (kCells + 1) + i; };
  for (int j = 0; j < kCells; ++j) {
    for (int i = 0; i < kCells; ++i) {
      for (auto tri : {std::array<int, 3>{id(i, j), id(i + 1, j), id(i + 1, j + 1)},
                       std::array<int, 3>{id(i, j), id(i + 1, j + 1), id(i, j + 1)}}) {
        TriangleEdges edges = triangle_edges(vertices[tri[0]], vertices[tri[1]], vertices[tri[2]]);
        if (edges.empty) continue;
        SpanWalker walker(edges, edges.y_min);
        for (int y = edges.y_min; y <= edges.y_max; ++y) {
          int a = 0, b = 0, c = 0, d = 0;
          bool walked = walker.next(a, b);
          bool direct = triangle_span(edges, y, c, d);
          ASSERT_EQ(walked, direct) << "row " << y;
          if (!direct) continue;
          ASSERT_EQ(a, c);
          ASSERT_EQ(b, d);
          for (int x = std::max(a, 0); x < std::min(b, kWidth); ++x) {
            if (y >= 0 && y < kHeight) ++coverage[y * kWidth + x];
          }
        }
      }
    }
  }
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) ASSERT_EQ(coverage[y * kWidth + x], 1) << x << "," << y;
  }
}

TEST(Rasterizer, DegenerateTrianglesCoverNothing) {
  EXPECT_TRUE(triangle_edges({1, 1}, {5, 5}, {9, 9}).empty);
  EXPECT_TRUE(triangle_edges({3, 3}, {3, 3}, {3, 3}).empty);
}

}  // namespace
}  // namespace parla::video
