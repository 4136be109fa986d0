// The Live Link Face CSV of a real export (JFK, shipped weights through the real
// `parla motion`) follows ARKit's semantics: MouthClose is the lip seal over an open jaw,
// so it never exceeds JawOpen, closures still show, and reading the file back gives the
// track the JSON export holds.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "core/core.h"
#include "tests/core/csv_rows.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::Channel;
using parla::testing::shell_quote;

std::string q(const fs::path& p) { return shell_quote(p.string()); }

fs::path jfk() { return parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav"; }

void export_motion(const fs::path& out) {
  auto r = parla::testing::run_command(q(parla::testing::parla_executable()) + " motion -q " + q(jfk()) +
                                       " -o " + q(out) + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

// Rows of a CSV file as column name → value (Timecode dropped).
std::vector<std::map<std::string, float>> read_rows(const fs::path& path) {
  return parla::testing::csv_rows(parla::read_text_file(path));
}

TEST(LiveLinkCsvExport, MouthCloseNeverExceedsJawOpenOnARealExport) {
  parla::testing::ScratchDir dir;
  export_motion(dir / "jfk.csv");
  export_motion(dir / "jfk.json");
  auto rows = read_rows(dir / "jfk.csv");
  parla::MotionTrack track = parla::read_motion_track(dir / "jfk.json");
  ASSERT_EQ(rows.size(), 275u);
  ASSERT_EQ(track.frame_count(), 275);
  int above = 0, sealed_over_open_jaw = 0, closures = 0, closures_shown = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    float jaw = rows[i]["JawOpen"], close = rows[i]["MouthClose"];
    above += close > jaw + 1e-4f;
    EXPECT_LE(close, jaw + 1e-4f) << "row " << i << " JawOpen " << jaw << " MouthClose " << close;
    // A closure (p/b/m: the track's lips sealed) with the jaw slightly open still
    // shows as a seal over that jaw and as pressed lips.
    float seal = track.value(static_cast<int>(i), Channel::MouthClose);
    if (seal >= 0.5f && jaw >= 0.02f) {
      ++closures;
      closures_shown += close >= 0.5f * jaw && rows[i]["MouthPressLeft"] >= 0.5f;
    }
    sealed_over_open_jaw += close > 0.01f;
  }
  EXPECT_EQ(above, 0);
  EXPECT_GT(closures, 5);
  EXPECT_EQ(closures_shown, closures);
  EXPECT_GT(sealed_over_open_jaw, 5);
}

TEST(LiveLinkCsvExport, ReadingARealExportBackGivesTheJsonTrack) {
  parla::testing::ScratchDir dir;
  export_motion(dir / "jfk.csv");
  export_motion(dir / "jfk.json");
  parla::MotionTrack csv = parla::read_motion_track(dir / "jfk.csv");
  parla::MotionTrack json = parla::read_motion_track(dir / "jfk.json");
  ASSERT_EQ(csv.frame_count(), json.frame_count());
  for (int i = 0; i < json.frame_count(); ++i) {
    for (int c = 0; c < parla::index(Channel::HeadX); ++c) {
      EXPECT_NEAR(csv.frames[i][c], json.frames[i][c], 1e-4) << "frame " << i << " channel " << c;
    }
  }
}

}  // namespace
