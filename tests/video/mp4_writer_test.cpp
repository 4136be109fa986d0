// Mp4Writer round trips: encode a known picture sequence and a sine tone, then check
// the file with the real ffprobe/ffmpeg tools and decode it back with VideoReader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::video {
namespace {

namespace fs = std::filesystem;
using testing::shell_quote;

// Frame i: a solid colour that changes every frame plus a grey bar moving right.
Image pattern_frame(int width, int height, int index) {
  static constexpr std::uint8_t kPalette[][3] = {{200, 40, 40},  {40, 180, 60},   {50, 60, 200},
                                                 {220, 200, 60}, {120, 120, 120}, {30, 160, 170}};
  const auto& colour = kPalette[index % 6];
  Image image(width, height);
  const int bar_x = (index * 7) % (width - 32);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = image.pixel(x, y);
      const bool bar = x >= bar_x && x < bar_x + 32;
      for (int c = 0; c < 3; ++c) p[c] = bar ? 230 : colour[c];
    }
  }
  return image;
}

constexpr double kToneOnsetSeconds = 0.25;  // silence before the tone starts

// Interleaved sine tones, channel c at hz[c], amplitude 0.5, silent until
// kToneOnsetSeconds so the decoded onset shows whether audio is shifted.
std::vector<float> tone(int rate, int channels, double seconds, const std::vector<double>& hz) {
  const auto frames = static_cast<size_t>(std::llround(seconds * rate));
  const auto onset = static_cast<size_t>(std::llround(kToneOnsetSeconds * rate));
  std::vector<float> pcm(frames * channels);
  for (size_t i = onset; i < frames; ++i) {
    for (int c = 0; c < channels; ++c) {
      pcm[i * channels + c] =
          static_cast<float>(0.5 * std::sin(2 * std::numbers::pi * hz[c] * (i - onset) / rate));
    }
  }
  return pcm;
}

double psnr(const Image& a, const Image& b) {
  double sum = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = double(a.rgb[i]) - b.rgb[i];
    sum += d * d;
  }
  const double mse = sum / a.rgb.size();
  return mse == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

std::array<double, 3> mean_colour(const Image& image) {
  std::array<double, 3> sum{};
  for (size_t i = 0; i < image.rgb.size(); ++i) sum[i % 3] += image.rgb[i];
  for (double& s : sum) s /= double(image.width) * image.height;
  return sum;
}

// ffprobe's key=value lines for the given -show_entries.
std::string probe(const fs::path& path, const std::string& entries) {
  auto r = testing::run_command("ffprobe -v error -show_entries " + entries + " -of default=nw=1 " +
                                shell_quote(path.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output;
}

// Four-character types of the file's top-level ISO BMFF boxes, in file order.
std::vector<std::string> top_level_boxes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const auto file_size = static_cast<std::uint64_t>(fs::file_size(path));
  std::vector<std::string> types;
  std::uint64_t offset = 0;
  while (offset + 8 <= file_size) {
    in.seekg(static_cast<std::streamoff>(offset));
    unsigned char header[16] = {};
    in.read(reinterpret_cast<char*>(header), 16);
    std::uint64_t size =
        (std::uint64_t{header[0]} << 24) | (header[1] << 16) | (header[2] << 8) | header[3];
    types.emplace_back(reinterpret_cast<char*>(header + 4), 4);
    if (size == 1) {  // 64-bit "largesize" follows the type
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | header[i];
    } else if (size == 0) {  // box runs to the end of the file
      size = file_size - offset;
    }
    if (size < 8) break;
    offset += size;
  }
  return types;
}

// The audio track decoded by the ffmpeg CLI as interleaved float at its own rate.
std::vector<float> decode_audio_with_ffmpeg(const fs::path& mp4, const fs::path& raw) {
  testing::ffmpeg("-i " + shell_quote(mp4.string()) + " -map 0:a:0 -f f32le " +
                  shell_quote(raw.string()));
  std::ifstream in(raw, std::ios::binary);
  std::vector<float> pcm(fs::file_size(raw) / sizeof(float));
  in.read(reinterpret_cast<char*>(pcm.data()), static_cast<std::streamsize>(pcm.size() * 4));
  return pcm;
}

double rms(const std::vector<float>& pcm, int channels, int channel, size_t from, size_t to) {
  double sum = 0;
  for (size_t i = from; i < to; ++i)
    sum += double(pcm[i * channels + channel]) * pcm[i * channels + channel];
  return std::sqrt(sum / double(to - from));
}

// Frequency from rising zero crossings, which a sine of amplitude 0.5 makes cleanly.
double frequency_hz(const std::vector<float>& pcm, int channels, int channel, int rate, size_t from,
                    size_t to) {
  size_t first = 0, last = 0, crossings = 0;
  for (size_t i = from + 1; i < to; ++i) {
    if (pcm[(i - 1) * channels + channel] < 0 && pcm[i * channels + channel] >= 0) {
      if (crossings == 0) first = i;
      last = i;
      ++crossings;
    }
  }
  return crossings < 2 ? 0.0 : (crossings - 1) * double(rate) / double(last - first);
}

struct RoundTripCase {
  int fps;
  int audio_rate;  // 0 = no audio
  int channels;
  double audio_seconds;   // or, without audio, the video length
  bool interleave_audio;  // audio in per-frame chunks, else all before the frames
  int expected_rate;      // AAC rate in the file
};

void round_trip(const RoundTripCase& rc) {
  constexpr int kWidth = 320, kHeight = 240;
  testing::ScratchDir dir;
  const fs::path final_path = dir / "clip.mp4";
  const int frame_count = static_cast<int>(std::ceil(rc.audio_seconds * rc.fps));
  const std::vector<double> hz = {440.0, 660.0};
  const std::vector<float> pcm =
      rc.audio_rate ? tone(rc.audio_rate, rc.channels, rc.audio_seconds, hz) : std::vector<float>{};

  std::vector<Image> frames;
  {
    OutputFile out(final_path);
    EXPECT_EQ(out.temp_path().extension(), ".mp4");
    Mp4Writer writer(out.temp_path(), {.width = kWidth,
                                       .height = kHeight,
                                       .fps = double(rc.fps),
                                       .audio_rate = rc.audio_rate,
                                       .audio_channels = rc.channels});
    const size_t per_frame = pcm.size() / frame_count / rc.channels * rc.channels;
    size_t audio_offset = 0;
    if (rc.audio_rate && !rc.interleave_audio) {
      writer.write_audio(pcm);
      audio_offset = pcm.size();
    }
    for (int i = 0; i < frame_count; ++i) {
      frames.push_back(pattern_frame(kWidth, kHeight, i));
      writer.write_frame(frames.back());
      if (rc.audio_rate && rc.interleave_audio) {
        writer.write_audio(std::span(pcm).subspan(audio_offset, per_frame));
        audio_offset += per_frame;
      }
    }
    if (rc.audio_rate) writer.write_audio(std::span(pcm).subspan(audio_offset));  // the rest after
    writer.finish();
    EXPECT_EQ(writer.frames_written(), frame_count);
    out.commit();
  }
  ASSERT_TRUE(fs::exists(final_path));

  // Streams: H.264 yuv420p (+ AAC at the expected rate and channels).
  const std::string video = probe(final_path, "stream=codec_name,pix_fmt -select_streams v");
  EXPECT_NE(video.find("codec_name=h264"), std::string::npos) << video;
  EXPECT_NE(video.find("pix_fmt=yuv420p"), std::string::npos) << video;
  const std::string audio =
      probe(final_path, "stream=codec_name,sample_rate,channels -select_streams a");
  if (rc.audio_rate) {
    EXPECT_NE(audio.find("codec_name=aac"), std::string::npos) << audio;
    EXPECT_NE(audio.find("sample_rate=" + std::to_string(rc.expected_rate)), std::string::npos)
        << audio;
    EXPECT_NE(audio.find("channels=" + std::to_string(rc.channels)), std::string::npos) << audio;
  } else {
    EXPECT_EQ(audio, "");
  }

  // Faststart: moov before mdat at the top level.
  const auto boxes = top_level_boxes(final_path);
  const auto moov = std::find(boxes.begin(), boxes.end(), "moov");
  const auto mdat = std::find(boxes.begin(), boxes.end(), "mdat");
  ASSERT_NE(moov, boxes.end());
  ASSERT_NE(mdat, boxes.end());
  EXPECT_LT(moov - boxes.begin(), mdat - boxes.begin());

  // Durations: video is exactly its frames; the file matches the audio within a frame.
  const double frame_seconds = 1.0 / rc.fps;
  EXPECT_NEAR(testing::probe_duration(final_path, "v:0"), frame_count * frame_seconds, 1e-3);
  const double file_seconds = testing::probe_duration(final_path);
  EXPECT_NEAR(file_seconds, rc.audio_seconds, frame_seconds);
  if (rc.audio_rate) {
    EXPECT_NEAR(testing::probe_duration(final_path, "a:0"), rc.audio_seconds, 1e-3);
  }

  // Pictures back through VideoReader.
  VideoReader reader(final_path);
  EXPECT_EQ(reader.info().width, kWidth);
  EXPECT_EQ(reader.info().height, kHeight);
  EXPECT_NEAR(reader.info().fps, rc.fps, 1e-6);
  EXPECT_EQ(reader.info().frame_count, frame_count);
  EXPECT_EQ(reader.info().codec, "h264");
  EXPECT_EQ(reader.info().has_audio, rc.audio_rate > 0);
  Image decoded;
  int index = 0;
  while (reader.read_frame(decoded)) {
    ASSERT_LT(index, frame_count);
    EXPECT_NEAR(reader.frame_time_seconds(), index * frame_seconds, 1e-3);
    EXPECT_GT(psnr(frames[index], decoded), 32.0) << "frame " << index;
    const auto want = mean_colour(frames[index]);
    const auto got = mean_colour(decoded);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], 3.0) << "frame " << index << " c" << c;
    ++index;
  }
  EXPECT_EQ(index, frame_count);
  EXPECT_FALSE(reader.read_frame(decoded));  // stays at the end

  if (!rc.audio_rate) return;
  // Audio back through the ffmpeg CLI: length, level and pitch per channel.
  const auto decoded_pcm = decode_audio_with_ffmpeg(final_path, dir / "audio.f32");
  const size_t samples = decoded_pcm.size() / rc.channels;
  const auto expected_samples =
      static_cast<size_t>(std::llround(rc.audio_seconds * rc.expected_rate));
  // FFmpeg 5.1's MP4 demuxer drops the 1024 priming samples the edit list marks but
  // decodes the padding of the last AAC frame, so up to one frame more comes back.
  constexpr size_t kAacFrameSamples = 1024;
  EXPECT_GE(samples, expected_samples);
  EXPECT_LT(samples, expected_samples + kAacFrameSamples);
  // No shift: the tone starts where it was written (priming hidden, nothing lost).
  size_t onset = 0;
  while (onset < samples && std::abs(decoded_pcm[onset * rc.channels]) < 0.2f) ++onset;
  EXPECT_NEAR(double(onset) / rc.expected_rate, kToneOnsetSeconds, 0.003);
  // Level and pitch per channel inside the tone, away from its edges.
  const size_t from = onset + samples / 10, to = expected_samples * 9 / 10;
  for (int c = 0; c < rc.channels; ++c) {
    EXPECT_NEAR(rms(decoded_pcm, rc.channels, c, from, to), 0.5 / std::sqrt(2.0), 0.02) << c;
    EXPECT_NEAR(frequency_hz(decoded_pcm, rc.channels, c, rc.expected_rate, from, to), hz[c], 2.0)
        << c;
  }
}

TEST(Mp4Writer, RoundTrip16kHzMono25Fps) {
  round_trip({.fps = 25,
              .audio_rate = 16000,
              .channels = 1,
              .audio_seconds = 1.93,
              .interleave_audio = false,
              .expected_rate = 16000});
}

TEST(Mp4Writer, RoundTrip48kHzStereo30FpsInterleaved) {
  round_trip({.fps = 30,
              .audio_rate = 48000,
              .channels = 2,
              .audio_seconds = 2.05,
              .interleave_audio = true,
              .expected_rate = 48000});
}

TEST(Mp4Writer, ResamplesRatesAacLacksTo48kHz) {
  round_trip({.fps = 25,
              .audio_rate = 20000,
              .channels = 1,
              .audio_seconds = 1.5,
              .interleave_audio = true,
              .expected_rate = 48000});
}

TEST(Mp4Writer, VideoOnlyWhenAudioRateIsZero) {
  round_trip({.fps = 25,
              .audio_rate = 0,
              .channels = 1,
              .audio_seconds = 1.2,
              .interleave_audio = false,
              .expected_rate = 0});
}

TEST(Mp4Writer, OneFrameLastsOneFrame) {
  testing::ScratchDir dir;
  const fs::path path = dir / "still.mp4";
  Mp4Writer writer(path, {.width = 64, .height = 48, .fps = 10, .audio_rate = 0});
  writer.write_frame(pattern_frame(64, 48, 0));
  writer.finish();
  EXPECT_NEAR(testing::probe_duration(path, "v:0"), 0.1, 1e-3);
}

TEST(Mp4Writer, RejectsBadParams) {
  testing::ScratchDir dir;
  const fs::path path = dir / "x.mp4";
  EXPECT_THROW(Mp4Writer(path, {.width = 321, .height = 240}), InputError);
  EXPECT_THROW(Mp4Writer(path, {.width = 320, .height = 0}), InputError);
  EXPECT_THROW(Mp4Writer(path, {.fps = 0}), InputError);
  EXPECT_THROW(Mp4Writer(path, {.crf = 60}), InputError);
  EXPECT_THROW(Mp4Writer(path, {.preset = "warpspeed"}), InputError);
  EXPECT_THROW(Mp4Writer(path, {.audio_channels = 6}), InputError);
  EXPECT_THROW(Mp4Writer(dir / "missing" / "x.mp4", {}), InputError);
  try {
    Mp4Writer(path, {.width = 321, .height = 240});
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("321x240"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("even"), std::string::npos) << e.what();
  }
}

TEST(Mp4Writer, RejectsBadFramesAndAudio) {
  testing::ScratchDir dir;
  Mp4Writer writer(dir / "x.mp4",
                   {.width = 64, .height = 48, .audio_rate = 48000, .audio_channels = 2});
  EXPECT_THROW(writer.write_frame(Image(64, 46)), InputError);
  Image truncated(64, 48);
  truncated.rgb.resize(100);
  EXPECT_THROW(writer.write_frame(truncated), InputError);
  const std::vector<float> odd(3, 0.0f);
  EXPECT_THROW(writer.write_audio(odd), InputError);
  const std::vector<float> nan = {0.0f, std::nanf("")};
  EXPECT_THROW(writer.write_audio(nan), InputError);
  EXPECT_THROW(writer.finish(), Error);  // no frames yet
  writer.write_frame(Image(64, 48));     // still usable after rejected input
  writer.finish();
  EXPECT_THROW(writer.write_frame(Image(64, 48)), Error);

  Mp4Writer silent(dir / "y.mp4", {.width = 64, .height = 48, .audio_rate = 0});
  const std::vector<float> pcm(2, 0.0f);
  EXPECT_THROW(silent.write_audio(pcm), Error);
}

TEST(Mp4Writer, AbandonedWriterLeavesNothingBehindWithOutputFile) {
  testing::ScratchDir dir;
  const fs::path final_path = dir / "abandoned.mp4";
  {
    OutputFile out(final_path);
    Mp4Writer writer(out.temp_path(), {.width = 64, .height = 48, .audio_rate = 16000});
    writer.write_audio(tone(16000, 1, 0.5, {440.0}));
    for (int i = 0; i < 10; ++i) writer.write_frame(pattern_frame(64, 48, i));
    // No finish(), no commit(): as when rendering fails part-way.
  }
  EXPECT_FALSE(fs::exists(final_path));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace parla::video
