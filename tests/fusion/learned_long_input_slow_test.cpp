// One hour of input through the learned generator in bounded memory: features pushed in
// 10-second chunks, motion consumed as it comes; resident memory must not grow with
// the input length.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "audio/audio.h"
#include "fusion/fusion.h"
#include "tests/support/testing.h"

namespace {
namespace audio = parla::audio;
namespace fusion = parla::fusion;

double resident_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

TEST(LearnedGeneratorLong, OneHourInBoundedMemory) {
  parla::testing::ScratchDir dir;
  parla::testing::make_speech(dir / "s.wav",
                              "Maybe people should put more pepper in the soup, said the cook.");
  audio::Features speech = audio::compute_features(audio::decode_audio(dir / "s.wav"));
  auto gen = fusion::make_generator("learned", {.seed = 1});
  const size_t hour_frames = 3600 * audio::kFeatureRate;
  std::vector<audio::FeatureFrame> chunk;
  std::vector<parla::MotionFrame> out;
  size_t pushed = 0, motion_frames = 0;
  double rss_after_5_min = 0;
  auto start = std::chrono::steady_clock::now();
  while (pushed < hour_frames) {
    chunk.clear();
    for (size_t i = 0; i < 10 * audio::kFeatureRate; ++i)
      chunk.push_back(speech.frames[(pushed + i) % speech.frames.size()]);
    gen->push(chunk, out);
    pushed += chunk.size();
    motion_frames += out.size();
    out.clear();
    if (rss_after_5_min == 0 && pushed >= 300 * audio::kFeatureRate)
      rss_after_5_min = resident_mib();
  }
  gen->finish(out);
  motion_frames += out.size();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rss_end = resident_mib();
  std::printf(
      "1 h of input: %.1f s (%.0fx real time), RSS %.1f MiB after 5 min, %.1f MiB after 1 h\n",
      seconds, 3600 / seconds, rss_after_5_min, rss_end);
  EXPECT_EQ(motion_frames, hour_frames / 4);
  EXPECT_LT(rss_end - rss_after_5_min, 16.0);
}

}  // namespace
