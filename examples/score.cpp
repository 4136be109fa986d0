// Scores a talking-head video with the Talking-Critic through libparla_critic.
//   score VIDEO REPORT.json
#include <parla/critic.h>

#include <cstdio>
#include <fstream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s VIDEO REPORT.json\n", argv[0]);
    return 2;
  }
  try {
    parla::Score s = parla::score_video(argv[1]);
    std::ofstream(argv[2]) << s.json;
    std::printf("lip_sync=%.1f naturalness=%.1f quality=%.1f offset_frames=%d seconds=%.2f\n", s.lip_sync,
                s.naturalness, s.quality, s.av_offset_frames, s.seconds);
    return 0;
  } catch (const parla::Error& e) {
    std::fprintf(stderr, "score: %s\n", e.what());
    return static_cast<int>(e.code());
  }
}
