// Shared by the generator suites: ~9 s of real espeak-ng speech with a 2-second pause
// (features computed once per process) and a per-channel view of a track.
#pragma once

#include <vector>

#include "audio/audio.h"
#include "core/core.h"
#include "tests/support/testing.h"

namespace parla::testing {

inline const audio::Features& speech_with_pause_features() {
  static const audio::Features features = [] {
    ScratchDir dir;
    make_speech_with_pause(dir / "all.wav");
    return audio::compute_features(audio::decode_audio(dir / "all.wav"));
  }();
  return features;
}

inline std::vector<float> channel_values(const MotionTrack& track, Channel c) {
  std::vector<float> values;
  values.reserve(track.frames.size());
  for (const auto& frame : track.frames) values.push_back(frame[index(c)]);
  return values;
}

}  // namespace parla::testing
