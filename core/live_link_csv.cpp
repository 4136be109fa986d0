// MotionTrack <-> Unreal Live Link Face CSV (52 ARKit blendshapes + 9 rotations), in
// ARKit's semantics; every column's mapping is in docs/live_link_csv.md.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/core.h"

namespace parla {
namespace {

// Column order of the Live Link Face app's CSV after Timecode and BlendShapeCount.
constexpr std::array<std::string_view, 61> kColumns = {
    "EyeBlinkLeft", "EyeLookDownLeft", "EyeLookInLeft", "EyeLookOutLeft", "EyeLookUpLeft",
    "EyeSquintLeft", "EyeWideLeft", "EyeBlinkRight", "EyeLookDownRight", "EyeLookInRight",
    "EyeLookOutRight", "EyeLookUpRight", "EyeSquintRight", "EyeWideRight", "JawForward",
    "JawRight", "JawLeft", "JawOpen", "MouthClose", "MouthFunnel", "MouthPucker", "MouthRight",
    "MouthLeft", "MouthSmileLeft", "MouthSmileRight", "MouthFrownLeft", "MouthFrownRight",
    "MouthDimpleLeft", "MouthDimpleRight", "MouthStretchLeft", "MouthStretchRight",
    "MouthRollLower", "MouthRollUpper", "MouthShrugLower", "MouthShrugUpper", "MouthPressLeft",
    "MouthPressRight", "MouthLowerDownLeft", "MouthLowerDownRight", "MouthUpperUpLeft",
    "MouthUpperUpRight", "BrowDownLeft", "BrowDownRight", "BrowInnerUp", "BrowOuterUpLeft",
    "BrowOuterUpRight", "CheekPuff", "CheekSquintLeft", "CheekSquintRight", "NoseSneerLeft",
    "NoseSneerRight", "TongueOut", "HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw",
    "LeftEyePitch", "LeftEyeRoll", "RightEyeYaw", "RightEyePitch", "RightEyeRoll"};

// Below this JawOpen, ARKit's MouthClose (a seal over the open jaw) says too little to
// recover the track's lip seal from; the pressed-lips columns carry it there.
constexpr float kMinJawForSeal = 0.02f;

// Gaze at eyeLookX = ±1 turns the eyeball this far (radians) in the rotation columns.
constexpr float kEyeRotationRadians = 0.5f;

int column(std::string_view name) {
  auto it = std::find(kColumns.begin(), kColumns.end(), name);
  return it == kColumns.end() ? -1 : static_cast<int>(it - kColumns.begin());
}

std::array<float, kColumns.size()> to_columns(const MotionFrame& f) {
  std::array<float, kColumns.size()> row{};
  auto set = [&row](std::string_view name, float v) { row[column(name)] = v; };
  auto ch = [&f](Channel c) { return f[index(c)]; };
  float look_x = ch(Channel::EyeLookX), look_y = ch(Channel::EyeLookY);
  // + eyeLookX = subject's left: the left eye looks out, the right eye looks in.
  for (std::string_view side : {"Left", "Right"}) {
    bool left = side == "Left";
    float out = left ? std::max(look_x, 0.f) : std::max(-look_x, 0.f);
    float in = left ? std::max(-look_x, 0.f) : std::max(look_x, 0.f);
    std::string s(side);
    set("EyeBlink" + s, ch(left ? Channel::EyeBlinkLeft : Channel::EyeBlinkRight));
    set("EyeLookOut" + s, out);
    set("EyeLookIn" + s, in);
    set("EyeLookUp" + s, std::max(look_y, 0.f));
    set("EyeLookDown" + s, std::max(-look_y, 0.f));
    set("MouthSmile" + s, ch(Channel::MouthSmile));
    set("MouthStretch" + s, ch(Channel::MouthStretch));
    set("BrowDown" + s, ch(Channel::BrowDown));
    set(s + "EyeYaw", look_x * kEyeRotationRadians);
    set(s + "EyePitch", -look_y * kEyeRotationRadians);
  }
  // ARKit's MouthClose is a corrective on top of JawOpen: the lips held together while
  // the jaw is open (MouthClose = JawOpen seals them fully), so MouthClose <= JawOpen.
  // The track's mouthClose is the lip seal at any jaw: the part over the open jaw is
  // MouthClose, and the lips pressed together (p/b/m with the jaw shut) are MouthPress.
  float jaw = ch(Channel::JawOpen), seal = ch(Channel::MouthClose);
  set("JawOpen", jaw);
  set("MouthClose", seal * jaw);
  set("MouthPressLeft", seal);
  set("MouthPressRight", seal);
  set("MouthFunnel", ch(Channel::MouthFunnel));
  set("MouthPucker", ch(Channel::MouthPucker));
  set("MouthRollLower", ch(Channel::MouthRollLower));
  set("TongueOut", ch(Channel::TongueOut));
  set("BrowInnerUp", ch(Channel::BrowInnerUp));
  set("HeadYaw", ch(Channel::HeadYaw));
  set("HeadPitch", ch(Channel::HeadPitch));
  set("HeadRoll", ch(Channel::HeadRoll));
  return row;
}

MotionFrame from_columns(const std::array<float, kColumns.size()>& row) {
  auto get = [&row](std::string_view name) { return row[column(name)]; };
  MotionFrame f = neutral_frame();
  auto set = [&f](Channel c, float v) { f[index(c)] = v; };
  // Inverts to_columns' seal: MouthClose as a share of the open jaw, or the pressed
  // lips, whichever seals more (an ARKit capture may carry either).
  float jaw = get("JawOpen");
  float press = 0.5f * (get("MouthPressLeft") + get("MouthPressRight"));
  float seal_over_jaw = jaw >= kMinJawForSeal ? std::clamp(get("MouthClose") / jaw, 0.f, 1.f) : 0.f;
  set(Channel::JawOpen, jaw);
  set(Channel::MouthClose, std::max(press, seal_over_jaw));
  set(Channel::MouthFunnel, get("MouthFunnel"));
  set(Channel::MouthPucker, get("MouthPucker"));
  set(Channel::MouthStretch, 0.5f * (get("MouthStretchLeft") + get("MouthStretchRight")));
  set(Channel::MouthSmile, 0.5f * (get("MouthSmileLeft") + get("MouthSmileRight")));
  set(Channel::MouthRollLower, get("MouthRollLower"));
  set(Channel::TongueOut, get("TongueOut"));
  set(Channel::EyeBlinkLeft, get("EyeBlinkLeft"));
  set(Channel::EyeBlinkRight, get("EyeBlinkRight"));
  set(Channel::EyeLookX, 0.5f * (get("EyeLookOutLeft") - get("EyeLookInLeft") +
                                 get("EyeLookInRight") - get("EyeLookOutRight")));
  set(Channel::EyeLookY, 0.5f * (get("EyeLookUpLeft") - get("EyeLookDownLeft") +
                                 get("EyeLookUpRight") - get("EyeLookDownRight")));
  set(Channel::BrowInnerUp, get("BrowInnerUp"));
  set(Channel::BrowDown, 0.5f * (get("BrowDownLeft") + get("BrowDownRight")));
  set(Channel::HeadYaw, get("HeadYaw"));
  set(Channel::HeadPitch, get("HeadPitch"));
  set(Channel::HeadRoll, get("HeadRoll"));
  return f;
}

std::vector<std::string> split(std::string_view line, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = line.find(sep, start);
    out.emplace_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  for (auto& s : out) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  }
  return out;
}

// A Live Link timecode "HH:MM:SS:FF" (an optional ".fraction" after FF is the
// subframe): four decimal fields, hours 0..23, minutes and seconds 0..59, frame 0..239.
// Parsed with from_chars, so an absurd number is refused rather than overflowing.
bool parse_timecode(std::string_view text, std::array<int, 4>& fields) {
  for (int k = 0; k < 4; ++k) {
    const char* end = text.data() + text.size();
    auto [next, error] = std::from_chars(text.data(), end, fields[k]);
    if (error != std::errc{} || next == text.data()) return false;
    text.remove_prefix(static_cast<size_t>(next - text.data()));
    if (k < 3) {
      if (text.empty() || text.front() != ':') return false;
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) {
    if (text.front() != '.' || text.size() < 2) return false;
    for (char c : text.substr(1)) {
      if (c < '0' || c > '9') return false;
    }
  }
  const auto [h, m, s, ff] = fields;
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && s >= 0 && s <= 59 && ff >= 0 && ff <= 239;
}

}  // namespace

std::array<ArkitValue, kArkitBlendshapeCount> arkit_blendshapes(const MotionFrame& frame) {
  auto row = to_columns(frame);
  std::array<ArkitValue, kArkitBlendshapeCount> out;
  for (int k = 0; k < kArkitBlendshapeCount; ++k) out[k] = {kColumns[k], row[k]};
  return out;
}

std::string motion_to_live_link_csv(const MotionTrack& track) {
  check_finite(track);
  std::ostringstream out;
  out << "Timecode,BlendShapeCount";
  for (auto name : kColumns) out << ',' << name;
  out << '\n';
  auto frame_rate = static_cast<int>(std::lround(track.fps));
  char buf[64];
  for (size_t i = 0; i < track.frames.size(); ++i) {
    auto whole = static_cast<long>(i / frame_rate);
    std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld:%02ld.000", whole / 3600, whole / 60 % 60,
                  whole % 60, static_cast<long>(i % frame_rate));
    out << buf << ',' << kColumns.size();
    for (float v : to_columns(track.frames[i])) {
      std::snprintf(buf, sizeof buf, ",%.6g", static_cast<double>(v));
      out << buf;
    }
    out << '\n';
  }
  return out.str();
}

MotionTrack motion_from_live_link_csv(std::string_view text, std::string_view source) {
  auto fail = [source](const std::string& problem) -> InputError {
    return InputError("invalid Live Link CSV '" + std::string(source) + "': " + problem);
  };
  std::istringstream in{std::string(text)};
  std::string line;
  if (!std::getline(in, line)) throw fail("empty file");
  auto header = split(line, ',');
  if (header.size() < 2 || header[0] != "Timecode") throw fail("first column must be Timecode");
  std::vector<int> mapping(header.size(), -1);
  for (size_t k = 2; k < header.size(); ++k) {
    mapping[k] = column(header[k]);
    if (mapping[k] < 0) throw fail("unknown column \"" + excerpt(header[k]) + "\" (line 1)");
  }
  MotionTrack track;
  std::vector<std::string> timecodes;
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    auto cells = split(line, ',');
    if (cells.size() != header.size()) {
      throw fail("line " + std::to_string(line_number) + " has " + std::to_string(cells.size()) +
                 " cells, header has " + std::to_string(header.size()));
    }
    std::array<float, kColumns.size()> row{};
    for (size_t k = 2; k < cells.size(); ++k) {
      char* end = nullptr;
      float v = std::strtof(cells[k].c_str(), &end);
      if (end == cells[k].c_str() || !std::isfinite(v)) {
        throw fail("line " + std::to_string(line_number) + " column " + header[k] + " (\"" +
                   excerpt(cells[k], 16) + "\") is not a finite number");
      }
      row[mapping[k]] = v;
    }
    track.frames.push_back(from_columns(row));
    timecodes.push_back(cells[0]);
  }
  // The frame rate is the largest frame field + 1 seen within a second (HH:MM:SS:FF).
  if (track.frames.empty()) throw fail("it has no frames (only a header)");
  int max_frame_field = -1;
  std::vector<std::array<int, 4>> fields;
  fields.reserve(timecodes.size());
  for (size_t i = 0; i < timecodes.size(); ++i) {
    std::array<int, 4> f{};
    if (!parse_timecode(timecodes[i], f)) {
      throw fail("frame " + std::to_string(i) + " timecode \"" + excerpt(timecodes[i], 16) +
                 "\" is not HH:MM:SS:FF");
    }
    max_frame_field = std::max(max_frame_field, f[3]);
    fields.push_back(f);
  }
  if (timecodes.size() > static_cast<size_t>(max_frame_field + 1) && max_frame_field > 0) {
    track.fps = max_frame_field + 1;
  }
  // Rows are frames in time order: a timecode earlier than the one before it is a
  // shuffled or reversed file, which would play as garbage.
  for (size_t i = 1; i < fields.size(); ++i) {
    auto seconds_of = [](const std::array<int, 4>& f) { return (f[0] * 60 + f[1]) * 60 + f[2]; };
    auto now = std::make_pair(seconds_of(fields[i]), fields[i][3]);
    auto before = std::make_pair(seconds_of(fields[i - 1]), fields[i - 1][3]);
    if (now < before) {
      throw fail("frame " + std::to_string(i) + " timecode \"" + excerpt(timecodes[i], 16) +
                 "\" is earlier than the frame before it: rows must be in time order");
    }
  }
  if (static_cast<double>(track.frames.size()) / track.fps > kMaxInputSeconds) {
    throw fail(std::to_string(track.frames.size()) + " frames is longer than the limit of " +
               std::to_string(static_cast<int>(kMaxInputSeconds / 3600)) + " hours");
  }
  const auto& table = channel_table();
  for (size_t i = 0; i < track.frames.size(); ++i) {
    for (int c = 0; c < kChannelCount; ++c) {
      float v = track.frames[i][c];
      if (v < table[c].min - 1e-4f || v > table[c].max + 1e-4f) {
        throw fail("frame " + std::to_string(i) + " channel " + std::string(table[c].name) +
                   " is out of range");
      }
    }
  }
  track.clamp_to_ranges();
  return track;
}

}  // namespace parla
