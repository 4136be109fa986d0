// MP4 encode speed: frames per second through Mp4Writer (H.264 + 48 kHz stereo AAC,
// muxing included) at 512x512 and 1920x1080, for the default x264 preset and for
// "ultrafast" as the in-run reference, plus the RGB -> YUV420P conversion per frame.
// Pictures are real: the HDTF clip from ../shared/media, tiled to fill 1080p so the
// encoder sees real detail at full density (an upscale would be unrealistically smooth).
//
//   ./build/bench/bench_encode [path/to/clip.mp4]
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "bench/support.h"
#include "core/core.h"
#include "video/ffmpeg_util.h"
#include "video/video.h"

namespace {

namespace fs = std::filesystem;
using parla::Image;
using parla::bench::report;
using parla::bench::Stopwatch;

// A scratch directory for the encoded files, removed however main exits.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("parla-bench-encode-" + std::to_string(::getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

constexpr int kSourceFrames = 50;  // decoded once, played forward then backward
constexpr int kAudioRate = 48000;  // Hz, stereo

std::vector<Image> load_frames(const fs::path& clip) {
  parla::video::VideoReader reader(clip);
  std::vector<Image> frames;
  Image frame;
  while (static_cast<int>(frames.size()) < kSourceFrames && reader.read_frame(frame)) {
    frames.push_back(frame);
  }
  return frames;
}

Image tile(const Image& source, int width, int height) {
  Image out(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const std::uint8_t* p = source.pixel(x % source.width, y % source.height);
      std::uint8_t* q = out.pixel(x, y);
      q[0] = p[0];
      q[1] = p[1];
      q[2] = p[2];
    }
  }
  return out;
}

// Ping-pong through the source so motion stays continuous (no cut every 2 s).
const Image& frame_at(const std::vector<Image>& frames, int index) {
  const int n = static_cast<int>(frames.size());
  const int phase = index % (2 * n - 2);
  return frames[phase < n ? phase : 2 * n - 2 - phase];
}

struct EncodeResult {
  double fps = 0;               // frames per wall second, whole writer lifetime
  double cpu_ms_per_frame = 0;  // process CPU time per frame (all threads)
  double kbit_per_second = 0;   // file size over its duration
};

EncodeResult encode(const std::vector<Image>& frames, int frame_count, const std::string& preset,
                    const fs::path& path) {
  const int width = frames[0].width, height = frames[0].height;
  const double fps = 25.0;
  const int samples_per_frame = static_cast<int>(kAudioRate / fps);
  std::vector<float> pcm(2 * samples_per_frame);
  const double cpu_start = parla::bench::process_cpu_seconds();
  Stopwatch wall;
  {
    parla::video::Mp4Writer writer(path, {.width = width,
                                          .height = height,
                                          .fps = fps,
                                          .preset = preset,
                                          .audio_rate = kAudioRate,
                                          .audio_channels = 2});
    for (int i = 0; i < frame_count; ++i) {
      for (int s = 0; s < samples_per_frame; ++s) {  // 220 Hz / 330 Hz tones
        const double seconds = (double(i) * samples_per_frame + s) / kAudioRate;
        pcm[2 * s] = static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * 220 * seconds));
        pcm[2 * s + 1] = static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * 330 * seconds));
      }
      writer.write_audio(pcm);
      writer.write_frame(frame_at(frames, i));
    }
    writer.finish();
  }
  EncodeResult result;
  const double seconds = wall.seconds();
  result.fps = frame_count / seconds;
  result.cpu_ms_per_frame = 1000 * (parla::bench::process_cpu_seconds() - cpu_start) / frame_count;
  result.kbit_per_second = fs::file_size(path) * 8 / 1000.0 / (frame_count / fps);
  return result;
}

void bench_size(const std::vector<Image>& frames, int frame_count, const fs::path& dir) {
  const std::string size = std::to_string(frames[0].width) + "x" + std::to_string(frames[0].height);
  const std::string default_preset = parla::video::Mp4Params{}.preset;

  // RGB -> YUV420P alone, as Mp4Writer does it before each encode.
  parla::video::ff::RgbToYuv420 converter(frames[0].width, frames[0].height);
  parla::video::ff::FramePtr yuv = parla::video::ff::make_frame();
  yuv->format = AV_PIX_FMT_YUV420P;
  yuv->width = frames[0].width;
  yuv->height = frames[0].height;
  parla::video::ff::check(av_frame_get_buffer(yuv.get(), 0), "frame");
  constexpr int kConversions = 200;
  std::vector<double> convert_ms;
  for (int i = 0; i < kConversions; ++i) {
    Stopwatch one;
    converter.convert(frame_at(frames, i), yuv.get());
    convert_ms.push_back(1000 * one.seconds());
  }
  // The median resists the other builds sharing this machine.
  std::nth_element(convert_ms.begin(), convert_ms.begin() + kConversions / 2, convert_ms.end());
  report("rgb->yuv420p " + size + " (median)", convert_ms[kConversions / 2], "ms/frame");

  const EncodeResult chosen = encode(frames, frame_count, default_preset, dir / "default.mp4");
  const EncodeResult fast = encode(frames, frame_count, "ultrafast", dir / "ultrafast.mp4");
  report("encode " + size + " " + default_preset + " +aac", chosen.fps, "fps");
  report("encode " + size + " " + default_preset + " cpu", chosen.cpu_ms_per_frame, "ms/frame");
  report("encode " + size + " " + default_preset + " bitrate", chosen.kbit_per_second, "kbit/s");
  report("encode " + size + " ultrafast +aac (reference)", fast.fps, "fps");
  report("encode " + size + " ultrafast cpu", fast.cpu_ms_per_frame, "ms/frame");
  report("encode " + size + " ultrafast bitrate", fast.kbit_per_second, "kbit/s");
  report("encode " + size + " " + default_preset + " / ultrafast", chosen.fps / fast.fps, "x");
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path clip = argc > 1 ? fs::path(argv[1])
                                 : fs::path(PARLA_BENCH_DATA_DIR) / ".." / ".." / "shared" /
                                       "media" / "video" / "hdtf_katiehill.mp4";
  try {
    const fs::path dir =
        fs::temp_directory_path() / ("parla-bench-encode-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::printf("source %s, %d frames ping-ponged, 25 fps, 48 kHz stereo AAC, crf %d\n",
                clip.c_str(), kSourceFrames, parla::video::Mp4Params{}.crf);
    const std::vector<Image> frames = load_frames(clip);
    if (frames.size() < 2) throw parla::Error("need at least 2 frames in " + clip.string());
    bench_size(frames, /*frame_count=*/250, dir);

    std::vector<Image> hd;
    for (const Image& frame : frames) hd.push_back(tile(frame, 1920, 1080));
    bench_size(hd, /*frame_count=*/100, dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_encode: %s\n", e.what());
    return 1;
  }
  report("peak rss", parla::bench::peak_rss_mib(), "MiB");
  return 0;
}
