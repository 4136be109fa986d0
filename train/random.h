// Private to train: seed mixing so each shard, clip and stage gets an independent
// stream from one corpus seed (the generator itself is parla::Random in core).
#pragma once

#include <cstdint>

#include "core/core.h"

namespace parla::train {

using parla::mix_seed;
using parla::Random;

// The seed of sub-stream `stream` of `seed` (shard k of a corpus, stage s of a clip).
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return mix_seed(mix_seed(seed) ^ (stream * 0xD1B54A32D192ED03ull + 1));
}

}  // namespace parla::train
