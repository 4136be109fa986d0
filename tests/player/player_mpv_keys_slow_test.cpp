// The keys mpv users expect (issue #17), pressed with xdotool (XTEST) on the real
// `parla play` in its own Xvfb: `,`/`.` frame steps, `[`/`]` speed, m mute, l loop,
// f fullscreen, and the thin progress bar along the bottom when the HUD is off (grabbed
// from the screen with ffmpeg's x11grab: screenshots leave it out, as mpv's do).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/core.h"
#include "tests/player/support/pulse_server.h"
#include "tests/player/support/player_test.h"
#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::testing {
namespace {

#define REQUIRE_KEYS()                                                              \
  if (!have_display()) GTEST_SKIP() << "needs an X display: run under xvfb-run -a"; \
  if (!have_command("xdotool")) GTEST_SKIP() << "xdotool not installed (scripts/setup.sh)"


struct KeysRun {
  CommandResult result;
  nlohmann::json stats;
};

// Runs `parla play ARGS --stats` in a fresh Xvfb (1280x1024), focuses its window and
// runs `keys` (shell: xdotool key ..., sleep ...), then presses q.
KeysRun play_with_keys(const std::filesystem::path& dir, const std::string& args,
                       const std::string& keys, const std::string& env = "") {
  auto stats = dir / "stats.json";
  std::string script =
      "cd " + q(dir) + " && { " + env + parla() + " play " + args + " --stats " + q(stats) +
      " & pid=$!; "
      "id=$(xdotool search --sync --name 'parla play'); xdotool windowfocus --sync $id; " +
      keys + "; xdotool key q; wait $pid; }";
  std::ofstream(dir / "keys.sh") << script << "\n";
  KeysRun run;
  run.result =
      run_command("xvfb-run -a -s '-screen 0 1280x1024x24' bash " + q(dir / "keys.sh") + " 2>&1");
  if (std::filesystem::exists(stats)) run.stats = nlohmann::json::parse(read_text_file(stats));
  return run;
}

TEST(PlayMpvKeys, FrameStepsMoveOneFrameWhilePaused) {
  REQUIRE_KEYS();
  ScratchDir dir;
  // Pause, then . . , . . : from frame k to k+3, one 25 fps frame per press.
  auto run = play_with_keys(
      dir.path(), "--no-audio",
      "sleep 1.5; xdotool key space; sleep 0.3; "
      "for k in period period comma period period; do xdotool key $k; sleep 0.3; done");
  ASSERT_EQ(run.result.exit_code, 0) << run.result.output;
  std::smatch first;
  ASSERT_TRUE(
      std::regex_search(run.result.output, first, std::regex(R"(frame step (\d+) -> (\d+))")))
      << run.result.output;
  int k = std::stoi(first[1]);
  EXPECT_EQ(std::stoi(first[2]), k + 1);
  const auto& s = run.stats;
  EXPECT_EQ(s["frame_steps"].get<int>(), 5) << s.dump();
  EXPECT_EQ(s["frame_index_end"].get<int>(), k + 3) << s.dump();  // the frame actually on screen
  EXPECT_NEAR(s["clock_end_s"].get<double>(), (k + 3.5) / 25.0, 1e-6) << s.dump();  // still paused
}

TEST(PlayMpvKeys, SpeedUpRunsTheClockFaster) {
  REQUIRE_KEYS();
  ScratchDir dir;
  // Seven `]` = 1.1^7 = 1.95x for 3 s, from about 1 s in.
  auto run =
      play_with_keys(dir.path(), "--no-audio",
                     "sleep 1; for i in 1 2 3 4 5 6 7; do xdotool key bracketright; done; sleep 3");
  ASSERT_EQ(run.result.exit_code, 0) << run.result.output;
  const auto& s = run.stats;
  EXPECT_NEAR(s["speed"].get<double>(), 1.9487, 1e-3) << s.dump();
  // Media time gained over the wall time: ~0.95 x 3 s.
  double gained = s["clock_end_s"].get<double>() - s["wall_seconds"].get<double>();
  EXPECT_GT(gained, 2.0) << s.dump();
  EXPECT_LT(gained, 3.5) << s.dump();
}

// The RMS of 16-bit mono PCM recorded with parec (0 for an empty file).
double rms_s16(const std::filesystem::path& path) {
  std::string bytes = read_text_file(path);
  double sum = 0;
  const size_t n = bytes.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    std::int16_t v;
    std::memcpy(&v, bytes.data() + 2 * i, 2);
    sum += static_cast<double>(v) * v;
  }
  return n ? std::sqrt(sum / static_cast<double>(n)) : 0.0;
}

// On the audio clock (a paced PulseAudio null sink): m silences the sound but keeps the
// audio clock leading (the stream runs on, playing silence); m again brings the sound
// back with no hand-over, so the media time keeps up with the wall.
TEST(PlayMpvKeys, MuteSilencesTheSoundAndKeepsTheAudioClock) {
  REQUIRE_KEYS();
  PulseServer pulse;
  auto speech = shared_media_dir() / "speech" / "jfk_en_male.wav";  // 11.0 s
  // What reaches the speakers: 0.8 s before m, and 0.8 s from 1 s after it (the device's
  // buffer still plays what it had).
  const std::string record = pulse.env() + "timeout 0.8 parec -d speakers.monitor --raw --format=s16le --channels=1 --rate=16000 > ";
  auto muted = play_with_keys(pulse.dir(), q(data_dir() / "sample" / "portrait.png") + " " + q(speech),
                              "sleep 1.5; " + record + "loud.raw; xdotool key m; sleep 1; " + record + "quiet.raw",
                              pulse.env());
  ASSERT_EQ(muted.result.exit_code, 0) << muted.result.output;
  EXPECT_TRUE(muted.stats["muted"].get<bool>()) << muted.stats.dump();
  EXPECT_EQ(muted.stats["clock"], "audio") << muted.stats.dump();
  const double loud = rms_s16(pulse.dir() / "loud.raw"), quiet = rms_s16(pulse.dir() / "quiet.raw");
  std::printf("speakers' RMS: %.1f before m, %.1f after\n", loud, quiet);
  EXPECT_GT(loud, 100.0) << "speech before m";
  EXPECT_LT(quiet, 0.01 * loud) << "silence after m (RMS " << quiet << " vs " << loud << ")";
  // The audio clock ran on through the mute at the wall's pace (from 0.5 s of media on:
  // PlayStats::clock_advance_seconds; the stream's start-up under load is not counted).
  EXPECT_NEAR(muted.stats["clock_advance_s"].get<double>(), muted.stats["clock_wall_s"].get<double>(), 0.5)
      << muted.stats.dump();

  auto back =
      play_with_keys(pulse.dir(), q(data_dir() / "sample" / "portrait.png") + " " + q(speech),
                     "sleep 2; xdotool key m; sleep 1.5; xdotool key m; sleep 2", pulse.env());
  ASSERT_EQ(back.result.exit_code, 0) << back.result.output;
  const auto& s = back.stats;
  EXPECT_FALSE(s["muted"].get<bool>()) << s.dump();
  EXPECT_EQ(s["clock"], "audio") << s.dump();
  // Neither toggle lost or repeated time: from 0.5 s of media on, the media time kept
  // the wall's pace. (Measured from the process start instead, a slow stream start-up
  // under CI's load once cost 1.6 s and failed this test.)
  EXPECT_NEAR(s["clock_advance_s"].get<double>(), s["clock_wall_s"].get<double>(), 0.5) << s.dump();
  EXPECT_GT(s["frames_shown"].get<int>(), 100) << s.dump();
}

TEST(PlayMpvKeys, LoopPlaysPastTheEnd) {
  REQUIRE_KEYS();
  PulseServer pulse;
  // The bundled sample lasts 8.3 s; with l it starts again instead of quitting.
  // 12 s: should the device stop calling back at the loop (CI's loaded PulseAudio once
  // did), the wall takes over after 2 s and still plays more than a second round.
  auto run = play_with_keys(pulse.dir(), "", "sleep 1; xdotool key l; sleep 12", pulse.env());
  ASSERT_EQ(run.result.exit_code, 0) << run.result.output;
  const auto& s = run.stats;
  EXPECT_TRUE(s["looping"].get<bool>()) << s.dump();
  EXPECT_EQ(s["loops"].get<int>(), 1) << s.dump() << run.result.output;
  EXPECT_GT(s["wall_seconds"].get<double>(), 11.0) << s.dump();         // it did not quit at 8.3 s
  EXPECT_LT(s["clock_end_s"].get<double>(), 5.0) << run.result.output;  // the second time round
  // The audio clock ran again from 0 (it froze at the old end before AudioClock ignored
  // the stream's position until a callback had applied the seek).
  EXPECT_GT(s["clock_end_s"].get<double>(), 0.5) << s.dump();
  EXPECT_GT(s["frames_shown"].get<int>(), 209 + 12) << s.dump();
}

TEST(PlayMpvKeys, FullscreenFillsTheScreenAndComesBack) {
  REQUIRE_KEYS();
  ScratchDir dir;
  auto full = play_with_keys(dir.path(), "--no-audio", "sleep 1; xdotool key f; sleep 1");
  ASSERT_EQ(full.result.exit_code, 0) << full.result.output;
  EXPECT_TRUE(full.stats["fullscreen"].get<bool>()) << full.stats.dump();
  EXPECT_EQ(full.stats["framebuffer_width"].get<int>(), 1280) << full.stats.dump();
  EXPECT_EQ(full.stats["framebuffer_height"].get<int>(), 1024) << full.stats.dump();
  auto back = play_with_keys(dir.path(), "--no-audio",
                             "sleep 1; xdotool key f; sleep 1; xdotool key f; sleep 1");
  ASSERT_EQ(back.result.exit_code, 0) << back.result.output;
  EXPECT_FALSE(back.stats["fullscreen"].get<bool>()) << back.stats.dump();
  EXPECT_LT(back.stats["framebuffer_width"].get<int>(), 1280) << back.stats.dump();
}

// Grabs the window from the X screen: the bottom rows carry a green bar whose length is
// the share of the clip played; the S screenshot of the same moment has no bar.
TEST(PlayMpvKeys, AThinProgressBarRunsAlongTheBottomWithoutTheHud) {
  REQUIRE_KEYS();
  ScratchDir dir;
  auto run = play_with_keys(
      dir.path(), "--no-audio",
      "sleep 3; xdotool key space; sleep 0.5; eval $(xdotool getwindowgeometry --shell $id); "
      "ffmpeg -v error -f x11grab -video_size ${WIDTH}x${HEIGHT} -i $DISPLAY+$X,$Y -frames:v 1 "
      "grab.png; "
      "xdotool key s; sleep 0.5");
  ASSERT_EQ(run.result.exit_code, 0) << run.result.output;
  ASSERT_TRUE(std::filesystem::exists(dir / "grab.png")) << run.result.output;
  Image grab = video::load_image(dir / "grab.png");
  Image shot = video::load_image(dir / "parla-1.png");
  auto green = [](const Image& img, int x, int y) {
    const std::uint8_t* p = img.pixel(x, y);
    return p[1] > 200 && p[0] < 120 && p[2] < 160;  // the HUD's (0.2, 1.0, 0.4)
  };
  int y = grab.height - 2, filled = 0;
  for (int x = 0; x < grab.width; ++x) filled += green(grab, x, y);
  double fraction = static_cast<double>(filled) / grab.width;
  double played = run.stats["clock_end_s"].get<double>() / 8.32;
  std::printf("progress bar: %d of %d px green (%.2f), played %.2f\n", filled, grab.width, fraction,
              played);
  EXPECT_NEAR(fraction, played, 0.05);
  for (int x = 0; x < grab.width * 0.2; ++x) EXPECT_TRUE(green(grab, x, y)) << "x " << x;
  int shot_green = 0;
  for (int x = 0; x < shot.width; ++x) shot_green += green(shot, x, shot.height - 2);
  EXPECT_LT(shot_green, 5);  // the screenshot is the picture alone
}

}  // namespace
}  // namespace parla::testing
