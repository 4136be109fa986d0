// `parla play` / `parla live` end to end: a real window (the X display scripts/test.sh
// provides with xvfb-run), real PortAudio streams on a private PulseAudio null sink paced
// in real time, statistics read back from --stats.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/player/support/pulse_server.h"
#include "tests/player/support/player_test.h"
#include "tests/support/testing.h"
#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace parla::testing {
namespace {



double psnr(const Image& a, const Image& b) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  if (a.rgb.size() != b.rgb.size()) return 0;
  double sum = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    double d = static_cast<double>(a.rgb[i]) - b.rgb[i];
    sum += d * d;
  }
  double mse = sum / static_cast<double>(a.rgb.size());
  return mse == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

TEST(PlayHeadless, NoDisplaySuggestsXvfbOrRender) {
  auto r = run_command("env -u DISPLAY -u WAYLAND_DISPLAY " + parla() + " play --no-audio");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("xvfb-run"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("parla render"), std::string::npos) << r.output;
}

TEST(PlayHeadless, NoAudioDeviceSuggestsNoAudio) {
  REQUIRE_DISPLAY();
  ScratchDir dir;
  std::filesystem::create_directories(dir / "home");
  // No ALSA configuration of its own and no reachable PulseAudio: no device at all.
  std::string env = "env HOME=" + shell_quote((dir / "home").string()) +
                    " XDG_RUNTIME_DIR=" + shell_quote(dir.path().string()) +
                    " PULSE_SERVER=unix:/nonexistent ";
  auto r = run_command(env + parla() + " play --frames 5");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no audio output device"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--no-audio"), std::string::npos) << r.output;
  auto silent = run_command(env + parla() + " play --no-audio --frames 5");
  EXPECT_EQ(silent.exit_code, 0) << silent.output;
}

// The OpenGL path (mesh + GLSL shading) against video::Renderer on the same frames:
// mid-sentence, the widest mouth (teeth, tongue), the deepest blink and shut lips.
TEST(PlayPicture, GlFramesMatchTheCpuRenderer) {
  REQUIRE_DISPLAY();
  ScratchDir dir;
  auto portrait_path = data_dir() / "sample" / "portrait.png";
  auto track_path = dir / "track.json";
  auto made = run_command(parla() + " motion " +
                          shell_quote((data_dir() / "sample" / "speech.flac").string()) +
                          " -q -o " + shell_quote(track_path.string()));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  MotionTrack track = read_motion_track(track_path);
  auto argmax = [&](auto score) {
    std::int64_t best = 0;
    for (std::int64_t k = 0; k < track.frame_count(); ++k) {
      if (score(track.frames[k]) > score(track.frames[best])) best = k;
    }
    return best;
  };
  std::int64_t widest = argmax([](const MotionFrame& m) { return m[index(Channel::JawOpen)]; });
  std::int64_t blink = argmax([](const MotionFrame& m) {
    return m[index(Channel::EyeBlinkLeft)] + m[index(Channel::EyeBlinkRight)];
  });
  std::int64_t shut = argmax([](const MotionFrame& m) { return m[index(Channel::MouthClose)]; });
  std::int64_t quietest = argmax([](const MotionFrame& m) { return -m[index(Channel::JawOpen)]; });
  ASSERT_GT(track.frames[widest][index(Channel::JawOpen)], 0.3f);
  ASSERT_GT(track.frames[blink][index(Channel::EyeBlinkLeft)], 0.5f);
  ASSERT_GT(track.frames[shut][index(Channel::MouthClose)], 0.8f);

  // The sample shows its teeth; the illustration's shut mouth gets both painted rows of
  // teeth (video/mouth.cpp), whose shading the GL shader repeats line for line. The
  // sample's shut frame draws the lips' contact line (lip_seam).
  const auto illustration_path = testing::shared_media_dir() / "portraits" / "illustration.png";
  // A small face from a low-resolution video, enlarged: the interior's edges soften to
  // the portrait's pixels (mouth_detail_px).
  const auto small_face_path = dir / "small_face.png";
  video::save_png(testing::load_face({"small", testing::shared_media_dir() / "realtalk" /
                                                   "mtanveer1_AVCrossNet__E1_silent_plus_target.mp4", 1.0}),
                  small_face_path);
  // A frame taken mid-word (own jaw 0.23): below its own jaw the lips close over its
  // opening (video::rig_motion), in the GL view as on the CPU.
  const auto mid_word_path = dir / "mid_word.png";
  video::save_png(testing::load_face({"mid_word", testing::shared_media_dir() / "video" / "hdtf_katiehill.mp4", 6.5}),
                  mid_word_path);
  struct Case {
    std::filesystem::path portrait;
    std::vector<std::int64_t> frames;
  };
  for (const Case& c : {Case{portrait_path, {50, widest, blink, shut}}, Case{illustration_path, {widest}},
                       Case{small_face_path, {widest}}, Case{mid_word_path, {quietest, 50}}}) {
    Image portrait = video::load_image(c.portrait);
    video::Rig rig(portrait, video::fit_face(portrait, c.portrait.string()));
    video::Renderer cpu(rig);
    const std::string name = c.portrait.stem().string();
    for (std::int64_t k : c.frames) {
      for (const char* backend : {"gl", "cpu"}) {
        auto shot = dir / (name + std::to_string(k) + backend + ".png");
        char at[32];
        std::snprintf(at, sizeof at, "%.6f", static_cast<double>(k) / kMotionFps);
        auto r = run_command(parla() + " play " + shell_quote(c.portrait.string()) + " " +
                             shell_quote((data_dir() / "sample" / "speech.flac").string()) +
                             " --no-audio --renderer " + backend + " --motion " +
                             shell_quote(track_path.string()) + " --screenshot-at " + at + " " +
                             shell_quote(shot.string()));
        ASSERT_EQ(r.exit_code, 0) << r.output;
        ASSERT_NE(r.output.find("saved frame " + std::to_string(k) + " "), std::string::npos)
            << r.output;
        double db = psnr(video::load_image(shot), cpu.render(track.frames[k]));
        RecordProperty("psnr_" + name + "_" + std::string(backend) + "_frame" + std::to_string(k),
                       std::to_string(db));
        std::printf("%s frame %lld %s: PSNR %.2f dB\n", name.c_str(), static_cast<long long>(k), backend, db);
        EXPECT_GE(db, 35.0) << name << " " << backend << " frame " << k;
      }
    }
  }
}

TEST(PlaySync, PacedAvOffsetStaysWithinOneFrameOverTenSeconds) {
  REQUIRE_DISPLAY();
  PulseServer pulse;
  auto stats_path = pulse.dir() / "stats.json";
  auto speech = shared_media_dir() / "speech" / "jfk_en_male.wav";  // 11.0 s
  auto r =
      run_command(pulse.env() + parla() + " play " +
                  shell_quote((data_dir() / "sample" / "portrait.png").string()) + " " +
                  shell_quote(speech.string()) + " --stats " + shell_quote(stats_path.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = read_stats(stats_path);
  EXPECT_EQ(s["clock"], "audio") << r.output;
  EXPECT_GE(s["clock_advance_s"].get<double>(), 10.0);
  // Paced: the audio clock ran at wall-clock speed (an unpaced device runs ~20x
  // faster). A stall of the loaded machine may hold the clock back a little: the picture
  // then rightly waits for the sound, so this allows 5 %; typically it is within 40 ms.
  // After reported underruns (the box starved the sound server) it can only be slower.
  double advance = s["clock_advance_s"].get<double>(), wall = s["clock_wall_s"].get<double>();
  if (s["audio_underruns"].get<int>() == 0) {
    EXPECT_NEAR(advance / wall, 1.0, 0.05) << s.dump();
  } else {
    EXPECT_LE(advance / wall, 1.05) << s.dump();
  }
  // ... and the picture followed it within one frame on 99 % of the redraws, never by
  // 0.1 s (as PlayEveryday). The worst redraw is as slow as the machine: with both cores
  // busy beside it, one read 42.3 ms (mean 1.1 ms), and on the wall clock 81 ms (99 %
  // within 23 ms): its software GL draw slowed down.
  EXPECT_LE(s["av_offset_abs_p99_s"].get<double>(), 0.04) << s.dump();
  EXPECT_GE(s["av_offset_min_s"].get<double>(), -0.1) << s.dump();
  EXPECT_LE(s["av_offset_max_s"].get<double>(), 0.1) << s.dump();
  EXPECT_EQ(s["frames_late"].get<int>(), 0) << s.dump();
  EXPECT_GE(s["frames_shown"].get<int>(), 270) << s.dump();  // 11 s at 25 fps
  EXPECT_GE(s["fps"].get<double>(), 50.0) << s.dump();
}

TEST(PlaySync, SurvivesTheAudioDeviceDisappearing) {
  REQUIRE_DISPLAY();
  PulseServer pulse;
  auto stats_path = pulse.dir() / "stats.json";
  // Kill the server 1.5 s after the player's stream appears on it (start-up under load
  // can take seconds: killing earlier tests "no device", not "device lost").
  std::string killer =
      "(for i in $(seq 300); do " + pulse.env() +
      "pactl list short sink-inputs | grep -q . && break; sleep 0.1; done; sleep 1.5; " +
      pulse.env() + "pulseaudio --kill)";
  auto r = run_command("{ " + killer + " & " + pulse.env() + parla() + " play --stats " +
                       shell_quote(stats_path.string()) + "; status=$?; wait; exit $status; }");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("continuing on the wall clock"), std::string::npos) << r.output;
  auto s = read_stats(stats_path);
  EXPECT_TRUE(s["audio_lost"].get<bool>());
  EXPECT_GE(s["frames_shown"].get<int>(), 200);  // the 8.3 s sample to its end
  // In sync across the hand-over, as PlaySync.PacedAvOffset... holds it.
  EXPECT_LE(s["av_offset_abs_p99_s"].get<double>(), 0.04) << s.dump();
  EXPECT_LE(s["av_offset_max_s"].get<double>(), 0.1) << s.dump();
}

// Keys through xdotool (XTEST): H, S, space twice (1 s paused), → (seek +5 s), Q.
TEST(PlayKeys, PauseSeekScreenshotAndQuit) {
  REQUIRE_DISPLAY();
  if (!have_command("xdotool"))
    GTEST_SKIP() << "xdotool not installed (scripts/setup.sh installs it)";
  ScratchDir dir;
  auto stats_path = dir / "stats.json";
  std::string script =
      "cd " + shell_quote(dir.path().string()) + " && { " + parla() + " play --no-audio --stats " +
      shell_quote(stats_path.string()) +
      " & pid=$!; "
      "id=$(xdotool search --sync --name 'parla play'); xdotool windowfocus --sync $id; "
      "sleep 1; xdotool key h; sleep 0.3; xdotool key s; sleep 0.3; "
      "xdotool key space; sleep 1; xdotool key space; sleep 0.3; "
      "xdotool key Right; sleep 0.5; xdotool key q; wait $pid; }";
  // A display of its own: keys go to the focused window, and other tests open windows.
  std::ofstream(dir / "keys.sh") << script << "\n";
  auto r = run_command("xvfb-run -a bash " + shell_quote((dir / "keys.sh").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = read_stats(stats_path);
  EXPECT_EQ(s["pauses"].get<int>(), 2) << s.dump();
  EXPECT_EQ(s["seeks"].get<int>(), 1) << s.dump();
  EXPECT_EQ(s["screenshots"].get<int>(), 1) << s.dump();
  ASSERT_TRUE(std::filesystem::exists(dir / "parla-1.png")) << r.output;
  EXPECT_GT(video::load_image(dir / "parla-1.png").width, 0);
  // Quit early (the sample lasts 8.3 s); the clock lost the 1 s pause and gained 5 s.
  double wall = s["wall_seconds"].get<double>();
  EXPECT_LT(wall, 7.0) << s.dump();
  EXPECT_NEAR(s["clock_end_s"].get<double>(), wall - 1.0 + 5.0, 0.6) << s.dump();
}

TEST(Live, VirtualMicrophoneDrivesTheAvatarWithMeasuredLatency) {
  REQUIRE_DISPLAY();
  PulseServer pulse;
  auto stats_path = pulse.dir() / "stats.json";
  auto shot = pulse.dir() / "live.png";
  auto speech = shared_media_dir() / "speech" / "librivox_en_male.wav";  // 7.1 s
  auto r = run_command("{ (sleep 1; " + pulse.env() + "paplay --device=mic " +
                       shell_quote(speech.string()) + ") & " + pulse.env() + parla() +
                       " live --hud --lookahead 6 --seconds 7 --stats " +
                       shell_quote(stats_path.string()) +
                       "; status=$?; wait; exit $status; }");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = read_stats(stats_path);
  std::printf("live stats: %s\n", s.dump().c_str());  // the figures docs/player.md quotes
  EXPECT_GE(s["frames_shown"].get<int>(), 100) << s.dump();  // ~25 fps once capture runs
  EXPECT_GE(s["latency_samples"].get<int>(), 100) << s.dump();
  EXPECT_GT(s["latency_mean_s"].get<double>(), 0.0) << s.dump();
  EXPECT_LE(s["latency_p95_s"].get<double>(), 0.100) << s.dump();
  EXPECT_GT(s["jaw_open_max"].get<double>(), 0.2) << s.dump();  // it reacted to the speech
  EXPECT_EQ(s["capture_dropped_samples"].get<int>(), 0) << s.dump();
  // --lookahead 6: the frame plus 6 frames of audio (280 ms) and the features' own.
  EXPECT_GE(s["lookahead_s"].get<double>(), 0.28) << s.dump();
  EXPECT_LT(s["lookahead_s"].get<double>(), 0.33) << s.dump();
  EXPECT_NE(r.output.find("audio→picture latency"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace parla::testing
