// The channel table of the MotionTrack contract and per-track helpers.
#include <algorithm>
#include <cmath>

#include "core/core.h"

namespace parla {

const std::array<ChannelInfo, kChannelCount>& channel_table() {
  static const std::array<ChannelInfo, kChannelCount> table = {{
      {"jawOpen", 0.f, 1.f, ""},
      {"mouthClose", 0.f, 1.f, ""},
      {"mouthFunnel", 0.f, 1.f, ""},
      {"mouthPucker", 0.f, 1.f, ""},
      {"mouthStretch", 0.f, 1.f, ""},
      {"mouthSmile", 0.f, 1.f, ""},
      {"mouthRollLower", 0.f, 1.f, ""},
      {"tongueOut", 0.f, 1.f, ""},
      {"eyeBlinkLeft", 0.f, 1.f, ""},
      {"eyeBlinkRight", 0.f, 1.f, ""},
      {"eyeLookX", -1.f, 1.f, ""},
      {"eyeLookY", -1.f, 1.f, ""},
      {"browInnerUp", 0.f, 1.f, ""},
      {"browDown", 0.f, 1.f, ""},
      // Pose ranges are the hard validity limits; natural motion stays well inside.
      {"headYaw", -1.f, 1.f, "radians"},
      {"headPitch", -0.8f, 0.8f, "radians"},
      {"headRoll", -0.6f, 0.6f, "radians"},
      {"headX", -0.5f, 0.5f, "face widths"},
      {"headY", -0.5f, 0.5f, "face widths"},
      {"headScale", -0.3f, 0.3f, "log scale"},
  }};
  return table;
}

const ChannelInfo& channel_info(Channel c) { return channel_table()[index(c)]; }

int channel_index(std::string_view name) {
  const auto& table = channel_table();
  for (int i = 0; i < kChannelCount; ++i) {
    if (table[i].name == name) return i;
  }
  return -1;
}

MotionFrame neutral_frame() {
  MotionFrame frame{};
  frame.fill(0.f);
  return frame;
}

MotionFrame MotionTrack::sample(double seconds) const {
  if (frames.empty()) return neutral_frame();
  double position = std::clamp(seconds * fps, 0.0, static_cast<double>(frames.size() - 1));
  auto lower = static_cast<size_t>(std::floor(position));
  size_t upper = std::min(lower + 1, frames.size() - 1);
  auto weight = static_cast<float>(position - lower);
  MotionFrame out{};
  for (int c = 0; c < kChannelCount; ++c) {
    out[c] = frames[lower][c] * (1.f - weight) + frames[upper][c] * weight;
  }
  return out;
}

MotionTrack MotionTrack::resampled(double new_fps) const {
  MotionTrack out;
  out.fps = new_fps;
  auto count = static_cast<size_t>(std::llround(duration_seconds() * new_fps));
  out.frames.reserve(count);
  for (size_t i = 0; i < count; ++i) out.frames.push_back(sample(i / new_fps));
  return out;
}

void MotionTrack::clamp_to_ranges() {
  const auto& table = channel_table();
  for (auto& frame : frames) {
    for (int c = 0; c < kChannelCount; ++c) {
      frame[c] = std::clamp(frame[c], table[c].min, table[c].max);
    }
  }
}

}  // namespace parla
