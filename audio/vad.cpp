// The noise floor follows the frame energy down at once and creeps up slowly (a
// minimum-statistics tracker, after Martin, IEEE TSAP 2001, simplified): speech has
// pauses every few hundred milliseconds, so the floor keeps finding the background
// while a steady noise, however loud, is learned within seconds.
#include "audio/vad.h"

#include <algorithm>

namespace parla::audio {

namespace {
constexpr float kFloorRiseDbPerFrame = 0.05f;  // 5 dB per second at 100 frames/s
constexpr float kLowestFloorDb = -100.f;
}  // namespace

VoiceActivity::VoiceActivity(float silence_floor_db, float margin_db, int hangover_frames)
    : silence_floor_db_(silence_floor_db),
      margin_db_(margin_db),
      hangover_frames_(hangover_frames),
      noise_floor_db_(silence_floor_db) {}

bool VoiceActivity::update(float energy_db, bool voiced) {
  noise_floor_db_ =
      std::max(kLowestFloorDb, std::min(energy_db, noise_floor_db_ + kFloorRiseDbPerFrame));
  bool loud = energy_db > std::max(noise_floor_db_ + margin_db_, silence_floor_db_);
  if (loud && voiced) {
    hangover_left_ = hangover_frames_;
    return true;
  }
  if (hangover_left_ > 0) {
    --hangover_left_;
    return energy_db > silence_floor_db_;
  }
  return false;
}

}  // namespace parla::audio
