// Rigs for the video tests. Most tests build the sample's rig from its checked-in
// landmarks (data/sample/portrait.landmarks.json, dlib's fit of the sample, which
// `parla render` also uses for the bundled sample; kept honest by
// FitFace.SampleMatchesCheckedInLandmarks) so they do not load dlib's 95 MB model;
// fitting itself is tested in fit_face_test.cpp. Regenerate the file with
//   build/tests/video/rig_gallery landmarks data/sample/portrait.png data/sample/portrait.landmarks.json
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::testing {

inline std::filesystem::path sample_portrait_path() { return data_dir() / "sample" / "portrait.png"; }
inline std::filesystem::path sample_landmarks_path() {
  return data_dir() / "sample" / "portrait.landmarks.json";
}

// The sample portrait's rig from the checked-in landmarks (built once per process).
inline video::Rig sample_rig() {
  static const video::Rig rig = [] {
    Image image = video::load_image(sample_portrait_path());
    video::FaceFit fit = video::read_landmarks_file(sample_landmarks_path(), image.width, image.height);
    return video::Rig(std::move(image), fit);
  }();
  return rig;
}

// A rig from a live dlib fit.
inline video::Rig fitted_rig(const std::filesystem::path& path) {
  Image image = video::load_image(path);
  video::FaceFit fit = video::fit_face(image, path.string());
  return video::Rig(std::move(image), fit);
}

// The lips as dlib reads them on a render (output pixels).
struct LipRead {
  float gap = 0.f;    // inner lips apart: mean of 61-67, 62-66, 63-65
  float width = 0.f;  // outer corners apart (48-54)
};

// The inner lips apart: mean of 61-67, 62-66, 63-65.
inline float lip_gap(const video::Landmarks& l) {
  float gap = 0.f;
  for (auto [a, b] : {std::pair{61, 67}, std::pair{62, 66}, std::pair{63, 65}}) {
    gap += std::hypot(l[b].x - l[a].x, l[b].y - l[a].y) / 3.f;
  }
  return gap;
}

// The inner-lip gap over the mouth's width (48-54).
inline float gap_over_width(const video::Landmarks& l) {
  return lip_gap(l) / std::max(1.f, std::hypot(l[54].x - l[48].x, l[54].y - l[48].y));
}

inline LipRead read_lips(const Image& picture) {
  const video::Landmarks l = video::fit_face(picture, "render").landmarks;
  LipRead read;
  read.gap = lip_gap(l);
  read.width = std::hypot(l[54].x - l[48].x, l[54].y - l[48].y);
  return read;
}

// A render's pixel coloured like teeth: light and nearly grey (lips are redder). Teeth in
// the open mouth's shade (painted at 0.8 of their light in the open, build_mouth) need a
// lower `lightest` than the portrait's own teeth between its lips.
inline bool teeth_coloured(const std::uint8_t* rgb, int lightest = 150) {
  const int lo = std::min({rgb[0], rgb[1], rgb[2]}), hi = std::max({rgb[0], rgb[1], rgb[2]});
  return lo > lightest && hi - lo < 35;
}

// How light an open mouth is (issue #16: teeth lit like the face around them): over the
// pixels inside the inner-lip polygon 60-67 of `l` (landmarks in `picture`'s pixels), the
// luma at the 90th / 50th / 10th percentile over the cheeks' luma (the patches
// build_mouth reads the skin from), and the brightest tenth's warmth, the mean of
// (R - B) / (R + G + B). `pixels` 0 where the polygon holds fewer than 12. The same for
// the opening's upper and lower thirds (`upper`, `lower`: each pixel's place between the
// top and the bottom of the polygon in its own column): the upper teeth under the upper
// lip, the lower teeth and the tongue's front above the lower one.
struct MouthBand {
  float p90 = 0.f, p50 = 0.f, warmth = 0.f;
  int pixels = 0;
};

struct MouthLight {
  float p90 = 0.f, p50 = 0.f, p10 = 0.f, warmth = 0.f;
  int pixels = 0;
  MouthBand upper, lower;
};

inline MouthLight mouth_light(const Image& picture, const video::Landmarks& l) {
  auto luma = [](const std::uint8_t* rgb) { return 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2]; };
  auto mid = [](video::Point a, video::Point b) { return video::Point{(a.x + b.x) / 2, (a.y + b.y) / 2}; };
  const int radius = std::max(1, static_cast<int>(std::hypot(l[45].x - l[36].x, l[45].y - l[36].y) / 40.f) + 1);
  float skin = 0.f;
  int skin_n = 0;
  for (video::Point c : {mid(l[41], l[48]), mid(l[46], l[54]), mid(l[31], l[3]), mid(l[35], l[13])}) {
    for (int dy = -radius; dy <= radius; ++dy) {
      for (int dx = -radius; dx <= radius; ++dx) {
        const int x = static_cast<int>(c.x) + dx, y = static_cast<int>(c.y) + dy;
        if (x < 0 || y < 0 || x >= picture.width || y >= picture.height) continue;
        skin += luma(picture.pixel(x, y)), ++skin_n;
      }
    }
  }
  skin /= static_cast<float>(std::max(1, skin_n));
  struct Inside {
    float luma;
    const std::uint8_t* rgb;
    int x, y;
  };
  std::vector<Inside> inside;
  // x -> the polygon's first and last row in that column
  std::vector<std::pair<int, int>> column(static_cast<size_t>(picture.width), {-1, -1});
  video::for_each_inner_lip_pixel(picture.width, picture.height, l, [&](int x, int y) {
    inside.push_back({luma(picture.pixel(x, y)), picture.pixel(x, y), x, y});
    auto& [top, bottom] = column[static_cast<size_t>(x)];
    if (top < 0) top = y;
    bottom = y;
  });
  MouthLight light;
  if (inside.size() < 12 || skin < 1.f) return light;
  // The percentiles and the brightest tenth's warmth of `pixels`, sorted by luma here.
  auto summarise = [&](std::vector<Inside>& pixels, float& p90, float& p50, float& warmth) {
    std::sort(pixels.begin(), pixels.end(), [](const Inside& a, const Inside& b) { return a.luma < b.luma; });
    auto at = [&](double q) { return static_cast<size_t>(q * static_cast<double>(pixels.size() - 1)); };
    p90 = pixels[at(0.9)].luma / skin, p50 = pixels[at(0.5)].luma / skin;
    warmth = 0.f;
    for (size_t i = at(0.9); i < pixels.size(); ++i) {
      const std::uint8_t* rgb = pixels[i].rgb;
      warmth += static_cast<float>(rgb[0] - rgb[2]) / std::max(1.f, static_cast<float>(rgb[0] + rgb[1] + rgb[2]));
    }
    warmth /= static_cast<float>(pixels.size() - at(0.9));
  };
  std::vector<Inside> upper, lower;
  for (const Inside& p : inside) {
    const auto [top, bottom] = column[static_cast<size_t>(p.x)];
    const float place = static_cast<float>(p.y - top) / static_cast<float>(std::max(1, bottom - top));
    if (place < 1.f / 3.f) upper.push_back(p);
    if (place > 2.f / 3.f) lower.push_back(p);
  }
  for (auto [pixels, band] : {std::pair{&upper, &light.upper}, std::pair{&lower, &light.lower}}) {
    if (pixels->size() < 4) continue;
    summarise(*pixels, band->p90, band->p50, band->warmth);
    band->pixels = static_cast<int>(pixels->size());
  }
  summarise(inside, light.p90, light.p50, light.warmth);
  light.p10 = inside[static_cast<size_t>(0.1 * static_cast<double>(inside.size() - 1))].luma / skin;
  light.pixels = static_cast<int>(inside.size());
  return light;
}

// One picture: a portrait file or a frame of a video (at `seconds`).
struct Face {
  const char* name;
  std::filesystem::path path;
  double seconds = -1.;
};

inline Image load_face(const Face& face) {
  if (face.seconds < 0.) return video::load_image(face.path);
  video::VideoReader reader(face.path);
  Image frame;
  while (reader.read_frame(frame) && reader.frame_time_seconds() + 1e-6 < face.seconds) {
  }
  return frame;
}

inline void PrintTo(const Face& face, std::ostream* os) { *os << face.name; }

// The face's rig from a live dlib fit.
inline video::Rig face_rig(const Face& face) {
  Image picture = load_face(face);
  video::FaceFit fit = video::fit_face(picture, face.path.string());
  return video::Rig(std::move(picture), fit);
}

// The mouth tests' faces: portraits that smile with their teeth, an illustration with
// its lips shut, and real video frames with the teeth showing or the mouth mid-word.
inline std::vector<Face> mouth_test_faces() {
  return {Face{"sample", sample_portrait_path()},
          Face{"obama", shared_media_dir() / "portraits" / "obama.jpg"},
          Face{"illustration", shared_media_dir() / "portraits" / "illustration.png"},
          Face{"katiehill_0_5", shared_media_dir() / "video" / "hdtf_katiehill.mp4", 0.5},
          Face{"katiehill_6_5", shared_media_dir() / "video" / "hdtf_katiehill.mp4", 6.5},
          Face{"retalking_4_5", shared_media_dir() / "video" / "retalking_woman.mp4", 4.5}};
}

// The two of them taken mid-word: a dark opening between lips and teeth (own jaw > 0).
inline bool mid_word(const Face& face) {
  return std::string_view(face.name) == "katiehill_6_5" || std::string_view(face.name) == "retalking_4_5";
}

}  // namespace parla::testing
