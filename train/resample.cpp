// Speed perturbation: audio played back `factor` times faster is audio at factor × 16 kHz
// resampled to 16 kHz (text::resample, libswresample).
#include <cmath>

#include "train/train.h"

namespace parla::train {

std::vector<float> speed_perturb(std::span<const float> audio, double factor,
                                 std::vector<Phone>& phones) {
  if (factor == 1.0) return {audio.begin(), audio.end()};
  int from_rate = static_cast<int>(std::lround(kSampleRate * factor));
  double exact = static_cast<double>(from_rate) / kSampleRate;  // the factor actually applied
  std::vector<float> out = resample(audio, from_rate, kSampleRate);
  auto n = static_cast<std::int64_t>(out.size());
  for (Phone& p : phones) {
    p.start_sample = std::min(n, static_cast<std::int64_t>(std::llround(p.start_sample / exact)));
    p.end_sample = std::min(n, static_cast<std::int64_t>(std::llround(p.end_sample / exact)));
  }
  if (!phones.empty()) phones.back().end_sample = n;
  return out;
}

}  // namespace parla::train
