// Motion used by the rig tests, the golden frames and the gallery: each channel's
// natural extremes (DESIGN.md's "± ~" ranges) and a scripted talking track.
#pragma once

#include <cmath>
#include <initializer_list>
#include <utility>
#include <vector>

#include "core/core.h"

namespace parla::testing {

// The largest natural magnitude of each channel (the contact sheet's "1").
inline float natural_extreme(Channel c) {
  switch (c) {
    case Channel::HeadYaw: return 0.5f;
    case Channel::HeadPitch: return 0.4f;
    case Channel::HeadRoll: return 0.3f;
    case Channel::HeadX: return 0.2f;
    case Channel::HeadY: return 0.2f;
    case Channel::HeadScale: return 0.1f;
    default: return 1.f;
  }
}

// Channels whose range is signed (the sheet also shows -1).
inline bool is_signed(Channel c) { return channel_info(c).min < 0.f; }

inline MotionFrame single_channel(Channel c, float fraction_of_extreme) {
  MotionFrame frame = neutral_frame();
  frame[index(c)] = fraction_of_extreme * natural_extreme(c);
  return frame;
}

// A deterministic 4 s "talking" track: syllable-rate jaw with visemes, two blinks,
// gaze shifts, brow accents and a slow nod/turn.
inline MotionTrack talking_track(double seconds = 4.0) {
  MotionTrack track;
  auto frames = static_cast<int>(seconds * track.fps);
  for (int i = 0; i < frames; ++i) {
    double t = i / track.fps;
    MotionFrame f = neutral_frame();
    auto set = [&](Channel c, double v) { f[index(c)] = static_cast<float>(v); };
    double syllable = std::sin(2 * M_PI * 4.2 * t);
    double phrase = 0.5 + 0.5 * std::sin(2 * M_PI * 0.35 * t);
    set(Channel::JawOpen, std::max(0.0, 0.15 + 0.45 * syllable * phrase));
    set(Channel::MouthClose, std::max(0.0, -syllable) * 0.3);
    set(Channel::MouthFunnel, std::max(0.0, std::sin(2 * M_PI * 1.1 * t)) * 0.45);
    set(Channel::MouthStretch, std::max(0.0, std::sin(2 * M_PI * 0.7 * t + 1)) * 0.4);
    set(Channel::MouthSmile, 0.25 + 0.2 * std::sin(2 * M_PI * 0.2 * t));
    set(Channel::MouthRollLower, std::max(0.0, std::sin(2 * M_PI * 0.9 * t + 2) - 0.6));
    set(Channel::TongueOut, std::max(0.0, std::sin(2 * M_PI * 0.5 * t + 0.5) - 0.7));
    double blink = std::max(std::exp(-std::pow((t - 1.2) / 0.06, 2)), std::exp(-std::pow((t - 3.1) / 0.06, 2)));
    set(Channel::EyeBlinkLeft, blink);
    set(Channel::EyeBlinkRight, blink);
    set(Channel::EyeLookX, 0.5 * std::sin(2 * M_PI * 0.25 * t));
    set(Channel::EyeLookY, 0.3 * std::sin(2 * M_PI * 0.18 * t));
    set(Channel::BrowInnerUp, std::max(0.0, std::sin(2 * M_PI * 0.4 * t)) * 0.6);
    set(Channel::BrowDown, std::max(0.0, -std::sin(2 * M_PI * 0.3 * t)) * 0.3);
    set(Channel::HeadYaw, 0.2 * std::sin(2 * M_PI * 0.23 * t));
    set(Channel::HeadPitch, 0.1 * std::sin(2 * M_PI * 0.41 * t));
    set(Channel::HeadRoll, 0.08 * std::sin(2 * M_PI * 0.17 * t));
    set(Channel::HeadX, 0.05 * std::sin(2 * M_PI * 0.13 * t));
    set(Channel::HeadY, 0.03 * std::sin(2 * M_PI * 0.29 * t));
    set(Channel::HeadScale, 0.03 * std::sin(2 * M_PI * 0.11 * t));
    track.frames.push_back(f);
  }
  return track;
}

}  // namespace parla::testing

namespace parla::testing {

// The golden frames (tests/video/golden/<name>.png): the sample portrait, 192² crop.
struct GoldenFrame {
  const char* name;
  MotionFrame motion;
};
inline std::vector<GoldenFrame> golden_frames() {
  auto frame = [](std::initializer_list<std::pair<Channel, float>> values) {
    MotionFrame f = neutral_frame();
    for (const auto& [channel, value] : values) f[index(channel)] = value;
    return f;
  };
  return {
      {"neutral", neutral_frame()},
      {"jaw_blink", frame({{Channel::JawOpen, 0.8f}, {Channel::EyeBlinkLeft, 1.f}})},
      {"smile_gaze", frame({{Channel::MouthSmile, 1.f}, {Channel::EyeLookX, -1.f}, {Channel::EyeLookY, 0.5f}})},
      {"funnel_brows", frame({{Channel::MouthFunnel, 1.f}, {Channel::BrowInnerUp, 1.f}, {Channel::TongueOut, 0.5f}})},
      {"pose", frame({{Channel::HeadYaw, 0.4f}, {Channel::HeadPitch, -0.2f}, {Channel::HeadRoll, 0.2f},
                      {Channel::HeadX, 0.1f}, {Channel::HeadScale, 0.05f}, {Channel::JawOpen, 0.4f}})},
      // Lips closing over an open jaw cover the teeth (Rig::Impl::teeth_covers).
      {"closing",
       frame({{Channel::JawOpen, 0.3f}, {Channel::MouthClose, 0.8f}, {Channel::MouthSmile, 0.15f}})},
  };
}
inline constexpr int kGoldenSize = 192;  // output pixels

}  // namespace parla::testing
