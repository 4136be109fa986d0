// The audio encoder, the denoiser transformer with adaLN and LoRA hooks, the model
// unit with its normalisation statistics, and the weight file. One translation unit:
// every file that includes <torch/torch.h> costs about a minute to compile.
#include <algorithm>
#include <cmath>

#include "experts/experts.h"

namespace parla::experts {

torch::Tensor feature_tensor(std::span<const audio::FeatureFrame> frames) {
  torch::Tensor out = torch::empty({static_cast<int64_t>(frames.size()), kFeatureDims});
  float* data = out.data_ptr<float>();
  for (size_t i = 0; i < frames.size(); ++i) feature_vector(frames[i], data + i * kFeatureDims);
  return out;
}

void warp_voice(torch::Tensor& raw_rows, double tract_factor, double f0_factor) {
  torch::NoGradGuard no_grad;
  torch::Tensor source = (torch::arange(audio::kMelBins, torch::kFloat32) / tract_factor)
                             .clamp(0, audio::kMelBins - 1);
  torch::Tensor lo = source.floor().to(torch::kInt64);
  torch::Tensor hi = (lo + 1).clamp_max(audio::kMelBins - 1);
  torch::Tensor w = source - lo.to(torch::kFloat32);
  torch::Tensor mel = raw_rows.slice(1, 0, audio::kMelBins);
  mel.copy_(mel.index_select(1, lo) * (1 - w) + mel.index_select(1, hi) * w);
  torch::Tensor f0 = raw_rows.select(1, audio::kMelBins + 1);  // log(F0 / 150 Hz), 0 unvoiced
  f0.add_((f0 != 0).to(torch::kFloat32) * std::log(f0_factor));
}

// ---------------------------------------------------------------------------------

LoraLinearImpl::LoraLinearImpl(const LoraLinearOptions& options) : options_(options) {
  linear = register_module("linear", torch::nn::Linear(options.in, options.out));
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x, const LoraMix* lora) {
  torch::Tensor y = linear->forward(x);
  if (lora == nullptr) return y;
  for (size_t e = 0; e < lora->sets.size(); ++e) {
    float scale = e < lora->scales.size() ? lora->scales[e] : 0.f;
    if (scale == 0.f) continue;
    auto it = lora->sets[e]->adapters.find(options_.name);
    if (it == lora->sets[e]->adapters.end()) continue;
    // [..., in] → [..., rank] → [..., out]
    torch::Tensor delta = torch::matmul(torch::matmul(x, it->second.a.t()), it->second.b.t());
    if (lora->layer_scales.defined()) {
      const auto& names = lora->layer_names;
      const auto l = std::find(names.begin(), names.end(), options_.name) - names.begin();
      if (l == static_cast<std::ptrdiff_t>(names.size())) continue;
      // [B] → [B, 1, ..., 1] against delta [B, ..., out]
      std::vector<int64_t> shape(static_cast<size_t>(delta.dim()), 1);
      shape[0] = delta.size(0);
      delta = delta * lora->layer_scales.select(1, static_cast<int64_t>(e)).select(1, l).view(shape);
    }
    y = y + scale * delta;
  }
  return y;
}

// ---------------------------------------------------------------------------------

AudioEncoderImpl::AudioEncoderImpl(const ModelConfig& config) {
  int c = config.encoder_channels;
  // The 4 feature frames of a motion frame stacked (a stride-4 convolution of width 4),
  // then width-5 convolutions at 25 Hz written as linear layers over 5 stacked frames
  // (LibTorch 1.13's CPU conv1d backward returned inf here; matmuls are also faster).
  frame_in =
      register_module("frame_in", torch::nn::Linear(kFeaturesPerMotionFrame * kFeatureDims, c));
  conv1 = register_module("conv1", torch::nn::Linear(kConvWidth * c, c));
  conv2 = register_module("conv2", torch::nn::Linear(kConvWidth * c, c));
  conv3 = register_module("conv3", torch::nn::Linear(kConvWidth * c, c));
  out = register_module("out", torch::nn::Linear(c, config.d_model));
}

namespace {

// [B, T, C] → [B, T, k·C]: each frame with its k − 1 neighbours (zeros past the ends).
torch::Tensor stack_neighbours(const torch::Tensor& h, int k) {
  const int64_t frames = h.size(1);
  torch::Tensor padded = torch::constant_pad_nd(h, {0, 0, k / 2, k / 2});  // [B, T + k - 1, C]
  std::vector<torch::Tensor> shifted;
  for (int i = 0; i < k; ++i) shifted.push_back(padded.slice(1, i, i + frames));
  return torch::cat(shifted, 2);
}

}  // namespace

torch::Tensor AudioEncoderImpl::forward(const torch::Tensor& features) {
  const int64_t batch = features.size(0), frames = features.size(1) / kFeaturesPerMotionFrame;
  torch::Tensor h = torch::gelu(frame_in->forward(features.reshape(
      {batch, frames, kFeaturesPerMotionFrame * kFeatureDims})));  // [B, T, C] at 25 Hz
  h = h +
      torch::gelu(conv1->forward(stack_neighbours(h, kConvWidth)));  // each: ±80 ms more context
  h = h + torch::gelu(conv2->forward(stack_neighbours(h, kConvWidth)));
  h = h + torch::gelu(conv3->forward(stack_neighbours(h, kConvWidth)));
  return out->forward(h);  // [B, T, D]
}

// ---------------------------------------------------------------------------------

namespace {

torch::Tensor layer_norm(const torch::Tensor& h) {
  return torch::layer_norm(h, {h.size(-1)}, /*weight=*/{}, /*bias=*/{}, 1e-6);
}

// [B, D] shift/scale applied to [B, T, D].
torch::Tensor modulate(const torch::Tensor& h, const torch::Tensor& shift,
                       const torch::Tensor& scale) {
  return h * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);
}

// Sinusoidal embedding of t ∈ [0, 1] (scaled to 0..1000): [B] → [B, dim].
torch::Tensor timestep_embedding(const torch::Tensor& t, int dim) {
  int half = dim / 2;
  torch::Tensor freqs =
      torch::exp(-std::log(10000.0) * torch::arange(half, torch::kFloat32) / half);
  torch::Tensor args = (t * 1000.f).unsqueeze(1) * freqs.unsqueeze(0);  // [B, half]
  return torch::cat({torch::cos(args), torch::sin(args)}, 1);
}

}  // namespace

DenoiserBlockImpl::DenoiserBlockImpl(const ModelConfig& config, const std::string& name)
    : heads_(config.heads) {
  int d = config.d_model;
  attn_qkv =
      register_module("attn_qkv", LoraLinear(LoraLinearOptions{d, 3 * d, name + ".attn_qkv"}));
  attn_out = register_module("attn_out", LoraLinear(LoraLinearOptions{d, d, name + ".attn_out"}));
  mlp_in = register_module("mlp_in",
                           LoraLinear(LoraLinearOptions{d, config.mlp_hidden, name + ".mlp_in"}));
  mlp_out = register_module("mlp_out",
                            LoraLinear(LoraLinearOptions{config.mlp_hidden, d, name + ".mlp_out"}));
  modulation = register_module("modulation", torch::nn::Linear(d, 6 * d));
  // adaLN-Zero: every block starts as the identity.
  torch::NoGradGuard no_grad;
  modulation->weight.zero_();
  modulation->bias.zero_();
}

torch::Tensor DenoiserBlockImpl::forward(const torch::Tensor& h, const torch::Tensor& c,
                                         const LoraMix* lora) {
  const int64_t batch = h.size(0), frames = h.size(1), d = h.size(2), dh = d / heads_;
  std::vector<torch::Tensor> m = modulation->forward(torch::silu(c)).chunk(6, 1);  // 6 × [B, D]

  torch::Tensor a = modulate(layer_norm(h), m[0], m[1]);
  torch::Tensor qkv = attn_qkv->forward(a, lora).view({batch, frames, 3, heads_, dh});
  torch::Tensor q = qkv.select(2, 0).transpose(1, 2);  // [B, H, T, dh]
  torch::Tensor k = qkv.select(2, 1).transpose(1, 2);
  torch::Tensor v = qkv.select(2, 2).transpose(1, 2);
  torch::Tensor weights =
      torch::softmax(torch::matmul(q, k.transpose(2, 3)) / std::sqrt(double(dh)), -1);
  torch::Tensor attended = torch::matmul(weights, v).transpose(1, 2).reshape({batch, frames, d});
  torch::Tensor out = h + m[2].unsqueeze(1) * attn_out->forward(attended, lora);

  torch::Tensor b = modulate(layer_norm(out), m[3], m[4]);
  return out + m[5].unsqueeze(1) * mlp_out->forward(torch::gelu(mlp_in->forward(b, lora)), lora);
}

DenoiserImpl::DenoiserImpl(const ModelConfig& config) : config_(config) {
  int d = config.d_model;
  motion_in = register_module("motion_in", torch::nn::Linear(kChannelCount, d));
  role_embedding = register_module("role_embedding", torch::nn::Embedding(3, d));
  position = register_parameter("position", torch::randn({config.max_frames, d}) * 0.02);
  time_mlp1 = register_module("time_mlp1", torch::nn::Linear(d, d));
  time_mlp2 = register_module("time_mlp2", torch::nn::Linear(d, d));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int l = 0; l < config.layers; ++l) {
    blocks->push_back(DenoiserBlock(config, "blocks." + std::to_string(l)));
  }
  final_mod = register_module("final_mod", torch::nn::Linear(d, 2 * d));
  motion_out = register_module("motion_out", torch::nn::Linear(d, kChannelCount));
  torch::NoGradGuard no_grad;
  final_mod->weight.zero_();
  final_mod->bias.zero_();
  motion_out->weight.zero_();
  motion_out->bias.zero_();
}

torch::Tensor DenoiserImpl::forward(const torch::Tensor& x, const torch::Tensor& roles,
                                    const torch::Tensor& tokens, const torch::Tensor& t,
                                    const LoraMix* lora) {
  const int64_t frames = x.size(1);
  TORCH_CHECK(frames <= config_.max_frames, "window of ", frames, " frames exceeds ",
              config_.max_frames);
  torch::Tensor c = time_mlp2->forward(
      torch::silu(time_mlp1->forward(timestep_embedding(t, config_.d_model))));  // [B, D]
  torch::Tensor h = motion_in->forward(x) + role_embedding->forward(roles) + tokens +
                    position.slice(0, 0, frames).unsqueeze(0);  // [B, T, D]
  for (const auto& block : *blocks) h = block->as<DenoiserBlock>()->forward(h, c, lora);
  std::vector<torch::Tensor> m = final_mod->forward(torch::silu(c)).chunk(2, 1);
  return motion_out->forward(modulate(layer_norm(h), m[0], m[1]));  // [B, T, 20]
}

std::vector<LoraLinear> DenoiserImpl::lora_layers() const {
  std::vector<LoraLinear> out;
  for (const auto& block : *blocks) {
    auto* b = block->as<DenoiserBlock>();
    out.insert(out.end(), {b->attn_qkv, b->attn_out, b->mlp_in, b->mlp_out});
  }
  return out;
}

// ---------------------------------------------------------------------------------

MotionModelImpl::MotionModelImpl(const ModelConfig& config) : config_(config) {
  encoder = register_module("encoder", AudioEncoder(config));
  denoiser = register_module("denoiser", Denoiser(config));
  config_tensor_ = register_buffer(
      "config", torch::tensor({int64_t{config.encoder_channels}, int64_t{config.d_model},
                               int64_t{config.layers}, int64_t{config.heads},
                               int64_t{config.mlp_hidden}, int64_t{config.max_frames}}));
  feature_mean_ = register_buffer("feature_mean", torch::zeros({kFeatureDims}));
  feature_std_ = register_buffer("feature_std", torch::ones({kFeatureDims}));
  motion_mean_ = register_buffer("motion_mean", torch::zeros({kChannelCount}));
  motion_std_ = register_buffer("motion_std", torch::ones({kChannelCount}));
}

torch::Tensor MotionModelImpl::normalize_features(const torch::Tensor& features) const {
  return (features - feature_mean_) / feature_std_;
}
torch::Tensor MotionModelImpl::normalize_motion(const torch::Tensor& motion) const {
  return (motion - motion_mean_) / motion_std_;
}
torch::Tensor MotionModelImpl::denormalize_motion(const torch::Tensor& motion) const {
  return motion * motion_std_ + motion_mean_;
}

void MotionModelImpl::set_statistics(const torch::Tensor& feature_mean,
                                     const torch::Tensor& feature_std,
                                     const torch::Tensor& motion_mean,
                                     const torch::Tensor& motion_std) {
  torch::NoGradGuard no_grad;
  feature_mean_.copy_(feature_mean);
  feature_std_.copy_(feature_std);
  motion_mean_.copy_(motion_mean);
  motion_std_.copy_(motion_std);
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

void save_model(MotionModel& model, const std::filesystem::path& path,
                std::span<const std::filesystem::path> inputs) {
  write_archive(
      path, "weights", [&](torch::serialize::OutputArchive& archive) { model->save(archive); },
      inputs);
}

MotionModel load_model(const std::filesystem::path& path) {
  check_input_file(path, "weight file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    torch::Tensor c;
    if (!archive.try_read("config", c, /*is_buffer=*/true) || c.numel() != 6) {
      throw InputError("weight file " + quoted(path) + " has no motion-model config");
    }
    auto v = c.to(torch::kInt64);
    ModelConfig config{
        static_cast<int>(v[0].item<int64_t>()), static_cast<int>(v[1].item<int64_t>()),
        static_cast<int>(v[2].item<int64_t>()), static_cast<int>(v[3].item<int64_t>()),
        static_cast<int>(v[4].item<int64_t>()), static_cast<int>(v[5].item<int64_t>())};
    MotionModel model(config);
    model->load(archive);
    model->eval();
    return model;
  } catch (const c10::Error& e) {
    throw InputError("cannot load weights " + quoted(path) + ": " + e.what_without_backtrace());
  }
}

MotionModel interpolate_models(MotionModel& a, MotionModel& b, double mix) {
  if (!(mix >= 0.0 && mix <= 1.0)) throw InputError("the mix of two weight files must be within 0..1");
  const ModelConfig& ca = a->config();
  const ModelConfig& cb = b->config();
  if (ca.d_model != cb.d_model || ca.layers != cb.layers || ca.heads != cb.heads ||
      ca.mlp_hidden != cb.mlp_hidden || ca.encoder_channels != cb.encoder_channels || ca.max_frames != cb.max_frames)
    throw InputError("the two weight files have different model configs");
  if (!torch::equal(a->feature_mean(), b->feature_mean()) || !torch::equal(a->feature_std(), b->feature_std()) ||
      !torch::equal(a->motion_mean(), b->motion_mean()) || !torch::equal(a->motion_std(), b->motion_std()))
    throw InputError("the two weight files normalise differently (merge only fine-tunes of one start)");
  MotionModel out(ca);
  out->set_statistics(a->feature_mean(), a->feature_std(), a->motion_mean(), a->motion_std());
  torch::NoGradGuard no_grad;
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (auto& p : out->named_parameters()) {
    p.value().copy_(pa[p.key()] * (1.0 - mix) + pb[p.key()] * mix);
  }
  out->eval();
  return out;
}

LoraSet random_lora_set(const Denoiser& denoiser, std::string name, int rank, float b_std,
                        std::uint64_t seed) {
  torch::manual_seed(seed);
  LoraSet set{std::move(name), {}};
  for (const LoraLinear& layer : denoiser->lora_layers()) {
    int in = layer->in_features(), out = layer->out_features();
    set.adapters[layer->lora_name()] =
        LoraAdapter{torch::randn({rank, in}) / std::sqrt(static_cast<double>(in)),
                    torch::randn({out, rank}) * b_std};
  }
  return set;
}

torch::Tensor schedule_alpha(const torch::Tensor& t) { return torch::cos(t * (M_PI / 2)); }
torch::Tensor schedule_sigma(const torch::Tensor& t) { return torch::sin(t * (M_PI / 2)); }

}  // namespace parla::experts
