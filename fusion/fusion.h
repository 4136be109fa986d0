// fusion: audio features → MotionTrack. Every generator — the classic rule-based
// baseline now, the learned diffusion model later — speaks one streaming interface,
// so `render`, `motion`, `play` and `live` do not care which one runs.
//
//   auto gen = parla::fusion::make_generator("classic", {.seed = 7});
//   parla::MotionTrack track = parla::fusion::generate_motion(features, *gen);
//   // or streaming, as features arrive:
//   std::vector<parla::MotionFrame> out;
//   gen->push(new_feature_frames, out);   // appends finished 25 fps frames
//   gen->finish(out);                     // flushes the look-ahead tail
//
// Thread safety: a generator is used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audio/audio.h"
#include "core/core.h"

namespace parla::fusion {

struct GeneratorParams {
  std::uint64_t seed = 0;  // same seed + same audio → identical motion
};

// Feature frames (100 per second) in, motion frames (25 per second) out. Motion frame
// k shows time k / 25 s; N feature frames yield ceil(N / 4) motion frames in total.
class MotionGenerator {
 public:
  virtual ~MotionGenerator() = default;
  virtual std::string_view name() const = 0;
  // Consumes the next feature frames; appends every motion frame now complete.
  virtual void push(std::span<const audio::FeatureFrame> frames, std::vector<MotionFrame>& out) = 0;
  // End of input: appends the remaining motion frames.
  virtual void finish(std::vector<MotionFrame>& out) = 0;
  // Audio after a frame's time that must arrive before that frame is emitted.
  virtual double lookahead_seconds() const = 0;
};

// Names accepted by make_generator, default first.
std::vector<std::string> generator_names();
std::string default_generator_name();
// Throws InputError for an unknown name, listing the known ones.
std::unique_ptr<MotionGenerator> make_generator(std::string_view name, GeneratorParams params = {});

// Whole-input convenience over push/finish; the result is kMotionFps and clamped.
MotionTrack generate_motion(std::span<const audio::FeatureFrame> frames, MotionGenerator& generator);

}  // namespace parla::fusion
