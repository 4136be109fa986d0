// parla/motion.h: the MotionTrack contract's frame (DESIGN.md "MotionTrack"): 20 named
// channels at 25 frames per second, in a fixed order whose names follow ARKit
// blendshapes. Public and internal alike (core/core.h takes it from here). Included by
// parla/parla.h.
#pragma once

#include <array>

namespace parla {

// Channel order of a MotionFrame; ranges: mouth, eyes and brows 0..1, eyeLook -1..1
// (+ = subject's left / up), head rotations in radians (yaw ~±0.5, pitch ~±0.4 with
// + = nod down, roll ~±0.3), headX / headY in face widths (~±0.2), headScale a log
// scale (~±0.1).
enum class Channel : int {
  JawOpen, MouthClose, MouthFunnel, MouthPucker, MouthStretch, MouthSmile,
  MouthRollLower, TongueOut, EyeBlinkLeft, EyeBlinkRight, EyeLookX, EyeLookY,
  BrowInnerUp, BrowDown, HeadYaw, HeadPitch, HeadRoll, HeadX, HeadY, HeadScale,
};
inline constexpr int kChannelCount = 20;
inline constexpr double kMotionFps = 25.0;  // canonical motion frames per second

constexpr int index(Channel c) { return static_cast<int>(c); }

// One frame of motion: frame k of a track shows time k / kMotionFps seconds.
using MotionFrame = std::array<float, kChannelCount>;

}  // namespace parla
