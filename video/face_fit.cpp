// Face fitting: dlib's HOG frontal face detector and 68-point shape predictor, loaded
// once; the largest face wins.
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <mutex>

#include "video/video.h"

namespace parla::video {

struct FaceFitter::State {
  std::mutex detector_mutex;  // guards detector: dlib's scanner keeps scratch buffers
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  dlib::shape_predictor predictor;  // const use is thread-safe
};

FaceFitter::FaceFitter(const std::filesystem::path& model_path) : state_(std::make_unique<State>()) {
  check_input_file(model_path, "dlib 68-point landmark model");
  try {
    dlib::deserialize(model_path.string()) >> state_->predictor;
  } catch (const std::exception& e) {
    throw InputError("cannot load the landmark model " + quoted(model_path) + ": " + e.what());
  }
  if (state_->predictor.num_parts() != kLandmarkCount) {
    throw InputError("the landmark model " + quoted(model_path) + " does not predict 68 points");
  }
}

FaceFitter::~FaceFitter() = default;

FaceFit FaceFitter::fit(const Image& portrait, const std::string& source_name, int face) const {
  dlib::matrix<dlib::rgb_pixel> image(portrait.height, portrait.width);
  for (int y = 0; y < portrait.height; ++y) {
    for (int x = 0; x < portrait.width; ++x) {
      const uint8_t* p = portrait.pixel(x, y);
      image(y, x) = dlib::rgb_pixel(p[0], p[1], p[2]);
    }
  }
  std::vector<dlib::rectangle> faces;
  double to_portrait = 1.0;  // detection coordinates -> portrait pixels
  {
    std::lock_guard lock(state_->detector_mutex);
    faces = state_->detector(image);
    // Small pictures: dlib's HOG window is 80 px, so look again at twice the size.
    if (faces.empty() && std::max(portrait.width, portrait.height) <= 1200) {
      dlib::matrix<dlib::rgb_pixel> doubled(image.nr() * 2, image.nc() * 2);
      dlib::resize_image(image, doubled);
      faces = state_->detector(doubled);
      if (!faces.empty()) {
        to_portrait = 0.5;
        image = std::move(doubled);
      }
    }
  }
  if (faces.empty()) {
    throw InputError("no face found in " + parla::quoted(std::filesystem::path(source_name)) +
                     "; for illustrations and hard cases give the 68 landmarks with "
                     "--landmarks FILE (JSON: {\"landmarks\": [[x, y], ...]})");
  }
  if (face > static_cast<int>(faces.size())) {
    throw InputError("--face " + std::to_string(face) + ": only " + std::to_string(faces.size()) +
                     (faces.size() == 1 ? " face" : " faces") + " found in " +
                     parla::quoted(std::filesystem::path(source_name)));
  }
  // Faces numbered from the left (by the centre of their box), as a user sees them.
  std::sort(faces.begin(), faces.end(), [](const auto& a, const auto& b) { return dlib::center(a).x() < dlib::center(b).x(); });
  auto chosen = face > 0 ? faces.begin() + (face - 1)
                         : std::max_element(faces.begin(), faces.end(), [](const auto& a, const auto& b) {
                             return a.area() < b.area();
                           });
  dlib::full_object_detection shape = state_->predictor(image, *chosen);
  FaceFit fit;
  fit.faces_found = static_cast<int>(faces.size());
  for (int i = 0; i < kLandmarkCount; ++i) {
    const dlib::point& p = shape.part(i);
    // dlib reports integer pixel indices; +0.5 puts them on pixel centres.
    fit.landmarks[i] = {static_cast<float>((p.x() + 0.5) * to_portrait),
                        static_cast<float>((p.y() + 0.5) * to_portrait)};
  }
  if (face == 0) fit.warning = several_faces_warning(fit.faces_found, source_name);
  float interocular = face_frame(fit.landmarks).interocular_px;
  if (interocular < kMinInterocularPx) {
    throw InputError("the face in " + parla::quoted(std::filesystem::path(source_name)) + " is too small to animate: " +
                     std::to_string(static_cast<int>(std::lround(interocular))) +
                     " px between the eyes, the minimum is " +
                     std::to_string(static_cast<int>(kMinInterocularPx)) +
                     " px (use a larger picture)");
  }
  return fit;
}

std::string several_faces_warning(int faces_found, const std::string& source_name) {
  if (faces_found <= 1) return {};
  return std::to_string(faces_found) + " faces found in " +
         parla::quoted(std::filesystem::path(source_name)) +
         "; animating the largest (--face N picks the N-th from the left)";
}

FaceFit fit_face(const Image& portrait, const std::string& source_name, int face) {
  static const FaceFitter fitter;  // thread-safe one-time load
  return fitter.fit(portrait, source_name, face);
}

}  // namespace parla::video
