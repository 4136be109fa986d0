// Landmark files: 68 [x, y] points as JSON, the --landmarks override for
// illustrations and faces the detector misses.
#include <nlohmann/json.hpp>

#include <cmath>

#include "core/json_input.h"
#include "video/video.h"

namespace parla::video {

std::string landmarks_to_json(const Landmarks& landmarks) {
  nlohmann::json points = nlohmann::json::array();
  for (const Point& p : landmarks) {
    // Two decimals: sub-pixel enough, and stable text for golden files.
    points.push_back({std::round(p.x * 100.f) / 100.f, std::round(p.y * 100.f) / 100.f});
  }
  nlohmann::json doc = {{"format", "dlib-68"}, {"landmarks", points}};
  return doc.dump() + "\n";
}

Landmarks landmarks_from_json(std::string_view text, std::string_view source_name) {
  auto bad = [&](const std::string& why) {
    return InputError("bad landmarks file '" + std::string(source_name) + "': " + why);
  };
  nlohmann::json doc = parse_json_input(text, "bad landmarks file '" + std::string(source_name) + "'");
  const nlohmann::json* points = &doc;
  if (doc.is_object()) {
    if (!doc.contains("landmarks")) throw bad("no \"landmarks\" array");
    points = &doc["landmarks"];
  }
  if (!points->is_array() || points->size() != kLandmarkCount) {
    throw bad("expected an array of 68 [x, y] points");
  }
  Landmarks landmarks;
  for (int i = 0; i < kLandmarkCount; ++i) {
    const nlohmann::json& p = (*points)[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      throw bad("point " + std::to_string(i) + " is not [x, y]");
    }
    landmarks[i] = {p[0].get<float>(), p[1].get<float>()};
    if (!std::isfinite(landmarks[i].x) || !std::isfinite(landmarks[i].y)) {
      throw bad("point " + std::to_string(i) + " is not finite");
    }
  }
  return landmarks;
}

FaceFit read_landmarks_file(const std::filesystem::path& path, int width, int height) {
  std::string name = path.string();
  FaceFit fit;
  fit.landmarks = landmarks_from_json(read_text_file(path), name);
  for (int i = 0; i < kLandmarkCount; ++i) {
    const Point& p = fit.landmarks[i];
    if (p.x < 0 || p.y < 0 || p.x > width || p.y > height) {
      throw InputError("bad landmarks file " + quoted(path) + ": point " + std::to_string(i) +
                       " lies outside the " + std::to_string(width) + "x" +
                       std::to_string(height) + " portrait");
    }
  }
  if (std::string problem = landmark_geometry_problem(fit.landmarks); !problem.empty()) {
    throw InputError("bad landmarks file " + quoted(path) + ": " + problem);
  }
  if (face_frame(fit.landmarks).interocular_px < kMinInterocularPx) {
    throw InputError("the face in " + quoted(path) + " is too small to animate: the minimum is " +
                     std::to_string(static_cast<int>(kMinInterocularPx)) + " px between the eyes");
  }
  return fit;
}

}  // namespace parla::video
