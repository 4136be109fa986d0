// MotionTrack JSON (`render --motion x.json`, `play`): parla::motion_from_json, the
// parser behind read_motion_track for every non-.csv track. Accepted tracks must be
// valid and survive a JSON and a Live Link CSV round trip (fuzz/track_checks.h).
#include "fuzz/track_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parla;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clean("fuzz.json", fuzz::Allow::InputErrorOnly, [&] {
    MotionTrack track = motion_from_json(text, "fuzz.json");
    fuzz::check_track(track);
    fuzz::check_round_trip(track);
  });
  return 0;
}
