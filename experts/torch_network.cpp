// The LibTorch motion model behind MotionNetwork, computing exactly what the learned
// generator computed before it ran on PlainModel (LoRA mixes included), and LoRA sets
// converted for PlainModel.
#include "experts/experts.h"

namespace parla::experts {

void TorchNetwork::normalize_features(float* features, int rows) const {
  c10::InferenceMode inference;
  torch::Tensor raw = torch::from_blob(features, {rows, kFeatureDims});
  raw.copy_(model_->normalize_features(raw));
}

void TorchNetwork::denormalize_motion(float* motion, int rows) const {
  c10::InferenceMode inference;
  torch::Tensor m = torch::from_blob(motion, {rows, kChannelCount});
  m.copy_(model_->denormalize_motion(m));
}

void TorchNetwork::encode(const float* features, int frames, float* tokens) {
  c10::InferenceMode inference;
  torch::Tensor in = torch::from_blob(const_cast<float*>(features),
                                      {1, frames * kFeaturesPerMotionFrame, kFeatureDims});
  torch::Tensor out = model_->encode(in).contiguous();  // [1, T, D]
  std::copy_n(out.data_ptr<float>(), out.numel(), tokens);
}

void TorchNetwork::denoise(const float* x, const Role* roles, const float* tokens, int frames,
                           float t, const PlainLoraMix* lora, float* v) {
  static_assert(sizeof(Role) == sizeof(std::int64_t));
  c10::InferenceMode inference;
  const int d = model_->config().d_model;
  // A plain mix as a LibTorch one: the sets converted back, each (set, layer) scale in
  // layer_scales [1, sets, L] (per call: this is the reference, not the fast path).
  std::vector<LoraSet> sets;
  LoraMix mix;
  if (lora != nullptr) {
    for (const PlainLoraSet* plain : lora->sets) {
      LoraSet set{plain->name, {}};
      for (const auto& [name, l] : plain->adapters) {
        torch::Tensor a_t =
            torch::from_blob(const_cast<float*>(l.a_t.data()), {l.in, l.padded_rank})
                .slice(1, 0, l.rank);
        torch::Tensor b_t =
            torch::from_blob(const_cast<float*>(l.b_t.data()), {l.padded_rank, l.out})
                .slice(0, 0, l.rank);
        set.adapters[name] = LoraAdapter{a_t.t(), b_t.t()};
      }
      sets.push_back(std::move(set));
    }
    for (const LoraSet& set : sets) mix.sets.push_back(&set);
    mix.scales.assign(sets.size(), 1.f);
    for (const LoraLinear& layer : model_->denoiser->lora_layers()) {
      mix.layer_names.push_back(layer->lora_name());
    }
    const auto layers = static_cast<int64_t>(mix.layer_names.size());
    if (lora->scales.size() != sets.size() * mix.layer_names.size()) {
      throw Error("TorchNetwork: a LoRA mix needs one scale per (set, layer)");
    }
    mix.layer_scales = torch::from_blob(const_cast<float*>(lora->scales.data()),
                                        {1, static_cast<int64_t>(sets.size()), layers})
                           .clone();
  }
  torch::Tensor out =
      model_->denoiser
          ->forward(torch::from_blob(const_cast<float*>(x), {1, frames, kChannelCount}),
                    torch::from_blob(const_cast<Role*>(roles), {1, frames}, torch::kInt64),
                    torch::from_blob(const_cast<float*>(tokens), {1, frames, d}),
                    torch::full({1}, t), lora != nullptr ? &mix : nullptr)
          .contiguous();  // [1, T, 20]
  std::copy_n(out.data_ptr<float>(), out.numel(), v);
}

PlainLoraSet to_plain(const LoraSet& set) {
  PlainLoraSet out{set.name, {}};
  for (const auto& [name, adapter] : set.adapters) {
    torch::Tensor a = adapter.a.contiguous().to(torch::kFloat32);  // [rank, in]
    torch::Tensor b = adapter.b.contiguous().to(torch::kFloat32);  // [out, rank]
    out.adapters[name] = make_plain_lora(static_cast<int>(a.size(0)), static_cast<int>(a.size(1)),
                                         static_cast<int>(b.size(0)), a.data_ptr<float>(),
                                         b.data_ptr<float>());
  }
  return out;
}

}  // namespace parla::experts
