// The helpers every input error goes through (issue #15): short escaped excerpts,
// line/column positions, capped one-line messages, and writers that refuse NaN.
#include <gtest/gtest.h>

#include <cmath>

#include "core/core.h"
#include "core/json_input.h"

namespace parla {
namespace {

TEST(Excerpt, EscapesBytesAndCutsLongInput) {
  EXPECT_EQ(excerpt("jawOpen"), "jawOpen");
  EXPECT_EQ(excerpt(std::string_view("a\x01\xff\n", 4)), "a\\x01\\xFF\\x0A");
  std::string long_input(1 << 20, 'x');
  EXPECT_EQ(excerpt(long_input, 8), "xxxxxxxx...");
  EXPECT_LE(excerpt(std::string(100, '\x1b'), 32).size(), 35u);
}

TEST(TextPosition, CountsLinesAndColumnsFromOne) {
  EXPECT_EQ(text_position("abc", 0), "line 1, column 1");
  EXPECT_EQ(text_position("ab\ncd", 4), "line 2, column 2");
}

TEST(CappedMessage, IsOneLineOfAtMost200Characters) {
  EXPECT_EQ(capped_message("short"), "short");
  std::string capped = capped_message(std::string(5000, 'y') + "\nsecond line");
  EXPECT_EQ(capped.size(), kMaxErrorChars);
  EXPECT_EQ(capped.substr(capped.size() - 3), "...");
  EXPECT_EQ(capped_message("a\nb"), "a b");
}

TEST(ParseJsonInput, NamesThePositionNeverTheWholeToken) {
  try {
    parse_json_input("{\"x\": [1, " + std::string(100000, '9') + "]}", "invalid thing 'f.json'");
    FAIL() << "no error";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_LT(what.size(), 200u) << what;
    EXPECT_NE(what.find("f.json"), std::string::npos);
    EXPECT_NE(what.find("line 1, column"), std::string::npos);
    EXPECT_NE(what.find("too large for a double"), std::string::npos);
  }
  EXPECT_THROW(parse_json_input("[1e400]", "x"), InputError);
  EXPECT_THROW(parse_json_input("{} trailing", "x"), InputError);
  EXPECT_THROW(parse_json_input("\"\xff\"", "x"), InputError);
  EXPECT_EQ(parse_json_input("[1, 2]", "x").size(), 2u);
}

TEST(MotionWriters, RefuseNonFiniteValues) {
  MotionTrack track;
  track.frames.assign(3, neutral_frame());
  track.frames[1][index(Channel::JawOpen)] = std::nanf("");
  EXPECT_THROW(motion_to_json(track), Error);
  EXPECT_THROW(motion_to_live_link_csv(track), Error);
  track.frames[1][index(Channel::JawOpen)] = 0.5f;
  track.fps = INFINITY;
  EXPECT_THROW(motion_to_json(track), Error);
}

TEST(MotionReaders, RefuseEmptyAndReversedTracks) {
  EXPECT_THROW(motion_from_json(R"({"fps":25,"channels":["jawOpen"],"frames":[]})", "t.json"), InputError);
  EXPECT_THROW(motion_from_live_link_csv("Timecode,BlendShapeCount,JawOpen\n", "t.csv"), InputError);
  EXPECT_THROW(motion_from_live_link_csv("Timecode,BlendShapeCount,JawOpen\n00:00:00:05.000,52,0.1\n"
                                         "00:00:00:04.000,52,0.1\n",
                                         "t.csv"),
               InputError);
  EXPECT_NO_THROW(motion_from_live_link_csv("Timecode,BlendShapeCount,JawOpen\n00:00:00:04.000,52,0.1\n"
                                            "00:00:00:05.000,52,0.1\n",
                                            "t.csv"));
}

}  // namespace
}  // namespace parla
