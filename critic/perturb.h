// critic/perturb.h: the unnatural motions the MN head learns to tell from natural ones
// (DESIGN.md "Critic"), applied to a MotionTrack at strengths a viewer notices. Private
// to critic/ and train/ (training data) and the tests.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/core.h"

namespace parla::critic {

enum class Perturbation : int {
  Jitter,          // frame-to-frame noise on head, brows, gaze and mouth (tracking shake)
  Freeze,          // the motion holds one frame for a stretch (≥ 1 s)
  OverSmooth,      // heavy low-pass: mouth and head lose their articulation (mush)
  Loop,            // a short stretch repeated over and over
  Amplify,         // every movement exaggerated (head swings, mouth too wide)
  Dampen,          // every movement shrunk towards rest (a near-still face)
  Reverse,         // time reversed
  Swap,            // another clip's motion (uncorrelated with this audio)
  MouthInSilence,  // the mouth keeps moving through the pauses
  NoBlinks,        // the eyes never blink
  BlinkStorm,      // blinks far too often
};
inline constexpr int kPerturbationCount = 11;
std::string_view perturbation_name(Perturbation p);

// The track with one perturbation applied, same length and fps, values kept within the
// channel ranges. `speech` has one flag per motion frame (true = speech; used by
// MouthInSilence and may be empty otherwise); `other` is another clip's motion (Swap;
// may be null otherwise, then Swap reverses and shifts this one); `seed` picks where.
MotionTrack perturb_motion(const MotionTrack& track, Perturbation p, std::span<const bool> speech,
                           const MotionTrack* other, std::uint64_t seed);

}  // namespace parla::critic
