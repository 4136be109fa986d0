// The LibTorch motion model behind MotionNetwork, computing exactly what the learned
// generator computed before it ran on PlainModel, and LoRA sets converted for PlainModel.
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
  if (lora != nullptr) throw Error("TorchNetwork runs the base model only (no LoRA mix)");
  static_assert(sizeof(Role) == sizeof(std::int64_t));
  c10::InferenceMode inference;
  const int d = model_->config().d_model;
  torch::Tensor out =
      model_->denoiser
          ->forward(torch::from_blob(const_cast<float*>(x), {1, frames, kChannelCount}),
                    torch::from_blob(const_cast<Role*>(roles), {1, frames}, torch::kInt64),
                    torch::from_blob(const_cast<float*>(tokens), {1, frames, d}),
                    torch::full({1}, t), nullptr)
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
