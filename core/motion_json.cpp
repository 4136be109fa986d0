// MotionTrack <-> JSON, with validation messages that name file, frame and channel.
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/core.h"
#include "core/json_input.h"

namespace parla {
namespace {

[[noreturn]] void fail(std::string_view source, const std::string& problem) {
  throw InputError("invalid motion track '" + std::string(source) + "': " + problem);
}

std::string format_value(float v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

void check_finite(const MotionTrack& track) {
  if (!std::isfinite(track.fps) || track.fps <= 0) {
    throw Error("refusing to write a motion track with fps " + std::to_string(track.fps));
  }
  for (size_t i = 0; i < track.frames.size(); ++i) {
    for (int c = 0; c < kChannelCount; ++c) {
      if (!std::isfinite(track.frames[i][c])) {
        throw Error("refusing to write a motion track with a non-finite value (frame " +
                    std::to_string(i) + " channel " + std::string(channel_table()[c].name) + ")");
      }
    }
  }
}

std::string motion_to_json(const MotionTrack& track) {
  check_finite(track);
  std::ostringstream out;
  out << "{\"fps\":" << track.fps << ",\"channels\":[";
  const auto& table = channel_table();
  for (int c = 0; c < kChannelCount; ++c) {
    out << (c ? "," : "") << '"' << table[c].name << '"';
  }
  out << "],\"frames\":[";
  char buf[32];
  for (size_t i = 0; i < track.frames.size(); ++i) {
    out << (i ? ",\n[" : "\n[");
    for (int c = 0; c < kChannelCount; ++c) {
      std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(track.frames[i][c]));
      out << (c ? "," : "") << buf;
    }
    out << ']';
  }
  out << "]}\n";
  return out.str();
}

MotionTrack motion_from_json(std::string_view text, std::string_view source) {
  nlohmann::json doc = parse_json_input(text, "invalid motion track '" + std::string(source) + "'");
  if (!doc.is_object()) fail(source, "expected a JSON object with fps, channels and frames");
  MotionTrack track;
  if (!doc.contains("fps") || !doc["fps"].is_number()) fail(source, "missing numeric \"fps\"");
  track.fps = doc["fps"].get<double>();
  if (!(track.fps >= 1.0 && track.fps <= 240.0)) {
    fail(source, "fps " + format_value(static_cast<float>(track.fps)) + " is outside 1..240");
  }
  if (!doc.contains("channels") || !doc["channels"].is_array()) {
    fail(source, "missing \"channels\" array of channel names");
  }
  std::vector<int> columns;
  std::vector<bool> seen(kChannelCount, false);
  for (const auto& name : doc["channels"]) {
    if (!name.is_string()) fail(source, "channel names must be strings");
    int c = channel_index(name.get<std::string>());
    if (c < 0) fail(source, "unknown channel \"" + excerpt(name.get<std::string>()) + "\"");
    if (seen[c]) fail(source, "channel \"" + excerpt(name.get<std::string>()) + "\" appears twice");
    seen[c] = true;
    columns.push_back(c);
  }
  if (!doc.contains("frames") || !doc["frames"].is_array()) fail(source, "missing \"frames\" array");
  const auto& table = channel_table();
  const auto& frames = doc["frames"];
  if (frames.empty()) fail(source, "it has no frames");
  if (static_cast<double>(frames.size()) / track.fps > kMaxInputSeconds) {
    fail(source, std::to_string(frames.size()) + " frames at " + format_value(static_cast<float>(track.fps)) +
                     " fps is longer than the limit of " +
                     std::to_string(static_cast<int>(kMaxInputSeconds / 3600)) + " hours");
  }
  track.frames.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto& row = frames[i];
    if (!row.is_array() || row.size() != columns.size()) {
      fail(source, "frame " + std::to_string(i) + " has " +
                       std::to_string(row.is_array() ? row.size() : 0) + " values, expected " +
                       std::to_string(columns.size()));
    }
    MotionFrame frame = neutral_frame();
    for (size_t k = 0; k < columns.size(); ++k) {
      if (!row[k].is_number()) fail(source, "frame " + std::to_string(i) + " holds a non-number");
      auto v = row[k].get<float>();
      const auto& info = table[columns[k]];
      if (!std::isfinite(v) || v < info.min - 1e-4f || v > info.max + 1e-4f) {
        fail(source, "frame " + std::to_string(i) + " channel " + std::string(info.name) + " = " +
                         format_value(v) + " is outside " + format_value(info.min) + ".." +
                         format_value(info.max));
      }
      frame[columns[k]] = v;
    }
    track.frames.push_back(frame);
  }
  track.clamp_to_ranges();
  return track;
}

MotionTrack read_motion_track(const std::filesystem::path& path) {
  check_input_file(path, "motion track");
  std::error_code ec;
  if (auto bytes = std::filesystem::file_size(path, ec); !ec && bytes > kMaxTrackFileBytes) {
    throw InputError("invalid motion track " + quoted(path) + ": " + std::to_string(bytes >> 20) +
                     " MiB is larger than the limit of " +
                     std::to_string(kMaxTrackFileBytes >> 20) + " MiB");
  }
  std::string text = read_text_file(path);
  std::string ext = path.extension().string();
  if (ext == ".csv" || ext == ".CSV") return motion_from_live_link_csv(text, path.string());
  return motion_from_json(text, path.string());
}

void check_motion_track_name(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext != ".json" && ext != ".csv") {
    throw InputError("cannot write motion track " + quoted(path) +
                     ": use a .json or .csv (Live Link Face) file name");
  }
}

void write_motion_track(const MotionTrack& track, const std::filesystem::path& path,
                        std::span<const std::filesystem::path> inputs) {
  check_motion_track_name(path);
  const std::string ext = path.extension().string();
  OutputFile out(path, inputs);
  write_text_file(out.temp_path(),
                  ext == ".csv" ? motion_to_live_link_csv(track) : motion_to_json(track));
  out.commit();
}

}  // namespace parla
