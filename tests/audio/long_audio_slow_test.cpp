// Minutes of audio: whole and streamed decoding agree, features stream identically
// over thousands of frames, and streaming half an hour keeps memory flat.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "audio/audio.h"
#include "tests/support/testing.h"

namespace parla::audio {
namespace {

namespace fs = std::filesystem;
using parla::testing::shell_quote;

double rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

TEST(LongAudio, ThreeMinutesOfSpeechStreamLikeBatch) {
  parla::testing::ScratchDir dir;
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += "Sentence number " + std::to_string(i) +
            " is spoken slowly, with a pause, and then another phrase follows it. ";
  }
  parla::testing::make_speech(dir / "speech.wav", text);
  parla::testing::ffmpeg("-i " + shell_quote((dir / "speech.wav").string()) +
                         " -ar 44100 -c:a libmp3lame -b:a 96k " +
                         shell_quote((dir / "speech.mp3").string()));

  std::vector<float> pcm = decode_audio(dir / "speech.mp3");
  ASSERT_GT(pcm.size(), 16000u * 120) << "at least two minutes";
  EXPECT_NEAR(pcm.size() / 16000.0, parla::testing::probe_duration(dir / "speech.wav"), 0.05);

  const Features batch = compute_features(pcm);
  ASSERT_EQ(batch.frames.size(), (pcm.size() + 159) / 160);

  AudioDecoder decoder(dir / "speech.mp3");
  FeatureExtractor extractor;
  Features streamed;
  std::vector<float> chunk(1000);
  size_t decoded = 0;
  while (size_t n = decoder.read(chunk)) {
    ASSERT_TRUE(std::equal(chunk.begin(), chunk.begin() + n, pcm.begin() + decoded));
    decoded += n;
    extractor.push({chunk.data(), n}, streamed);
  }
  extractor.finish(streamed);
  EXPECT_EQ(decoded, pcm.size());
  ASSERT_EQ(streamed.frames.size(), batch.frames.size());
  int speech = 0;
  for (size_t i = 0; i < batch.frames.size(); ++i) {
    ASSERT_EQ(streamed.frames[i].log_mel, batch.frames[i].log_mel) << i;
    ASSERT_EQ(streamed.frames[i].f0_hz, batch.frames[i].f0_hz) << i;
    ASSERT_EQ(streamed.frames[i].speech, batch.frames[i].speech) << i;
    speech += batch.frames[i].speech;
  }
  EXPECT_GT(speech, static_cast<int>(batch.frames.size()) / 2);
  EXPECT_LT(speech, static_cast<int>(batch.frames.size()) * 98 / 100) << "the pauses show";
}

TEST(LongAudio, StreamingHalfAnHourKeepsMemoryFlat) {
  parla::testing::ScratchDir dir;
  const fs::path flac = dir / "long.flac";
  parla::testing::ffmpeg(
      "-f lavfi -i 'sine=frequency=180:sample_rate=16000:duration=1800' "
      "-f lavfi -i 'anoisesrc=r=16000:a=0.05:d=1800' -filter_complex amix=inputs=2 -ac 1 "
      "-c:a flac " +
      shell_quote(flac.string()));

  AudioDecoder decoder(flac);
  FeatureExtractor extractor;
  Features features;
  std::vector<float> chunk(4096);
  int64_t frames = 0, samples = 0;
  double rss_after_first_minute = 0;
  while (size_t n = decoder.read(chunk)) {
    samples += static_cast<int64_t>(n);
    extractor.push({chunk.data(), n}, features);
    frames += static_cast<int64_t>(features.frames.size());
    features.frames.clear();  // a consumer takes them
    if (rss_after_first_minute == 0 && samples > 16000 * 60) rss_after_first_minute = rss_mib();
  }
  extractor.finish(features);
  frames += static_cast<int64_t>(features.frames.size());
  EXPECT_NEAR(samples / 16000.0, 1800.0, 0.1);
  EXPECT_EQ(frames, (samples + 159) / 160);
  EXPECT_LT(rss_mib() - rss_after_first_minute, 10.0) << "MiB grown over 29 more minutes";
}

}  // namespace
}  // namespace parla::audio
