// The learned generator: the base denoiser of experts/ sampled with DDIM, window by
// window. Each window holds kPrefixFrames already emitted frames (clean, as context),
// then chunk + look-ahead frames to generate; only the chunk is emitted and the
// look-ahead frames are generated again, with more audio, by the next window. So any
// input length runs in bounded memory, consecutive windows continue each other
// (no seam), and the same scheduling serves whole files (chunk 46) and live input
// (chunk 1). Scheduling depends only on frame counts, never on how input is pushed,
// so streaming gives exactly the whole-input result.
#include <cstdlib>
#include <deque>

#include "experts/experts.h"
#include "fusion/generators.h"
#include "fusion/random.h"

namespace parla::fusion {
namespace {

using experts::kFeatureDims;
using experts::kFeaturesPerMotionFrame;
using experts::kPrefixFrames;

std::filesystem::path default_weights() {
  return std::filesystem::path(PARLA_MODELS_DIR) / "base" / "base.pt";
}

// DDIM (η = 0) from t = 1 to 0 in `steps` equal steps with v-prediction. prefix:
// [1, P, 20] normalised; roles: [1, P + N]; tokens: [1, P + N, D]; noise: [1, N, 20].
// Returns x_0: [1, N, 20] normalised. The mouth channels are the first step's x_0
// prediction: at t = 1 the model sees no motion, so that is its conditional mean given
// the audio and the prefix (the sharpest lips; later steps would add sampled detail to
// them); the head, brows and gaze are the full DDIM sample, so they vary with the seed.
torch::Tensor ddim_sample(experts::MotionModel& model, const torch::Tensor& prefix,
                          const torch::Tensor& roles, const torch::Tensor& tokens, torch::Tensor x,
                          int steps) {
  const int64_t prefix_frames = prefix.size(1);
  torch::Tensor x0, mouth;
  for (int i = 0; i < steps; ++i) {
    float t_now = 1.f - static_cast<float>(i) / steps;
    float t_next = 1.f - static_cast<float>(i + 1) / steps;
    torch::Tensor t = torch::full({1}, t_now);
    torch::Tensor v =
        model->denoiser->forward(torch::cat({prefix, x}, 1), roles, tokens, t, nullptr)
            .slice(1, prefix_frames);  // [1, N, 20]
    float alpha = std::cos(t_now * static_cast<float>(M_PI / 2));
    float sigma = std::sin(t_now * static_cast<float>(M_PI / 2));
    x0 = alpha * x - sigma * v;
    if (i == 0) mouth = x0.slice(2, 0, kMouthChannelCount).clone();
    torch::Tensor eps = sigma * x + alpha * v;
    x = std::cos(t_next * static_cast<float>(M_PI / 2)) * x0 +
        std::sin(t_next * static_cast<float>(M_PI / 2)) * eps;
  }
  x0.slice(2, 0, kMouthChannelCount).copy_(mouth);
  return x0;
}

class LearnedGenerator final : public MotionGenerator {
 public:
  explicit LearnedGenerator(GeneratorParams params)
      : rng_(params.seed),
        steps_(params.steps > 0 ? params.steps : kDefaultSteps),
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
    // OpenMP must not spin on a shared 2-core machine; read when the pool starts.
    setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
    if (params.threads > 0) torch::set_num_threads(params.threads);
    model_ = experts::load_model(params.weights.empty() ? default_weights() : params.weights);
    silence_.resize(kFeatureDims);
    experts::silence_feature_vector(silence_.data());
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
  // Generates motion frames [emitted_, emitted_ + window) and emits the first `emit`.
  void generate_window(int window, int emit, std::vector<MotionFrame>& out) {
    c10::InferenceMode inference;
    const int64_t positions = kPrefixFrames + window;
    const int64_t first = emitted_ - kPrefixFrames;  // motion frame of position 0
    // Features: raw for frames that exist, normalised 0 for missing prefix slots.
    torch::Tensor raw = torch::empty({positions * kFeaturesPerMotionFrame, kFeatureDims});
    torch::Tensor missing = torch::zeros({positions * kFeaturesPerMotionFrame, 1});
    float* raw_data = raw.data_ptr<float>();
    for (int64_t p = 0; p < positions; ++p) {
      int64_t frame = first + p;
      for (int k = 0; k < kFeaturesPerMotionFrame; ++k) {
        int64_t row = p * kFeaturesPerMotionFrame + k;
        float* dst = raw_data + row * kFeatureDims;
        if (frame < 0) {
          std::fill(dst, dst + kFeatureDims, 0.f);
          missing[row][0] = 1.f;
        } else {
          int64_t src = (frame - features_first_frame_) * kFeaturesPerMotionFrame + k;
          std::copy_n(features_.data() + src * kFeatureDims, kFeatureDims, dst);
        }
      }
    }
    torch::Tensor features = model_->normalize_features(raw) * (1 - missing);  // [4(P+N), F]
    torch::Tensor tokens = model_->encode(features.unsqueeze(0));              // [1, P+N, D]

    torch::Tensor prefix = torch::zeros({1, kPrefixFrames, kChannelCount});
    torch::Tensor roles =
        torch::full({1, positions}, static_cast<int64_t>(experts::Role::Noisy), torch::kInt64);
    const int64_t have = static_cast<int64_t>(history_.size());
    for (int p = 0; p < kPrefixFrames; ++p) {
      int64_t h = have - kPrefixFrames + p;
      if (h < 0) {
        roles[0][p] = static_cast<int64_t>(experts::Role::Missing);
      } else {
        roles[0][p] = static_cast<int64_t>(experts::Role::Prefix);
        std::copy_n(history_[h].data(), kChannelCount, prefix[0][p].data_ptr<float>());
      }
    }
    torch::Tensor noise = torch::empty({1, window, kChannelCount});
    float* noise_data = noise.data_ptr<float>();
    for (int64_t i = 0; i < noise.numel(); ++i) noise_data[i] = static_cast<float>(rng_.normal());

    torch::Tensor x0 = ddim_sample(model_, prefix, roles, tokens, noise, steps_);  // [1, N, 20]
    torch::Tensor motion = model_->denormalize_motion(x0)[0].contiguous();
    const float* normalised = x0[0].contiguous().data_ptr<float>();
    const float* values = motion.data_ptr<float>();
    for (int i = 0; i < emit; ++i) {
      MotionFrame frame;
      std::copy_n(values + i * kChannelCount, kChannelCount, frame.begin());
      out.push_back(frame);
      MotionFrame model_space;
      std::copy_n(normalised + i * kChannelCount, kChannelCount, model_space.begin());
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

  experts::MotionModel model_{nullptr};
  Random rng_;
  int steps_;
  int chunk_;
  int lookahead_;
  std::vector<float> silence_;        // raw feature vector of digital silence
  std::vector<float> features_;       // raw features from motion frame features_first_frame_ on
  int64_t features_first_frame_ = 0;  // motion frame of features_[0]
  int64_t feature_count_ = 0;         // feature frames pushed since the start
  int64_t emitted_ = 0;               // motion frames emitted
  std::deque<MotionFrame> history_;   // last kPrefixFrames emitted frames, normalised
};

}  // namespace

std::unique_ptr<MotionGenerator> make_learned_generator(GeneratorParams params) {
  return std::make_unique<LearnedGenerator>(std::move(params));
}

}  // namespace parla::fusion
