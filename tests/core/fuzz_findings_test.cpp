// Inputs the libFuzzer harnesses found (fuzz/, docs/limits.md "Fuzzing") in core's
// readers, each refused as an InputError that names the file, or read correctly.
#include <gtest/gtest.h>

#include <string>

#include "core/core.h"

namespace parla {
namespace {

std::string csv(const std::string& first, const std::string& second) {
  return "Timecode,BlendShapeCount,JawOpen\n" + first + ",1,0.1\n" + second + ",1,0.2\n";
}

void expect_bad_timecode(const std::string& timecode) {
  try {
    motion_from_live_link_csv(csv(timecode, timecode), "t.csv");
    ADD_FAILURE() << "accepted timecode " << timecode;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'t.csv'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is not HH:MM:SS:FF"), std::string::npos) << e.what();
  }
}

// fuzz_live_link_csv: hours of 999999999 overflowed int in the row-order check (UBSan:
// signed integer overflow), and sscanf's %d on a number beyond int is undefined.
TEST(FuzzFindings, LiveLinkTimecodeFieldsAreRangeChecked) {
  expect_bad_timecode("999999999:00:00:00");
  expect_bad_timecode("99999999999999999999:00:00:00");
  expect_bad_timecode("24:00:00:00");
  expect_bad_timecode("00:00:00:240");
  expect_bad_timecode("00:00:00:05junk");
  expect_bad_timecode("00:00:00:05.");
  expect_bad_timecode("-1:00:00:00");
  expect_bad_timecode("00:00:00");
  // What Live Link writes, with and without the subframe, still reads.
  EXPECT_EQ(motion_from_live_link_csv(csv("23:59:58:29.871", "23:59:59:00.003"), "t.csv").frame_count(), 2);
  EXPECT_EQ(motion_from_live_link_csv(csv("00:00:00:05", "00:00:00:06"), "t.csv").frame_count(), 2);
}

}  // namespace
}  // namespace parla
