// A live app's loop through parla::Animator: PCM arrives in 10 ms chunks (here read from
// a raw file standing in for a microphone), motion frames are pulled as soon as they
// are ready, and each is drawn on the portrait as an RGBA picture.
//   stream PCM.f32 RATE [PORTRAIT] [FRAME.ppm]
// PCM.f32: mono float32 little-endian samples (ffmpeg -i speech.flac -ac 1 -ar 48000 -f f32le PCM.f32).
// Prints the counts; writes the middle frame's picture as a PPM when asked.
#include <parla/parla.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

void write_ppm(const parla::Picture& p, const char* path) {
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << p.width << " " << p.height << "\n255\n";
  for (int i = 0; i < p.width * p.height; ++i) out.write(reinterpret_cast<const char*>(p.rgba + 4 * i), 3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    std::fprintf(stderr, "usage: %s PCM.f32 RATE [PORTRAIT] [FRAME.ppm]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<float> pcm;
  for (float v; in.read(reinterpret_cast<char*>(&v), sizeof v);) pcm.push_back(v);
  const int rate = std::stoi(argv[2]);
  try {
    parla::Params params;  // live defaults: one motion frame per model window, 160 ms look-ahead
    params.size = 256;
    params.seed = 7;
    parla::Animator animator(params, argc >= 4 ? argv[3] : parla::sample_portrait());
    const std::size_t chunk = static_cast<std::size_t>(rate / 100);  // 10 ms, as a microphone callback
    std::vector<parla::MotionFrame> motion;
    long long pictures = 0;
    const long long expected = static_cast<long long>(pcm.size()) * 25 / rate;  // about; for the PPM
    auto draw_ready = [&] {
      while (std::optional<parla::MotionFrame> frame = animator.pull()) {
        motion.push_back(*frame);
        parla::Picture picture = animator.render(*frame);  // upload to a texture here
        if (argc == 5 && picture.index == expected / 2) write_ppm(picture, argv[4]);
        ++pictures;
      }
    };
    for (std::size_t at = 0; at < pcm.size(); at += chunk) {
      animator.push({pcm.data() + at, std::min(chunk, pcm.size() - at)}, rate);
      draw_ready();
    }
    animator.finish();
    draw_ready();
    float jaw_max = 0;
    for (const parla::MotionFrame& f : motion) jaw_max = std::max(jaw_max, f[parla::index(parla::Channel::JawOpen)]);
    std::printf("motion_frames=%zu pictures=%lld samples_16k=%lld lookahead_ms=%.0f jaw_open_max=%.3f size=%dx%d\n",
                motion.size(), pictures, static_cast<long long>(animator.samples_pushed()),
                animator.lookahead_seconds() * 1e3, jaw_max, animator.width(), animator.height());
    return 0;
  } catch (const parla::Error& e) {
    std::fprintf(stderr, "stream: %s\n", e.what());
    return static_cast<int>(e.code());
  }
}
