// The portrait fit and its cache (docs/video_output.md "Portrait fit cache"): a fit
// costs ~1 s of dlib; the same picture is fitted once.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "pipeline/pipeline.h"

namespace parla::pipeline {
namespace {

// A 128-bit content key of the decoded picture (size and pixels) and the fit code's
// version, as 32 hex digits: two SplitMix64 lanes over 8-byte words.
std::string fit_key(const Image& portrait) {
  std::uint64_t a = mix_seed(0x7061726c61ull ^ static_cast<std::uint64_t>(portrait.width));
  std::uint64_t b = mix_seed(0x666974ull ^ static_cast<std::uint64_t>(portrait.height) << 32);
  auto add = [&](std::uint64_t word) {
    a = mix_seed(a ^ word);
    b = mix_seed(b + word * 0x9E3779B97F4A7C15ull);
  };
  for (char c : video::kFaceFitVersion) add(static_cast<unsigned char>(c));
  const std::uint8_t* bytes = portrait.rgb.data();
  const size_t size = portrait.rgb.size();
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    add(word);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes + i, size - i);
  add(tail ^ (static_cast<std::uint64_t>(size) << 8));
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return hex;
}

// The cached fit for `key`, or nothing when absent, unreadable, corrupt, from another
// fit version or for another size (such an entry is rewritten after detection).
std::optional<video::FaceFit> read_cached_fit(const std::filesystem::path& file, const Image& portrait,
                                              const std::string& source_name) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  try {
    nlohmann::json doc = nlohmann::json::parse(read_text_file(file), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    if (doc.value("version", "") != video::kFaceFitVersion || doc.value("width", -1) != portrait.width ||
        doc.value("height", -1) != portrait.height) {
      return std::nullopt;
    }
    const nlohmann::json& points = doc.at("landmarks");
    if (!points.is_array() || points.size() != video::kLandmarkCount) return std::nullopt;
    video::FaceFit fit;
    fit.faces_found = doc.at("faces_found").get<int>();
    if (fit.faces_found < 1) return std::nullopt;
    for (int i = 0; i < video::kLandmarkCount; ++i) {
      const nlohmann::json& p = points[i];
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) return std::nullopt;
      video::Point point{p[0].get<float>(), p[1].get<float>()};
      if (!(point.x >= 0 && point.y >= 0 && point.x <= portrait.width && point.y <= portrait.height)) {
        return std::nullopt;
      }
      fit.landmarks[i] = point;
    }
    if (video::face_frame(fit.landmarks).interocular_px < video::kMinInterocularPx) return std::nullopt;
    fit.warning = video::several_faces_warning(fit.faces_found, source_name);
    return fit;
  } catch (const std::exception&) {
    return std::nullopt;  // wrong types, missing keys: detection rewrites the entry
  }
}

// Writes the entry through a temporary and a rename, so readers never see half a file;
// a cache that cannot be written is skipped silently (it only saves time).
void write_cached_fit(const std::filesystem::path& file, const Image& portrait, const video::FaceFit& fit) {
  nlohmann::json points = nlohmann::json::array();
  for (const video::Point& p : fit.landmarks) points.push_back({p.x, p.y});  // exact floats
  nlohmann::json doc = {{"version", video::kFaceFitVersion},
                        {"width", portrait.width},
                        {"height", portrait.height},
                        {"faces_found", fit.faces_found},
                        {"landmarks", points}};
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  if (error) return;
  std::filesystem::path temp = file;
  // Unique per process and call: library users may fit the same picture on two threads.
  static std::atomic<unsigned> counter{0};
  temp += ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  try {
    write_text_file(temp, doc.dump() + "\n");
    std::filesystem::rename(temp, file);
  } catch (const std::exception&) {
    std::filesystem::remove(temp, error);
  }
}

}  // namespace

std::filesystem::path fit_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg == '/') return std::filesystem::path(xdg) / "parla";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::filesystem::path(home) / ".cache" / "parla";
  return {};
}

std::filesystem::path fit_cache_file(const Image& portrait, int face) {
  std::filesystem::path dir = fit_cache_dir();
  if (dir.empty()) return {};
  std::string which = face > 0 ? "-face" + std::to_string(face) : "";
  return dir / ("fit-" + fit_key(portrait) + which + ".json");
}

video::FaceFit fit_portrait(const Image& portrait, const std::filesystem::path& portrait_path,
                            const std::filesystem::path& landmarks_path, int face) {
  if (!landmarks_path.empty()) {
    return video::read_landmarks_file(landmarks_path, portrait.width, portrait.height);
  }
  const std::filesystem::path cache_file = fit_cache_file(portrait, face);
  if (!cache_file.empty()) {
    if (auto cached = read_cached_fit(cache_file, portrait, portrait_path.string())) {
      if (face > 0) cached->warning.clear();
      return *cached;
    }
  }
  video::FaceFit fit = video::fit_face(portrait, portrait_path.string(), face);
  if (!cache_file.empty()) write_cached_fit(cache_file, portrait, fit);
  return fit;
}

}  // namespace parla::pipeline
