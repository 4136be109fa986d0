// Landmarks JSON (`render --landmarks`, `fit --landmarks`): video::read_landmarks_file
// on a 512x512 portrait (the sample's size), exactly as cli/portrait.cpp calls it: the
// JSON parse, the points-inside check, landmark_geometry_problem and the smallest face.
// Landmarks it accepts must then give a rig, as render builds it (eyes, mouth and the
// mesh, where mirrored landmarks once corrupted the heap): triangles index only its own
// vertices, and every vertex is finite at rest and at the channels' extremes.
#include <cmath>

#include "fuzz/fuzz_support.h"
#include "video/video.h"

namespace {

constexpr int kSide = 512;

// A portrait with some structure (a gradient and a checker) for the eye and mouth models.
parla::Image test_portrait() {
  parla::Image image(kSide, kSide);
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      std::uint8_t* p = image.pixel(x, y);
      p[0] = static_cast<std::uint8_t>(x / 2);
      p[1] = static_cast<std::uint8_t>(y / 2);
      p[2] = ((x / 16 + y / 16) % 2) ? 200 : 40;
    }
  }
  return image;
}

void check_vertices(std::span<const parla::video::Point> vertices, const char* what) {
  for (const parla::video::Point& p : vertices) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) parla::fuzz::fail("non-finite mesh vertex", what);
  }
}

void check_rig(const parla::video::FaceFit& fit) {
  using namespace parla;
  static const Image portrait = test_portrait();
  video::Rig rig(portrait, fit);
  const std::size_t count = rig.rest_vertices().size();
  if (count == 0 || rig.triangles().empty()) fuzz::fail("accepted landmarks give an empty mesh");
  if (rig.head_weights().size() != count) fuzz::fail("mesh arrays of different lengths");
  for (const auto& t : rig.triangles()) {
    for (int v : t) {
      if (v < 0 || static_cast<std::size_t>(v) >= count) fuzz::fail("triangle index outside the mesh");
    }
  }
  check_vertices(rig.rest_vertices(), "at rest");
  MotionFrame extreme = neutral_frame();
  for (int c = 0; c < kChannelCount; ++c) extreme[c] = channel_table()[c].max;
  std::vector<video::Point> posed = rig.posed_vertices(extreme);
  if (posed.size() != count) fuzz::fail("posed vertex count differs from the mesh");
  check_vertices(posed, "posed at the channels' maxima");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parla;
  static fuzz::MemoryFile file;
  const std::filesystem::path& path = file.hold(data, size);
  fuzz::expect_clean(path.string(), fuzz::Allow::InputErrorOnly, [&] {
    video::FaceFit fit = video::read_landmarks_file(path, kSide, kSide);
    for (const video::Point& p : fit.landmarks) {
      if (!(p.x >= 0 && p.y >= 0 && p.x <= kSide && p.y <= kSide)) {
        fuzz::fail("accepted a landmark outside the portrait");
      }
    }
    check_rig(fit);
  });
  return 0;
}
