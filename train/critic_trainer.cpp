// Talking-Critic training (docs/critic.md "Training"): the data of critic_data.cpp, then
// each head in turn with AdamW, warm-up and cosine decay, resumable checkpoints,
// validation on held-out speakers and voices, loss-<head>.csv/.png and <head>.pt.
//   LS: InfoNCE over the 31 offsets of the clip's own audio and the other clips' audio.
//   MN: natural vs perturbed windows (BCE + a pairwise margin on the pair).
//   VQ: clean vs degraded crops of the same frame (BCE + a pairwise margin).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>

#include "critic/perturb.h"
#include "train/critic_data.h"
#include "train/random.h"

namespace parla::train {
namespace {

namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

constexpr float kLsTemperature = 0.1f;  // logits = −d² / τ
constexpr int kLsFramesPerClip = 8;     // anchors drawn from each clip of a batch
constexpr int kLsSegmentFrames = 75;    // anchors lie within 3 s; the audio tower sees only that
constexpr int kLsContextFrames = 21;    // offsets (15) + window (2) + receptive field (4)
constexpr int kMnMinWindow = 50;
// Per-channel σ of the tracking noise added to MN's windows, at its largest (channel
// units): about what a visually lossless re-encode changes in a tracked real video (the
// RMS change of each channel over 32 realtalk clips and their libx264 crf 16 copies,
// `bench/track_retest.sh`, docs/critic.md "Steady under a re-encode"). Order: jawOpen … mouthRollLower, tongueOut,
// blinks, gaze, brows, head angles (rad), head position and scale. Each window draws its
// level uniformly from 0 to this.
torch::Tensor mn_tracking_noise() {
  return torch::tensor({0.03f, 0.06f, 0.02f, 0.03f, 0.04f, 0.05f, 0.065f, 0.015f, 0.03f, 0.03f,
                        0.11f, 0.03f, 0.045f, 0.055f, 0.016f, 0.019f, 0.008f, 0.0025f, 0.0025f,
                        0.006f});
}
// Weight of MN's noise term: the squared logit difference between a natural window under
// two draws of tracking noise. Without it the head read tracking noise as its `jitter`
// fault: a re-encode took a real video's MN from 98.5 to 2.3.
constexpr double kMnNoiseInvariance = 1.0;
constexpr int kLsMinClipFrames = 20;

// Source mix of a batch: tracked and real motion are as important as clean labels.
constexpr double kSourceShare[3] = {0.35, 0.3, 0.35};

struct ClipPools {
  std::vector<const CriticClip*> by_source[3];
  // Real clips grouped by speaker: a speaker is drawn first, so one speaker with many
  // clips (GRID-s1 is 41 % of the real time) does not teach the head its own face.
  std::vector<std::vector<const CriticClip*>> real_by_speaker;
  std::vector<const CriticClip*> held_out;
  const CriticClip* draw(Random& rng, int64_t min_frames) const {
    for (int attempt = 0; attempt < 100; ++attempt) {
      double u = rng.uniform();
      int s = u < kSourceShare[0] ? 0 : u < kSourceShare[0] + kSourceShare[1] ? 1 : 2;
      if (by_source[s].empty()) continue;
      const CriticClip* c = by_source[s][rng.below(by_source[s].size())];
      if (s == 2 && !real_by_speaker.empty()) {
        const auto& clips = real_by_speaker[rng.below(real_by_speaker.size())];
        c = clips[rng.below(clips.size())];
      }
      if (c->frames() >= min_frames) return c;
    }
    throw Error("critic training: no training clip of at least " + std::to_string(min_frames) +
                " frames");
  }
};

ClipPools pools(const CriticData& data, const std::filesystem::path& realtalk) {
  ClipPools p;
  for (const CriticClip& c : data.clips) {
    if (c.split == Split::Train)
      p.by_source[static_cast<int>(c.source)].push_back(&c);
    else if (c.split == Split::Val)
      p.held_out.push_back(&c);
  }
  if (!realtalk.empty()) {
    std::map<std::string, std::vector<const CriticClip*>> by_speaker;
    std::vector<RealClip> manifest = real_clips(realtalk);
    for (const CriticClip* c : p.by_source[static_cast<int>(MotionSource::Real)]) {
      auto it = std::find_if(manifest.begin(), manifest.end(),
                             [&](const RealClip& r) { return r.path.filename() == c->name; });
      by_speaker[it == manifest.end() ? c->name : it->speaker].push_back(c);
    }
    for (auto& [speaker, clips] : by_speaker) p.real_by_speaker.push_back(std::move(clips));
  }
  return p;
}

// Held-out clips with tracked motion (renders and real speakers): the LS score's scale is
// set on them, since real recordings, not clean labels, are what "in sync" looks like.
std::vector<const CriticClip*> tracked_held_out(const ClipPools& pools) {
  std::vector<const CriticClip*> clips;
  for (const CriticClip* c : pools.held_out) {
    if (c->source != MotionSource::Labels) clips.push_back(c);
  }
  return clips;
}

// The shared loop: optimiser, schedule, checkpoints, CSV and plot, time limit.
struct HeadRun {
  std::string name;
  int steps;
  const CriticTrainParams& params;
  const std::function<void(const CriticTrainReport&)>& progress;

  template <typename LossFn, typename ValidateFn, typename SaveFn>
  void run(torch::nn::Module& model, LossFn loss_fn, ValidateFn validate, SaveFn save_weights) {
    const auto checkpoint = params.out_dir / ("checkpoint-" + name + ".pt");
    const auto csv = params.out_dir / ("loss-" + name + ".csv");
    torch::optim::AdamW optimizer(
        model.parameters(), torch::optim::AdamWOptions(params.learning_rate).weight_decay(1e-4));
    int step = 0;
    double previous_seconds = 0;
    if (std::filesystem::exists(checkpoint)) {
      torch::serialize::InputArchive archive, model_archive, optimizer_archive;
      archive.load_from(checkpoint.string());
      archive.read("model", model_archive);
      archive.read("optimizer", optimizer_archive);
      critic::load_parameters(model, model_archive, checkpoint.string());
      optimizer.load(optimizer_archive);
      const CheckpointProgress progress = read_progress(archive);
      step = progress.step;
      previous_seconds = progress.seconds;
    } else {
      write_text_file(csv, "step,train_loss,val_metric,lr,seconds\n");
    }
    const auto start = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    double interval_loss = 0;
    int interval_steps = 0;
    auto save = [&](double lr) {
      CriticTrainReport report{name,
                               step,
                               steps,
                               interval_steps ? interval_loss / interval_steps : 0,
                               0,
                               previous_seconds + elapsed(),
                               step >= steps};
      model.eval();
      report.val_metric = validate();
      model.train();
      interval_loss = 0, interval_steps = 0;
      torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
      model.save(model_archive);
      optimizer.save(optimizer_archive);
      archive.write("model", model_archive);
      archive.write("optimizer", optimizer_archive);
      save_checkpoint(archive, {step, report.seconds}, checkpoint);
      save_weights(report.finished);
      std::ofstream(csv, std::ios::app)
          << step << ',' << report.train_loss << ',' << report.val_metric << ',' << lr << ','
          << report.seconds << '\n';
      plot_loss_csv(csv, params.out_dir / ("loss-" + name + ".png"));
      if (progress) progress(report);
    };
    model.train();
    double lr = params.learning_rate;
    while (step < steps) {
      if (params.max_minutes > 0 && elapsed() > params.max_minutes * 60) break;
      const double warm = std::min(1.0, (step + 1) / 100.0);
      const double progress_fraction = static_cast<double>(step) / steps;
      lr = params.learning_rate * warm *
           (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * progress_fraction)));
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
      Random rng(derive_seed(params.seed, (std::hash<std::string>{}(name) << 20) + step));
      torch::manual_seed(derive_seed(params.seed ^ 0x746F7263ull, step));
      torch::Tensor loss = loss_fn(rng);
      if (!std::isfinite(loss.item<double>())) {
        throw Error("critic " + name + " training diverged at step " + std::to_string(step));
      }
      optimizer.zero_grad();
      loss.backward();
      torch::nn::utils::clip_grad_norm_(model.parameters(), 1.0);
      optimizer.step();
      interval_loss += loss.item<double>();
      ++interval_steps;
      ++step;
      if (step % params.checkpoint_every == 0 || step == steps) save(lr);
    }
    if (interval_steps > 0) {
      save(lr);
    } else if (step >= steps) {
      model.eval();
      save_weights(/*finished=*/true);  // a finished head re-run: calibrate and write again
    }
  }
};

// ---------------------------------------------------------------------------------
// LS.

// Fraction of held-out clips whose offset is found within ±1 frame with their audio
// shifted by a few fixed amounts.
double ls_offset_recovery(critic::LsHead& head, const std::vector<const CriticClip*>& clips) {
  int hits = 0, total = 0;
  for (size_t i = 0; i < clips.size() && i < 90; ++i) {
    for (int shift : {-7, 0, 5}) {
      critic::LsResult r = ls_evaluate(head, *clips[i], shift);
      hits += std::abs(r.offset_frames + shift) <= 1;
      ++total;
    }
  }
  return total ? static_cast<double>(hits) / total : 0;
}

torch::Tensor ls_loss(critic::LsHead& head, const ClipPools& pools, int batch, Random& rng) {
  std::vector<torch::Tensor> own, anchors, zero_offset;
  for (int b = 0; b < batch; ++b) {
    const CriticClip& clip = *pools.draw(rng, kLsMinClipFrames);
    const int64_t frames = clip.frames();
    const int64_t seg_len = std::min<int64_t>(kLsSegmentFrames, frames);
    const int64_t seg_start = static_cast<int64_t>(rng.below(frames - seg_len + 1));
    // Anchors: frames with speech when the segment has any.
    std::vector<int64_t> candidates;
    auto speech = clip.speech.accessor<float, 1>();
    for (int64_t t = seg_start; t < seg_start + seg_len; ++t) {
      if (speech[t] > 0.5f) candidates.push_back(t);
    }
    if (candidates.size() < 4) {
      candidates.clear();
      for (int64_t t = seg_start; t < seg_start + seg_len; ++t) candidates.push_back(t);
    }
    std::vector<int64_t> picked;
    for (int s = 0; s < kLsFramesPerClip; ++s)
      picked.push_back(candidates[rng.below(candidates.size())]);
    // The audio tower runs over the segment's rows with context for every offset.
    const int64_t total_rows = clip.audio_rows.size(0);
    const int64_t row_begin =
        std::max<int64_t>(0, 4 * (seg_start - kLsContextFrames) + critic::kLsPadRows);
    const int64_t row_end = std::min<int64_t>(
        total_rows, 4 * (seg_start + seg_len + kLsContextFrames) + critic::kLsPadRows);
    torch::Tensor rows = clip.audio_rows.slice(0, row_begin, row_end);
    // Audio augmentation: noise and a random spectral tilt in the normalised log-mel.
    rows = rows + 0.2f * torch::randn_like(rows) +
           static_cast<float>(rng.uniform(-0.5, 0.5)) *
               torch::linspace(-1.f, 1.f, rows.size(1)).unsqueeze(0);
    torch::Tensor seq = head->audio_sequence(rows);
    torch::Tensor t = torch::tensor(picked, torch::kInt64);
    torch::Tensor offsets =
        torch::arange(-critic::kMaxOffsetFrames, critic::kMaxOffsetFrames + 1, torch::kInt64);
    torch::Tensor positions =
        (t.unsqueeze(1) + offsets.unsqueeze(0) + (critic::kLsPadRows / 4 - 2) - row_begin / 4)
            .flatten();
    torch::Tensor audio = head->embed_audio(seq, positions).view({kLsFramesPerClip, -1, 64});
    torch::Tensor mouth_rows = critic::ls_mouth_rows(clip.motion);
    // Tracking-like noise, and channel dropout: on real video the rounding, smile and
    // roll channels are weak, so the head must not lean on any one of them.
    const float noise = clip.source == MotionSource::Labels ? 0.2f : 0.1f;
    mouth_rows = mouth_rows + noise * torch::randn_like(mouth_rows);
    mouth_rows = mouth_rows * (torch::rand({1, critic::kLsChannels}) > 0.2f).to(torch::kFloat32);
    torch::Tensor mouth = head->embed_mouth(critic::ls_mouth_windows(mouth_rows, t));
    own.push_back(audio);
    anchors.push_back(mouth);
    zero_offset.push_back(audio.select(1, critic::kMaxOffsetFrames));
  }
  torch::Tensor a = torch::stack(own);                         // [B, S, 31, 64]
  torch::Tensor v = torch::stack(anchors);                     // [B, S, 64]
  torch::Tensor z = torch::stack(zero_offset).view({-1, 64});  // [B S, 64]
  // Unit embeddings: d² = 2 − 2 cos (no square root, so no NaN gradient at d = 0).
  torch::Tensor d_own = 2 - 2 * (a * v.unsqueeze(2)).sum(3);  // [B, S, 31]
  torch::Tensor d_other =
      (2 - 2 * torch::matmul(v.view({-1, 64}), z.t())).view({batch, kLsFramesPerClip, -1});
  // Mask the anchor's own clip among the other-clip negatives.
  torch::Tensor clip_of = torch::arange(batch, torch::kInt64).repeat_interleave(kLsFramesPerClip);
  torch::Tensor same =
      (torch::arange(batch, torch::kInt64).view({batch, 1, 1}) == clip_of.view({1, 1, -1}))
          .expand({batch, kLsFramesPerClip, batch * kLsFramesPerClip});
  torch::Tensor logits =
      torch::cat({-d_own, (-d_other).masked_fill(same, -1e4)}, 2) / kLsTemperature;
  torch::Tensor target =
      torch::full({batch * kLsFramesPerClip}, critic::kMaxOffsetFrames, torch::kInt64);
  return F::cross_entropy(logits.view({batch * kLsFramesPerClip, -1}), target);
}

// Score scale: midway between the held-out clips' confidence at offset 0 in sync and
// with another clip's audio.
void calibrate_ls(critic::LsHead& head, const std::vector<const CriticClip*>& clips) {
  head->calibration.copy_(torch::tensor({0.f, 1.f}));
  double sync = 0, mismatched = 0;
  int n = 0;
  for (size_t i = 0; i + 1 < clips.size() && i < 120; ++i) {
    const CriticClip& a = *clips[i];
    const CriticClip& b = *clips[(i + 7) % clips.size()];
    sync += ls_evaluate(head, a, 0).confidence_at_zero;
    mismatched += ls_evaluate_mismatched(head, a, b).confidence_at_zero;
    ++n;
  }
  if (n == 0) return;
  sync /= n, mismatched /= n;
  const float mid = static_cast<float>((sync + mismatched) / 2);
  const float scale = static_cast<float>(std::max(0.01, (sync - mid) / 2));
  head->calibration.copy_(torch::tensor({mid, scale}));
}

// ---------------------------------------------------------------------------------
// MN.

struct MnPair {
  torch::Tensor natural, perturbed, prosody;  // [L, 20], [L, 20], [L, 3]
};

MnPair mn_pair(const ClipPools& pools, Random& rng, int64_t max_window, critic::Perturbation type) {
  const CriticClip& clip = *pools.draw(rng, kMnMinWindow);
  const int64_t frames = clip.frames();
  const int64_t length =
      std::min<int64_t>(frames, kMnMinWindow * 2 + rng.below(max_window - 2 * kMnMinWindow + 1));
  const int64_t start = static_cast<int64_t>(rng.below(frames - length + 1));
  MnPair p;
  p.natural = clip.motion.slice(0, start, start + length);
  p.prosody = clip.prosody.slice(0, start, start + length);
  std::unique_ptr<bool[]> speech(new bool[length]);
  auto s = clip.speech.accessor<float, 1>();
  for (int64_t t = 0; t < length; ++t) speech[t] = s[start + t] > 0.5f;
  MotionTrack other;
  if (type == critic::Perturbation::Swap) {
    const CriticClip& o = *pools.draw(rng, kMnMinWindow);
    other = track_of(o.motion);
  }
  MotionTrack moved =
      critic::perturb_motion(track_of(p.natural), type, std::span<const bool>(speech.get(), length),
                             type == critic::Perturbation::Swap ? &other : nullptr, rng.next_u64());
  p.perturbed = critic::motion_tensor(moved);
  return p;
}

torch::Tensor padded_batch(const std::vector<torch::Tensor>& inputs, torch::Tensor& mask) {
  int64_t longest = 0;
  for (const auto& x : inputs) longest = std::max(longest, x.size(1));
  torch::Tensor batch =
      torch::zeros({static_cast<int64_t>(inputs.size()), critic::kMnInputs, longest});
  mask = torch::zeros({static_cast<int64_t>(inputs.size()), longest});
  for (size_t i = 0; i < inputs.size(); ++i) {
    batch[i].slice(1, 0, inputs[i].size(1)).copy_(inputs[i]);
    mask[i].slice(0, 0, inputs[i].size(1)).fill_(1.f);
  }
  return batch;
}

// A window with tracking noise drawn at a random level, kept within the channels' ranges
// (a tracker's noise on a shut mouth cannot go below shut).
torch::Tensor with_noise(const torch::Tensor& motion, const torch::Tensor& noise) {
  MotionTrack track = track_of(motion + noise);
  track.clamp_to_ranges();
  return critic::motion_tensor(track);
}

torch::Tensor tracking_noise(const torch::Tensor& motion, Random& rng) {
  return torch::randn_like(motion) * (mn_tracking_noise() * static_cast<float>(rng.uniform()));
}

torch::Tensor mn_loss(critic::MnHead& head, const ClipPools& pools, int batch, Random& rng) {
  std::vector<torch::Tensor> inputs;
  int pairs = 0;
  for (int attempt = 0; pairs < batch / 2 && attempt < batch * 4; ++attempt) {
    auto type = static_cast<critic::Perturbation>(rng.below(critic::kPerturbationCount));
    MnPair p = mn_pair(pools, rng, critic::kMnMaxWindow, type);
    if ((p.perturbed - p.natural).abs().max().item<float>() < 1e-3f) continue;  // a no-op
    // The same tracking noise on both sides of the pair, and the natural window again
    // under another draw: the head must not take tracking noise for a fault, nor
    // memorise the few real clips' exact curves.
    const torch::Tensor noise = tracking_noise(p.natural, rng);
    inputs.push_back(critic::mn_input(with_noise(p.natural, noise), p.prosody));
    inputs.push_back(critic::mn_input(with_noise(p.perturbed, noise), p.prosody));
    inputs.push_back(
        critic::mn_input(with_noise(p.natural, tracking_noise(p.natural, rng)), p.prosody));
    ++pairs;
  }
  torch::Tensor mask;
  torch::Tensor x = padded_batch(inputs, mask);
  torch::Tensor logits = head->forward(x, mask).view({pairs, 3});
  torch::Tensor natural = logits.select(1, 0), perturbed = logits.select(1, 1);
  torch::Tensor labels = torch::tensor({1.f, 0.f}).repeat({pairs, 1});
  return F::binary_cross_entropy_with_logits(logits.slice(1, 0, 2), labels) +
         F::softplus(-(natural - perturbed)).mean() +
         kMnNoiseInvariance * (natural - logits.select(1, 2)).pow(2).mean();
}

// Pairwise accuracy on fixed held-out pairs (natural scored above perturbed).
double mn_pairwise(critic::MnHead& head, const ClipPools& held_out, std::uint64_t seed) {
  Random rng(seed);
  int wins = 0, total = 0;
  for (int i = 0; i < 120; ++i) {
    auto type = static_cast<critic::Perturbation>(i % critic::kPerturbationCount);
    MnPair p = mn_pair(held_out, rng, critic::kMnMaxWindow, type);
    if ((p.perturbed - p.natural).abs().max().item<float>() < 1e-3f) continue;
    wins += mn_evaluate(head, p.natural, p.prosody) > mn_evaluate(head, p.perturbed, p.prosody);
    ++total;
  }
  return total ? static_cast<double>(wins) / total : 0;
}

void set_mn_statistics(critic::MnHead& head, const ClipPools& pools) {
  std::vector<torch::Tensor> all;
  for (const auto& pool : pools.by_source) {
    for (const CriticClip* c : pool) all.push_back(critic::mn_input(c->motion, c->prosody));
  }
  torch::Tensor x = torch::cat(all, 1);  // [43, frames]
  head->input_mean.copy_(x.mean(1));
  head->input_std.copy_(x.std(1).clamp_min(1e-3));
}

// Score scale of MN: midway between the held-out naturals' and perturbed windows' mean
// logits, so the average natural one scores σ(2) ≈ 88 and the average perturbed ≈ 12.
void calibrate_mn(critic::MnHead& head, const ClipPools& held_out, std::uint64_t seed) {
  Random rng(seed);
  torch::NoGradGuard no_grad;
  double natural = 0, perturbed = 0;
  int n = 0;
  for (int i = 0; i < 240; ++i) {
    auto type = static_cast<critic::Perturbation>(i % critic::kPerturbationCount);
    MnPair p = mn_pair(held_out, rng, critic::kMnMaxWindow, type);
    if ((p.perturbed - p.natural).abs().max().item<float>() < 1e-3f) continue;
    torch::Tensor x = torch::stack(
        {critic::mn_input(p.natural, p.prosody), critic::mn_input(p.perturbed, p.prosody)});
    torch::Tensor l = head->forward(x, torch::ones({2, x.size(2)}));
    natural += l[0].item<double>(), perturbed += l[1].item<double>(), ++n;
  }
  if (n == 0) return;
  natural /= n, perturbed /= n;
  const double mid = (natural + perturbed) / 2;
  head->calibration.copy_(torch::tensor(
      {static_cast<float>(mid), static_cast<float>(std::max(0.05, (natural - mid) / 2))}));
}

// ---------------------------------------------------------------------------------
// VQ.

// The head's logits of samples `idx` of `face` and `mouth` (uint8 crops).
torch::Tensor vq_logits(critic::VqHead& head, const torch::Tensor& face_bytes,
                        const torch::Tensor& mouth_bytes, const torch::Tensor& idx, bool flip) {
  torch::Tensor face = critic::vq_face_from_bytes(face_bytes.index_select(0, idx));
  torch::Tensor mouth = critic::vq_mouth_from_bytes(mouth_bytes.index_select(0, idx));
  if (flip) face = face.flip({3}), mouth = mouth.flip({3});
  return head->forward(face, mouth);
}

torch::Tensor vq_logits(critic::VqHead& head, const VqData& vq, const torch::Tensor& idx,
                        bool flip) {
  return vq_logits(head, vq.face, vq.mouth, idx, flip);
}

// Weight of the mouth-colour term of the VQ loss: the squared logit difference between a
// pair's clean sample and the same frame with another mouth colour and light.
constexpr double kVqMouthInvariance = 1.0;

std::vector<int64_t> vq_pairs(const VqData& vq, Split split) {
  std::vector<int64_t> pairs;
  if (!vq.label.defined()) return pairs;
  auto s = vq.split.accessor<int64_t, 1>();
  for (int64_t i = 0; i + 1 < vq.label.size(0); i += 2) {
    if (s[i] == static_cast<int64_t>(split)) pairs.push_back(i);
  }
  return pairs;
}

torch::Tensor vq_loss(critic::VqHead& head, const VqData& vq, const std::vector<int64_t>& pairs,
                      int batch, Random& rng) {
  std::vector<int64_t> idx;
  for (int b = 0; b < batch; ++b) {
    int64_t p = pairs[rng.below(pairs.size())];
    idx.push_back(p);
    idx.push_back(p + 1);
  }
  const bool flip = rng.chance(0.5);
  torch::Tensor logits = vq_logits(head, vq, torch::tensor(idx), flip).view({batch, 2});
  torch::Tensor labels = torch::tensor({1.f, 0.f}).repeat({batch, 1});
  torch::Tensor loss = F::binary_cross_entropy_with_logits(logits, labels) +
                       F::softplus(-(logits.select(1, 0) - logits.select(1, 1))).mean();
  if (vq.face_alt.defined()) {
    std::vector<int64_t> alt;
    for (int b = 0; b < batch; ++b) alt.push_back(idx[2 * b] / 2);
    torch::Tensor other = vq_logits(head, vq.face_alt, vq.mouth_alt, torch::tensor(alt), flip);
    loss = loss + kVqMouthInvariance * (logits.select(1, 0) - other).pow(2).mean();
  }
  return loss;
}

// Score scale of VQ: as MN's, on the held-out clean and degraded frames.
void calibrate_vq(critic::VqHead& head, const VqData& vq, const std::vector<int64_t>& pairs) {
  torch::NoGradGuard no_grad;
  double clean = 0, degraded = 0;
  int n = 0;
  for (size_t b = 0; b < pairs.size() && b < 2000; b += 128) {
    std::vector<int64_t> idx;
    for (size_t i = b; i < std::min(pairs.size(), b + 128); ++i)
      idx.push_back(pairs[i]), idx.push_back(pairs[i] + 1);
    torch::Tensor l = vq_logits(head, vq, torch::tensor(idx), false).view({-1, 2});
    clean += l.select(1, 0).sum().item<double>(), degraded += l.select(1, 1).sum().item<double>();
    n += l.size(0);
  }
  if (n == 0) return;
  clean /= n, degraded /= n;
  const double mid = (clean + degraded) / 2;
  head->calibration.copy_(torch::tensor(
      {static_cast<float>(mid), static_cast<float>(std::max(0.05, (clean - mid) / 2))}));
}

double vq_pairwise(critic::VqHead& head, const VqData& vq, const std::vector<int64_t>& pairs) {
  if (pairs.empty()) return 0;
  torch::NoGradGuard no_grad;
  int wins = 0, total = 0;
  for (size_t b = 0; b < pairs.size() && b < 2000; b += 128) {
    std::vector<int64_t> idx;
    for (size_t i = b; i < std::min(pairs.size(), b + 128); ++i)
      idx.push_back(pairs[i]), idx.push_back(pairs[i] + 1);
    torch::Tensor l = vq_logits(head, vq, torch::tensor(idx), false).view({-1, 2});
    wins += (l.select(1, 0) > l.select(1, 1)).sum().item<int>();
    total += l.size(0);
  }
  return static_cast<double>(wins) / total;
}

}  // namespace

void train_critic(const CriticTrainParams& params,
                  const std::function<void(const CriticTrainReport&)>& progress) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  torch::set_num_threads(params.threads);
  // LibTorch 1.13's oneDNN backward of the strided audio convolutions returned NaN weight
  // gradients here every few dozen steps (forward finite); the native kernels do not.
  at::globalContext().setUserEnabledMkldnn(false);
  std::filesystem::create_directories(params.out_dir);
  auto log = [&](const std::string& line) {
    if (progress) progress(CriticTrainReport{.head = line});
  };
  CriticData data = load_or_build_critic_data(params, log);
  for (CriticClip& c : data.clips) {  // decoded audio of a few real clips holds non-finite mels
    for (torch::Tensor* t : {&c.audio_rows, &c.motion, &c.prosody}) {
      if (!torch::isfinite(*t).all().item<bool>()) {
        log("data: non-finite values in " + c.name + " replaced");
        *t = torch::nan_to_num(*t, 0.0, 0.0, 0.0);
      }
    }
  }
  ClipPools train = pools(data, params.realtalk);
  ClipPools held_out;
  held_out.by_source[0] = train.held_out;  // drawn uniformly for validation pairs
  ClipPools tracked_pool;                  // held-out renders and real speakers
  tracked_pool.by_source[0] = tracked_held_out(train);
  auto wants = [&](std::string_view head) { return params.heads.find(head) != std::string::npos; };

  if (wants("ls")) {
    torch::manual_seed(derive_seed(params.seed, 1));
    critic::LsHead head;
    HeadRun run{"ls", params.ls_steps, params, progress};
    run.run(
        *head, [&](Random& rng) { return ls_loss(head, train, params.batch, rng); },
        [&] { return ls_offset_recovery(head, tracked_held_out(train)); },
        [&](bool finished) {
          if (finished) calibrate_ls(head, tracked_held_out(train));
          critic::save_head(*head, "ls", params.out_dir / "ls.pt");
        });
  }
  if (wants("mn")) {
    torch::manual_seed(derive_seed(params.seed, 2));
    critic::MnHead head;
    set_mn_statistics(head, train);
    HeadRun run{"mn", params.mn_steps, params, progress};
    run.run(
        *head, [&](Random& rng) { return mn_loss(head, train, params.batch, rng); },
        [&] { return mn_pairwise(head, held_out, derive_seed(params.seed, 0x6D6E)); },
        [&](bool finished) {
          if (finished) calibrate_mn(head, tracked_pool, derive_seed(params.seed, 0x63616C));
          critic::save_head(*head, "mn", params.out_dir / "mn.pt");
        });
  }
  if (wants("vq")) {
    std::vector<int64_t> train_pairs = vq_pairs(data.vq, Split::Train);
    std::vector<int64_t> val_pairs = vq_pairs(data.vq, Split::Val);
    if (train_pairs.empty()) throw Error("critic training: no VQ frames (no faces tracked)");
    torch::manual_seed(derive_seed(params.seed, 3));
    critic::VqHead head;
    HeadRun run{"vq", params.vq_steps, params, progress};
    run.run(
        *head, [&](Random& rng) { return vq_loss(head, data.vq, train_pairs, params.batch, rng); },
        [&] { return vq_pairwise(head, data.vq, val_pairs); },
        [&](bool finished) {
          if (finished) calibrate_vq(head, data.vq, val_pairs);
          critic::save_head(*head, "vq", params.out_dir / "vq.pt");
        });
  }
}

}  // namespace parla::train
