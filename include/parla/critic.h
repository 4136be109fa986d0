// parla/critic.h — score a talking-head video with the Talking-Critic (docs/critic.md):
// lip sync (LS), motion naturalness (MN) and visual quality (VQ), each 0..100. Its
// models run on LibTorch, so it lives in a library of its own: CMake
// `target_link_libraries(app PRIVATE Parla::critic)`, pkg-config `parla-critic`;
// programs that only render link Parla::parla and never load LibTorch.
//
//   #include <parla/critic.h>
//   parla::Score s = parla::score_video("out.mp4");
//   std::printf("LS %.0f  MN %.0f  VQ %.0f\n", s.lip_sync, s.naturalness, s.quality);
//   std::ofstream("score.json") << s.json;
//
// Errors: parla::Error (parla/error.h); bad_input naming the file for a video that
// cannot be read, has no frames, no audio (and no ScoreParams::audio) or no face.
// Thread safety: score_video is reentrant (each call loads its own heads, ~0.1 s);
// ScoreParams::threads sets LibTorch's process-wide thread count.
#pragma once

#include <filesystem>
#include <string>

#include "parla/parla.h"

namespace parla {

struct ScoreParams {
  std::filesystem::path audio;       // score against this audio instead of the video's own track
  std::filesystem::path models_dir;  // ls.pt, mn.pt, vq.pt ("" = the bundled models/critic)
  int threads = 1;                   // LibTorch threads, 1..64
};

struct Score {
  float lip_sync = 0;          // LS, 0..100 (natural videos ~88, faulty ones ~12)
  float naturalness = 0;       // MN, 0..100
  float quality = 0;           // VQ, 0..100
  int av_offset_frames = 0;    // audio lead that fits best, 25 fps frames (+ = audio ahead)
  double seconds = 0;          // duration scored
  double face_coverage = 0;    // fraction of video frames where a face was tracked
  std::string json;            // the full report, as `parla score --json` writes it
};

Score score_video(const std::filesystem::path& video, const ScoreParams& params = {});

}  // namespace parla
