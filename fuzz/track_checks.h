// Shared by the MotionTrack harnesses: what every track a reader accepts must satisfy,
// and that what Parla writes from it reads back.
#pragma once

#include <cmath>

#include "core/core.h"
#include "fuzz/fuzz_support.h"

namespace parla::fuzz {

// Aborts unless `track` is one a reader may return: at least one frame, fps in 1..240,
// at most kMaxInputSeconds long, every value finite and inside its channel's range.
inline void check_track(const MotionTrack& track) {
  if (track.frames.empty()) fail("accepted a track with no frames");
  if (!(track.fps >= 1.0 && track.fps <= 240.0)) fail("accepted a track with fps outside 1..240");
  if (track.duration_seconds() > kMaxInputSeconds) fail("accepted a track longer than the limit");
  const auto& table = channel_table();
  for (const MotionFrame& frame : track.frames) {
    for (int c = 0; c < kChannelCount; ++c) {
      const float v = frame[c];
      if (!std::isfinite(v) || v < table[c].min || v > table[c].max) {
        fail("accepted a value that is not finite or outside its channel's range",
             std::string(table[c].name));
      }
    }
  }
}

// Aborts unless the track's JSON and Live Link CSV exports both write (no non-finite
// value) and read back as valid tracks: Parla must read what it writes.
inline void check_round_trip(const MotionTrack& track) {
  try {
    MotionTrack json = motion_from_json(motion_to_json(track), "round trip.json");
    check_track(json);
    if (json.frames.size() != track.frames.size()) fail("JSON round trip changed the frame count");
    MotionTrack csv = motion_from_live_link_csv(motion_to_live_link_csv(track), "round trip.csv");
    check_track(csv);
    if (csv.frames.size() != track.frames.size()) fail("CSV round trip changed the frame count");
  } catch (const std::exception& e) {
    fail("a track Parla accepted does not write and read back", e.what());
  }
}

}  // namespace parla::fuzz
