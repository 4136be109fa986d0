// Decoding real files of every supported kind, made here with ffmpeg's own encoders,
// plus the shared real recordings; and every bad-input case the CLI must report.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <random>

#include "audio/audio.h"
#include "tests/audio/audio_test_support.h"
#include "tests/support/testing.h"

namespace parla::audio {
namespace {

namespace fs = std::filesystem;
using parla::testing::ffmpeg;
using parla::testing::shell_quote;

constexpr double kToneHz = 440.0;
constexpr double kToneSeconds = 3.0;

// Fixtures are made on first use: CTest runs every test in its own process, and
// each needs only one or two of them.
class DecoderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = std::make_unique<parla::testing::ScratchDir>(); }
  static void TearDownTestSuite() { dir_.reset(); }

  static fs::path path(const std::string& name) {
    fs::path file = dir_->path() / name;
    if (fs::exists(file)) return file;
    const std::string tone = "-f lavfi -i sine=frequency=440:sample_rate=44100:duration=3 ";
    const std::string tone48 = "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=3 ";
    // The same tone at full level in both channels (-ac 2 would upmix at -3 dB).
    const std::string stereo = "-af 'pan=stereo|c0=c0|c1=c0' ";
    const std::map<std::string, std::string> recipes = {
        {"tone.wav", tone + stereo + "-c:a pcm_s16le "},
        {"tone.mp3", tone + stereo + "-c:a libmp3lame -b:a 128k "},
        {"tone.flac", tone48 + "-ac 1 -c:a flac "},
        {"tone.ogg", tone48 + stereo + "-c:a libopus -b:a 64k "},
        {"tone.opus", tone48 + "-ac 1 -c:a libopus -b:a 32k "},
        {"tone.m4a", tone + stereo + "-c:a aac -b:a 128k "},
        {"video.mp4", "-f lavfi -i testsrc=size=64x64:rate=25:duration=3 " + tone + stereo +
                          "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "},
        {"silent_video.mp4",
         "-f lavfi -i testsrc=size=64x64:rate=25:duration=1 "
         "-c:v libx264 -preset ultrafast -pix_fmt yuv420p "},
        {"picture.png", "-f lavfi -i testsrc=size=64x64 -frames:v 1 "},
        {"zero.wav", "-f lavfi -i anullsrc=r=16000:cl=mono -t 0 -c:a pcm_s16le "},
        {"silence.wav", "-f lavfi -i anullsrc=r=22050:cl=stereo -t 2 -c:a pcm_s16le "},
    };
    auto recipe = recipes.find(name);
    if (recipe != recipes.end()) ffmpeg(recipe->second + shell_quote(file.string()));
    return file;
  }

  static std::unique_ptr<parla::testing::ScratchDir> dir_;
};
std::unique_ptr<parla::testing::ScratchDir> DecoderTest::dir_;

void expect_tone(const std::vector<float>& pcm, double seconds, int rate = kSampleRate,
                 int channels = 1) {
  const double frames = static_cast<double>(pcm.size()) / channels;
  EXPECT_NEAR(frames / rate, seconds, 0.03) << "duration";
  // The middle second, away from codec start-up and padding.
  size_t begin = static_cast<size_t>(seconds / 3 * rate) * channels;
  size_t end = static_cast<size_t>(2 * seconds / 3 * rate) * channels;
  EXPECT_NEAR(test::zero_crossing_hz(pcm, begin, end, rate, channels), kToneHz, kToneHz * 0.002);
}

class DecoderFormatTest : public DecoderTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(DecoderFormatTest, DecodesToneTo16kMonoAtTheSamePitch) {
  std::vector<float> pcm = decode_audio(path(GetParam()));
  expect_tone(pcm, kToneSeconds);
  // lavfi's sine has amplitude 1/8 in every channel; a stereo downmix must keep it.
  EXPECT_NEAR(peak_dbfs(pcm), 20 * std::log10(0.125), 0.6);
}

INSTANTIATE_TEST_SUITE_P(Formats, DecoderFormatTest,
                         ::testing::Values("tone.wav", "tone.mp3", "tone.flac", "tone.ogg",
                                           "tone.opus", "tone.m4a", "video.mp4"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = std::isalnum(c) ? c : '_';
                           return name;
                         });

TEST_F(DecoderTest, ReportsSourceFormat) {
  AudioDecoder decoder(path("tone.mp3"));
  EXPECT_EQ(decoder.info().codec, "mp3");
  EXPECT_EQ(decoder.info().source_sample_rate, 44100);
  EXPECT_EQ(decoder.info().source_channels, 2);
  EXPECT_NEAR(decoder.info().duration_seconds, kToneSeconds, 0.1);
}

TEST_F(DecoderTest, DecodesStereo48kForMuxing) {
  std::vector<float> pcm = decode_audio(path("tone.flac"), {.sample_rate = 48000, .channels = 2});
  expect_tone(pcm, kToneSeconds, 48000, 2);
  for (size_t i = 0; i + 1 < pcm.size(); i += 2) {  // a mono source lands in both channels
    ASSERT_EQ(pcm[i], pcm[i + 1]) << "frame " << i / 2;
  }
  EXPECT_NEAR(peak_dbfs(pcm), 20 * std::log10(0.125), 0.2) << "mono duplicated, not at -3 dB";
}

TEST_F(DecoderTest, StreamingReadEqualsWholeDecode) {
  std::vector<float> whole = decode_audio(path("tone.m4a"));
  AudioDecoder decoder(path("tone.m4a"));
  std::vector<float> streamed;
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> size(1, 5000);
  std::vector<float> chunk(5000);
  while (size_t n = decoder.read({chunk.data(), size(rng)})) {
    streamed.insert(streamed.end(), chunk.begin(), chunk.begin() + n);
  }
  EXPECT_EQ(streamed, whole);
  EXPECT_EQ(decoder.read(chunk), 0u) << "stays at the end";
}

TEST_F(DecoderTest, StereoReadsAreWholeFrames) {
  AudioDecoder decoder(path("tone.wav"), {.sample_rate = 44100, .channels = 2});
  std::vector<float> chunk(7);
  size_t total = 0;
  while (size_t n = decoder.read(chunk)) {
    ASSERT_EQ(n % 2, 0u);
    total += n;
  }
  EXPECT_EQ(total, static_cast<size_t>(2 * 44100 * kToneSeconds));
  std::vector<float> one(1);
  EXPECT_THROW(decoder.read(one), Error);
}

TEST(DecoderRealMedia, DecodesSharedSpeechRecordings) {
  const fs::path dir = parla::testing::shared_media_dir() / "speech";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".wav") continue;
    SCOPED_TRACE(entry.path().string());
    std::vector<float> pcm = decode_audio(entry.path());
    double seconds = parla::testing::probe_duration(entry.path());
    EXPECT_NEAR(pcm.size() / 16000.0, seconds, 0.02);
    EXPECT_GT(peak_dbfs(pcm), -30.f) << "a recording, not silence";
    ++files;
  }
  EXPECT_GE(files, 3);
}

TEST(DecoderRealMedia, DecodesTheAudioTrackOfARealVideo) {
  const fs::path video = parla::testing::shared_media_dir() / "video" / "hdtf_katiehill.mp4";
  AudioDecoder decoder(video);
  EXPECT_EQ(decoder.info().codec, "aac");
  std::vector<float> pcm = decode_audio(video);
  EXPECT_NEAR(pcm.size() / 16000.0, parla::testing::probe_duration(video, "a:0"), 0.05);
  Features features = compute_features(pcm);
  int speech = 0;
  for (const auto& f : features.frames) speech += f.speech;
  EXPECT_GT(speech, static_cast<int>(features.frames.size()) / 2) << "she talks throughout";
}

// ---------------------------------------------------------------------------------
// Bad inputs: one-line InputErrors that name the file and the problem.

TEST_F(DecoderTest, MissingFile) {
  test::expect_input_error([] { decode_audio(path("nope.wav")); }, "nope.wav", "no such file");
}

TEST_F(DecoderTest, TextFileIsNotMedia) {
  std::ofstream(path("notes.txt")) << "these are not the sounds you are looking for\n";
  test::expect_input_error([] { decode_audio(path("notes.txt")); }, "notes.txt",
                           "not an audio or video file");
}

TEST_F(DecoderTest, RandomBytesAreNotMedia) {
  std::ofstream file(path("noise.bin"), std::ios::binary);
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) file.put(static_cast<char>(rng()));
  file.close();
  test::expect_input_error([] { decode_audio(path("noise.bin")); }, "noise.bin",
                           "not an audio or video file");
}

TEST_F(DecoderTest, EmptyFile) {
  std::ofstream(path("empty.wav")).close();
  test::expect_input_error([] { decode_audio(path("empty.wav")); }, "empty.wav", "empty");
}

TEST_F(DecoderTest, ImageHasNoAudio) {
  test::expect_input_error([] { AudioDecoder d(path("picture.png")); }, "picture.png",
                           "no audio stream");
}

TEST_F(DecoderTest, SilentVideoHasNoAudio) {
  test::expect_input_error([] { decode_audio(path("silent_video.mp4")); }, "silent_video.mp4",
                           "no audio stream");
}

TEST_F(DecoderTest, ZeroLengthAudio) {
  test::expect_input_error([] { decode_audio(path("zero.wav")); }, "zero.wav", "no audio samples");
}

TEST_F(DecoderTest, PureSilenceDecodesAndIsEasyToTell) {
  std::vector<float> pcm = decode_audio(path("silence.wav"));  // not an error: the CLI decides
  EXPECT_NEAR(pcm.size() / 16000.0, 2.0, 0.01);
  EXPECT_EQ(peak_dbfs(pcm), -100.f);
}

TEST_F(DecoderTest, CorruptBeforeTheFirstSample) {
  // A FLAC header followed by garbage where the frames should be.
  std::ifstream in(path("tone.flac"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::mt19937 rng(5);
  for (size_t i = 8192; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rng());
  std::ofstream(path("corrupt.flac"), std::ios::binary) << bytes;
  test::expect_input_error([] { decode_audio(path("corrupt.flac")); }, "corrupt.flac",
                           "corrupt or truncated");
}

TEST_F(DecoderTest, TruncatedPartWayDecodesWhatIsThere) {
  std::ifstream in(path("tone.mp3"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(path("half.mp3"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  std::vector<float> pcm = decode_audio(path("half.mp3"));
  EXPECT_NEAR(pcm.size() / 16000.0, kToneSeconds / 2, 0.1);
  EXPECT_NEAR(test::zero_crossing_hz(pcm, 4000, 20000, kSampleRate), kToneHz, 1.0);
}

TEST_F(DecoderTest, CorruptDataMidStreamIsSkipped) {
  std::ifstream in(path("tone.mp3"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::mt19937 rng(11);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 2; ++i) bytes[i] = static_cast<char>(rng());
  std::ofstream(path("damaged.mp3"), std::ios::binary) << bytes;
  std::vector<float> pcm = decode_audio(path("damaged.mp3"));
  EXPECT_GT(pcm.size() / 16000.0, kToneSeconds / 2) << "the undamaged parts decode";
  EXPECT_LT(pcm.size() / 16000.0, kToneSeconds + 0.1);
  // The first third is intact.
  EXPECT_NEAR(test::zero_crossing_hz(pcm, 1600, 14000, kSampleRate), kToneHz, 1.0);
}

TEST_F(DecoderTest, RejectsImpossibleParams) {
  EXPECT_THROW(AudioDecoder(path("tone.wav"), {.sample_rate = 100}), Error);
  EXPECT_THROW(AudioDecoder(path("tone.wav"), {.channels = 0}), Error);
}

}  // namespace
}  // namespace parla::audio
