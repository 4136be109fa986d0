// The critic heads' modules, their input tensors and weight files (critic/heads.h).
#include "critic/heads.h"

#include <algorithm>
#include <cmath>

#include "experts/experts.h"

namespace parla::critic {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

constexpr float kSilenceLogMel = -23.02585f;  // ln(1e-10), the features' floor
constexpr int kEmbedding = 64;

nn::Conv1d conv1d(int in, int out, int kernel, int stride = 1, int dilation = 1) {
  return nn::Conv1d(nn::Conv1dOptions(in, out, kernel)
                        .stride(stride)
                        .dilation(dilation)
                        .padding(dilation * (kernel - 1) / 2));
}

nn::Conv2d conv2d(int in, int out, int stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

}  // namespace

// ---------------------------------------------------------------------------------
// Inputs.

torch::Tensor ls_audio_rows(const audio::Features& features, std::int64_t motion_frames) {
  const std::int64_t rows = 4 * motion_frames;
  torch::Tensor mel = torch::full({rows, audio::kMelBins}, kSilenceLogMel);
  auto acc = mel.accessor<float, 2>();
  const std::int64_t available = std::min<std::int64_t>(rows, features.frames.size());
  for (std::int64_t r = 0; r < available; ++r) {
    const auto& lm = features.frames[r].log_mel;
    for (int b = 0; b < audio::kMelBins; ++b) acc[r][b] = lm[b];
  }
  torch::Tensor mean = mel.mean(0, /*keepdim=*/true);
  torch::Tensor std = mel.std(0, /*unbiased=*/false, /*keepdim=*/true).clamp_min(0.5);
  torch::Tensor pad = torch::full({kLsPadRows, audio::kMelBins}, kSilenceLogMel);
  return (torch::cat({pad, mel, pad}, 0) - mean) / std;
}

torch::Tensor ls_mouth_rows(const MotionTrack& motion) { return ls_mouth_rows(motion_tensor(motion)); }

torch::Tensor ls_mouth_rows(const torch::Tensor& motion) {
  torch::Tensor x = motion.slice(1, 0, kLsChannels);
  if (x.size(0) == 0) return x.clone();
  torch::Tensor median = std::get<0>(x.median(0, /*keepdim=*/true));
  torch::Tensor spread = x.std(0, /*unbiased=*/false, /*keepdim=*/true).clamp_min(0.05);
  return (x - median) / spread;
}

torch::Tensor ls_mouth_windows(const torch::Tensor& mouth_rows, const torch::Tensor& frames) {
  const std::int64_t last = mouth_rows.size(0) - 1;
  torch::Tensor idx = (frames.unsqueeze(1) + torch::arange(-2, 3, torch::kInt64).unsqueeze(0))
                          .clamp(0, last);  // [N, 5]
  return mouth_rows.index_select(0, idx.flatten()).view({frames.size(0), kLsMotionFrames, kLsChannels});
}

torch::Tensor mn_prosody(const audio::Features& features, std::int64_t motion_frames) {
  torch::Tensor p = torch::zeros({motion_frames, kMnProsody});
  auto acc = p.accessor<float, 2>();
  const auto& f = features.frames;
  for (std::int64_t t = 0; t < motion_frames; ++t) {
    float energy = 0, voicing = 0, pitch = 0;
    int n = 0, voiced = 0;
    for (std::int64_t r = 4 * t; r < 4 * t + 4 && r < static_cast<std::int64_t>(f.size()); ++r) {
      energy += std::max(f[r].energy_db, -60.f) / 20.f + 3.f;
      voicing += f[r].voicing;
      if (f[r].f0_hz > 0) {
        pitch += std::log2(f[r].f0_hz / 150.f);
        ++voiced;
      }
      ++n;
    }
    if (n > 0) {
      acc[t][0] = energy / n;
      acc[t][1] = voicing / n;
    }
    if (voiced > 0) acc[t][2] = pitch / voiced;
  }
  return p;
}

torch::Tensor motion_tensor(const MotionTrack& motion) {
  torch::Tensor m = torch::zeros({motion.frame_count(), kChannelCount});
  auto acc = m.accessor<float, 2>();
  for (std::int64_t t = 0; t < motion.frame_count(); ++t) {
    for (int c = 0; c < kChannelCount; ++c) {
      float v = motion.frames[t][c];
      acc[t][c] = std::isfinite(v) ? v : 0.f;
    }
  }
  return m;
}

torch::Tensor mn_input(const torch::Tensor& motion, const torch::Tensor& prosody) {
  torch::Tensor delta = torch::zeros_like(motion);
  if (motion.size(0) > 1) {
    delta.slice(0, 1) = motion.slice(0, 1) - motion.slice(0, 0, motion.size(0) - 1);
  }
  return torch::cat({motion, delta, prosody}, 1).transpose(0, 1).contiguous();  // [43, T]
}

std::vector<bool> speech_per_motion_frame(const audio::Features& features,
                                          std::int64_t motion_frames) {
  std::vector<bool> speech(motion_frames, false);
  const auto& f = features.frames;
  for (std::int64_t t = 0; t < motion_frames; ++t) {
    for (std::int64_t r = 4 * t; r < 4 * t + 4 && r < static_cast<std::int64_t>(f.size()); ++r) {
      if (f[r].speech) speech[t] = true;
    }
  }
  return speech;
}

torch::Tensor image_bytes(const Image& image) {
  return torch::from_blob(const_cast<std::uint8_t*>(image.rgb.data()),
                          {image.height, image.width, 3}, torch::kUInt8)
      .permute({2, 0, 1})
      .contiguous();
}

torch::Tensor vq_face_from_bytes(const torch::Tensor& bytes) {
  torch::Tensor x = bytes.to(torch::kFloat32);
  torch::Tensor now = x.narrow(-3, 0, 3), before = x.narrow(-3, 3, 3);
  return torch::cat({now / 127.5f - 1.f, ((now - before) / 64.f).clamp(-1.f, 1.f)}, -3);
}

torch::Tensor vq_mouth_from_bytes(const torch::Tensor& bytes) {
  return bytes.to(torch::kFloat32) / 127.5f - 1.f;
}

torch::Tensor vq_face_input(const Image& face, const Image& previous_face) {
  return vq_face_from_bytes(torch::cat({image_bytes(face), image_bytes(previous_face)}, 0));
}

torch::Tensor vq_mouth_input(const Image& mouth) { return vq_mouth_from_bytes(image_bytes(mouth)); }

// ---------------------------------------------------------------------------------
// Heads.

LsHeadImpl::LsHeadImpl() {
  audio1 = register_module("audio1", conv1d(audio::kMelBins, 64, 3));
  audio2 = register_module("audio2", conv1d(64, 128, 3, /*stride=*/2));
  audio3 = register_module("audio3", conv1d(128, 128, 3, /*stride=*/2));
  audio_fc1 = register_module("audio_fc1", nn::Linear(128 * 5, 128));
  audio_fc2 = register_module("audio_fc2", nn::Linear(128, kEmbedding));
  mouth_fc1 = register_module("mouth_fc1", nn::Linear(kLsMotionFrames * kLsChannels, 128));
  mouth_fc2 = register_module("mouth_fc2", nn::Linear(128, 128));
  mouth_fc3 = register_module("mouth_fc3", nn::Linear(128, kEmbedding));
  calibration = register_buffer("calibration", torch::tensor({0.f, 1.f}));
}

torch::Tensor LsHeadImpl::audio_sequence(const torch::Tensor& rows) {
  torch::Tensor x = rows.transpose(0, 1).unsqueeze(0);  // [1, 80, R]
  x = F::gelu(audio1(x));
  x = F::gelu(audio2(x));                               // [1, 128, R / 2]
  x = F::gelu(audio3(x));                               // [1, 128, R / 4]
  return x.squeeze(0).transpose(0, 1).contiguous();     // [R / 4, 128]
}

torch::Tensor LsHeadImpl::embed_audio(const torch::Tensor& sequence, const torch::Tensor& positions) {
  const std::int64_t last = sequence.size(0) - 1;
  torch::Tensor idx = (positions.unsqueeze(1) + torch::arange(kLsMotionFrames, torch::kInt64)
                                                    .unsqueeze(0)).clamp(0, last);  // [N, 5]
  torch::Tensor x = sequence.index_select(0, idx.flatten()).view({positions.size(0), -1});
  x = F::gelu(audio_fc1(x));
  return F::normalize(audio_fc2(x), F::NormalizeFuncOptions().dim(1));
}

torch::Tensor LsHeadImpl::embed_mouth(const torch::Tensor& windows) {
  torch::Tensor x = F::gelu(mouth_fc1(windows.flatten(1)));
  x = F::gelu(mouth_fc2(x));
  return F::normalize(mouth_fc3(x), F::NormalizeFuncOptions().dim(1));
}

MnHeadImpl::MnHeadImpl() {
  input_conv = register_module("input_conv", conv1d(kMnInputs, 64, 5));
  c1 = register_module("c1", conv1d(64, 64, 5, 1, /*dilation=*/2));
  c2 = register_module("c2", conv1d(64, 64, 5, 1, /*dilation=*/4));
  c3 = register_module("c3", conv1d(64, 64, 5, 1, /*dilation=*/8));
  c4 = register_module("c4", conv1d(64, 64, 5, 1, /*dilation=*/16));
  fc1 = register_module("fc1", nn::Linear(3 * 64, 64));
  fc2 = register_module("fc2", nn::Linear(64, 1));
  input_mean = register_buffer("input_mean", torch::zeros({kMnInputs}));
  input_std = register_buffer("input_std", torch::ones({kMnInputs}));
  calibration = register_buffer("calibration", torch::tensor({0.f, 1.f}));
}

torch::Tensor MnHeadImpl::frame_features(const torch::Tensor& x, const torch::Tensor& mask) {
  torch::Tensor m = mask.unsqueeze(1);  // [B, 1, W]
  torch::Tensor h = (x - input_mean.view({1, -1, 1})) / input_std.view({1, -1, 1}) * m;
  h = F::gelu(input_conv(h));
  for (auto* conv : {&c1, &c2, &c3, &c4}) h = h + F::gelu((*conv)(h * m));
  return h;
}

torch::Tensor MnHeadImpl::pool_logit(const torch::Tensor& h, const torch::Tensor& mask) {
  torch::Tensor m = mask.unsqueeze(1);  // [B, 1, W]
  torch::Tensor count = m.sum(2).clamp_min(1.f);            // [B, 1]
  torch::Tensor mean = (h * m).sum(2) / count;               // [B, 64]
  torch::Tensor var = ((h - mean.unsqueeze(2)).pow(2) * m).sum(2) / count;
  torch::Tensor peak = (h * m - (1 - m) * 1e4).amax(2);      // [B, 64]
  torch::Tensor pooled = torch::cat({mean, var.add(1e-6).sqrt(), peak}, 1);
  return fc2(F::gelu(fc1(pooled))).squeeze(1);
}

VqHeadImpl::VqHeadImpl() {
  f1 = register_module("f1", conv2d(6, 24, 2));   // 32²
  f2 = register_module("f2", conv2d(24, 32, 2));  // 16²
  f3 = register_module("f3", conv2d(32, 48, 2));  // 8²
  f4 = register_module("f4", conv2d(48, 64, 2));  // 4²
  m1 = register_module("m1", conv2d(3, 16, 2));   // 16²
  m2 = register_module("m2", conv2d(16, 32, 2));  // 8²
  m3 = register_module("m3", conv2d(32, 48, 2));  // 4²
  fc1 = register_module("fc1", nn::Linear(2 * 64 + 2 * 48 + 1, 64));
  fc2 = register_module("fc2", nn::Linear(64, 1));
  calibration = register_buffer("calibration", torch::tensor({0.f, 1.f}));
}

torch::Tensor VqHeadImpl::forward(const torch::Tensor& face, const torch::Tensor& mouth) {
  torch::Tensor f = F::gelu(f1(face));
  f = F::gelu(f2(f));
  f = F::gelu(f3(f));
  f = F::gelu(f4(f));
  torch::Tensor m = F::gelu(m1(mouth));
  m = F::gelu(m2(m));
  m = F::gelu(m3(m));
  // Share of face pixels unchanged since the previous frame (within a grey level): a
  // repeated frame is exactly 1, while a real camera's noise and a render's motion are not.
  torch::Tensor still =
      (face.slice(1, 3, 6).abs() <= 1.5f / 64.f).all(1).to(torch::kFloat32).mean({1, 2}).unsqueeze(1);
  torch::Tensor pooled =
      torch::cat({f.mean({2, 3}), f.amax({2, 3}), m.mean({2, 3}), m.amax({2, 3}), still}, 1);
  return fc2(F::gelu(fc1(pooled))).squeeze(1);
}

float calibrated_score(const torch::Tensor& calibration, float value) {
  const float mid = calibration[0].item<float>(), scale = calibration[1].item<float>();
  return 100.f / (1.f + std::exp(-(value - mid) / scale));
}

// ---------------------------------------------------------------------------------
// Weight files.

namespace {
torch::Tensor kind_tag(std::string_view kind) {
  torch::Tensor tag = torch::zeros({16}, torch::kInt64);
  for (size_t i = 0; i < kind.size() && i < 16; ++i) tag[i] = static_cast<int64_t>(kind[i]);
  return tag;
}
}  // namespace

void load_parameters(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                     const std::string& source) {
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters(/*recurse=*/false)) {
    torch::Tensor value;
    if (!archive.try_read(item.key(), value)) {
      throw InputError("critic head " + source + " lacks " + item.key());
    }
    item.value().copy_(value);
  }
  for (auto& item : module.named_buffers(/*recurse=*/false)) {
    torch::Tensor value;
    if (!archive.try_read(item.key(), value, /*is_buffer=*/true)) {
      if (item.key() == "calibration") continue;  // written before scores were calibrated
      throw InputError("critic head " + source + " lacks " + item.key());
    }
    item.value().copy_(value);
  }
  for (auto& child : module.named_children()) {
    torch::serialize::InputArchive sub;
    if (!archive.try_read(child.key(), sub)) {
      throw InputError("critic head " + source + " lacks " + child.key());
    }
    load_parameters(*child.value(), sub, source);
  }
}

void save_head(torch::nn::Module& head, std::string_view kind, const std::filesystem::path& path) {
  experts::write_archive(path, "critic head", [&](torch::serialize::OutputArchive& archive) {
    head.save(archive);
    archive.write("critic_head", kind_tag(kind), /*is_buffer=*/true);
  });
}

void load_head(torch::nn::Module& head, std::string_view kind, const std::filesystem::path& path) {
  check_input_file(path, "critic weight file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    torch::Tensor tag;
    if (!archive.try_read("critic_head", tag, /*is_buffer=*/true) ||
        !torch::equal(tag, kind_tag(kind))) {
      throw InputError("weight file " + quoted(path) + " is not a critic " + std::string(kind) +
                       " head");
    }
    load_parameters(head, archive, quoted(path));
    head.eval();
  } catch (const c10::Error& e) {
    throw InputError("cannot load critic head " + quoted(path) + ": " + e.what_without_backtrace());
  }
}

}  // namespace parla::critic
