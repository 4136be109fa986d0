#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "core/core.h"
#include "tests/core/csv_rows.h"
#include "tests/support/testing.h"

namespace {

using parla::Channel;
using parla::MotionTrack;

// A track that exercises every channel across its natural range.
MotionTrack varied_track(int frames) {
  MotionTrack track;
  for (int i = 0; i < frames; ++i) {
    parla::MotionFrame f = parla::neutral_frame();
    double phase = i * 0.37;
    for (int c = 0; c < parla::kChannelCount; ++c) {
      const auto& info = parla::channel_table()[c];
      double span = std::min(info.max - info.min, 1.0f);
      double mid = 0.5 * (info.min + info.max);
      f[c] = static_cast<float>(mid + 0.45 * span * std::sin(phase + c));
    }
    track.frames.push_back(f);
  }
  return track;
}

TEST(ChannelTable, HasTwentyChannelsInContractOrder) {
  EXPECT_EQ(parla::channel_table().size(), 20u);
  EXPECT_EQ(parla::channel_index("jawOpen"), 0);
  EXPECT_EQ(parla::channel_index("eyeBlinkRight"), 9);
  EXPECT_EQ(parla::channel_index("headScale"), 19);
  EXPECT_EQ(parla::channel_index("nope"), -1);
}

TEST(MotionTrack, SampleInterpolatesAndClamps) {
  MotionTrack track;
  track.frames.assign(3, parla::neutral_frame());
  track.frames[1][0] = 1.f;
  EXPECT_FLOAT_EQ(track.sample(0.02)[0], 0.5f);  // halfway between frames 0 and 1
  EXPECT_FLOAT_EQ(track.sample(0.04)[0], 1.f);
  EXPECT_FLOAT_EQ(track.sample(-5.0)[0], 0.f);
  EXPECT_FLOAT_EQ(track.sample(99.0)[0], 0.f);
  auto doubled = track.resampled(50);
  EXPECT_EQ(doubled.frame_count(), 6);
  EXPECT_FLOAT_EQ(doubled.frames[1][0], 0.5f);
}

TEST(MotionJson, RoundTripKeepsEveryValue) {
  MotionTrack track = varied_track(50);
  MotionTrack back = parla::motion_from_json(parla::motion_to_json(track), "mem");
  ASSERT_EQ(back.frame_count(), 50);
  EXPECT_EQ(back.fps, 25.0);
  for (int i = 0; i < 50; ++i) {
    for (int c = 0; c < parla::kChannelCount; ++c) EXPECT_NEAR(back.frames[i][c], track.frames[i][c], 1e-5);
  }
}

TEST(MotionJson, AcceptsChannelsInAnyOrderAndSubsets) {
  auto track = parla::motion_from_json(R"({"fps":30,"channels":["headYaw","jawOpen"],"frames":[[0.1,0.5]]})", "m");
  EXPECT_EQ(track.fps, 30.0);
  EXPECT_FLOAT_EQ(track.value(0, Channel::JawOpen), 0.5f);
  EXPECT_FLOAT_EQ(track.value(0, Channel::HeadYaw), 0.1f);
  EXPECT_FLOAT_EQ(track.value(0, Channel::MouthClose), 0.f);
}

void expect_invalid(const std::string& json, const std::string& fragment) {
  try {
    parla::motion_from_json(json, "bad.json");
    FAIL() << "accepted: " << json;
  } catch (const parla::InputError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("bad.json"), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

TEST(MotionJson, ValidationNamesTheProblem) {
  expect_invalid("{nope", "not valid JSON");
  expect_invalid(R"({"channels":["jawOpen"],"frames":[]})", "fps");
  expect_invalid(R"({"fps":0,"channels":["jawOpen"],"frames":[]})", "outside 1..240");
  expect_invalid(R"({"fps":25,"channels":["jawOpn"],"frames":[]})", "unknown channel \"jawOpn\"");
  expect_invalid(R"({"fps":25,"channels":["jawOpen","jawOpen"],"frames":[]})", "appears twice");
  expect_invalid(R"({"fps":25,"channels":["jawOpen"],"frames":[[0.2,0.3]]})", "frame 0 has 2 values");
  expect_invalid(R"({"fps":25,"channels":["jawOpen"],"frames":[[0.2],[1.5]]})", "frame 1 channel jawOpen = 1.5");
  expect_invalid(R"({"fps":25,"channels":["headYaw"],"frames":[["x"]]})", "non-number");
}

TEST(LiveLinkCsv, HasTheLiveLinkFaceLayout) {
  std::string csv = parla::motion_to_live_link_csv(varied_track(30));
  std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header.rfind("Timecode,BlendShapeCount,EyeBlinkLeft,EyeLookDownLeft", 0), 0u);
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), 62);  // 63 columns
  EXPECT_NE(header.find(",TongueOut,HeadYaw,HeadPitch,HeadRoll,LeftEyeYaw"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 31);
  EXPECT_NE(csv.find("\n00:00:01:04.000,61,"), std::string::npos);  // frame 29 = 1 s + 4 frames
}

TEST(LiveLinkCsv, RoundTripKeepsEveryChannelWithAColumn) {
  MotionTrack track = varied_track(60);
  MotionTrack back = parla::motion_from_live_link_csv(parla::motion_to_live_link_csv(track), "m.csv");
  ASSERT_EQ(back.frame_count(), 60);
  EXPECT_EQ(back.fps, 25.0);
  for (int i = 0; i < 60; ++i) {
    for (int c = 0; c < parla::kChannelCount; ++c) {
      bool dropped = c >= parla::index(Channel::HeadX);  // no Live Link column
      EXPECT_NEAR(back.frames[i][c], dropped ? 0.f : track.frames[i][c], 1e-5) << "channel " << c;
    }
  }
}

using parla::testing::csv_rows;

// ARKit's MouthClose is a corrective over JawOpen (lips sealed while the jaw is open):
// it never exceeds JawOpen, however the track's jaw and lip seal combine.
TEST(LiveLinkCsv, MouthCloseIsTheLipSealOverTheOpenJaw) {
  MotionTrack track;
  for (float jaw : {0.f, 0.02f, 0.05f, 0.3f, 1.f}) {
    for (float seal : {0.f, 0.12f, 0.5f, 1.f}) {
      parla::MotionFrame f = parla::neutral_frame();
      f[parla::index(Channel::JawOpen)] = jaw;
      f[parla::index(Channel::MouthClose)] = seal;
      track.frames.push_back(f);
    }
  }
  auto rows = csv_rows(parla::motion_to_live_link_csv(track));
  ASSERT_EQ(rows.size(), track.frames.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    float jaw = track.value(static_cast<int>(i), Channel::JawOpen);
    float seal = track.value(static_cast<int>(i), Channel::MouthClose);
    EXPECT_EQ(rows[i]["JawOpen"], jaw);
    EXPECT_LE(rows[i]["MouthClose"], jaw + 1e-6f) << "jaw " << jaw << " seal " << seal;
    EXPECT_NEAR(rows[i]["MouthClose"], seal * jaw, 1e-6) << "jaw " << jaw << " seal " << seal;
    // The lips pressed together (p/b/m) show even with the jaw shut.
    EXPECT_NEAR(rows[i]["MouthPressLeft"], seal, 1e-6);
    EXPECT_NEAR(rows[i]["MouthPressRight"], seal, 1e-6);
  }
  // A bilabial closure with the jaw slightly open (the viseme table's p/b/m: jaw 0.05,
  // seal 1) is a full seal over that jaw.
  EXPECT_NEAR(rows[2 * 4 + 3]["MouthClose"], 0.05f, 1e-6);
  auto varied = csv_rows(parla::motion_to_live_link_csv(varied_track(200)));
  for (const auto& row : varied) EXPECT_LE(row.at("MouthClose"), row.at("JawOpen") + 1e-6f);
}

// A capture from ARKit itself (Live Link Face app) reads back as the seal it shows:
// MouthClose over an open jaw, or pressed lips over a shut one.
TEST(LiveLinkCsv, ReadsAnArkitSealOverAnOpenJaw) {
  std::string csv =
      "Timecode,BlendShapeCount,JawOpen,MouthClose,MouthPressLeft,MouthPressRight\n"
      "00:00:00:00.000,4,0.4,0.3,0.1,0.1\n"
      "00:00:00:01.000,4,0.01,0.01,0.8,0.6\n"
      "00:00:00:02.000,4,0.5,0,0,0\n";
  MotionTrack t = parla::motion_from_live_link_csv(csv, "arkit.csv");
  ASSERT_EQ(t.frame_count(), 3);
  EXPECT_NEAR(t.value(0, Channel::MouthClose), 0.75f, 1e-5);  // 0.3 of 0.4
  EXPECT_NEAR(t.value(1, Channel::MouthClose), 0.7f, 1e-5);   // pressed, jaw shut
  EXPECT_NEAR(t.value(2, Channel::MouthClose), 0.f, 1e-5);
}

TEST(LiveLinkCsv, RejectsMalformedFiles) {
  EXPECT_THROW(parla::motion_from_live_link_csv("", "e.csv"), parla::InputError);
  EXPECT_THROW(parla::motion_from_live_link_csv("Time,Foo\n", "e.csv"), parla::InputError);
  EXPECT_THROW(parla::motion_from_live_link_csv("Timecode,BlendShapeCount,Bogus\n00:00:00:00.000,1,0\n", "e.csv"),
               parla::InputError);
  EXPECT_THROW(parla::motion_from_live_link_csv("Timecode,BlendShapeCount,JawOpen\n00:00:00:00.000,1,abc\n", "e.csv"),
               parla::InputError);
}

TEST(MotionFiles, WriteAndReadBothForms) {
  parla::testing::ScratchDir dir;
  MotionTrack track = varied_track(10);
  parla::write_motion_track(track, dir / "t.json");
  parla::write_motion_track(track, dir / "t.csv");
  EXPECT_EQ(parla::read_motion_track(dir / "t.json").frame_count(), 10);
  EXPECT_EQ(parla::read_motion_track(dir / "t.csv").frame_count(), 10);
  EXPECT_THROW(parla::write_motion_track(track, dir / "t.txt"), parla::InputError);
  EXPECT_THROW(parla::read_motion_track(dir / "missing.json"), parla::InputError);
}

}  // namespace

namespace {

TEST(MotionStyle, ScalesEachGroupAndClamps) {
  parla::MotionFrame f = parla::neutral_frame();
  f[parla::index(Channel::JawOpen)] = 0.4f;
  f[parla::index(Channel::MouthClose)] = 0.3f;
  f[parla::index(Channel::HeadYaw)] = 0.2f;
  f[parla::index(Channel::HeadPitch)] = -0.1f;
  f[parla::index(Channel::BrowInnerUp)] = 0.5f;
  f[parla::index(Channel::EyeBlinkLeft)] = 0.8f;

  parla::MotionFrame same = f;
  parla::apply_motion_style(same, {});
  EXPECT_EQ(same, f);

  parla::MotionFrame g = f;
  parla::apply_motion_style(g, {.jaw_gain = 2.f, .head_motion = 0.f, .expression = 3.f});
  EXPECT_FLOAT_EQ(g[parla::index(Channel::JawOpen)], 0.8f);
  EXPECT_FLOAT_EQ(g[parla::index(Channel::MouthClose)], 0.3f);  // a seal, not a size
  EXPECT_FLOAT_EQ(g[parla::index(Channel::HeadYaw)], 0.f);
  EXPECT_FLOAT_EQ(g[parla::index(Channel::HeadPitch)], 0.f);
  EXPECT_FLOAT_EQ(g[parla::index(Channel::BrowInnerUp)], 1.f);  // 1.5 clamped to the range
  EXPECT_FLOAT_EQ(g[parla::index(Channel::EyeBlinkLeft)], 0.8f);  // blinks untouched
}

}  // namespace
