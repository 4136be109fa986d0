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

inline LipRead read_lips(const Image& picture) {
  const video::Landmarks l = video::fit_face(picture, "render").landmarks;
  LipRead read;
  for (auto [a, b] : {std::pair{61, 67}, std::pair{62, 66}, std::pair{63, 65}}) {
    read.gap += std::hypot(l[b].x - l[a].x, l[b].y - l[a].y) / 3.f;
  }
  read.width = std::hypot(l[54].x - l[48].x, l[54].y - l[48].y);
  return read;
}

// A render's pixel coloured like teeth: light and nearly grey (lips are redder).
inline bool teeth_coloured(const std::uint8_t* rgb) {
  const int lo = std::min({rgb[0], rgb[1], rgb[2]}), hi = std::max({rgb[0], rgb[1], rgb[2]});
  return lo > 150 && hi - lo < 35;
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
