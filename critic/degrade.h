// critic/degrade.h: the picture faults the VQ head learns to see (DESIGN.md "Critic"),
// applied to a whole video frame whose face landmarks are known, at strengths a viewer
// notices. Private to critic/ and train/ (training data) and the tests.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/core.h"
#include "video/video.h"

namespace parla::critic {

enum class Degradation : int {
  Blur,        // Gaussian blur of the face region (defocus, upscaling)
  Blocking,    // 8×8 block DCT quantisation with ringing (low-bitrate codec)
  Noise,       // Gaussian + chroma noise
  Tear,        // a mesh tear: a band across the face shifted sideways (discontinuity)
  Fold,        // a mesh fold: a region folded over itself (mirrored, compressed strip)
  Hole,        // a hole: a flat dark or background-coloured patch on the face
  Smear,       // a smear: pixels dragged along a direction (rubber-sheet stretch)
  GhostMouth,  // a doubled or ghosted mouth (shifted, half-transparent copy)
  ColorShift,  // a colour cast or channel shift on the face
  Frozen,      // the previous frame repeated (temporal fault)
};
inline constexpr int kDegradationCount = 10;
std::string_view degradation_name(Degradation d);

// The frame with one fault applied. `strength` in 0.5..1 scales the fault between
// clearly visible and severe; `seed` picks placements (the same seed on consecutive
// frames gives the same fault, so a fault is consistent over time). `previous` is the
// frame before (used by Frozen: returns a copy of it; may be null for others).
Image degrade_frame(const Image& frame, const video::Landmarks& landmarks, Degradation d,
                    float strength, std::uint64_t seed, const Image* previous);

// Not a fault: the inside of the open mouth (dlib's inner-lip polygon 60-67 of
// `landmarks`) with its chroma about its luma scaled by `saturation` (< 1 greyer) and
// then all three channels by `gain` (< 1 darker), in place. Real mouths differ in both
// (teeth, tongue, light), so the VQ head's training draws them at random on clean and
// degraded frames alike: neither alone tells a fault (docs/critic.md "What VQ rewards
// that it should not"). bench/vq_mouth_colour.sh scores real videos changed this way.
void recolour_mouth(Image& frame, const video::Landmarks& landmarks, float saturation, float gain);

// Not a fault either: fresh grain, as a camera and its codec leave on every frame of a
// real video (a render of a still portrait has none that changes), in place: luma noise of
// standard deviation `sigma` grey levels on every pixel, the same on the three channels.
// `seed` picks the pattern: a frame and a frozen copy of it get the same grain from the
// same seed. The VQ head's training draws it on clean and degraded pairs alike
// (docs/critic.md "What VQ rewards that it should not"; bench/vq_grain.sh).
void add_grain(Image& image, float sigma, std::uint64_t seed);

}  // namespace parla::critic
