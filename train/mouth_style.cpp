// Per-clip articulation style of the corpus labels, drawn from the clip's seed (the
// mouth model itself is text::add_mouth_motion, docs/corpus.md "Mouth labels").
#include "train/random.h"
#include "train/train.h"

namespace parla::train {

MouthStyle draw_mouth_style(std::uint64_t seed) {
  Random rng(derive_seed(seed, 11));
  MouthStyle s;
  s.jaw_gain = rng.uniform(0.8, 1.15);
  s.lip_gain = rng.uniform(0.8, 1.2);
  s.smile_baseline = rng.uniform(0.0, 0.25);
  s.anticipation_s = rng.uniform(0.05, 0.15);
  return s;
}

}  // namespace parla::train
