// The model's view of one feature frame (torch-free: the runtime and the trainer share it).
#include <cmath>

#include "experts/runtime.h"

namespace parla::experts {

void feature_vector(const audio::FeatureFrame& frame, float* out) {
  for (int b = 0; b < audio::kMelBins; ++b) out[b] = frame.log_mel[b];
  out[audio::kMelBins] = frame.energy_db / 10.f;
  out[audio::kMelBins + 1] = frame.f0_hz > 0.f ? std::log(frame.f0_hz / 150.f) : 0.f;
  out[audio::kMelBins + 2] = frame.voicing;
}

void silence_feature_vector(float* out) {
  audio::FeatureFrame silence;
  silence.log_mel.fill(std::log(1e-10f));
  feature_vector(silence, out);
}

}  // namespace parla::experts
