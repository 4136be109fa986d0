// Renders a portrait speaking an audio file to an MP4 through libparla.
//   render_file [PORTRAIT AUDIO] OUT.mp4     (no PORTRAIT AUDIO: the bundled sample)
#include <parla/parla.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: %s [PORTRAIT AUDIO] OUT.mp4\n", argv[0]);
    return 2;
  }
  try {
    parla::Params params;  // as `parla render`: a crop around the face, 25 fps, learned motion
    params.size = 256;
    const bool sample = argc == 2;
    parla::RenderResult r = parla::render_file(params, sample ? parla::sample_portrait() : argv[1],
                                               sample ? parla::sample_audio() : argv[2], argv[argc - 1]);
    std::printf("frames=%lld width=%d height=%d seconds=%.3f\n", static_cast<long long>(r.frames), r.width,
                r.height, r.audio_seconds);
    return 0;
  } catch (const parla::Error& e) {
    std::fprintf(stderr, "render_file: %s\n", e.what());
    return static_cast<int>(e.code());
  }
}
