// Private: constructors of the concrete generators, used by the registry.
#pragma once

#include <memory>

#include "fusion/fusion.h"

namespace parla::fusion {

std::unique_ptr<MotionGenerator> make_classic_generator(GeneratorParams params);
// Throws InputError when the weight file is missing or not a motion model.
std::unique_ptr<MotionGenerator> make_learned_generator(GeneratorParams params);
// `motion` with its eyelid channels taken from the blink process of blink_overlay.cpp
// (same features, same seed): blinks through any length, favouring pauses.
std::unique_ptr<MotionGenerator> with_classic_blinks(std::unique_ptr<MotionGenerator> motion,
                                                     GeneratorParams params);

}  // namespace parla::fusion
