// Base model training: features of every train/val clip computed once (and cached),
// random windows with prefix context, v-prediction loss under a cosine schedule with
// extra weight on the mouth, AdamW with warm-up and cosine decay, EMA weights,
// resumable checkpoints, loss.csv and loss.png.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include "audio/audio.h"
#include "critic/heads.h"
#include "experts/experts.h"
#include "train/critic_data.h"
#include "train/random.h"
#include "train/spread_loss.h"
#include "train/train.h"

namespace parla::train {

using experts::kFeatureDims;
using experts::kFeaturesPerMotionFrame;

torch::Tensor clip_features(const std::vector<float>& audio, int64_t motion_frames) {
  return clip_features(audio::compute_features(audio), motion_frames);
}

torch::Tensor clip_features(const audio::Features& f, int64_t motion_frames) {
  torch::Tensor out = torch::empty({motion_frames * kFeaturesPerMotionFrame, kFeatureDims});
  float* data = out.data_ptr<float>();
  for (int64_t i = 0; i < out.size(0); ++i) {
    if (i < static_cast<int64_t>(f.frames.size())) {
      experts::feature_vector(f.frames[i], data + i * kFeatureDims);
    } else {
      experts::silence_feature_vector(data + i * kFeatureDims);
    }
  }
  return out;
}

namespace {

using experts::kMaxNewFrames;
using experts::kPrefixFrames;

// Raw features [4T, F] and labels [T, 20] of each clip of one split.
struct SplitData {
  std::vector<torch::Tensor> features;
  std::vector<torch::Tensor> motion;
  std::vector<torch::Tensor> mask;  // [T, 20] 1 where the label counts; empty = everywhere
  std::vector<double> weight;       // sampling weight per clip; empty = its frame count
  double total_weight = 0;
  std::vector<int64_t> frames;
  int64_t total_frames = 0;
};


SplitData load_split(const CorpusReader& reader, Split split, const std::filesystem::path& cache) {
  SplitData data;
  std::vector<ClipRef> refs = reader.clips(split);
  std::vector<torch::Tensor> cached;
  if (std::filesystem::exists(cache)) {
    torch::load(cached, cache.string());
    if (cached.size() != 2 * refs.size()) {
      throw InputError("feature cache " + quoted(cache) + " belongs to another corpus; remove it");
    }
  } else {
    for (size_t i = 0; i < refs.size(); ++i) {
      Clip clip = reader.load(refs[i]);
      cached.push_back(clip_features(clip.audio, clip.motion.frame_count()));
      cached.push_back(critic::motion_tensor(clip.motion));
      if ((i + 1) % 200 == 0)
        std::fprintf(stderr, "features: %s %zu/%zu clips\n", std::string(split_name(split)).c_str(),
                     i + 1, refs.size());
    }
    std::filesystem::create_directories(cache.parent_path());
    torch::save(cached, cache.string() + ".tmp");
    std::filesystem::rename(cache.string() + ".tmp", cache);
  }
  for (size_t i = 0; i < cached.size(); i += 2) {
    data.features.push_back(cached[i]);
    data.motion.push_back(cached[i + 1]);
    data.frames.push_back(cached[i + 1].size(0));
    data.total_frames += cached[i + 1].size(0);
  }
  return data;
}

// The real talking faces of the TRAIN speakers (docs/real_speakers.md): `variants` audio
// versions per clip — the clean one, then speed (0.9..1.1, labels stretched along),
// noise, reverb, band limit, codec and gain drawn per version, babble from the other
// clips. Labels: the speaker-normalised jawOpen where tracking is confident; every other
// channel is masked out of the loss (its value is the label mean, `motion_mean`).
SplitData load_real(const BaseTrainParams& params, const std::filesystem::path& cache_dir,
                    const torch::Tensor& motion_mean) {
  const auto label_cache =
      params.real_labels.empty() ? cache_dir / "realtalk-labels.bin" : params.real_labels;
  std::vector<RealLabels> all = real_labels(params.realtalk, label_cache, [](const std::string& l) {
    std::fprintf(stderr, "%s\n", l.c_str());
  });
  std::vector<const RealLabels*> clips;
  for (RealLabels& c : all) {
    if (c.split != Split::Train) continue;
    if (!params.real_as_published) c = sync_corrected(std::move(c));
    if (params.real_shut_at_zero) {
      for (size_t k = 0; k < c.jaw.size(); ++k)
        c.jaw[k] = map_quantiles_shut_at_zero(c.raw_jaw[k], c.speaker_quantiles, kSyntheticJawQuantiles);
    }
    clips.push_back(&c);
  }
  if (clips.empty()) throw InputError("no realtalk training clip in " + quoted(params.realtalk));
  const int jaw = index(Channel::JawOpen);
  SplitData data;
  const auto feature_cache =
      cache_dir / ("real-features-v" + std::to_string(params.real_variants) + "-s" +
                   std::to_string(params.seed) + (params.real_as_published ? "" : "-sync") +
                   (params.real_shut_at_zero ? "-shut0" : "") + ".pt");
  std::vector<torch::Tensor> cached;
  if (std::filesystem::exists(feature_cache)) {
    torch::load(cached, feature_cache.string());
    if (cached.size() != 3 * clips.size() * static_cast<size_t>(params.real_variants))
      throw InputError("real feature cache " + quoted(feature_cache) +
                       " is for other clips; remove it");
  } else {
    for (size_t c = 0; c < clips.size(); ++c) {
      const RealLabels& clip = *clips[c];
      std::vector<std::vector<float>> babble;
      for (size_t o = 1; o <= 3; ++o) babble.push_back(clips[(c + o * 7) % clips.size()]->pcm);
      for (int v = 0; v < params.real_variants; ++v) {
        RealVariant variant = real_variant(
            clip, v,
            derive_seed(params.seed ^ 0x7265616Cull, c * 1000 + static_cast<std::uint64_t>(v)),
            babble);
        const auto frames = static_cast<int64_t>(variant.jaw.size());
        torch::Tensor motion = motion_mean.unsqueeze(0).repeat({frames, 1});
        torch::Tensor mask = torch::zeros({frames, kChannelCount});
        motion.select(1, jaw).copy_(torch::tensor(variant.jaw));
        mask.select(1, jaw).copy_(
            torch::tensor(std::vector<float>(variant.label.begin(), variant.label.end())));
        cached.push_back(clip_features(variant.pcm, frames));
        cached.push_back(motion);
        cached.push_back(mask);
      }
    }
    std::filesystem::create_directories(feature_cache.parent_path());
    torch::save(cached, feature_cache.string() + ".tmp");
    std::filesystem::rename(feature_cache.string() + ".tmp", feature_cache);
  }
  double seconds = 0;
  std::map<std::string, double> speaker_frames;
  for (size_t i = 0; i < cached.size(); i += 3) {
    data.features.push_back(cached[i]);
    data.motion.push_back(cached[i + 1]);
    data.mask.push_back(cached[i + 2]);
    data.frames.push_back(cached[i + 1].size(0));
    data.total_frames += cached[i + 1].size(0);
    seconds += static_cast<double>(cached[i + 1].size(0)) / 25;
    speaker_frames[clips[i / 3 / params.real_variants]->speaker] +=
        static_cast<double>(cached[i + 1].size(0));
  }
  // A speaker's share of the real windows grows as (their frames)^power: GRID-s1 holds
  // 41 % of the frames, and the held-out speakers are other people.
  for (size_t i = 0; i < data.frames.size(); ++i) {
    const double total = speaker_frames[clips[i / params.real_variants]->speaker];
    data.weight.push_back(static_cast<double>(data.frames[i]) *
                          std::pow(total, params.real_speaker_power - 1));
    data.total_weight += data.weight.back();
  }
  std::fprintf(stderr, "real: %zu training clips x %d audio versions, %.1f min\n", clips.size(),
               params.real_variants, seconds / 60);
  return data;
}

// Raw features of music, noise and silence: the non-speech pool.
torch::Tensor nonspeech_features(std::uint64_t seed) {
  Random rng(seed ^ 0x6E6F697365ull);
  std::vector<float> audio;
  for (int piece = 0; piece < 6; ++piece) {  // 6 pieces of 40 s, each in its key and level
    std::vector<float> music = synth_music(40.0, derive_seed(seed, 0x6D75 + piece));
    const double gain = std::pow(10.0, rng.uniform(-20, 0) / 20);
    for (float v : music) audio.push_back(static_cast<float>(gain * v));
  }
  for (int segment = 0; segment < 24; ++segment) {  // 5 s each: noise at random levels, silence
    double level = segment % 2 == 1 ? 0.0 : std::pow(10.0, rng.uniform(-70, -20) / 20);
    bool pink = segment % 2 == 0;
    double b0 = 0, b1 = 0, b2 = 0;
    for (int i = 0; i < 5 * kSampleRate; ++i) {
      double white = rng.uniform(-1, 1);
      double v = white;
      if (pink) {  // Paul Kellet's economy pink filter
        b0 = 0.99765 * b0 + white * 0.0990460;
        b1 = 0.96300 * b1 + white * 0.2965164;
        b2 = 0.57000 * b2 + white * 1.0526913;
        v = (b0 + b1 + b2 + white * 0.1848) / 3;
      }
      audio.push_back(static_cast<float>(level * v));
    }
  }
  return clip_features(audio, motion_frames_for(static_cast<int64_t>(audio.size())));
}

struct Batch {
  torch::Tensor features;  // [B, 4(P+N), F] normalised
  torch::Tensor prefix;    // [B, P, 20] normalised
  torch::Tensor roles;     // [B, P+N]
  torch::Tensor x0;        // [B, N, 20] normalised
  torch::Tensor mask;      // [B, N, 20] 1 where the label counts (real windows: jawOpen only)
};

// Normalised copies of the data, and what a batch draws on.
struct Sampler {
  const SplitData* data;          // normalised features and motion
  torch::Tensor nonspeech;        // [rows, F] normalised
  torch::Tensor head_calm_scale;  // [20] multipliers for labels under non-speech
  torch::Tensor motion_mean, motion_std;
  double nonspeech_share = 0;
  torch::Tensor feature_mean, feature_std;  // [F]: raw = normalised · std + mean
  double warp = 0;                          // vocal-tract warp range (see warp_voice)
  const SplitData* real = nullptr;          // real talking faces (normalised), or none
  double real_share = 0;                    // share of training windows drawn from `real`
  double real_warp = 0;                     // warp range of real windows; 0 = `warp`

  // Another voice for the same speech (experts::warp_voice): vocal-tract factor in
  // 1 ± warp, F0 ± 20 %. Only rows with audio (the missing prefix stays 0).
  void warp_voice(torch::Tensor rows, double range, Random& rng) const {
    const double factor = 1 + rng.uniform(-range, range);
    const double f0_factor = 1 + rng.uniform(-0.2, 0.2);
    torch::Tensor raw = rows * feature_std + feature_mean;  // [R, F]
    experts::warp_voice(raw, factor, f0_factor);
    rows.copy_((raw - feature_mean) / feature_std);
  }

  Batch draw(Random& rng, int batch, int new_frames, bool allow_dropout) const {
    const int positions = kPrefixFrames + new_frames;
    Batch b{
        torch::zeros({batch, positions * kFeaturesPerMotionFrame, kFeatureDims}),
        torch::zeros({batch, kPrefixFrames, kChannelCount}),
        torch::full({batch, positions}, static_cast<int64_t>(experts::Role::Noisy), torch::kInt64),
        torch::empty({batch, new_frames, kChannelCount}),
        torch::ones({batch, new_frames, kChannelCount})};
    for (int i = 0; i < batch; ++i) {
      // Only runs with real clips draw this, so synthetic-only runs keep their streams.
      const bool from_real = real != nullptr && allow_dropout && rng.chance(real_share);
      const SplitData* data = from_real ? real : this->data;
      size_t clip = 0;
      for (int tries = 0; tries < 1000; ++tries) {  // length-weighted among long-enough clips
        const bool weighted = !data->weight.empty();
        auto weight = [&](size_t c) {
          return weighted ? data->weight[c] : static_cast<double>(data->frames[c]);
        };
        double pick = rng.uniform() *
                      (weighted ? data->total_weight : static_cast<double>(data->total_frames));
        clip = 0;
        while (clip + 1 < data->frames.size() && pick >= weight(clip)) {
          pick -= weight(clip);
          ++clip;
        }
        if (data->frames[clip] >= new_frames) break;
      }
      const int64_t frames = data->frames[clip];
      const int64_t start = static_cast<int64_t>(
          rng.below(static_cast<size_t>(std::max<int64_t>(1, frames - new_frames + 1))));
      const int64_t first = start - kPrefixFrames;         // motion frame at position 0
      const int64_t valid = std::max<int64_t>(0, -first);  // missing prefix slots
      const torch::Tensor& f = data->features[clip];
      const torch::Tensor& m = data->motion[clip];
      b.features[i]
          .slice(0, valid * kFeaturesPerMotionFrame)
          .copy_(f.slice(0, (first + valid) * kFeaturesPerMotionFrame,
                         (start + new_frames) * kFeaturesPerMotionFrame));
      b.x0[i].copy_(m.slice(0, start, start + new_frames));
      if (from_real) b.mask[i].copy_(data->mask[clip].slice(0, start, start + new_frames));
      // Real windows may get a wider warp: 21 real voices are few to generalise from.
      const double range = from_real && real_warp > 0 ? real_warp : warp;
      if (allow_dropout && range > 0 && rng.chance(0.8))
        warp_voice(b.features[i].slice(0, valid * kFeaturesPerMotionFrame), range, rng);
      bool dropout = allow_dropout && rng.chance(0.15);
      for (int p = 0; p < kPrefixFrames; ++p) {
        bool missing = p < valid || dropout;
        b.roles[i][p] =
            static_cast<int64_t>(missing ? experts::Role::Missing : experts::Role::Prefix);
        if (!missing) b.prefix[i][p].copy_(m[first + p]);
      }
      if (!from_real && allow_dropout && rng.chance(nonspeech_share)) {
        // Music, noise or silence under the same window: mouth at rest, head calm.
        int64_t rows = positions * kFeaturesPerMotionFrame;
        int64_t offset =
            static_cast<int64_t>(rng.below(static_cast<size_t>(nonspeech.size(0) - rows)));
        offset -= offset % kFeaturesPerMotionFrame;
        b.features[i]
            .slice(0, valid * kFeaturesPerMotionFrame)
            .copy_(nonspeech.slice(0, offset + valid * kFeaturesPerMotionFrame, offset + rows));
        // The mouth at rest (keeping the speaker's resting smile: the clip's median),
        // the head at 30 % of the clip's motion. Not the clip's first frame: 40 % of
        // clips start with the mouth already moving toward the first sound.
        const int smile = index(Channel::MouthSmile);
        const float smile_level =
            (m.select(1, smile) * motion_std[smile] + motion_mean[smile]).median().item<float>();
        const std::array<float, kMouthChannelCount> rest_values = rest_mouth(smile_level);
        const torch::Tensor rest = torch::tensor(std::vector<float>(rest_values.begin(), rest_values.end()));
        auto calm = [&](torch::Tensor x) {  // [K, 20] normalised in place
          torch::Tensor raw = x * motion_std + motion_mean;
          raw = raw * head_calm_scale;
          raw.slice(1, 0, kMouthChannelCount).copy_(rest.expand({x.size(0), kMouthChannelCount}));
          x.copy_((raw - motion_mean) / motion_std);
        };
        calm(b.x0[i]);
        calm(b.prefix[i]);
        for (int p = 0; p < kPrefixFrames; ++p) {
          if (b.roles[i][p].item<int64_t>() == static_cast<int64_t>(experts::Role::Missing))
            b.prefix[i][p].zero_();
        }
      }
    }
    return b;
  }
};

struct Losses {
  torch::Tensor total, v;
};

// Per-value loss weights [B, N, 20]: the channel weights, and `closure_weight` on
// mouthClose where the label is shut (a bilabial closure is brief and rare, and missing
// one is the most visible lip-sync error). Also the weight of the lips' amplitude term
// and the mouth channels it covers (spread_loss.h).
struct LossWeights {
  torch::Tensor channel;      // [20]
  float shut_threshold = 0;   // mouthClose 0.5 in normalised units
  double closure_weight = 1;
  double spread_weight = 0;
  int64_t spread_channels = kMouthChannelCount;  // 1: jawOpen alone

  torch::Tensor operator()(const torch::Tensor& x0) const {
    torch::Tensor shut =
        (x0.select(2, index(Channel::MouthClose)) >= shut_threshold).to(torch::kFloat32);
    torch::Tensor w = channel.view({1, 1, -1}).repeat({x0.size(0), x0.size(1), 1});
    w.select(2, index(Channel::MouthClose)).mul_(1 + (closure_weight - 1) * shut);
    return w;
  }
};

}  // namespace

static_assert(index(Channel::JawOpen) == 0, "the spread term's jaw-only slice is channel 0");

torch::Tensor window_spread_loss(const torch::Tensor& x0_hat, const torch::Tensor& x0,
                                 const torch::Tensor& mask, const torch::Tensor& rows,
                                 int64_t channels) {
  torch::Tensor m = mask.slice(2, 0, channels) * rows.to(torch::kFloat32).view({-1, 1, 1});
  torch::Tensor n = m.sum(1);  // [B, C] counted frames
  torch::Tensor counts = (n >= 4).to(torch::kFloat32);
  torch::Tensor safe_n = n.clamp_min(1);
  auto sd = [&](const torch::Tensor& x) {
    torch::Tensor v = x.slice(2, 0, channels);
    torch::Tensor mean = (v * m).sum(1) / safe_n;
    torch::Tensor var = ((v - mean.unsqueeze(1)).pow(2) * m).sum(1) / safe_n;
    return (var + 1e-6).sqrt();
  };
  torch::Tensor gap = (sd(x0_hat) - sd(x0)).pow(2) * counts;
  return gap.sum() / counts.sum().clamp_min(1);
}

namespace {

Losses diffusion_loss(experts::MotionModel& model, const Batch& batch, const torch::Tensor& t,
                      const torch::Tensor& eps, const LossWeights& weights) {
  torch::Tensor alpha = experts::schedule_alpha(t).view({-1, 1, 1});
  torch::Tensor sigma = experts::schedule_sigma(t).view({-1, 1, 1});
  torch::Tensor xt = alpha * batch.x0 + sigma * eps;
  torch::Tensor v = alpha * eps - sigma * batch.x0;
  torch::Tensor tokens = model->encode(batch.features);  // [B, P+N, D]
  torch::Tensor v_hat =
      model->denoiser->forward(torch::cat({batch.prefix, xt}, 1), batch.roles, tokens, t, nullptr)
          .slice(1, kPrefixFrames);
  torch::Tensor w = weights(batch.x0) * batch.mask;
  torch::Tensor v_loss = ((v_hat - v).pow(2) * w).mean();
  torch::Tensor x0_hat = alpha * xt - sigma * v_hat;  // auxiliary x_0 loss
  torch::Tensor x0_loss =
      ((x0_hat - batch.x0).pow(2) * w).slice(2, 0, kMouthChannelCount).mean() / 2;
  torch::Tensor total = v_loss + 0.5 * x0_loss;
  if (weights.spread_weight > 0)  // the one-step lips' amplitude (spread_loss.h)
    total = total + weights.spread_weight * window_spread_loss(x0_hat, batch.x0, batch.mask,
                                                               t >= 1.f, weights.spread_channels);
  return {total, v_loss};
}

double learning_rate(const BaseTrainParams& p, int step) {
  const int warmup = std::min(200, std::max(1, p.steps / 10));
  if (step < warmup) return p.learning_rate * (step + 1) / warmup;
  double progress =
      std::min(1.0, static_cast<double>(step - warmup) / std::max(1, p.steps - warmup));
  return p.learning_rate * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * progress)));
}

void copy_parameters(experts::MotionModel& from, experts::MotionModel& to) {
  torch::NoGradGuard no_grad;
  auto src = from->named_parameters(), dst = to->named_parameters();
  for (auto& item : src) dst[item.key()].copy_(item.value());
  auto src_b = from->named_buffers(), dst_b = to->named_buffers();
  for (auto& item : src_b) dst_b[item.key()].copy_(item.value());
}

}  // namespace

BaseTrainReport train_base(const BaseTrainParams& params,
                           const std::function<void(const BaseTrainReport&)>& progress) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  torch::set_num_threads(std::max(1, params.threads));
  std::filesystem::create_directories(params.out_dir);
  const auto cache_dir = params.cache_dir.empty() ? params.out_dir / "cache" : params.cache_dir;
  const auto clock_start = std::chrono::steady_clock::now();

  CorpusReader reader(params.corpus);
  SplitData train = load_split(reader, Split::Train, cache_dir / "features-train.pt");
  SplitData val = load_split(reader, Split::Val, cache_dir / "features-val.pt");
  if (train.frames.empty())
    throw InputError("corpus " + quoted(params.corpus) + " has no train clips");

  experts::ModelConfig config;
  config.d_model = params.d_model;
  config.layers = params.layers;
  config.encoder_channels = params.encoder_channels;
  config.max_frames = kPrefixFrames + kMaxNewFrames;
  torch::manual_seed(params.seed);
  experts::MotionModel model(config);
  if (!params.init.empty()) {
    // Fine-tuning: the file's config, weights and normalisation statistics.
    model = experts::load_model(params.init);
    config = model->config();
  } else {
    // Statistics of the train split, stored with the weights.
    torch::Tensor all_features = torch::cat(train.features, 0),
                  all_motion = torch::cat(train.motion, 0);
    model->set_statistics(all_features.mean(0), all_features.std(0).clamp_min(1e-3),
                          all_motion.mean(0), all_motion.std(0).clamp_min(0.02));
  }
  experts::MotionModel ema(config);
  const torch::Tensor motion_mean = model->motion_mean(), motion_std = model->motion_std();
  SplitData real;
  if (!params.realtalk.empty()) real = load_real(params, cache_dir, motion_mean);
  for (SplitData* split : {&train, &val, &real}) {
    for (auto& f : split->features) f = model->normalize_features(f);
    for (auto& m : split->motion) m = model->normalize_motion(m);
  }
  torch::Tensor head_calm = torch::ones({kChannelCount});
  head_calm.slice(0, index(Channel::HeadYaw)).fill_(0.3);
  Sampler train_sampler{&train,
                        model->normalize_features(nonspeech_features(params.seed)),
                        head_calm,
                        motion_mean,
                        motion_std,
                        params.nonspeech_share,
                        model->feature_mean(),
                        model->feature_std(),
                        params.warp,
                        real.frames.empty() ? nullptr : &real,
                        params.real_share,
                        params.real_warp};
  // A tiny corpus may have no val clip: validate on train windows then.
  Sampler val_sampler = train_sampler;
  val_sampler.data = val.frames.empty() ? &train : &val;
  val_sampler.nonspeech_share = 0;
  val_sampler.warp = 0;
  val_sampler.real = nullptr;
  copy_parameters(model, ema);

  torch::optim::AdamW optimizer(
      model->parameters(), torch::optim::AdamWOptions(params.learning_rate).weight_decay(0.01));
  int step = 0;
  double previous_seconds = 0;
  const auto checkpoint = params.out_dir / "checkpoint.pt";
  const auto csv = params.out_dir / "loss.csv";
  if (std::filesystem::exists(checkpoint)) {
    torch::serialize::InputArchive archive, model_archive, ema_archive, optimizer_archive;
    archive.load_from(checkpoint.string());
    archive.read("model", model_archive);
    archive.read("ema", ema_archive);
    archive.read("optimizer", optimizer_archive);
    model->load(model_archive);
    ema->load(ema_archive);
    optimizer.load(optimizer_archive);
    const CheckpointProgress progress = read_progress(archive);
    step = progress.step;
    previous_seconds = progress.seconds;
    std::fprintf(stderr, "resuming at step %d\n", step);
  } else {
    write_text_file(csv, "step,train_loss,val_loss,lr,seconds\n");
  }

  LossWeights weights{torch::ones({kChannelCount}),
                      (0.5f - motion_mean[index(Channel::MouthClose)].item<float>()) /
                          motion_std[index(Channel::MouthClose)].item<float>(),
                      params.closure_weight, params.spread_weight,
                      params.spread_jaw_only ? 1 : kMouthChannelCount};
  weights.channel.slice(0, 0, kMouthChannelCount).fill_(2.0);
  // Fixed validation windows: full-length, fixed times and noise.
  std::vector<std::tuple<Batch, torch::Tensor, torch::Tensor>> val_set;
  {
    Random rng(derive_seed(params.seed, 0x76616C));
    torch::manual_seed(derive_seed(params.seed, 0x76616D));
    for (int k = 0; k < 4; ++k) {
      Batch b = val_sampler.draw(rng, 32, kMaxNewFrames, /*allow_dropout=*/false);
      val_set.emplace_back(b, torch::rand({32}), torch::randn_like(b.x0));
    }
  }
  auto validate = [&]() {
    torch::NoGradGuard no_grad;
    double sum = 0;
    for (auto& [b, t, eps] : val_set)
      sum += diffusion_loss(ema, b, t, eps, weights).v.item<double>();
    return sum / val_set.size();
  };

  BaseTrainReport report;
  double interval_loss = 0;
  int interval_steps = 0;
  auto elapsed = [&] {
    return previous_seconds +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  };
  auto save = [&](double lr) {
    report.step = step;
    report.train_loss = interval_steps ? interval_loss / interval_steps : 0;
    report.val_loss = validate();
    report.seconds = elapsed();
    report.finished = step >= params.steps;
    interval_loss = 0;
    interval_steps = 0;
    torch::serialize::OutputArchive archive, model_archive, ema_archive, optimizer_archive;
    model->save(model_archive);
    ema->save(ema_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("ema", ema_archive);
    archive.write("optimizer", optimizer_archive);
    save_checkpoint(archive, {step, report.seconds}, checkpoint);
    experts::save_model(ema, params.out_dir / "base.pt");
    std::ofstream(csv, std::ios::app) << step << ',' << report.train_loss << ',' << report.val_loss
                                      << ',' << lr << ',' << report.seconds << '\n';
    plot_loss_csv(csv, params.out_dir / "loss.png");
    if (progress) progress(report);
  };

  model->train();
  double lr = learning_rate(params, step);
  while (step < params.steps) {
    if (params.max_minutes > 0 && elapsed() - previous_seconds > params.max_minutes * 60) break;
    // Each step draws from its own streams, so a resumed run continues identically.
    Random rng(derive_seed(params.seed, static_cast<std::uint64_t>(step) + 1));
    torch::manual_seed(
        derive_seed(params.seed ^ 0x746F726368ull, static_cast<std::uint64_t>(step)));
    int new_frames =
        rng.chance(0.5) ? kMaxNewFrames : 1 + static_cast<int>(rng.below(kMaxNewFrames));
    Batch batch = train_sampler.draw(rng, params.batch, new_frames, /*allow_dropout=*/true);
    // Some windows at t = 1 (pure noise): the one-step prediction the lips come from.
    torch::Tensor t = torch::rand({params.batch});
    t.masked_fill_(torch::rand({params.batch}) < params.pure_noise_share, 1.f);
    torch::Tensor eps = torch::randn_like(batch.x0);
    Losses loss = diffusion_loss(model, batch, t, eps, weights);
    if (!std::isfinite(loss.total.item<double>())) {
      throw Error("training diverged at step " + std::to_string(step) + " (features finite: " +
                  std::to_string(torch::isfinite(batch.features).all().item<bool>()) +
                  ", labels finite: " +
                  std::to_string(torch::isfinite(batch.x0).all().item<bool>() &&
                                 torch::isfinite(batch.prefix).all().item<bool>()) +
                  ")");
    }
    lr = learning_rate(params, step);
    for (auto& group : optimizer.param_groups())
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer.zero_grad();
    loss.total.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    optimizer.step();
    {
      torch::NoGradGuard no_grad;
      double decay = std::min(0.999, (1.0 + step) / (10.0 + step));
      auto ema_params = ema->named_parameters();
      for (auto& item : model->named_parameters()) {
        ema_params[item.key()].mul_(decay).add_(item.value(), 1 - decay);
      }
    }
    interval_loss += loss.v.item<double>();
    ++interval_steps;
    ++step;
    if (step % params.checkpoint_every == 0 || step == params.steps) save(lr);
  }
  if (interval_steps > 0) save(lr);
  report.finished = step >= params.steps;
  return report;
}

}  // namespace parla::train
