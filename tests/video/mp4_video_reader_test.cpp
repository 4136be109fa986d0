// VideoReader on real recordings from ../shared/media and on files that are not
// videos: metadata, every frame decoded, and errors that name the file.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/core.h"
#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::video {
namespace {

namespace fs = std::filesystem;
using testing::shell_quote;

struct FrameStats {
  double mean = 0;    // over all channels, 0..255
  double stddev = 0;  // spread of the values: a real picture is far from flat
};

FrameStats stats(const Image& image) {
  double sum = 0, sum_sq = 0;
  for (std::uint8_t v : image.rgb) {
    sum += v;
    sum_sq += double(v) * v;
  }
  const double n = double(image.rgb.size());
  FrameStats s;
  s.mean = sum / n;
  s.stddev = std::sqrt(std::max(0.0, sum_sq / n - s.mean * s.mean));
  return s;
}

// Reads every frame, checking size, increasing timestamps and real picture content.
std::int64_t read_all(VideoReader& reader) {
  Image frame;
  double previous_seconds = -1;
  while (reader.read_frame(frame)) {
    EXPECT_EQ(frame.width, reader.info().width);
    EXPECT_EQ(frame.height, reader.info().height);
    EXPECT_GT(reader.frame_time_seconds(), previous_seconds);
    previous_seconds = reader.frame_time_seconds();
    const FrameStats s = stats(frame);
    EXPECT_GT(s.mean, 20.0) << "frame " << reader.frames_read();
    EXPECT_LT(s.mean, 235.0) << "frame " << reader.frames_read();
    EXPECT_GT(s.stddev, 10.0) << "frame " << reader.frames_read();
  }
  return reader.frames_read();
}

TEST(VideoReader, ReadsHdtfClipMpeg4At25Fps) {
  VideoReader reader(testing::shared_media_dir() / "video" / "hdtf_katiehill.mp4");
  const VideoInfo& info = reader.info();
  EXPECT_EQ(info.width, 512);
  EXPECT_EQ(info.height, 512);
  EXPECT_DOUBLE_EQ(info.fps, 25.0);
  EXPECT_EQ(info.frame_count, 200);
  EXPECT_NEAR(info.duration_seconds, 8.0, 0.1);
  EXPECT_EQ(info.codec, "mpeg4");
  EXPECT_TRUE(info.has_audio);
  EXPECT_EQ(read_all(reader), 200);
  EXPECT_NEAR(reader.frame_time_seconds(), 199 / 25.0, 1e-3);
  Image frame;
  EXPECT_FALSE(reader.read_frame(frame));
}

TEST(VideoReader, ReadsRetalkingClipH264At30Fps) {
  VideoReader reader(testing::shared_media_dir() / "video" / "retalking_woman.mp4");
  const VideoInfo& info = reader.info();
  EXPECT_EQ(info.width, 700);
  EXPECT_EQ(info.height, 700);
  EXPECT_DOUBLE_EQ(info.fps, 30.0);
  EXPECT_EQ(info.frame_count, 199);
  EXPECT_NEAR(info.duration_seconds, 199 / 30.0, 0.05);
  EXPECT_EQ(info.codec, "h264");
  EXPECT_EQ(read_all(reader), 199);
}

TEST(VideoReader, MovesWithItsPosition) {
  VideoReader first(testing::shared_media_dir() / "video" / "hdtf_katiehill.mp4");
  Image frame;
  ASSERT_TRUE(first.read_frame(frame));
  VideoReader moved = std::move(first);
  ASSERT_TRUE(moved.read_frame(frame));
  EXPECT_EQ(moved.frames_read(), 2);
  EXPECT_NEAR(moved.frame_time_seconds(), 1 / 25.0, 1e-3);
}

TEST(VideoReader, ReadsAnImageAsOneFrameVideo) {
  testing::ScratchDir dir;
  // Raw RGB bytes -> PNG is lossless, so the exact pixels must come back.
  const fs::path raw = dir / "teal.rgb", png = dir / "teal.png";
  std::string pixels;
  for (int i = 0; i < 64 * 32; ++i) pixels += "\x20\x80\x80";
  write_text_file(raw, pixels);
  testing::ffmpeg("-f rawvideo -pix_fmt rgb24 -s 64x32 -i " + shell_quote(raw.string()) + " " +
                  shell_quote(png.string()));
  VideoReader reader(png);
  EXPECT_EQ(reader.info().width, 64);
  EXPECT_EQ(reader.info().height, 32);
  Image frame;
  ASSERT_TRUE(reader.read_frame(frame));
  EXPECT_EQ(frame.pixel(10, 10)[0], 0x20);
  EXPECT_EQ(frame.pixel(10, 10)[1], 0x80);
  EXPECT_EQ(frame.pixel(10, 10)[2], 0x80);
  EXPECT_FALSE(reader.read_frame(frame));
}

// The InputError for `path` must name it and say `problem`.
void expect_input_error(const fs::path& path, const std::string& problem) {
  try {
    VideoReader reader(path);
    ADD_FAILURE() << "no error for " << path;
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
  }
}

// fuzz_critic_video: a VP8 stream whose fourth frame said 11808x7508 was converted at
// that size (89 Mpx, seconds of swscale, 266 MB); frames now have the portrait limits,
// on the stream's header and on every decoded frame.
TEST(VideoReader, RefusesFramesBeyondTheImageLimits) {
  testing::ScratchDir dir;
  const fs::path small = dir / "small.mkv", big = dir / "big.mkv";
  const fs::path list = dir / "list.txt", grown = dir / "grown.mkv";
  testing::ffmpeg("-f lavfi -i color=c=gray:s=32x32:d=0.12:r=25 -c:v mjpeg -q:v 31 " + shell_quote(small.string()));
  testing::ffmpeg("-f lavfi -i color=c=gray:s=7200x7000:d=0.04:r=25 -c:v mjpeg -q:v 31 " + shell_quote(big.string()));
  write_text_file(list, "file " + shell_quote(small.string()) + "\nfile " + shell_quote(big.string()) + "\n");
  testing::ffmpeg("-f concat -safe 0 -i " + shell_quote(list.string()) + " -c copy " + shell_quote(grown.string()));
  try {
    VideoReader opened(big);  // 50.4 Mpx in the header
    FAIL() << "opened a 7200x7000 video";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("a frame of 7200x7000 is larger than the limit of 40 Mpx"),
              std::string::npos) << e.what();
  }
  VideoReader reader(grown);  // 32x32 in the header, then a 7200x7000 frame
  Image frame;
  int frames = 0;
  try {
    while (reader.read_frame(frame)) ++frames;
    FAIL() << "decoded a 7200x7000 frame";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(grown.filename().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("7200x7000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(frames, 3);
}

TEST(VideoReader, RejectsMissingFile) {
  testing::ScratchDir dir;
  expect_input_error(dir / "nothing.mp4", "video");
}

TEST(VideoReader, RejectsFileThatIsNotAVideo) {
  testing::ScratchDir dir;
  const fs::path junk = dir / "junk.mp4";
  write_text_file(junk, std::string(4096, '\x07'));
  expect_input_error(junk, "cannot open video");
}

TEST(VideoReader, RejectsAudioOnlyFile) {
  testing::ScratchDir dir;
  const fs::path wav = dir / "tone.wav";
  testing::make_tone(wav, 440, 0.5);
  expect_input_error(wav, "no video stream");
}

TEST(VideoReader, RejectsAudioWithCoverArt) {
  // An MP3's cover picture is a one-frame "video" stream marked attached_pic.
  testing::ScratchDir dir;
  const fs::path png = dir / "cover.png", mp3 = dir / "song.mp3";
  testing::ffmpeg("-f lavfi -i color=c=red:s=32x32 -frames:v 1 " + shell_quote(png.string()));
  testing::ffmpeg("-f lavfi -i sine=duration=0.5 -i " + shell_quote(png.string()) +
                  " -map 0 -map 1 -c:v png -disposition:v attached_pic -id3v2_version 3 " +
                  shell_quote(mp3.string()));
  expect_input_error(mp3, "no video stream");
}

}  // namespace
}  // namespace parla::video
