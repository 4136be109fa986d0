// Inputs the libFuzzer harnesses found (fuzz/, docs/limits.md "Fuzzing") in core's
// readers, each refused as an InputError that names the file, or read correctly.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/core.h"
#include "core/riff_check.h"
#include "tests/support/testing.h"

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

// fuzz_audio: a 102-byte WAV whose LIST INFO entry (id 00 0e 00 00) claims 1.9 GB made FFmpeg's RIFF
// INFO reader allocate and zero that much (2 GB touched, 7 s of CPU) before failing. The
// chunk walk names the entry; every real RIFF file here passes.
TEST(FuzzFindings, RiffInfoEntriesBeyondTheFileAreFound) {
  const std::filesystem::path repo = testing::data_dir().parent_path();
  auto problem = riff_info_problem(repo / "fuzz" / "corpus" / "audio" / "finding-riff-info-2gb.wav");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, "its INFO entry '\?\?\?\?' at byte 64 claims 1986087936 bytes; the file holds 102");

  int riff_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::shared_media_dir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    char head[4] = {};
    if (!in.read(head, 4) || std::string(head, 4) != "RIFF") continue;
    ++riff_files;
    EXPECT_FALSE(riff_info_problem(entry.path()).has_value()) << entry.path();
  }
  EXPECT_GE(riff_files, 3);
  // Not RIFF, or not there: nothing to say (the decoder words those).
  EXPECT_FALSE(riff_info_problem(testing::data_dir() / "sample" / "portrait.png").has_value());
  EXPECT_FALSE(riff_info_problem(repo / "no-such-file.wav").has_value());
}

}  // namespace
}  // namespace parla
