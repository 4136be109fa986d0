// `parla score` with the shipped critic heads (data/models/critic) on real files: a real
// talking video in sync and with its audio shifted, a Parla render, several videos at
// once, the JSON report, the tracked MotionTrack (--track), and every kind of bad video
// (exit 2, one line, nothing written).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::CommandResult;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

std::string q(const fs::path& p) { return shell_quote(p.string()); }

CommandResult parla(const std::string& args) {
  return parla::testing::run_command(q(parla::testing::parla_executable()) + " " + args + " 2>&1");
}

// A real recording (test media, never trained on) on which the shipped LS head finds the
// sync; on the other shared video (hdtf_katiehill) it reports -3 frames today, one of the
// held-out misses docs/critic.md "Evaluation" lists.
fs::path real_video() { return parla::testing::shared_media_dir() / "video" / "retalking_woman.mp4"; }

nlohmann::json score_json(const std::string& args, const fs::path& json_path) {
  CommandResult r = parla("score -q " + args + " --json " + q(json_path));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return nlohmann::json::parse(parla::read_text_file(json_path));
}

// `source` with its audio delayed by `seconds` (the picture leads).
fs::path delay_audio(const fs::path& source, double seconds, const fs::path& out) {
  parla::testing::ffmpeg("-i " + q(source) + " -itsoffset " + std::to_string(seconds) + " -i " + q(source) +
                         " -map 0:v -map 1:a -c:v copy -c:a aac -shortest " + q(out));
  return out;
}

TEST(ScoreCommand, ARealTalkingVideoIsInSync) {
  ScratchDir dir;
  nlohmann::json j = score_json(q(real_video()), dir / "r.json");
  EXPECT_EQ(j["schema"], "parla.score/1");
  EXPECT_LE(std::abs(j["ls"]["offset_frames"].get<int>()), 1);
  EXPECT_GT(j["ls"]["score"].get<double>(), 50);
  EXPECT_GT(j["ls"]["confidence"].get<double>(), 0);
  EXPECT_GT(j["vq"]["score"].get<double>(), 80);
  for (const char* head : {"ls", "mn", "vq"}) {
    EXPECT_GE(j["scores"][head].get<double>(), 0);
    EXPECT_LE(j["scores"][head].get<double>(), 100);
  }
  EXPECT_EQ(j["ls"]["offset_curve"]["distance"].size(), 31u);
  EXPECT_NEAR(j["face_coverage"].get<double>(), 1.0, 0.05);
  // Its audio 6 frames late scores lower on lip sync.
  nlohmann::json late = score_json(q(delay_audio(real_video(), 0.24, dir / "late.mp4")), dir / "late.json");
  EXPECT_LT(late["ls"]["score"].get<double>(), j["ls"]["score"].get<double>());
}

TEST(ScoreCommand, FindsTheOffsetOfShiftedAudio) {
  ScratchDir dir;
  const fs::path render = dir / "sample.mp4";
  ASSERT_EQ(parla("render -q --sample -o " + q(render)).exit_code, 0);
  nlohmann::json sync = score_json(q(render), dir / "sync.json");
  EXPECT_LE(std::abs(sync["ls"]["offset_frames"].get<int>()), 1);
  // Audio delayed by 6 frames (240 ms): the picture leads, so the audio's lead is -6.
  nlohmann::json late = score_json(q(delay_audio(render, 0.24, dir / "late.mp4")), dir / "late.json");
  EXPECT_NEAR(late["ls"]["offset_frames"].get<int>(), -6, 1);
  EXPECT_LT(late["ls"]["score"].get<double>(), sync["ls"]["score"].get<double>());
}

TEST(ScoreCommand, RanksSeveralVideosAndWritesAnHtmlReport) {
  ScratchDir dir;
  const fs::path render = dir / "sample.mp4";
  ASSERT_EQ(parla("render -q --sample -o " + q(render)).exit_code, 0);
  CommandResult r = parla("score -q " + q(real_video()) + " " + q(render) + " --html " + q(dir / "r.html") +
                          " --json " + q(dir / "r.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("retalking_woman.mp4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sample.mp4"), std::string::npos) << r.output;
  nlohmann::json j = nlohmann::json::parse(parla::read_text_file(dir / "r.json"));
  EXPECT_EQ(j["videos"].size(), 2u);
  EXPECT_EQ(j["ranking"].size(), 2u);
  std::string html = parla::read_text_file(dir / "r.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);  // self-contained: nothing fetched
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

// --track: the 20-channel MotionTrack the critic read from the video, a file `parla score
// TRACK --audio` and the renderer take; scored again with the video's audio it gets the
// video's MN. Asked of anything but one video, or with a name that is no track, it is
// refused before any work, and nothing is written.
TEST(ScoreCommand, WritesTheTrackedMotion) {
  ScratchDir dir;
  const fs::path track_path = dir / "tracked.json";
  nlohmann::json j = score_json(q(real_video()) + " --track " + q(track_path), dir / "r.json");
  const parla::MotionTrack track = parla::read_motion_track(track_path);
  EXPECT_EQ(track.fps, 25);
  ASSERT_EQ(static_cast<int>(track.frame_count()), j["motion"]["frames"].get<int>());
  const std::vector<double> jaw = j["motion"]["jaw_open"].get<std::vector<double>>();
  double head_motion = 0;
  for (size_t i = 0; i < track.frames.size(); ++i) {
    EXPECT_NEAR(track.frames[i][parla::index(parla::Channel::JawOpen)], jaw[i], 6e-4) << i;
    head_motion += std::abs(track.frames[i][parla::index(parla::Channel::HeadYaw)]);
  }
  EXPECT_GT(head_motion / track.frames.size(), 0.005);  // she moves her head
  nlohmann::json again = score_json(q(track_path) + " --audio " + q(real_video()), dir / "t.json");
  EXPECT_NEAR(again["mn"]["score"].get<double>(), j["mn"]["score"].get<double>(), 0.5);

  const fs::path render = dir / "sample.mp4";
  ASSERT_EQ(parla("render -q --sample -o " + q(render)).exit_code, 0);
  for (const std::string& args : {q(real_video()) + " " + q(render) + " --track " + q(dir / "two.json"),
                                  q(real_video()) + " --track " + q(dir / "track.txt")}) {
    CommandResult r = parla("score -q " + args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_NE(r.output.find("track"), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "two.json"));
  EXPECT_FALSE(fs::exists(dir / "track.txt"));
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = std::min(a.size(), b.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) {
    ab += (a[i] - ma) * (b[i] - mb), aa += (a[i] - ma) * (a[i] - ma), bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

// The renderer's lip fidelity, end to end: a track made from real speech is rendered on
// every shared portrait (MP4, H.264) and `parla score` reads the jaw back from the video.
// The track is the base model's (--experts off), so this stays a test of the renderer
// and the tracker whatever the default generator: obama.jpg sits at the threshold (r
// 0.902 on the base track, 0.896 on a fused-experts track of the same speech — the first
// gate trained, 2026-11-30 — whose jawOpen spread is the same: sd 0.206 against 0.200),
// and 0.8995 after the FFTW front end and #16's silhouette and lip shadows (the critic's
// own round trip on obama reads jawOpen r 0.945 on the same renderer). The stage-4 base
// (co-trained on real speakers, mixed with stage 3) reads 0.916 / 0.891 / 0.901 / 0.911 in
// the order below (stage 3: 0.924 / 0.893 / 0.917 / 0.924). #16's teeth in the mouth's
// shade (24th session) read 0.913 / 0.889 / 0.882 / 0.887: dlib sets the inner lips of a
// mid opening (jawOpen 0.2-0.3) on the edge of the dimmer teeth, reading 0.05-0.08 less
// there on mona_lisa and the illustration, while on 93 real speakers the same change
// left the tracked jaw's r with the real speaker's at 0.537 and lifted LS 76.8 -> 78.2.
// The bar is 0.87: below the spread these runs show, far above a renderer that loses the
// jaw.
TEST(ScoreCommand, RecoversTheRenderedJawOnEveryPortrait) {
  ScratchDir dir;
  const fs::path speech = parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav";
  const fs::path track_path = dir / "track.json";
  ASSERT_EQ(parla("motion -q --experts off " + q(speech) + " -o " + q(track_path)).exit_code, 0);
  parla::MotionTrack track = parla::read_motion_track(track_path);
  std::vector<double> rendered;
  for (const auto& f : track.frames) rendered.push_back(f[parla::index(parla::Channel::JawOpen)]);
  for (const fs::path portrait :
       {parla::testing::data_dir() / "sample" / "portrait.png",
        parla::testing::shared_media_dir() / "portraits" / "obama.jpg",
        parla::testing::shared_media_dir() / "portraits" / "mona_lisa.jpg",
        parla::testing::shared_media_dir() / "portraits" / "illustration.png"}) {
    const fs::path video = dir / (portrait.stem().string() + ".mp4");
    CommandResult r = parla("render -q " + q(portrait) + " " + q(speech) + " --motion " + q(track_path) +
                            " -o " + q(video));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    nlohmann::json j = score_json(q(video), dir / (portrait.stem().string() + ".json"));
    std::vector<double> seen = j["motion"]["jaw_open"].get<std::vector<double>>();
    ASSERT_GE(seen.size() + 2, rendered.size()) << portrait;
    const double r_jaw = pearson(rendered, seen);
    std::printf("%s: jawOpen r %.3f between the rendered and the scored track\n", portrait.filename().c_str(), r_jaw);
    EXPECT_GE(r_jaw, 0.87) << portrait;
    EXPECT_LE(std::abs(j["ls"]["offset_frames"].get<int>()), 1) << portrait;
  }
}

class ScoreBadInput : public ::testing::Test {
 protected:
  void expect_rejected(const std::string& args, const std::string& fragment) {
    auto before = listing();
    CommandResult r = parla("score -q " + args + " --json " + q(dir / "out.json"));
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_NE(r.output.find(fragment), std::string::npos) << "missing '" << fragment << "' in: " << r.output;
    EXPECT_EQ(listing(), before) << "files changed after: " << args;
  }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.path())) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  ScratchDir dir;
};

TEST_F(ScoreBadInput, EveryKindIsOneClearLine) {
  const fs::path text = dir / "notes.mp4";
  parla::write_text_file(text, "this is not a video\n");
  expect_rejected(q(text), "notes.mp4");

  const fs::path silent = dir / "silent.mp4";
  parla::testing::ffmpeg("-i " + q(real_video()) + " -an -c:v copy " + q(silent));
  expect_rejected(q(silent), "silent.mp4");

  const fs::path faceless = dir / "grey.mp4";
  parla::testing::ffmpeg("-f lavfi -i color=gray:s=320x240:d=2 -f lavfi -i sine=f=220:d=2 -shortest " +
                         q(faceless));
  expect_rejected(q(faceless), "grey.mp4");

  const fs::path audio_only = dir / "voice.m4a";
  parla::testing::ffmpeg("-i " + q(real_video()) + " -vn -c:a copy " + q(audio_only));
  expect_rejected(q(audio_only), "voice.m4a");

  const fs::path short_audio = dir / "short_audio.mp4";
  parla::testing::ffmpeg("-i " + q(real_video()) + " -map 0:v -map 0:a -c:v copy -af atrim=0:2 " +
                         q(short_audio));
  expect_rejected(q(short_audio), "short_audio.mp4");

  expect_rejected(q(dir / "missing.mp4"), "missing.mp4");
}

}  // namespace
