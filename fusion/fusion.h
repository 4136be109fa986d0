// fusion: audio features → MotionTrack. Every generator — the learned diffusion model
// (default, "learned") and the classic rule-based baseline ("classic") — speaks one
// streaming interface, so `render`, `motion`, `play` and `live` do not care which runs.
//
//   auto gen = parla::fusion::make_generator("learned", {.seed = 7, .steps = 8});
//   parla::MotionTrack track = parla::fusion::generate_motion(features, *gen);
//   // or streaming, as features arrive:
//   std::vector<parla::MotionFrame> out;
//   gen->push(new_feature_frames, out);   // appends finished 25 fps frames
//   gen->finish(out);                     // flushes the look-ahead tail
//
// Thread safety: a generator is used from one thread at a time; the learned one computes
// on the calling thread only (no LibTorch, no thread pool), so callers choose its thread.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audio/audio.h"
#include "core/core.h"
#include "experts/runtime.h"

namespace parla::fusion {

struct GeneratorParams {
  std::uint64_t seed = 0;  // same seed + same audio → identical motion
  // Learned generator only (0 = its default):
  int steps = 0;             // DDIM steps, 1..50 (default 2)
  int chunk_frames = 0;      // motion frames emitted per window, 1..50 (default 46; live: 1)
  int lookahead_frames = 0;  // frames of audio past the chunk each window sees, 0..49 (default 4)
  std::filesystem::path weights;  // weight file (default: data/models/base/base.pt)
  // The lips from the last DDIM step like every other channel, instead of the first
  // step's x_0 prediction: candidates of different seeds then differ in their lips too
  // (the preference set samples them so; `parla train prefs`).
  bool full_ddim_lips = false;
  // TLPO experts (issue #11; docs/learned_generator.md "Experts"): three LoRA sets (ls, mn,
  // vq) on the denoiser, fused per diffusion time and layer by the gate g(t, l).
  // Gate: scale s_e · g_e(t, l) (the default when the experts dir holds ls.pt, mn.pt,
  // vq.pt and gate.pt; the default dir missing any of them = the base model, silently);
  // Uniform: s_e · 1 (the uniform merge, for evaluation); Off: the base model.
  enum class Fusion { Off, Gate, Uniform };
  Fusion fusion = Fusion::Gate;
  // empty = default_experts_dir(), used only with the default base weights (other
  // weights run without experts unless given a dir); explicit + incomplete = InputError.
  std::filesystem::path experts_dir;
  std::array<float, 3> expert_scale{1, 1, 1};  // s_e in set order ls, mn, vq; each 0..4; all 0 = base
  // With experts: jawOpen and mouthClose from the base model's own DDIM chain, run beside
  // the experts' from the same noise (so exactly the base generator's), the experts
  // deciding every other channel. Keeps the critic-tuned experts from trading the jaw's
  // and the closures' fidelity for the critic's approval (docs/experts.md "The base's
  // jaw"); costs one more chain. false: the experts decide every channel.
  bool base_jaw = true;
  // Every generator:
  MotionStyle style;        // --jaw-gain, --head-motion, --expression (core/core.h)
  double blink_rate = -1;   // blinks per minute; -1 = natural (~kNaturalBlinkRate), 0 = never
};

// Blinks a minute of the blink process on real speech at its natural rate (docs:
// fusion/blink_overlay.cpp); --blink-rate scales its intervals against this.
inline constexpr double kNaturalBlinkRate = 19.0;

// The defaults of the learned generator's streaming, for callers that print them.
// The lips are the first step's prediction whatever the count; later steps refine the
// head, brows and gaze. 2 keeps generation well above 100x real time.
inline constexpr int kDefaultSteps = 2;
inline constexpr int kDefaultChunkFrames = 46;     // whole files: 1.84 s per window
inline constexpr int kLiveChunkFrames = 1;         // live: a window every 40 ms (every frame)
inline constexpr int kDefaultLookaheadFrames = 4;  // 160 ms of audio past the chunk

// Feature frames (100 per second) in, motion frames (25 per second) out. Motion frame
// k shows time k / 25 s; N feature frames yield ceil(N / 4) motion frames in total.
// A generator serves one stream: push() any number of times, then finish() once; push or
// finish after that throws Error. Make a new generator (make_generator) for the next
// audio.
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

// The weight file the learned generator reads when params.weights is empty.
std::filesystem::path default_learned_weights();
// The experts directory the learned generator reads when params.experts_dir is empty
// (data/models/experts).
std::filesystem::path default_experts_dir();

// The learned generator exactly as make_generator("learned", params) builds it, over
// another implementation of the motion model (params.weights unused): the LibTorch
// reference experts::TorchNetwork in tests and benchmarks.
std::unique_ptr<MotionGenerator> make_learned_generator(
    GeneratorParams params, std::unique_ptr<experts::MotionNetwork> network);

// Whole-input convenience over push/finish; the result is kMotionFps and clamped.
MotionTrack generate_motion(std::span<const audio::FeatureFrame> frames,
                            MotionGenerator& generator);

}  // namespace parla::fusion
