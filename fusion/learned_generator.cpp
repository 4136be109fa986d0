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
// (GeneratorParams::fusion, expert_scale).
#include <algorithm>
#include <array>
#include <cmath>
#include <deque>

#include "experts/runtime.h"
#include "fusion/generators.h"
#include "fusion/random.h"

namespace parla::fusion {
namespace {

using experts::kFeatureDims;
using experts::kFeaturesPerMotionFrame;
using experts::kPrefixFrames;
using experts::Role;

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
    x_window_.resize(static_cast<size_t>(positions) * kChannelCount);
    v_.resize(x_window_.size());
    const size_t generated = static_cast<size_t>(chunk_ + lookahead_) * kChannelCount;
    x_.resize(generated), x0_.resize(generated), mouth_.resize(generated), motion_.resize(generated);
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
    history_.clear();
  }

 private:
  // DDIM (η = 0) from t = 1 to 0 in steps_ equal steps with v-prediction, over the
  // window already holding the prefix in x_window_ and roles_, tokens_ and the noise
  // in x_ ([N, 20] normalised). Leaves x_0 in x0_. The mouth channels are the first
  // step's x_0 prediction: at t = 1 the model sees no motion, so that is its
  // conditional mean given the audio and the prefix (the sharpest lips; later steps
  // would add sampled detail to them); the head, brows and gaze are the full DDIM
  // sample, so they vary with the seed.
  void ddim_sample(int window) {
    const int positions = kPrefixFrames + window, n = window * kChannelCount;
    const float half_pi = static_cast<float>(M_PI / 2);
    float* x_new = x_window_.data() + kPrefixFrames * kChannelCount;
    const float* v = v_.data() + kPrefixFrames * kChannelCount;
    for (int i = 0; i < steps_; ++i) {
      float t_now = 1.f - static_cast<float>(i) / steps_;
      float t_next = 1.f - static_cast<float>(i + 1) / steps_;
      std::copy_n(x_.data(), n, x_new);
      const experts::PlainLoraMix* lora = nullptr;  // the experts at this step's t, if any
      if (experts_) {
        experts_->fill(t_now, expert_mode_, expert_scale_, mix_);
        lora = &mix_;
      }
      network_->denoise(x_window_.data(), roles_.data(), tokens_.data(), positions, t_now, lora,
                        v_.data());
      const float alpha = std::cos(t_now * half_pi), sigma = std::sin(t_now * half_pi);
      const float alpha_next = std::cos(t_next * half_pi), sigma_next = std::sin(t_next * half_pi);
      for (int k = 0; k < n; ++k) {
        const float x0 = alpha * x_[k] - sigma * v[k];
        const float eps = sigma * x_[k] + alpha * v[k];
        x0_[k] = x0;
        x_[k] = alpha_next * x0 + sigma_next * eps;
      }
      if (i == 0) std::copy_n(x0_.data(), n, mouth_.data());
    }
    if (full_ddim_lips_) return;
    for (int f = 0; f < window; ++f) {
      std::copy_n(&mouth_[f * kChannelCount], kMouthChannelCount, &x0_[f * kChannelCount]);
    }
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

    // The prefix: the last emitted frames (clean), zeros where there is no history.
    const int64_t have = static_cast<int64_t>(history_.size());
    for (int p = 0; p < kPrefixFrames; ++p) {
      int64_t h = have - kPrefixFrames + p;
      float* dst = x_window_.data() + p * kChannelCount;
      if (h < 0) {
        roles_[p] = Role::Missing;
        std::fill(dst, dst + kChannelCount, 0.f);
      } else {
        roles_[p] = Role::Prefix;
        std::copy_n(history_[h].data(), kChannelCount, dst);
      }
    }
    std::fill(roles_.begin() + kPrefixFrames, roles_.begin() + positions, Role::Noisy);
    for (int i = 0; i < window * kChannelCount; ++i) x_[i] = static_cast<float>(rng_.normal());

    ddim_sample(window);  // x0_: [N, 20] normalised
    std::copy_n(x0_.data(), window * kChannelCount, motion_.data());
    network_->denormalize_motion(motion_.data(), window);
    for (int i = 0; i < emit; ++i) {
      MotionFrame frame;
      std::copy_n(&motion_[i * kChannelCount], kChannelCount, frame.begin());
      out.push_back(frame);
      MotionFrame model_space;
      std::copy_n(&x0_[i * kChannelCount], kChannelCount, model_space.begin());
      history_.push_back(model_space);
      if (static_cast<int>(history_.size()) > kPrefixFrames) history_.pop_front();
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
  int chunk_;
  int lookahead_;
  std::vector<float> silence_;        // raw feature vector of digital silence
  std::vector<float> features_;       // raw features from motion frame features_first_frame_ on
  int64_t features_first_frame_ = 0;  // motion frame of features_[0]
  int64_t feature_count_ = 0;         // feature frames pushed since the start
  int64_t emitted_ = 0;               // motion frames emitted
  std::deque<MotionFrame> history_;   // last kPrefixFrames emitted frames, normalised
  // One window, at most P + chunk + look-ahead positions (P = kPrefixFrames, N new):
  std::vector<float> window_features_;  // [4(P+N), kFeatureDims] normalised
  std::vector<float> tokens_;           // [P+N, D]
  std::vector<Role> roles_;             // [P+N]
  std::vector<float> x_window_, v_;     // [P+N, 20]: prefix then x_t; the predicted v
  std::vector<float> x_, x0_, mouth_, motion_;  // [N, 20]
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
