// The main job end to end on the real binary: portrait + speech → a browser-playable MP4.
#include <gtest/gtest.h>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::run_command;
using parla::testing::shell_quote;

std::string parla_cmd() { return shell_quote(parla::testing::parla_executable().string()); }

std::string probe(const fs::path& file, const std::string& stream, const std::string& entries) {
  auto r = run_command("ffprobe -v error -select_streams " + stream + " -show_entries stream=" + entries +
                       " -of csv=p=0 " + shell_quote(file.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output.substr(0, r.output.find('\n'));
}

TEST(RenderEndToEnd, BundledSampleGivesH264AacOfTheAudioLength) {
  parla::testing::ScratchDir dir;
  auto r = run_command(parla_cmd() + " render -o " + shell_quote((dir / "out.mp4").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(probe(dir / "out.mp4", "v:0", "codec_name,pix_fmt"), "h264,yuv420p");
  EXPECT_EQ(probe(dir / "out.mp4", "a:0", "codec_name"), "aac");
  double audio_s = parla::testing::probe_duration(parla::testing::data_dir() / "sample" / "speech.flac");
  double out_s = parla::testing::probe_duration(dir / "out.mp4");
  EXPECT_NEAR(out_s, audio_s, 0.040);
  double video_s = parla::testing::probe_duration(dir / "out.mp4", "v:0");
  EXPECT_NEAR(video_s, audio_s, 0.040);
}

TEST(RenderEndToEnd, RealRecordingWithGivenMotionTrack) {
  parla::testing::ScratchDir dir;
  fs::path speech = parla::testing::shared_media_dir() / "speech" / "librivox_en_male.wav";
  auto m = run_command(parla_cmd() + " motion " + shell_quote(speech.string()) + " -o " +
                       shell_quote((dir / "t.json").string()) + " --seed 3");
  ASSERT_EQ(m.exit_code, 0) << m.output;
  parla::MotionTrack track = parla::read_motion_track(dir / "t.json");
  double audio_s = parla::testing::probe_duration(speech);
  EXPECT_NEAR(track.duration_seconds(), audio_s, 0.040);
  auto r = run_command(parla_cmd() + " render " +
                       shell_quote((parla::testing::data_dir() / "sample" / "portrait.png").string()) + " " +
                       shell_quote(speech.string()) + " --motion " + shell_quote((dir / "t.json").string()) +
                       " --fps 30 -o " + shell_quote((dir / "o.mp4").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(parla::testing::probe_duration(dir / "o.mp4", "v:0"), audio_s, 1.0 / 30);
  EXPECT_EQ(probe(dir / "o.mp4", "v:0", "r_frame_rate"), "30/1");
}

}  // namespace
