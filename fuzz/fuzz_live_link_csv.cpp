// Unreal Live Link Face CSV (`render --motion x.csv`, `play`):
// parla::motion_from_live_link_csv, the parser read_motion_track uses for .csv files.
// Accepted tracks must be valid and survive both round trips (fuzz/track_checks.h).
#include "fuzz/track_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parla;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clean("fuzz.csv", fuzz::Allow::InputErrorOnly, [&] {
    MotionTrack track = motion_from_live_link_csv(text, "fuzz.csv");
    fuzz::check_track(track);
    fuzz::check_round_trip(track);
  });
  return 0;
}
