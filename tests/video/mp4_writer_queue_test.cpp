// Mp4Writer with queue_frames > 0 (encoding on a writer thread): the same bytes as the
// caller-thread writer, bounded waiting, and failures on the writer thread reaching the
// caller as exceptions (no hang), checked with real encoders and a real full device.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::video {
namespace {

namespace fs = std::filesystem;

// Frame i: a gradient that moves one pixel a frame, so x264 has motion to code.
Image moving_gradient(int width, int height, int index) {
  Image image(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = image.pixel(x, y);
      p[0] = static_cast<std::uint8_t>((x + index) * 3);
      p[1] = static_cast<std::uint8_t>(y * 2 + index);
      p[2] = static_cast<std::uint8_t>((x ^ y) + 5 * index);
    }
  }
  return image;
}

// 50 frames and 2 s of 48 kHz stereo audio, written in the order the render command
// uses (audio up to each frame's end, then the frame). 128 pixels wide: the SIMD
// code of libx264 0.164.3095's macroblock-tree rate control reads memory it never wrote
// when the width is not a multiple of 128 (docs/limits.md "Reproducible output"), and the bytes would then
// depend on what the process did before, not on the writer.
void write_clip(const fs::path& path, Mp4Params params) {
  params.width = 128, params.height = 64, params.audio_rate = 48000, params.audio_channels = 2;
  Mp4Writer writer(path, params);
  std::vector<float> chunk(2 * 1920);
  for (int i = 0; i < 50; ++i) {
    for (size_t k = 0; k < chunk.size(); ++k) chunk[k] = 0.3f * std::sin(0.01f * (k + 3840.f * i));
    writer.write_audio(chunk);
    writer.write_frame(moving_gradient(128, 64, i));
  }
  writer.finish();
}

TEST(Mp4WriterQueue, WritesTheSameBytesAsTheCallerThreadWriter) {
  testing::ScratchDir dir;
  Mp4Params params;
  // One x264 thread: what is tested here is the queue, not x264's threading.
  params.encoder_threads = 1;
  write_clip(dir / "direct.mp4", params);
  params.queue_frames = 3;
  write_clip(dir / "queued.mp4", params);
  const std::string direct = read_text_file(dir / "direct.mp4");
  const std::string queued = read_text_file(dir / "queued.mp4");
  ASSERT_GT(direct.size(), 1000u);
  EXPECT_TRUE(direct == queued) << direct.size() << " vs " << queued.size() << " bytes";
}

TEST(Mp4WriterQueue, AWriteFailureOnTheWriterThreadReachesTheCaller) {
  testing::ScratchDir dir;
  Mp4Params params;
  params.width = 256, params.height = 256, params.audio_rate = 48000, params.audio_channels = 1;
  params.preset = "ultrafast", params.crf = 0;  // lossless: large packets
  params.queue_frames = 2;
  // A real write failure part way: files may not grow past 300 kB in this process
  // (writes past it fail with EFBIG), so the header fits and the frames do not.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit limited = saved;
  limited.rlim_cur = 300'000;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  const auto start = std::chrono::steady_clock::now();
  bool thrown = false;
  int frames_accepted = -1;  // -1: the constructor failed
  try {
    Mp4Writer writer(dir / "big.mp4", params);
    for (frames_accepted = 0; frames_accepted < 500; ++frames_accepted) {
      writer.write_frame(moving_gradient(256, 256, frames_accepted));
    }
    writer.finish();
  } catch (const Error& e) {
    thrown = true;
    EXPECT_NE(std::string(e.what()).find("big.mp4"), std::string::npos) << e.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  EXPECT_TRUE(thrown) << "writing 500 lossless frames under a 300 kB limit did not fail";
  EXPECT_GE(frames_accepted, 1) << "failed in the constructor, not on the writer thread";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(Mp4WriterQueue, DestroyedWithoutFinishStopsItsThread) {
  testing::ScratchDir dir;
  Mp4Params params;
  params.width = 96, params.height = 64, params.audio_rate = 0, params.queue_frames = 4;
  {
    Mp4Writer writer(dir / "cut.mp4", params);
    for (int i = 0; i < 20; ++i) writer.write_frame(moving_gradient(96, 64, i));
  }  // joins the writer thread; a hang here fails the test by timeout
  EXPECT_TRUE(fs::exists(dir / "cut.mp4"));
}

TEST(Mp4WriterQueue, EncoderSettingsAreCheckedWithoutAFile) {
  Mp4Params params;
  params.preset = "fastest";
  try {
    check_encoder_settings(params);
    ADD_FAILURE() << "preset 'fastest' accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'fastest'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ultrafast"), std::string::npos) << e.what();
  }
  params.preset = "superfast";
  params.tune = "film-noir";
  EXPECT_THROW(check_encoder_settings(params), InputError);
  params.tune = "fastdecode";
  EXPECT_NO_THROW(check_encoder_settings(params));
}

}  // namespace
}  // namespace parla::video
