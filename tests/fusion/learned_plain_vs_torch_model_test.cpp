// The learned generator on the plain C++ model (the default) against the same generator
// on the LibTorch model (experts::TorchNetwork, the path it ran before) on real speech
// (data/sample/speech.flac): the tracks agree frame for frame, whole-file windows and
// live chunks, so the windows feeding each other their output do not drift apart; with
// TLPO experts too (random experts and gate in the shipped format, the gate's scales at
// every denoiser call's t).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "audio/audio.h"
#include "experts/experts.h"
#include "fusion/fusion.h"
#include "tests/support/testing.h"

namespace {
namespace audio = parla::audio;
namespace experts = parla::experts;
namespace fusion = parla::fusion;

const audio::Features& speech() {
  static const audio::Features features = audio::compute_features(
      audio::decode_audio(parla::testing::data_dir() / "sample" / "speech.flac"));
  return features;
}

parla::MotionTrack torch_track(fusion::GeneratorParams params) {
  auto network = std::make_unique<experts::TorchNetwork>(
      experts::load_model(parla::testing::data_dir() / "models" / "base" / "base.pt"));
  auto gen = fusion::make_learned_generator(params, std::move(network));
  return fusion::generate_motion(speech().frames, *gen);
}

parla::MotionTrack plain_track(fusion::GeneratorParams params) {
  auto gen = fusion::make_generator("learned", params);
  return fusion::generate_motion(speech().frames, *gen);
}

// Largest per-channel difference, relative to that channel's range of motion.
void expect_same_tracks(const parla::MotionTrack& expected, const parla::MotionTrack& actual,
                        double tolerance) {
  ASSERT_EQ(expected.frame_count(), actual.frame_count());
  ASSERT_GT(expected.frame_count(), 200);
  double worst = 0;
  for (int c = 0; c < parla::kChannelCount; ++c) {
    float lo = 1e9f, hi = -1e9f, diff = 0;
    for (std::size_t k = 0; k < expected.frames.size(); ++k) {
      lo = std::min(lo, expected.frames[k][c]), hi = std::max(hi, expected.frames[k][c]);
      diff = std::max(diff, std::abs(expected.frames[k][c] - actual.frames[k][c]));
    }
    EXPECT_LT(diff, tolerance) << parla::channel_info(static_cast<parla::Channel>(c)).name
                               << " (range " << lo << ".." << hi << ")";
    worst = std::max<double>(worst, diff);
  }
  std::printf("largest difference of any channel in any frame: %.2e\n", worst);
}

TEST(LearnedPlainVsTorch, WholeFileTracksAgree) {
  expect_same_tracks(torch_track({.seed = 11}), plain_track({.seed = 11}), 1e-4);
}

TEST(LearnedPlainVsTorch, MoreStepsAndLiveChunksAgree) {
  expect_same_tracks(torch_track({.seed = 2, .steps = 4}), plain_track({.seed = 2, .steps = 4}),
                     1e-4);
  fusion::GeneratorParams live{.seed = 4, .chunk_frames = fusion::kLiveChunkFrames};
  expect_same_tracks(torch_track(live), plain_track(live), 1e-4);
}

TEST(LearnedPlainVsTorch, FusedExpertsAgree) {
  parla::testing::ScratchDir dir;
  experts::MotionModel model =
      experts::load_model(parla::testing::data_dir() / "models" / "base" / "base.pt");
  for (int e = 0; e < experts::kExpertCount; ++e) {
    const std::string name(experts::kExpertNames[e]);
    experts::save_lora_set(
        experts::random_lora_set(model->denoiser, name, /*rank=*/8, /*b_std=*/0.05f, 60 + e), e,
        dir / (name + ".pt"));
  }
  torch::manual_seed(61);
  experts::ExpertGate gate(experts::ExpertGateOptions{
      .layers = static_cast<int>(model->denoiser->lora_layers().size())});
  {
    torch::NoGradGuard no_grad;
    gate->fc2_weight.normal_(0, 1.0);
  }
  experts::save_gate(gate, dir / "gate.pt");

  fusion::GeneratorParams params{.seed = 3, .steps = 3};
  params.experts_dir = dir.path();
  params.expert_scale = {1.2f, 0.6f, 1.f};
  const parla::MotionTrack fused = plain_track(params);
  expect_same_tracks(torch_track(params), fused, 1e-4);
  params.fusion = fusion::GeneratorParams::Fusion::Off;
  const parla::MotionTrack base = plain_track(params);
  // The experts move every channel but jawOpen and mouthClose, which are the base's to the
  // bit (GeneratorParams::base_jaw); free, they move those too.
  params.fusion = fusion::GeneratorParams::Fusion::Gate;
  params.base_jaw = false;
  const parla::MotionTrack free = plain_track(params);
  const int jaw = parla::index(parla::Channel::JawOpen),
            close = parla::index(parla::Channel::MouthClose);
  ASSERT_EQ(fused.frames.size(), base.frames.size());
  std::array<float, parla::kChannelCount> moved{}, moved_free{};
  for (std::size_t k = 0; k < base.frames.size(); ++k) {
    EXPECT_EQ(fused.frames[k][jaw], base.frames[k][jaw]) << k;
    EXPECT_EQ(fused.frames[k][close], base.frames[k][close]) << k;
    for (int c = 0; c < parla::kChannelCount; ++c) {
      moved[c] = std::max(moved[c], std::abs(base.frames[k][c] - fused.frames[k][c]));
      moved_free[c] = std::max(moved_free[c], std::abs(base.frames[k][c] - free.frames[k][c]));
    }
  }
  for (auto c : {parla::Channel::MouthFunnel, parla::Channel::MouthPucker, parla::Channel::HeadYaw})
    EXPECT_GT(moved[parla::index(c)], 1e-2f) << parla::index(c);
  EXPECT_GT(moved_free[jaw], 1e-3f);
  EXPECT_GT(moved_free[close], 1e-3f);

  // Live chunks (one frame a window) keep the base's jaw and closures too.
  params.base_jaw = true;
  params.chunk_frames = fusion::kLiveChunkFrames;
  const parla::MotionTrack live = plain_track(params);
  params.fusion = fusion::GeneratorParams::Fusion::Off;
  const parla::MotionTrack live_base = plain_track(params);
  ASSERT_EQ(live.frames.size(), live_base.frames.size());
  float live_moved = 0;
  for (std::size_t k = 0; k < live.frames.size(); ++k) {
    EXPECT_EQ(live.frames[k][jaw], live_base.frames[k][jaw]) << k;
    EXPECT_EQ(live.frames[k][close], live_base.frames[k][close]) << k;
    live_moved = std::max(live_moved, std::abs(live.frames[k][parla::index(parla::Channel::MouthFunnel)] -
                                               live_base.frames[k][parla::index(parla::Channel::MouthFunnel)]));
  }
  EXPECT_GT(live_moved, 1e-2f);
}

}  // namespace
