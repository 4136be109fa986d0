// The learned generator: the base denoiser of experts/ sampled with DDIM, window by
// window. Each window holds kPrefixFrames already emitted frames (clean, as context),
// then chunk + look-ahead frames to generate; only the chunk is emitted and the
// look-ahead frames are generated again, with more audio, by the next window. So any
// input length runs in bounded memory, consecutive windows continue each other
// (no seam), and the same scheduling serves whole files (chunk 46) and live input
// (chunk 1). Scheduling depends only on frame counts, never on how input is pushed,
// so streaming gives exactly the whole-input result. The network is the plain C++
// model (experts/runtime.h) unless a caller supplies another (the LibTorch reference).
// With TLPO experts, every denoiser call gets the three LoRA sets scaled for its t
// (GeneratorParams::fusion, expert_scale), and by default the base model's own chain runs
// beside from the same noise to decide jawOpen and mouthClose (GeneratorParams::base_jaw).
#include <algorithm>
#include <array>
#include <cmath>

#include "experts/runtime.h"
#include "fusion/generators.h"
#include "fusion/random.h"

namespace parla::fusion {
namespace {

using experts::kFeatureDims;
using experts::kFeaturesPerMotionFrame;
using experts::kPrefixFrames;
using experts::Role;

// With experts, the channels the base model's own chain decides (GeneratorParams::base_jaw).
constexpr std::array kBaseJawChannels{Channel::JawOpen, Channel::MouthClose};

std::filesystem::path default_weights() {
  return data_dir() / "models" / "base" / "base.pt";
}

// The experts of params, or null for the exact base model: fusion off, every scale 0,
// other weights than the shipped base without an experts dir, or the default experts dir
// incomplete (before weights exist). An explicit dir that lacks a file is an InputError.
std::unique_ptr<experts::ExpertMix> load_experts(const GeneratorParams& params,
                                                 const experts::ModelConfig& config) {
  for (float s : params.expert_scale) {
    if (!(s >= 0.f && s <= 4.f)) throw InputError("expert scales must be 0..4");
  }
  if (params.fusion == GeneratorParams::Fusion::Off) return nullptr;
  if (std::all_of(params.expert_scale.begin(), params.expert_scale.end(),
                  [](float s) { return s == 0.f; })) {
    return nullptr;
  }
  const bool gate = params.fusion == GeneratorParams::Fusion::Gate;
  const bool explicit_dir = !params.experts_dir.empty();
  // The shipped experts adapt the shipped base model: other weights (--weights, a trained
  // or fine-tuned model) run without them unless an experts dir is given for them.
  if (!explicit_dir && !params.weights.empty()) {
    std::error_code ec;
    if (!std::filesystem::equivalent(params.weights, default_weights(), ec)) return nullptr;
  }
  const std::filesystem::path dir = explicit_dir ? params.experts_dir : default_experts_dir();
  std::string missing;
  for (const std::string& name : experts::missing_expert_files(dir)) {
    if (name != experts::kGateFileName || gate) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) {
    if (!explicit_dir) return nullptr;
    if (!std::filesystem::is_directory(dir)) {
      throw InputError("experts dir " + quoted(dir) + " does not exist");
    }
    throw InputError("experts dir " + quoted(dir) + " lacks " + missing);
  }
  return std::make_unique<experts::ExpertMix>(dir, config, gate);
}

class LearnedGenerator final : public MotionGenerator {
 public:
  LearnedGenerator(const GeneratorParams& params, std::unique_ptr<experts::MotionNetwork> network)
      : network_(std::move(network)),
        rng_(params.seed),
        steps_(params.steps > 0 ? params.steps : kDefaultSteps),
        full_ddim_lips_(params.full_ddim_lips),
        experts_(load_experts(params, network_->config())),
        expert_mode_(params.fusion == GeneratorParams::Fusion::Uniform
                         ? experts::ExpertFusionMode::Uniform
                         : experts::ExpertFusionMode::Gate),
        expert_scale_(params.expert_scale),
        base_jaw_(experts_ != nullptr && params.base_jaw),
        chunk_(params.chunk_frames > 0 ? params.chunk_frames : kDefaultChunkFrames),
        lookahead_(params.lookahead_frames > 0 ? params.lookahead_frames
                                               : kDefaultLookaheadFrames) {
    if (params.lookahead_frames == 0 && params.chunk_frames > 0 &&
        chunk_ + lookahead_ > experts::kMaxNewFrames) {
      lookahead_ = experts::kMaxNewFrames - chunk_;
    }
    if (steps_ > 50 || chunk_ + lookahead_ > experts::kMaxNewFrames || lookahead_ < 0) {
      throw InputError("learned generator: steps must be 1..50 and chunk + look-ahead at most " +
                       std::to_string(experts::kMaxNewFrames) + " frames");
    }
    const int positions = kPrefixFrames + chunk_ + lookahead_;
    if (network_->config().max_frames < positions) {
      throw InputError("learned generator: the model's windows hold " +
                       std::to_string(network_->config().max_frames) + " frames, " +
                       std::to_string(positions) + " needed");
    }
    silence_.resize(kFeatureDims);
    experts::silence_feature_vector(silence_.data());
    // Every per-window buffer at its largest, so windows allocate nothing.
    window_features_.resize(static_cast<size_t>(positions) * kFeaturesPerMotionFrame * kFeatureDims);
    tokens_.resize(static_cast<size_t>(positions) * network_->config().d_model);
    roles_.resize(positions);
    const size_t generated = static_cast<size_t>(chunk_ + lookahead_) * kChannelCount;
    sampler_.allocate(positions, generated);
    if (base_jaw_) base_.allocate(positions, generated);
    motion_.resize(generated);
    if (experts_) experts_->fill(1.f, expert_mode_, expert_scale_, mix_);  // sizes mix_
  }

  std::string_view name() const override { return "learned"; }
  double lookahead_seconds() const override { return (chunk_ + lookahead_) / kMotionFps; }

  void push(std::span<const audio::FeatureFrame> frames, std::vector<MotionFrame>& out) override {
    for (const auto& f : frames) {
      features_.resize(features_.size() + kFeatureDims);
      experts::feature_vector(f, features_.data() + features_.size() - kFeatureDims);
      ++feature_count_;
    }
    while (feature_count_ / kFeaturesPerMotionFrame - emitted_ >= chunk_ + lookahead_) {
      generate_window(chunk_ + lookahead_, chunk_, out);
    }
  }

  void finish(std::vector<MotionFrame>& out) override {
    const int64_t total = (feature_count_ + kFeaturesPerMotionFrame - 1) / kFeaturesPerMotionFrame;
    while (feature_count_ < total * kFeaturesPerMotionFrame) {  // pad the last frame with silence
      features_.insert(features_.end(), silence_.begin(), silence_.end());
      ++feature_count_;
    }
    while (emitted_ < total) {
      int64_t remaining = total - emitted_;
      int window = static_cast<int>(std::min<int64_t>(remaining, chunk_ + lookahead_));
      generate_window(window, remaining <= chunk_ + lookahead_ ? window : chunk_, out);
    }
    // Ready for a new signal with the same seed stream continuing.
    features_.clear();
    features_first_frame_ = 0;
    feature_count_ = 0;
    emitted_ = 0;
    sampler_.history.clear();
    base_.history.clear();
  }

 private:
  // One DDIM chain's state over a window of P prefix + N new positions (normalised).
  struct Sampler {
    std::vector<MotionFrame> history;  // its last kPrefixFrames emitted frames (reserved: no allocation)
    std::vector<float> x_window, v;   // [P+N, 20]: prefix then x_t; the predicted v
    std::vector<float> x, x0, mouth;  // [N, 20]: x_t, the x_0 prediction, the lips

    // Every buffer at its largest (P + N positions, N · 20 generated values).
    void allocate(int positions, size_t generated) {
      x_window.resize(static_cast<size_t>(positions) * kChannelCount);
      v.resize(x_window.size());
      x.resize(generated), x0.resize(generated), mouth.resize(generated);
      history.reserve(kPrefixFrames);
    }
  };

  // DDIM (η = 0) from t = 1 to 0 in steps_ equal steps with v-prediction, over the
  // window already holding the prefix in s.x_window, roles_, tokens_ and the noise in
  // s.x. Leaves x_0 in s.x0. The mouth channels are the first step's x_0 prediction: at
  // t = 1 the model sees no motion, so that is its conditional mean given the audio and
  // the prefix (the sharpest lips; later steps would add sampled detail to them); the
  // head, brows and gaze are the full DDIM sample, so they vary with the seed.
  // with_experts: the fused experts at each step's t; otherwise the base model.
  void ddim_sample(Sampler& s, int window, bool with_experts) {
    const int positions = kPrefixFrames + window, n = window * kChannelCount;
    const float half_pi = static_cast<float>(M_PI / 2);
    float* x_new = s.x_window.data() + kPrefixFrames * kChannelCount;
    const float* v = s.v.data() + kPrefixFrames * kChannelCount;
    for (int i = 0; i < steps_; ++i) {
      float t_now = 1.f - static_cast<float>(i) / steps_;
      float t_next = 1.f - static_cast<float>(i + 1) / steps_;
      std::copy_n(s.x.data(), n, x_new);
      const experts::PlainLoraMix* lora = nullptr;  // the experts at this step's t, if any
      if (with_experts) {
        experts_->fill(t_now, expert_mode_, expert_scale_, mix_);
        lora = &mix_;
      }
      network_->denoise(s.x_window.data(), roles_.data(), tokens_.data(), positions, t_now, lora,
                        s.v.data());
      const float alpha = std::cos(t_now * half_pi), sigma = std::sin(t_now * half_pi);
      const float alpha_next = std::cos(t_next * half_pi), sigma_next = std::sin(t_next * half_pi);
      for (int k = 0; k < n; ++k) {
        const float x0 = alpha * s.x[k] - sigma * v[k];
        const float eps = sigma * s.x[k] + alpha * v[k];
        s.x0[k] = x0;
        s.x[k] = alpha_next * x0 + sigma_next * eps;
      }
      if (i == 0) std::copy_n(s.x0.data(), n, s.mouth.data());
    }
    if (full_ddim_lips_) return;
    for (int f = 0; f < window; ++f) {
      std::copy_n(&s.mouth[f * kChannelCount], kMouthChannelCount, &s.x0[f * kChannelCount]);
    }
  }

  // The prefix of s: its last emitted frames (clean), zeros where there is no history.
  // Every chain has emitted the same frames, so roles_ (set by the caller) fits them all.
  static void fill_prefix(Sampler& s) {
    const int missing = kPrefixFrames - static_cast<int>(s.history.size());
    for (int p = 0; p < kPrefixFrames; ++p) {
      float* dst = s.x_window.data() + p * kChannelCount;
      if (p < missing) {
        std::fill(dst, dst + kChannelCount, 0.f);
      } else {
        std::copy_n(s.history[p - missing].data(), kChannelCount, dst);
      }
    }
  }

  // Appends s.x0's frame (model space) to s's history, keeping the last kPrefixFrames.
  static void remember(Sampler& s, int frame) {
    MotionFrame model_space;
    std::copy_n(&s.x0[frame * kChannelCount], kChannelCount, model_space.begin());
    if (static_cast<int>(s.history.size()) == kPrefixFrames) s.history.erase(s.history.begin());
    s.history.push_back(model_space);
  }

  // Generates motion frames [emitted_, emitted_ + window) and emits the first `emit`.
  void generate_window(int window, int emit, std::vector<MotionFrame>& out) {
    const int positions = kPrefixFrames + window;
    const int64_t first = emitted_ - kPrefixFrames;  // motion frame of position 0
    // Features: raw for frames that exist, normalised 0 for missing prefix slots.
    float* rows = window_features_.data();
    for (int p = 0; p < positions; ++p) {
      int64_t frame = first + p;
      float* dst = rows + static_cast<size_t>(p) * kFeaturesPerMotionFrame * kFeatureDims;
      if (frame < 0) {
        std::fill(dst, dst + kFeaturesPerMotionFrame * kFeatureDims, 0.f);
      } else {
        int64_t src = (frame - features_first_frame_) * kFeaturesPerMotionFrame * kFeatureDims;
        std::copy_n(features_.data() + src, kFeaturesPerMotionFrame * kFeatureDims, dst);
      }
    }
    network_->normalize_features(rows, positions * kFeaturesPerMotionFrame);
    if (first < 0) {
      const int missing = static_cast<int>(std::min<int64_t>(-first, positions));
      std::fill(rows, rows + static_cast<size_t>(missing) * kFeaturesPerMotionFrame * kFeatureDims,
                0.f);
    }
    network_->encode(rows, positions, tokens_.data());  // [P+N, D]

    const int missing = kPrefixFrames - static_cast<int>(sampler_.history.size());
    std::fill(roles_.begin(), roles_.begin() + missing, Role::Missing);
    std::fill(roles_.begin() + missing, roles_.begin() + kPrefixFrames, Role::Prefix);
    std::fill(roles_.begin() + kPrefixFrames, roles_.begin() + positions, Role::Noisy);
    fill_prefix(sampler_);
    if (base_jaw_) fill_prefix(base_);
    for (int i = 0; i < window * kChannelCount; ++i) sampler_.x[i] = static_cast<float>(rng_.normal());
    if (base_jaw_) std::copy_n(sampler_.x.data(), window * kChannelCount, base_.x.data());

    ddim_sample(sampler_, window, experts_ != nullptr);  // x0: [N, 20] normalised
    if (base_jaw_) {
      // The base model's own chain, from the same noise: exactly the base generator's
      // motion. Its jawOpen and mouthClose replace the experts' (and so are what the
      // experts' chain sees as its prefix next window).
      ddim_sample(base_, window, false);
      for (int f = 0; f < window; ++f) {
        for (Channel c : kBaseJawChannels) {
          sampler_.x0[f * kChannelCount + index(c)] = base_.x0[f * kChannelCount + index(c)];
        }
      }
    }
    std::copy_n(sampler_.x0.data(), window * kChannelCount, motion_.data());
    network_->denormalize_motion(motion_.data(), window);
    for (int i = 0; i < emit; ++i) {
      MotionFrame frame;
      std::copy_n(&motion_[i * kChannelCount], kChannelCount, frame.begin());
      out.push_back(frame);
      remember(sampler_, i);
      if (base_jaw_) remember(base_, i);
    }
    emitted_ += emit;
    // Keep features from the next window's first prefix frame on: bounded memory.
    int64_t keep_from = std::max<int64_t>(0, emitted_ - kPrefixFrames);
    int64_t drop = (keep_from - features_first_frame_) * kFeaturesPerMotionFrame * kFeatureDims;
    if (drop > 0) {
      features_.erase(features_.begin(), features_.begin() + drop);
      features_first_frame_ = keep_from;
    }
  }

  std::unique_ptr<experts::MotionNetwork> network_;
  Random rng_;
  int steps_;
  bool full_ddim_lips_;
  std::unique_ptr<experts::ExpertMix> experts_;  // null: the base model
  experts::ExpertFusionMode expert_mode_;
  std::array<float, experts::kExpertCount> expert_scale_;
  experts::PlainLoraMix mix_;  // the experts' scales of the current denoiser call
  bool base_jaw_;                // experts_ and params.base_jaw: base_ runs beside
  int chunk_;
  int lookahead_;
  std::vector<float> silence_;        // raw feature vector of digital silence
  std::vector<float> features_;       // raw features from motion frame features_first_frame_ on
  int64_t features_first_frame_ = 0;  // motion frame of features_[0]
  int64_t feature_count_ = 0;         // feature frames pushed since the start
  int64_t emitted_ = 0;               // motion frames emitted
  // One window, at most P + chunk + look-ahead positions (P = kPrefixFrames, N new):
  std::vector<float> window_features_;  // [4(P+N), kFeatureDims] normalised
  std::vector<float> tokens_;           // [P+N, D]
  std::vector<Role> roles_;             // [P+N]
  Sampler sampler_;                     // the generator's chain (experts fused, if any)
  Sampler base_;                        // with base_jaw_: the base model's chain
  std::vector<float> motion_;           // [N, 20] denormalised
};

}  // namespace

std::filesystem::path default_learned_weights() { return default_weights(); }

std::filesystem::path default_experts_dir() { return data_dir() / "models" / "experts"; }

std::unique_ptr<MotionGenerator> make_learned_generator(GeneratorParams params) {
  return std::make_unique<LearnedGenerator>(
      params, std::make_unique<experts::PlainModel>(params.weights.empty() ? default_weights()
                                                                            : params.weights));
}

std::unique_ptr<MotionGenerator> make_learned_generator(
    GeneratorParams params, std::unique_ptr<experts::MotionNetwork> network) {
  return with_classic_blinks(std::make_unique<LearnedGenerator>(params, std::move(network)),
                             params);
}

}  // namespace parla::fusion
