// Renderer throughput: frames per second of Renderer::render alone (rig built, fit
// done) on a 4 s talking track, 512² crop of the sample portrait and 1920x1080 full
// framing of a real portrait letterboxed to 1080p. Usage: bench_render [SECONDS_EACH]
#include <algorithm>
#include <cstdio>
#include <string>

#include "bench/support.h"
#include "tests/video/rig_cases.h"
#include "video/video.h"

namespace fs = std::filesystem;
using namespace parla;

namespace {

// Renders the track in a loop for at least `seconds`; reports wall frames per second,
// CPU milliseconds per frame (all threads) and the mean re-rendered share of the frame.
void measure(const std::string& name, video::Renderer& renderer, const MotionTrack& track,
             double seconds) {
  for (const MotionFrame& f : track.frames) renderer.render(f);  // warm up
  bench::Stopwatch clock;
  double cpu_start = bench::process_cpu_seconds();
  long frames = 0;
  double dirty_share = 0.0;
  while (clock.seconds() < seconds) {
    for (const MotionFrame& f : track.frames) {
      renderer.render(f);
      auto r = renderer.last_dirty_rect();
      dirty_share += double(r[2] - r[0]) * (r[3] - r[1]) / (renderer.width() * renderer.height());
    }
    frames += track.frame_count();
  }
  double wall = clock.seconds(), cpu = bench::process_cpu_seconds() - cpu_start;
  bench::report(name, frames / wall, "fps");
  bench::report("  cpu per frame (all threads)", 1000.0 * cpu / frames, "ms");
  bench::report("  re-rendered share of the frame", 100.0 * dirty_share / frames, "%");
}

// A portrait centred on a 1920x1080 canvas, scaled to 1080 rows.
Image letterbox_1080p(const Image& portrait) {
  int height = 1080;
  int width = portrait.width * height / portrait.height;
  Image scaled = video::resize(portrait, width, height);
  Image canvas(1920, 1080);
  std::fill(canvas.rgb.begin(), canvas.rgb.end(), 96);
  int x0 = (1920 - width) / 2;
  for (int y = 0; y < height; ++y) std::copy_n(scaled.pixel(0, y), 3 * width, canvas.pixel(x0, y));
  return canvas;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::stod(argv[1]) : 3.0;
  MotionTrack track = testing::talking_track();

  fs::path sample = fs::path(PARLA_BENCH_DATA_DIR) / "sample" / "portrait.png";
  Image portrait = video::load_image(sample);
  video::Rig sample_rig(portrait, video::fit_face(portrait, sample.string()));
  {
    video::Renderer crop(sample_rig, {.framing = video::Framing::Crop, .size = 512});
    measure("render 512x512 crop (sample portrait)", crop, track, seconds);
  }
  {
    video::Renderer crop1(sample_rig, {.framing = video::Framing::Crop, .size = 512, .threads = 1});
    measure("render 512x512 crop, 1 thread", crop1, track, seconds);
  }
  fs::path obama = fs::path(PARLA_BENCH_DATA_DIR) / ".." / ".." / "shared" / "media" / "portraits" / "obama.jpg";
  Image wide = fs::exists(obama) ? letterbox_1080p(video::load_image(obama)) : letterbox_1080p(portrait);
  video::Rig wide_rig(wide, video::fit_face(wide, "1080p portrait"));
  {
    video::Renderer full(wide_rig, {.framing = video::Framing::Full});
    measure("render 1920x1080 full (obama.jpg letterboxed)", full, track, seconds);
  }
  {
    video::Renderer full1(wide_rig, {.framing = video::Framing::Full, .threads = 1});
    measure("render 1920x1080 full, 1 thread", full1, track, seconds);
  }
  bench::report("peak RSS", bench::peak_rss_mib(), "MiB");
  return 0;
}
