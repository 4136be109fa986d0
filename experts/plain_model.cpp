// The motion model in plain C++: the maths of experts/model.cpp (audio encoder,
// adaLN-Zero denoiser, LoRA hooks) over weights read from the same torch::save file.
// Linear weights are kept transposed, [in, out], so every product streams rows of B,
// all in one aligned block copied straight from the mapped weight file.
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "experts/plain_math.h"
#include "experts/runtime.h"
#include "experts/tensor_archive.h"

namespace parla::experts {
namespace {

constexpr int kConvWidth = 5;  // frames per temporal "convolution" of the encoder
// The largest width, depth or window a config may name (base.pt's are at most 256).
constexpr std::int64_t kMaxConfigValue = 1 << 16;

struct Linear {
  int in = 0, out = 0;
  const float* w_t = nullptr;   // [in, out]
  const float* bias = nullptr;  // [out]

  // y[rows, out] = x[rows, in] · Wᵀ + b (ldx, ldy: leading dimensions)
  void apply(const float* x, int rows, int ldx, float* y, int ldy) const {
    plain::matmul(rows, out, in, x, ldx, w_t, out, y, ldy, bias, false);
  }
  void apply(const float* x, int rows, float* y) const { apply(x, rows, in, y, out); }
};

// Every weight in one block, each array 64-byte aligned. Fresh heap pages are costly
// to fault in (about 20 µs each on the virtual machines measured), so the block asks
// for transparent huge pages where the kernel offers them.
class Arena {
 public:
  explicit Arena(std::size_t floats) : size_(floats + kAlign) {
    constexpr std::size_t kHugePage = std::size_t{2} << 20;
    std::size_t bytes = (size_ * sizeof(float) + kHugePage - 1) / kHugePage * kHugePage;
    block_.reset(static_cast<float*>(std::aligned_alloc(kHugePage, bytes)));
    if (!block_) throw Error("out of memory for the motion model's weights");
#ifdef MADV_HUGEPAGE
    ::madvise(block_.get(), bytes, MADV_HUGEPAGE);  // a hint: ignored where unsupported
#endif
  }
  float* take(std::size_t n) {
    float* p = block_.get() + used_;
    used_ += (n + kAlign - 1) / kAlign * kAlign;
    if (used_ > size_) throw Error("motion model weights overflow their block");
    return p;
  }

 private:
  static constexpr std::size_t kAlign = 16;  // floats: 64 bytes
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::size_t size_, used_ = 0;
  std::unique_ptr<float, Free> block_;
};

// Looks tensors up by name and checks their shapes; errors name the weight file.
class Weights {
 public:
  Weights(const std::map<std::string, TensorView>& tensors, const std::string& source)
      : tensors_(tensors), source_(source) {}

  // The float32 values of all tensors, with room for alignment: the arena to ask for.
  std::size_t float_count() const {
    std::size_t n = 0;
    for (const auto& [name, view] : tensors_) n += static_cast<std::size_t>(view.numel()) + 16;
    return n;
  }
  const TensorView& get(const std::string& name, std::vector<std::int64_t> shape,
                        TensorData::DType dtype = TensorData::DType::Float32) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) {
      throw InputError("weight file " + source_ + " has no tensor '" + name + "'");
    }
    if (it->second.shape != shape || it->second.dtype != dtype) {
      throw InputError("weight file " + source_ + ": tensor '" + name + "' has shape " +
                       describe(it->second.shape) + ", expected " + describe(shape));
    }
    return it->second;
  }
  std::vector<float> vector(const std::string& name, int size) const {
    std::vector<float> out(size);
    copy_values(get(name, {size}), out.data());
    return out;
  }
  const float* copy(const std::string& name, std::vector<std::int64_t> shape, Arena& arena) const {
    const TensorView& view = get(name, shape);
    float* out = arena.take(static_cast<std::size_t>(view.numel()));
    copy_values(view, out);
    return out;
  }
  Linear linear(const std::string& name, int in, int out, Arena& arena) const {
    // The shape is checked before the arena is asked: a config the file's tensors do not
    // match must be an InputError, not an arena overflow.
    const TensorView& weight = get(name + ".weight", {out, in});
    float* w_t = arena.take(static_cast<std::size_t>(in) * out);
    copy_values(transposed(weight), w_t);  // [out, in] → [in, out]
    return Linear{in, out, w_t, copy(name + ".bias", {out}, arena)};
  }
  ModelConfig config() const {
    const TensorView& view = get("config", {6}, TensorData::DType::Int64);
    std::int64_t c[6];
    copy_values(view, c);
    for (std::int64_t v : c) {
      if (v <= 0 || v > kMaxConfigValue) {
        throw InputError("weight file " + source_ + " has an invalid motion-model config");
      }
    }
    ModelConfig config{static_cast<int>(c[0]), static_cast<int>(c[1]), static_cast<int>(c[2]),
                       static_cast<int>(c[3]), static_cast<int>(c[4]), static_cast<int>(c[5])};
    if (config.encoder_channels <= 0 || config.d_model <= 0 || config.layers <= 0 ||
        config.heads <= 0 || config.d_model % config.heads != 0 || config.d_model % 2 != 0 ||
        config.mlp_hidden <= 0 || config.max_frames <= 0) {
      throw InputError("weight file " + source_ + " has an invalid motion-model config");
    }
    return config;
  }

 private:
  static std::string describe(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
  }
  const std::map<std::string, TensorView>& tensors_;
  std::string source_;
};

struct Block {
  Linear attn_qkv, attn_out, mlp_in, mlp_out;  // LoRA layers 4l + 0..3
  Linear modulation;                           // c → 6D: (shift, scale, gate) × (attn, mlp)
};

}  // namespace

PlainLora make_plain_lora(int rank, int in, int out, const float* a, const float* b) {
  const int padded = (rank + 15) / 16 * 16;
  PlainLora l{rank, in, out, padded, {}, {}};
  l.a_t.assign(static_cast<std::size_t>(in) * padded, 0.f);
  l.b_t.assign(static_cast<std::size_t>(padded) * out, 0.f);
  for (int r = 0; r < rank; ++r) {
    for (int i = 0; i < in; ++i) l.a_t[static_cast<std::size_t>(i) * padded + r] = a[r * in + i];
    for (int o = 0; o < out; ++o) l.b_t[static_cast<std::size_t>(r) * out + o] = b[o * rank + r];
  }
  return l;
}

struct PlainModel::Impl {
  Arena arena;  // every weight below
  ModelConfig config;
  std::vector<float> feature_mean, feature_std, motion_mean, motion_std;
  Linear frame_in, conv[3], encoder_out;                                // audio encoder
  Linear motion_in, time_mlp1, time_mlp2, final_mod, motion_out;        // denoiser
  const float* role_embedding = nullptr;                                // [3, D]
  const float* position = nullptr;                                      // [max_frames, D]
  std::vector<Block> blocks;
  std::vector<std::string> lora_names;

  // Scratch, sized at load for max_frames rows (T = frames, D = d_model, C = channels).
  std::vector<float> enc_h, enc_stacked, enc_tmp;  // [T, C], [T, 5C], [T, C]
  std::vector<float> time_in, c, silu_c, mod;      // [D], [D], [D], [6D]
  std::vector<float> h, a, qkv, kt, scores, attended, hidden, lora_tmp;

  Impl(const Weights& w) : arena(w.float_count()) {
    config = w.config();
    const int d = config.d_model, ch = config.encoder_channels, t_max = config.max_frames;
    feature_mean = w.vector("feature_mean", kFeatureDims);
    feature_std = w.vector("feature_std", kFeatureDims);
    motion_mean = w.vector("motion_mean", kChannelCount);
    motion_std = w.vector("motion_std", kChannelCount);

    frame_in = w.linear("encoder.frame_in", kFeaturesPerMotionFrame * kFeatureDims, ch, arena);
    for (int i = 0; i < 3; ++i) {
      conv[i] = w.linear("encoder.conv" + std::to_string(i + 1), kConvWidth * ch, ch, arena);
    }
    encoder_out = w.linear("encoder.out", ch, d, arena);

    motion_in = w.linear("denoiser.motion_in", kChannelCount, d, arena);
    role_embedding = w.copy("denoiser.role_embedding.weight", {3, d}, arena);
    position = w.copy("denoiser.position", {t_max, d}, arena);
    time_mlp1 = w.linear("denoiser.time_mlp1", d, d, arena);
    time_mlp2 = w.linear("denoiser.time_mlp2", d, d, arena);
    for (int l = 0; l < config.layers; ++l) {
      const std::string name = "blocks." + std::to_string(l);
      const std::string p = "denoiser." + name;
      blocks.push_back(Block{w.linear(p + ".attn_qkv.linear", d, 3 * d, arena),
                             w.linear(p + ".attn_out.linear", d, d, arena),
                             w.linear(p + ".mlp_in.linear", d, config.mlp_hidden, arena),
                             w.linear(p + ".mlp_out.linear", config.mlp_hidden, d, arena),
                             w.linear(p + ".modulation", d, 6 * d, arena)});
      for (const char* layer : {".attn_qkv", ".attn_out", ".mlp_in", ".mlp_out"}) {
        lora_names.push_back(name + layer);
      }
    }
    final_mod = w.linear("denoiser.final_mod", d, 2 * d, arena);
    motion_out = w.linear("denoiser.motion_out", d, kChannelCount, arena);

    auto rows = [t_max](int width) { return std::vector<float>(static_cast<std::size_t>(t_max) * width); };
    enc_h = rows(ch), enc_stacked = rows(kConvWidth * ch), enc_tmp = rows(ch);
    time_in.resize(d), c.resize(d), silu_c.resize(d), mod.resize(6 * d);
    h = rows(d), a = rows(d), qkv = rows(3 * d), attended = rows(d);
    hidden = rows(std::max(config.mlp_hidden, d));
    kt = rows(d / config.heads);  // Kᵀ of one head: [dh, T]
    scores = rows(t_max);         // [T, T]
  }

  // y = W x + b + Σ_s scale(s, layer) · B_s (A_s x): x [rows, in] → y [rows, out].
  void lora_linear(const Linear& layer, int lora_index, const PlainLoraMix* lora, const float* x,
                   int rows, float* y) {
    layer.apply(x, rows, y);
    if (lora == nullptr) return;
    const std::size_t layers = lora_names.size();
    for (std::size_t s = 0; s < lora->sets.size(); ++s) {
      const std::size_t at = s * layers + lora_index;
      const float scale = at < lora->scales.size() ? lora->scales[at] : 0.f;
      if (scale == 0.f || lora->sets[s] == nullptr) continue;
      auto it = lora->sets[s]->adapters.find(lora_names[lora_index]);
      if (it == lora->sets[s]->adapters.end()) continue;
      const PlainLora& adapter = it->second;
      if (adapter.in != layer.in || adapter.out != layer.out) {
        throw Error("LoRA set '" + lora->sets[s]->name + "' does not fit layer " +
                    lora_names[lora_index]);
      }
      const int rank = adapter.padded_rank;
      const std::size_t need = static_cast<std::size_t>(rows) * rank;
      if (lora_tmp.size() < need) lora_tmp.resize(need);  // grows once per rank
      plain::matmul(rows, rank, layer.in, x, layer.in, adapter.a_t.data(), rank, lora_tmp.data(),
                    rank, nullptr, false);  // [rows, rank]
      for (std::size_t i = 0; i < need; ++i) lora_tmp[i] *= scale;
      plain::matmul(rows, layer.out, rank, lora_tmp.data(), rank, adapter.b_t.data(), layer.out, y,
                    layer.out, nullptr, /*accumulate=*/true);
    }
  }

  // Sinusoidal embedding of t ∈ [0, 1] scaled to 0..1000: [cos(t·1000·f), sin(t·1000·f)],
  // f_i = exp(−ln(10000) · i / half), in float as torch computes it.
  void timestep_embedding(float t, float* out) const {
    const int half = config.d_model / 2;
    const float log_base = static_cast<float>(-std::log(10000.0));
    for (int i = 0; i < half; ++i) {
      const float freq = std::exp(log_base * static_cast<float>(i) / static_cast<float>(half));
      const float arg = (t * 1000.f) * freq;
      out[i] = std::cos(arg);
      out[half + i] = std::sin(arg);
    }
  }

  void block(const Block& b, int index, int frames, const PlainLoraMix* lora) {
    const int d = config.d_model, heads = config.heads, dh = d / heads;
    b.modulation.apply(silu_c.data(), 1, mod.data());  // 6 × [D]
    const float *shift1 = &mod[0], *scale1 = &mod[d], *gate1 = &mod[2 * d];
    const float *shift2 = &mod[3 * d], *scale2 = &mod[4 * d], *gate2 = &mod[5 * d];

    plain::layer_norm_modulate(h.data(), frames, d, shift1, scale1, a.data());
    lora_linear(b.attn_qkv, 4 * index, lora, a.data(), frames, qkv.data());  // [T, 3, H, dh]
    for (int head = 0; head < heads; ++head) {
      const float* q = qkv.data() + head * dh;
      const float* k = qkv.data() + d + head * dh;
      const float* v = qkv.data() + 2 * d + head * dh;
      for (int j = 0; j < frames; ++j) {  // Kᵀ: [dh, T]
        for (int e = 0; e < dh; ++e) kt[static_cast<std::size_t>(e) * frames + j] = k[j * 3 * d + e];
      }
      plain::matmul(frames, frames, dh, q, 3 * d, kt.data(), frames, scores.data(), frames,
                    nullptr, false);  // [T, T]
      plain::softmax_rows(scores.data(), frames, frames, frames,
                          static_cast<float>(std::sqrt(static_cast<double>(dh))));
      plain::matmul(frames, dh, frames, scores.data(), frames, v, 3 * d, attended.data() + head * dh,
                    d, nullptr, false);  // [T, dh] into [T, D]
    }
    lora_linear(b.attn_out, 4 * index + 1, lora, attended.data(), frames, a.data());
    for (int t = 0; t < frames; ++t) {
      for (int i = 0; i < d; ++i) h[t * d + i] += gate1[i] * a[t * d + i];
    }

    plain::layer_norm_modulate(h.data(), frames, d, shift2, scale2, a.data());
    lora_linear(b.mlp_in, 4 * index + 2, lora, a.data(), frames, hidden.data());
    plain::gelu(hidden.data(), frames * config.mlp_hidden);
    lora_linear(b.mlp_out, 4 * index + 3, lora, hidden.data(), frames, a.data());
    for (int t = 0; t < frames; ++t) {
      for (int i = 0; i < d; ++i) h[t * d + i] += gate2[i] * a[t * d + i];
    }
  }
};

PlainModel::PlainModel(const std::filesystem::path& weights) {
  TensorArchive archive(weights);
  impl_ = std::make_unique<Impl>(Weights(archive.tensors(), quoted(weights)));
}

PlainModel::PlainModel(const TensorMap& tensors, const std::string& source) {
  std::map<std::string, TensorView> views;
  for (const auto& [name, tensor] : tensors) {
    const std::size_t size = tensor.dtype == TensorData::DType::Float32 ? tensor.floats.size()
                                                                         : tensor.ints.size();
    if (static_cast<std::size_t>(tensor.numel()) != size) {
      throw InputError("weights " + source + ": tensor '" + name + "' holds " +
                       std::to_string(size) + " values for its shape");
    }
    views[name] = view_of(tensor);
  }
  impl_ = std::make_unique<Impl>(Weights(views, source));
}
PlainModel::~PlainModel() = default;
PlainModel::PlainModel(PlainModel&&) noexcept = default;
PlainModel& PlainModel::operator=(PlainModel&&) noexcept = default;

const ModelConfig& PlainModel::config() const { return impl_->config; }
const std::vector<std::string>& PlainModel::lora_layer_names() const { return impl_->lora_names; }

void PlainModel::normalize_features(float* features, int rows) const {
  for (int r = 0; r < rows; ++r) {
    float* f = features + static_cast<std::size_t>(r) * kFeatureDims;
    for (int i = 0; i < kFeatureDims; ++i) f[i] = (f[i] - impl_->feature_mean[i]) / impl_->feature_std[i];
  }
}

void PlainModel::denormalize_motion(float* motion, int rows) const {
  for (int r = 0; r < rows; ++r) {
    float* m = motion + static_cast<std::size_t>(r) * kChannelCount;
    for (int i = 0; i < kChannelCount; ++i) m[i] = m[i] * impl_->motion_std[i] + impl_->motion_mean[i];
  }
}

void PlainModel::encode(const float* features, int frames, float* tokens) {
  Impl& m = *impl_;
  if (frames > m.config.max_frames) throw Error("encoder window exceeds max_frames");
  const int ch = m.config.encoder_channels;
  float* h = m.enc_h.data();
  // The 4 feature frames of a motion frame side by side: [4T, F] is [T, 4F] already.
  m.frame_in.apply(features, frames, h);  // [T, C]
  plain::gelu(h, frames * ch);
  for (const Linear& conv : m.conv) {  // h += gelu(conv(5 neighbours stacked, zeros past the ends))
    float* stacked = m.enc_stacked.data();  // [T, 5C]
    for (int t = 0; t < frames; ++t) {
      for (int i = 0; i < kConvWidth; ++i) {
        const int source = t + i - kConvWidth / 2;
        float* dst = stacked + (static_cast<std::size_t>(t) * kConvWidth + i) * ch;
        if (source < 0 || source >= frames) {
          std::fill(dst, dst + ch, 0.f);
        } else {
          std::copy_n(h + static_cast<std::size_t>(source) * ch, ch, dst);
        }
      }
    }
    conv.apply(stacked, frames, m.enc_tmp.data());
    plain::gelu(m.enc_tmp.data(), frames * ch);
    for (int i = 0; i < frames * ch; ++i) h[i] += m.enc_tmp[i];
  }
  m.encoder_out.apply(h, frames, tokens);  // [T, D]
}

void PlainModel::denoise(const float* x, const Role* roles, const float* tokens, int frames,
                         float t, const PlainLoraMix* lora, float* v) {
  Impl& m = *impl_;
  if (frames > m.config.max_frames) throw Error("denoiser window exceeds max_frames");
  const int d = m.config.d_model;
  // Conditioning c = time_mlp2(silu(time_mlp1(embedding(t)))), used as silu(c).
  m.timestep_embedding(t, m.time_in.data());
  m.time_mlp1.apply(m.time_in.data(), 1, m.c.data());
  plain::silu(m.c.data(), d);
  m.time_mlp2.apply(m.c.data(), 1, m.silu_c.data());
  plain::silu(m.silu_c.data(), d);

  // h = motion_in(x) + role_embedding(roles) + tokens + position, summed in that order.
  m.motion_in.apply(x, frames, m.h.data());
  for (int p = 0; p < frames; ++p) {
    const auto role = static_cast<std::int64_t>(roles[p]);
    if (role < 0 || role > 2) throw Error("denoiser: invalid role " + std::to_string(role));
    const float* e = &m.role_embedding[role * d];
    float* hp = &m.h[static_cast<std::size_t>(p) * d];
    for (int i = 0; i < d; ++i) hp[i] = ((hp[i] + e[i]) + tokens[p * d + i]) + m.position[p * d + i];
  }
  for (int l = 0; l < m.config.layers; ++l) m.block(m.blocks[l], l, frames, lora);

  m.final_mod.apply(m.silu_c.data(), 1, m.mod.data());  // shift, scale
  plain::layer_norm_modulate(m.h.data(), frames, d, &m.mod[0], &m.mod[d], m.a.data());
  m.motion_out.apply(m.a.data(), frames, v);  // [T, 20]
}

}  // namespace parla::experts
