// Generator registry and the whole-input convenience over the streaming interface.
#include "fusion/generators.h"

namespace parla::fusion {

std::vector<std::string> generator_names() { return {"learned", "classic"}; }

std::string default_generator_name() { return generator_names().front(); }

std::unique_ptr<MotionGenerator> make_generator(std::string_view name, GeneratorParams params) {
  if (name == "learned") return with_classic_blinks(make_learned_generator(params), params);
  if (name == "classic") return with_classic_blinks(make_classic_generator(params), params);
  std::string known;
  for (const auto& n : generator_names()) known += (known.empty() ? "" : ", ") + n;
  throw InputError("unknown generator '" + std::string(name) + "' (known: " + known + ")");
}

MotionTrack generate_motion(std::span<const audio::FeatureFrame> frames,
                            MotionGenerator& generator) {
  MotionTrack track;
  track.fps = kMotionFps;
  track.frames.reserve(frames.size() / 4 + 1);
  generator.push(frames, track.frames);
  generator.finish(track.frames);
  track.clamp_to_ranges();
  return track;
}

}  // namespace parla::fusion
