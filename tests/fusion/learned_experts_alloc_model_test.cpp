// The TLPO experts add no allocation per window to the learned generator (random experts
// and gate in the shipped format; live chunks, a window per frame): the gate's scales go
// into a mix sized at construction and the base model's chain beside (base_jaw) has its
// buffers and history reserved, so a running fused generator allocates exactly as often
// as the base model (whose model calls allocate nothing; the streaming around them —
// output, blink overlay — allocates about once per push).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <utility>

#include "audio/audio.h"
#include "experts/experts.h"
#include "fusion/fusion.h"
#include "tests/support/testing.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

// Counts allocations only while `counting` (this binary's other tests are unaffected).
void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC 12 takes the free() in these replacements for a mismatch with `new`; they pair
// with the malloc() above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {
namespace audio = parla::audio;
namespace experts = parla::experts;
namespace fusion = parla::fusion;

TEST(LearnedExperts, ExpertsAddNoAllocationPerWindow) {
  parla::testing::ScratchDir dir;
  experts::MotionModel model =
      experts::load_model(parla::testing::data_dir() / "models" / "base" / "base.pt");
  for (int e = 0; e < experts::kExpertCount; ++e) {
    const std::string name(experts::kExpertNames[e]);
    experts::save_lora_set(
        experts::random_lora_set(model->denoiser, name, /*rank=*/8, /*b_std=*/0.05f, 70 + e), e,
        dir / (name + ".pt"));
  }
  experts::ExpertGate gate(experts::ExpertGateOptions{
      .layers = static_cast<int>(model->denoiser->lora_layers().size())});
  experts::save_gate(gate, dir / "gate.pt");
  const audio::Features features = audio::compute_features(
      audio::decode_audio(parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav"));
  ASSERT_GT(features.frames.size(), 1000u);

  std::vector<long> counts;
  using Fusion = fusion::GeneratorParams::Fusion;
  for (auto [mode, base_jaw] : {std::pair{Fusion::Off, true}, std::pair{Fusion::Gate, true},
                                std::pair{Fusion::Uniform, true}, std::pair{Fusion::Gate, false}}) {
    fusion::GeneratorParams params{.seed = 1, .chunk_frames = fusion::kLiveChunkFrames};
    params.experts_dir = dir.path();
    params.fusion = mode;
    params.base_jaw = base_jaw;
    params.blink_rate = 0;
    auto gen = fusion::make_generator("learned", params);
    std::vector<parla::MotionFrame> out;
    out.reserve(features.frames.size());
    const std::span<const audio::FeatureFrame> all(features.frames);
    std::size_t i = 0;
    for (; i < 200; i += 4) gen->push(all.subspan(i, 4), out);  // warm up: buffers at size
    const std::size_t emitted = out.size();
    allocations = 0;
    counting = true;
    for (; i + 4 <= 1000; i += 4) gen->push(all.subspan(i, 4), out);
    counting = false;
    EXPECT_GT(out.size(), emitted + 150);
    counts.push_back(allocations.load());
  }
  EXPECT_EQ(counts[1], counts[0]) << "gate vs base";
  EXPECT_EQ(counts[2], counts[0]) << "uniform vs base";
  EXPECT_EQ(counts[3], counts[0]) << "gate without the base's jaw vs base";
  EXPECT_LT(counts[0], 2 * 200) << "base: allocations in 200 pushes";
}

}  // namespace
