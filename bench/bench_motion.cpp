// Motion generation speed on one thread: the classic and the learned generator (default
// 2 DDIM steps, whole-file windows) over the features of a few minutes of espeak-ng
// speech (× real time), with feature extraction of the same audio timed in the same run
// as the reference; the learned generator on its plain C++ model beside the same
// generator on the LibTorch model (experts::TorchNetwork, the path before issue #13),
// with the cost of loading each; and the live chunk (a window per 40 ms frame). The
// fused generator (TLPO experts: three random rank-R LoRA sets and a random gate in the
// shipped format, gate mode, the base model's chain beside for jawOpen and mouthClose as
// by default; and without it, --base-jaw off) is timed beside the base model, whole-file
// and live.
//
//   build/bench/bench_motion [minutes=3] [expert rank R=16]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "bench/support.h"
#include "experts/experts.h"
#include "experts/plain_math.h"
#include "fusion/fusion.h"

namespace fs = std::filesystem;
using namespace parla;

int main(int argc, char** argv) {
  int minutes = argc > 1 ? std::atoi(argv[1]) : 3;
  int expert_rank = argc > 2 ? std::atoi(argv[2]) : 16;
  fs::path dir = fs::temp_directory_path() / "parla-bench-motion";
  fs::create_directories(dir);
  fs::path wav = dir / ("speech_" + std::to_string(minutes) + "min.wav");
  if (!fs::exists(wav)) {
    std::string text;
    for (int i = 0; i < 12 * minutes; ++i) {
      text += "Maybe people should put more pepper in the soup, said the cook, before the bells rang. ";
    }
    std::string cmd = "espeak-ng -s 160 -w '" + (dir / "raw.wav").string() + "' \"" + text +
                      "\" && ffmpeg -nostdin -v error -y -i '" + (dir / "raw.wav").string() +
                      "' -ar 16000 -ac 1 '" + wav.string() + "'";
    if (std::system(cmd.c_str()) != 0) return 1;
  }
  std::vector<float> pcm = audio::decode_audio(wav);
  double audio_s = pcm.size() / double(audio::kSampleRate);
  std::printf("input: %.1f s of speech (%s)\n", audio_s, wav.c_str());

  bench::Stopwatch features_clock;
  audio::Features features = audio::compute_features(pcm);
  double features_s = features_clock.seconds();

  double best_s = 1e9;
  std::int64_t frames = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto gen = fusion::make_generator("classic", {.seed = static_cast<std::uint64_t>(rep)});
    bench::Stopwatch clock;
    MotionTrack track = fusion::generate_motion(features.frames, *gen);
    best_s = std::min(best_s, clock.seconds());
    frames = track.frame_count();
  }
  bench::report("features (reference), x real time", audio_s / features_s, "x");
  bench::report("classic generator, x real time (best of 5)", audio_s / best_s, "x");
  bench::report("classic generator, per motion frame", best_s / frames * 1e6, "us");
  bench::report("generator time / features time", best_s / features_s, "");

  const fs::path weights = fs::path(PARLA_BENCH_DATA_DIR) / "models" / "base" / "base.pt";
  bench::Stopwatch plain_load_clock;
  experts::PlainModel loaded(weights);
  const double plain_load_s = plain_load_clock.seconds();
  torch::set_num_threads(1);
  bench::Stopwatch torch_load_clock;
  experts::MotionModel torch_model = experts::load_model(weights);
  const double torch_load_s = torch_load_clock.seconds();
  bench::report("plain model load (read base.pt, transpose)", plain_load_s * 1e3, "ms");
  bench::report("LibTorch model load (torch::load, reference)", torch_load_s * 1e3, "ms");

  // The matrix product on each kernel this CPU runs, at a denoiser layer's shape (a
  // window of 50 frames, 256 → 256), against the baseline kernel in the same run.
  {
    namespace plain = experts::plain;
    const int m = 50, n = 256, k = 256, reps = 400;
    std::vector<float> a(static_cast<size_t>(m) * k, 0.5f), b(static_cast<size_t>(k) * n, 0.25f),
        c(static_cast<size_t>(m) * n);
    double baseline_s = 0;
    for (plain::Kernel kernel : {plain::Kernel::Baseline, plain::Kernel::Avx2, plain::Kernel::Avx512}) {
      if (!plain::runs(kernel)) continue;
      double best = 1e9;
      for (int round = 0; round < 3; ++round) {
        bench::Stopwatch clock;
        for (int r = 0; r < reps; ++r) plain::matmul_on(kernel, m, n, k, a.data(), k, b.data(), n, c.data(), n, nullptr, false);
        best = std::min(best, clock.seconds());
      }
      if (kernel == plain::Kernel::Baseline) baseline_s = best;
      const std::string label = std::string("matmul 50x256x256 on ") + plain::name(kernel) +
                                (kernel == plain::kernel_in_use() ? " (the one used)" : "");
      bench::report(label + ", GFLOP/s", 2.0 * m * n * k * reps / best * 1e-9, "");
      bench::report(label + ", speed-up over baseline", baseline_s / best, "x");
    }
  }

  // Best of 3 (wall and CPU) of whole-input generation with a fresh generator each time.
  struct Timing {
    double wall_s = 1e9, cpu_s = 1e9;
  };
  // Random experts in the shipped format (experts/runtime.h "TLPO experts").
  const fs::path experts_dir = dir / ("experts_rank" + std::to_string(expert_rank));
  fs::create_directories(experts_dir);
  for (int e = 0; e < experts::kExpertCount; ++e) {
    const std::string name(experts::kExpertNames[e]);
    experts::save_lora_set(experts::random_lora_set(torch_model->denoiser, name, expert_rank,
                                                    /*b_std=*/0.05f, 100 + e),
                           e, experts_dir / (name + ".pt"));
  }
  experts::ExpertGate gate(experts::ExpertGateOptions{
      .layers = static_cast<int>(torch_model->denoiser->lora_layers().size())});
  {
    torch::NoGradGuard no_grad;
    gate->fc2_weight.normal_(0, 1.0);
  }
  experts::save_gate(gate, experts_dir / "gate.pt");
  auto base_params = [](std::uint64_t seed) {
    fusion::GeneratorParams params{.seed = seed};
    params.fusion = fusion::GeneratorParams::Fusion::Off;
    return params;
  };
  auto fused_params = [&](std::uint64_t seed, bool base_jaw = true) {
    fusion::GeneratorParams params{.seed = seed};
    params.experts_dir = experts_dir;
    params.base_jaw = base_jaw;
    return params;
  };

  // fused: the default (experts, the base model's chain beside for the jaw and closures);
  // free: experts without that chain (--base-jaw off).
  enum class Config { Base, Fused, Free };
  auto time_learned = [&](bool use_torch, Config config = Config::Base) {
    Timing best;
    for (int rep = 0; rep < 3; ++rep) {
      fusion::GeneratorParams params = config == Config::Base ? base_params(rep)
                                                               : fused_params(rep, config == Config::Fused);
      auto gen = use_torch ? fusion::make_learned_generator(
                                 params, std::make_unique<experts::TorchNetwork>(torch_model))
                           : fusion::make_generator("learned", params);
      bench::Stopwatch clock;
      double cpu_start = bench::process_cpu_seconds();
      fusion::generate_motion(features.frames, *gen);
      best.wall_s = std::min(best.wall_s, clock.seconds());
      best.cpu_s = std::min(best.cpu_s, bench::process_cpu_seconds() - cpu_start);
    }
    return best;
  };
  Timing torch_time = time_learned(/*use_torch=*/true);
  Timing learned = time_learned(/*use_torch=*/false);
  Timing fused = time_learned(/*use_torch=*/false, Config::Fused);
  Timing free = time_learned(/*use_torch=*/false, Config::Free);
  bench::report("learned generator on LibTorch (reference), x real time (best of 3, wall)",
                audio_s / torch_time.wall_s, "x");
  bench::report("learned generator, x real time (best of 3, wall)", audio_s / learned.wall_s, "x");
  bench::report("learned generator, x real time (best of 3, CPU)", audio_s / learned.cpu_s, "x");
  bench::report("learned generator, speed-up over LibTorch", torch_time.wall_s / learned.wall_s, "x");
  bench::report("learned time / features time", learned.wall_s / features_s, "");
  bench::report("fused generator (3 experts rank " + std::to_string(expert_rank) +
                    " + gate), x real time (best of 3, wall)",
                audio_s / fused.wall_s, "x");
  bench::report("fused generator, x real time (best of 3, CPU)", audio_s / fused.cpu_s, "x");
  bench::report("fused time / base time", fused.wall_s / learned.wall_s, "");
  bench::report("fused --base-jaw off, x real time (best of 3, CPU)", audio_s / free.cpu_s, "x");
  bench::report("fused --base-jaw off time / base time", free.wall_s / learned.wall_s, "");

  // Live: features pushed every 40 ms; the wall time of each push that runs a window.
  auto time_live = [&](fusion::GeneratorParams params, const std::string& label) {
    params.chunk_frames = fusion::kLiveChunkFrames;
    auto live = fusion::make_generator("learned", params);
    std::vector<MotionFrame> out;
    std::vector<double> chunk_ms;
    for (size_t i = 0; i < features.frames.size(); i += 4) {
      size_t n = std::min<size_t>(4, features.frames.size() - i), before = out.size();
      bench::Stopwatch clock;
      live->push(std::span(features.frames).subspan(i, n), out);
      if (out.size() > before) chunk_ms.push_back(clock.seconds() * 1e3);
    }
    std::sort(chunk_ms.begin(), chunk_ms.end());
    bench::report(label + " live chunk, median", chunk_ms[chunk_ms.size() / 2], "ms");
    bench::report(label + " live chunk, p99", chunk_ms[chunk_ms.size() * 99 / 100], "ms");
    bench::report(label + " live chunk, max", chunk_ms.back(), "ms");
  };
  time_live(base_params(0), "learned");
  time_live(fused_params(0), "fused");
  time_live(fused_params(0, false), "fused --base-jaw off");
  return 0;
}
