// Talking-Critic speed: the LS and MN heads alone on a 60 s MotionTrack (what the
// experts' preference set needs, × real time, with feature extraction of the same audio
// as the reference in the same run), and the whole `parla score` pipeline (decode, face
// track, analysis, three heads) on a 60 s 512² Parla render, wall and CPU.
//
//   build/bench/bench_critic [seconds=60]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "audio/audio.h"
#include "bench/support.h"
#include "critic/critic.h"
#include "fusion/fusion.h"

namespace fs = std::filesystem;
using namespace parla;

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  fs::path dir = fs::temp_directory_path() / "parla-bench-critic";
  fs::create_directories(dir);
  fs::path wav = dir / ("speech_" + std::to_string(seconds) + "s.wav");
  fs::path video = dir / ("render_" + std::to_string(seconds) + "s.mp4");
  if (!fs::exists(wav)) {
    std::string text;
    for (int i = 0; i < seconds / 5 + 1; ++i) {
      text +=
          "Maybe people should put more pepper in the soup, said the cook, before the bells rang. ";
    }
    std::string cmd = "espeak-ng -s 160 -w '" + (dir / "raw.wav").string() + "' \"" + text +
                      "\" && ffmpeg -nostdin -v error -y -i '" + (dir / "raw.wav").string() +
                      "' -t " + std::to_string(seconds) + " -ar 16000 -ac 1 '" + wav.string() + "'";
    if (std::system(cmd.c_str()) != 0) return 1;
  }
  if (!fs::exists(video)) {
    std::string cmd = std::string(PARLA_BENCH_PARLA_EXE) + " render -q '" + PARLA_BENCH_DATA_DIR +
                      "/sample/portrait.png' '" + wav.string() + "' --size 512 -o '" +
                      video.string() + "'";
    if (std::system(cmd.c_str()) != 0) return 1;
  }
  std::vector<float> pcm = audio::decode_audio(wav);
  const double audio_s = pcm.size() / double(audio::kSampleRate);
  std::printf("input: %.1f s of speech, %s\n", audio_s, video.c_str());

  bench::Stopwatch features_clock;
  audio::Features features = audio::compute_features(pcm);
  const double features_s = features_clock.seconds();
  auto generator = fusion::make_generator("learned", {});
  MotionTrack track = fusion::generate_motion(features.frames, *generator);

  // Best of 5 of `score` (LS and MN of the whole track, as the experts' ranking calls them).
  auto best_of_5 = [](auto&& score) {
    double best = 1e9;
    for (int rep = 0; rep < 5; ++rep) {
      bench::Stopwatch clock;
      score();
      best = std::min(best, clock.seconds());
    }
    return best;
  };
  auto time_heads = [&](critic::Critic& c) {
    return best_of_5([&] {
      c.score_ls(track, features);
      c.score_mn(track, features);
    });
  };
  critic::Critic critic({.threads = 1});
  const double heads_s = time_heads(critic);
  bench::report("features (reference), x real time", audio_s / features_s, "x");
  bench::report("LS + MN heads on a MotionTrack, x real time (best of 5, 1 thread)",
                audio_s / heads_s, "x");
  bench::report("heads time / features time", heads_s / features_s, "");
  {
    // Ranking K candidates of one clip: the audio side once, then per candidate.
    critic::ClipAudio prepared = critic.prepare_audio(features, track.frame_count());
    const double best = best_of_5([&] {
      critic.score_ls(track, prepared);
      critic.score_mn(track, prepared);
    });
    bench::report("LS + MN per candidate, audio prepared once, x real time (best of 5, 1 thread)",
                  audio_s / best, "x");
  }

  double wall = 1e9, cpu = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    bench::Stopwatch clock;
    double cpu_start = bench::process_cpu_seconds();
    critic::VideoAnalysis a = critic::analyze_video(video, {});
    critic.score(a, video.filename().string());
    wall = std::min(wall, clock.seconds());
    cpu = std::min(cpu, bench::process_cpu_seconds() - cpu_start);
  }
  bench::report("score a 512² render (analysis + heads), x real time (best of 3, wall)",
                audio_s / wall, "x");
  bench::report("score a 512² render, CPU seconds", cpu, "s");
  // Last: LibTorch's thread count is process-wide.
  {
    critic::Critic two({.threads = 2});  // the machine's two cores
    const double two_s = time_heads(two);
    bench::report("LS + MN heads on a MotionTrack, x real time (best of 5, 2 threads)",
                  audio_s / two_s, "x");
  }
  return 0;
}
