// Diffusion-DPO for the TLPO experts and gate (DESIGN.md "Training" 4 and 5,
// docs/experts.md). A preference pair is two candidate motions of one clip over the same
// 2 s window, the winner leading the loser by at least `margin` in the logits of the
// window's per-second critic scores (one head for an expert; for the gate the mean of all
// heads, optionally balanced by each head's spread and Pareto-filtered: DpoParams::gate_pairs).
// Both get the same diffusion time t and noise ε; the loss (Wallace et al. 2023, with the
// v-prediction error of this model) is
//   −log σ(−β · [(e_θ(w) − e_ref(w)) − (e_θ(l) − e_ref(l))])
// where e is the weighted per-element v error and ref the frozen base model. An expert
// trains only its LoRA set (B starts at 0, so step 0 is the base model); the gate trains
// only g(t, l) with the three experts frozen (fc2 starts at 0: g ≡ 1, the uniform merge).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "experts/experts.h"
#include "fusion/fusion.h"
#include "train/critic_data.h"
#include "train/random.h"
#include "train/train.h"
#include "video/video.h"

namespace parla::train {
namespace {

using experts::kFeatureDims;
using experts::kFeaturesPerMotionFrame;
using experts::kMaxNewFrames;
using experts::kPrefixFrames;

constexpr int kWindow = kMaxNewFrames;  // frames generated per pair window (2 s)
constexpr double kPureNoiseShare = 0.25;  // pairs at t = 1, where the lips are predicted
constexpr double kValShare = 0.05;        // clips held out for validation pairs
constexpr double kGateFloorWeight = 100;  // DpoParams::gate_floor's penalty
constexpr int kGateFloorTimes = 33;       // t on which the floor is held: 0, 1/32, .., 1

struct PairClip {
  torch::Tensor features;                  // [4T, F] normalised
  std::vector<torch::Tensor> candidates;   // K × [T, 20] normalised
  std::vector<std::array<std::vector<float>, 3>> per_second;  // K × 3 × seconds
  torch::Tensor labels;                    // [T, 20] normalised corpus labels (the anchor)
  std::int64_t frames = 0;
};

struct PairBatch {
  torch::Tensor features;  // [B, 4(P+N), F]
  torch::Tensor x;         // [2B, P+N, 20]: prefix clean, then x0 (winners then losers)
  torch::Tensor roles;     // [2B, P+N]
  torch::Tensor margin;    // [B] score lead of the winner
};

// A window's score of candidate k on head d: the mean logit of its per-second scores
// over the seconds the window touches (NaN where the head did not score the clip).
float head_window_score(const PairClip& c, size_t k, int first, int frames, int d) {
  const int s0 = first / 25, s1 = std::min<int>((first + frames - 1) / 25,
                                                static_cast<int>(c.per_second[k][0].size()) - 1);
  double sum = 0;
  int n = 0;
  for (int s = s0; s <= s1; ++s) {
    float v = c.per_second[k][d][s];
    if (std::isfinite(v)) sum += score_logit(v), ++n;
  }
  return n ? static_cast<float>(sum / n) : NAN;
}

std::array<float, 3> head_window_scores(const PairClip& c, size_t k, int first, int frames) {
  return {head_window_score(c, k, first, frames, 0), head_window_score(c, k, first, frames, 1),
          head_window_score(c, k, first, frames, 2)};
}

// The MN scores of a clip's candidates again, each given the first candidate's mouth and
// blinks (DpoParams::rank_without_mouth).
void rank_without_mouth(PrefClip& clip, const audio::Features& features, critic::Critic& critic) {
  const critic::ClipAudio clip_audio = critic.prepare_audio(features, clip.frames);
  const MotionTrack& shared = clip.candidates.front().motion;
  for (PrefCandidate& k : clip.candidates) {
    MotionTrack motion = k.motion;
    for (size_t f = 0; f < motion.frames.size() && f < shared.frames.size(); ++f) {
      std::copy_n(shared.frames[f].begin(), kMouthChannelCount, motion.frames[f].begin());
      for (Channel c : {Channel::EyeBlinkLeft, Channel::EyeBlinkRight})
        motion.frames[f][index(c)] = shared.frames[f][index(c)];
    }
    const critic::MnResult mn = critic.score_mn(motion, clip_audio);
    k.score[1] = mn.score;
    k.per_second[1] = per_second_of(mn.per_second_score, mn.score, clip.seconds());
  }
}

// How a pair is ranked: by one head (an expert) or by all three (the gate,
// DpoParams::gate_pairs).
struct PairRule {
  int what = -1;                        // an expert's head, or -1: every head that scored
  std::array<float, 3> weight{1, 1, 1};  // per-head weight of the logits (gate)
  bool pareto = false;                  // the winner may not trail on any head (gate)

  // A candidate's window score from its three heads' scores: its head's for an expert;
  // for the gate the weighted mean over the heads that scored it.
  float score(const std::array<float, 3>& heads) const {
    if (what >= 0) return heads[what];
    double sum = 0, weights = 0;
    for (int d = 0; d < 3; ++d)
      if (std::isfinite(heads[d])) sum += weight[d] * heads[d], weights += weight[d];
    return weights > 0 ? static_cast<float>(sum / weights) : NAN;
  }
  // Whether w may win over l: always, or under the Pareto rule when it trails on no head
  // that scored both.
  bool may_win(const std::array<float, 3>& w, const std::array<float, 3>& l) const {
    if (!pareto) return true;
    for (int d = 0; d < 3; ++d)
      if (std::isfinite(w[d]) && std::isfinite(l[d]) && w[d] < l[d]) return false;
    return true;
  }
};

// Gate, balanced: each head weighted by the inverse of its typical spread between the
// candidates of one clip (the median over clips of the largest minus the smallest
// whole-clip logit), scaled so the weights average 1 — a head whose candidates differ
// little (VQ) counts as much as one whose candidates differ a lot (MN).
std::array<float, 3> balanced_weights(const std::vector<const PairClip*>& clips) {
  std::array<float, 3> spread{};
  for (int d = 0; d < 3; ++d) {
    std::vector<float> spreads;
    for (const PairClip* c : clips) {
      float lo = INFINITY, hi = -INFINITY;
      for (size_t k = 0; k < c->candidates.size(); ++k) {
        float v = head_window_score(*c, k, 0, static_cast<int>(c->frames), d);
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      }
      if (hi > lo) spreads.push_back(hi - lo);
    }
    if (spreads.empty()) throw InputError("preference set: no clip whose candidates differ on head " +
                                          std::string(dimension_name(static_cast<Dimension>(d))));
    std::nth_element(spreads.begin(), spreads.begin() + spreads.size() / 2, spreads.end());
    spread[d] = spreads[spreads.size() / 2];
  }
  std::array<float, 3> w{};
  for (int d = 0; d < 3; ++d) w[d] = 1.f / spread[d];
  const float mean = (w[0] + w[1] + w[2]) / 3;
  for (float& x : w) x /= mean;
  return w;
}

class PairSampler {
 public:
  // `full_share`: the share of pairs drawn from the clips every head scored (the gate:
  // VQ scores exist on few clips, which would otherwise hardly ever rank a pair).
  PairSampler(std::vector<const PairClip*> clips, PairRule rule, double margin, double full_share = 0)
      : clips_(std::move(clips)), rule_(rule), margin_(margin), full_share_(full_share) {
    for (const PairClip* c : clips_) {
      bool all = true;
      for (int d = 0; d < 3; ++d) all = all && std::isfinite(c->per_second[0][d].front());
      if (all) full_.push_back(c);
    }
  }
  bool empty() const { return clips_.empty(); }

  // Label windows of random clips for the anchor: x [B, P+N, 20] (margin unused).
  PairBatch draw_labels(Random& rng, int batch) const {
    const int positions = kPrefixFrames + kWindow;
    PairBatch b{torch::zeros({batch, positions * kFeaturesPerMotionFrame, kFeatureDims}),
                torch::zeros({batch, positions, kChannelCount}),
                torch::full({batch, positions}, static_cast<int64_t>(experts::Role::Prefix), torch::kInt64),
                torch::zeros({batch})};
    for (int i = 0; i < batch; ++i) {
      const PairClip& c = *clips_[rng.below(clips_.size())];
      const int first = static_cast<int>(rng.below(static_cast<size_t>(c.frames - kWindow + 1)));
      place(b, i, c, c.labels, first, i);
    }
    return b;
  }

  PairBatch draw(Random& rng, int batch) const {
    const int positions = kPrefixFrames + kWindow;
    PairBatch b{torch::zeros({batch, positions * kFeaturesPerMotionFrame, kFeatureDims}),
                torch::zeros({2 * batch, positions, kChannelCount}),
                torch::full({2 * batch, positions}, static_cast<int64_t>(experts::Role::Prefix),
                            torch::kInt64),
                torch::zeros({batch})};
    for (int i = 0; i < batch; ++i) {
      for (int tries = 0;; ++tries) {
        if (tries > 2000)
          throw Error(rule_.pareto ? "preference set: no pair leads by the margin and trails on no head; lower --margin"
                                   : "preference set: no pair leads by the margin; lower --margin");
        const bool full = !full_.empty() && full_share_ > 0 && rng.chance(full_share_);
        const auto& pool = full ? full_ : clips_;
        const PairClip& c = *pool[rng.below(pool.size())];
        const int first = static_cast<int>(rng.below(static_cast<size_t>(c.frames - kWindow + 1)));
        const size_t K = c.candidates.size();
        std::vector<std::array<float, 3>> heads(K);
        std::vector<float> score(K);
        for (size_t k = 0; k < K; ++k) {
          heads[k] = head_window_scores(c, k, first, kWindow);
          score[k] = rule_.score(heads[k]);
        }
        // The pair: the largest lead among the pairs the rule allows.
        int best = -1, worst = -1;
        float lead = 0;
        for (size_t w = 0; w < K; ++w) {
          for (size_t l = 0; l < K; ++l) {
            if (!(score[w] - score[l] > lead) || !rule_.may_win(heads[w], heads[l])) continue;
            best = static_cast<int>(w), worst = static_cast<int>(l), lead = score[w] - score[l];
          }
        }
        if (best < 0 || lead < margin_) continue;
        place(b, i, c, c.candidates[best], first, i);
        place(b, i, c, c.candidates[worst], first, batch + i);
        b.margin[i] = lead;
        break;
      }
    }
    return b;
  }

 private:
  // Window [first - P, first + N) of clip c: its audio into features row i, motion m
  // into x row `row` (the missing prefix left at 0 with role Missing).
  static void place(PairBatch& b, int i, const PairClip& c, const torch::Tensor& m, int first, int row) {
    const int positions = kPrefixFrames + kWindow;
    const int lead = first - kPrefixFrames, valid = std::max(0, -lead);
    b.features[i]
        .slice(0, valid * kFeaturesPerMotionFrame)
        .copy_(c.features.slice(0, (lead + valid) * kFeaturesPerMotionFrame,
                                (first + kWindow) * kFeaturesPerMotionFrame));
    b.x[row].slice(0, valid).copy_(m.slice(0, lead + valid, first + kWindow));
    torch::Tensor roles = b.roles[row];  // Prefix by default
    roles.slice(0, 0, valid).fill_(static_cast<int64_t>(experts::Role::Missing));
    roles.slice(0, kPrefixFrames, positions).fill_(static_cast<int64_t>(experts::Role::Noisy));
  }

  std::vector<const PairClip*> clips_, full_;  // full_: the clips every head scored
  PairRule rule_;
  double margin_;
  double full_share_;
};

// The learned g(t, l): a table (rows: layers; columns: t of the default 2-step DDIM and
// a few more) and a heatmap per expert (x: t from 1 down to 0, y: layer; colour: g from
// 0 (black) through 1 (grey) to 2 (white), each panel tinted by its expert).
void write_gate_figures(experts::ExpertGate& gate, const std::vector<std::string>& layer_names,
                        const std::filesystem::path& table_path, const std::filesystem::path& png_path) {
  torch::NoGradGuard no_grad;
  const std::vector<float> times = {1.f, 0.75f, 0.5f, 0.25f, 0.f};
  torch::Tensor g = gate->forward(torch::tensor(times));  // [T, 3, L]
  auto fixed = [](float v) {
    char text[16];
    std::snprintf(text, sizeof text, "%.2f", v);
    return std::string(text);
  };
  std::string table = "| layer |";
  for (const char* e : {"ls", "mn", "vq"})
    for (float t : times) table += " " + std::string(e) + " t=" + fixed(t) + " |";
  table += "\n|---|";
  for (size_t i = 0; i < 3 * times.size(); ++i) table += "---|";
  table += "\n";
  for (size_t l = 0; l < layer_names.size(); ++l) {
    table += "| " + layer_names[l] + " |";
    for (int e = 0; e < 3; ++e)
      for (size_t t = 0; t < times.size(); ++t)
        table += " " + fixed(g[t][e][l].item<float>()) + " |";
    table += "\n";
  }
  write_text_file(table_path, table);
  // Heatmap: 3 panels of 64 time columns x L rows, 8 px cells, 6 px gaps.
  constexpr int kColumns = 64, kCell = 8, kGap = 6;
  const int layers = static_cast<int>(layer_names.size());
  torch::Tensor grid = gate->forward(torch::linspace(1, 0, kColumns));  // [64, 3, L]
  Image image;
  image.width = 3 * kColumns * kCell / 2 + 2 * kGap;
  image.height = layers * kCell;
  image.rgb.assign(static_cast<size_t>(image.width) * image.height * 3, 255);
  const float tint[3][3] = {{1.f, 0.55f, 0.45f}, {0.45f, 0.85f, 0.5f}, {0.5f, 0.6f, 1.f}};
  for (int e = 0; e < 3; ++e) {
    const int x0 = e * (kColumns * kCell / 2 + kGap);
    for (int c = 0; c < kColumns; ++c) {
      for (int l = 0; l < layers; ++l) {
        const float v = std::clamp(grid[c][e][l].item<float>() / 2.f, 0.f, 1.f);
        for (int y = l * kCell; y < (l + 1) * kCell; ++y) {
          for (int x = x0 + c * kCell / 2; x < x0 + (c + 1) * kCell / 2; ++x) {
            std::uint8_t* px = &image.rgb[(static_cast<size_t>(y) * image.width + x) * 3];
            for (int k = 0; k < 3; ++k) px[k] = static_cast<std::uint8_t>(255.f * v * tint[e][k]);
          }
        }
      }
    }
  }
  video::save_png(image, png_path);
}

double learning_rate(const DpoParams& p, int step) {
  const int warmup = std::max(1, std::min(50, p.steps / 10));
  if (step < warmup) return p.learning_rate * (step + 1) / warmup;
  double progress = std::min(1.0, static_cast<double>(step - warmup) / std::max(1, p.steps - warmup));
  return p.learning_rate * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * progress)));
}

}  // namespace

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::Ls: return "ls";
    case Dimension::Mn: return "mn";
    case Dimension::Vq: return "vq";
  }
  return "?";
}

std::optional<Dimension> dimension_from_name(std::string_view name) {
  for (Dimension d : {Dimension::Ls, Dimension::Mn, Dimension::Vq})
    if (dimension_name(d) == name) return d;
  return std::nullopt;
}

DpoReport train_dpo(const DpoParams& params, const std::function<void(const DpoReport&)>& progress) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  torch::set_num_threads(std::max(1, params.threads));
  const bool gate_mode = params.what == "gate";
  const std::optional<Dimension> dim = dimension_from_name(params.what);
  if (!gate_mode && !dim) throw InputError("train dpo: unknown target '" + params.what + "' (ls, mn, vq, gate)");
  if (params.steps < 1 || params.batch < 1) throw InputError("train dpo: --steps and --batch must be ≥ 1");
  if (params.gate_pairs != "mean" && params.gate_pairs != "balanced" && params.gate_pairs != "pareto")
    throw InputError("train dpo: unknown --pairs '" + params.gate_pairs + "' (mean, balanced, pareto)");
  if (!gate_mode && params.gate_pairs != "mean") throw InputError("train dpo: --pairs is for the gate");
  auto check_mouth_channels = [](const char* flag, const std::vector<std::string>& names) {
    for (const std::string& name : names)
      if (channel_index(name) < 0 || channel_index(name) >= kMouthChannelCount)
        throw InputError(std::string("train dpo: ") + flag + " '" + name +
                         "' is not a mouth channel (jawOpen .. tongueOut)");
  };
  check_mouth_channels("--keep", params.keep_channels);
  check_mouth_channels("--drop", params.drop_channels);
  check_mouth_channels("--anchor-on", params.anchor_channels);
  if (params.rank_without_mouth && !gate_mode && dim != Dimension::Mn)
    throw InputError("train dpo: --rank-without-mouth is for the mn expert and the gate");
  if (params.anchor <= 0 && (!params.anchor_channels.empty() || params.anchor_time >= 0))
    throw InputError("train dpo: --anchor-on and --anchor-t shape the label anchor; give --anchor A too");
  std::set<int> out_of_error;  // the ls expert must keep some mouth channel to learn from
  for (const auto* names : {&params.keep_channels, &params.drop_channels})
    for (const std::string& name : *names) out_of_error.insert(channel_index(name));
  if (dim == Dimension::Ls && out_of_error.size() >= kMouthChannelCount)
    throw InputError("train dpo: --keep and --drop leave the ls expert no mouth channel to learn from");
  if (!params.keep_channels.empty() && params.keep_mouth <= 0)
    throw InputError(
        "train dpo: --keep names the channels of the mouth lock; give --keep-mouth W too (or --drop them: no lock)");
  // The ls expert and the gate may lock only some mouth channels (e.g. jawOpen): all
  // eight would leave the lip-sync pairs nothing to learn from.
  if (params.keep_mouth > 0 && (dim == Dimension::Ls || gate_mode) && params.keep_channels.empty())
    throw InputError(std::string("train dpo: --keep-mouth is for ") + (gate_mode ? "the gate" : "ls") +
                     " with --keep CHANNELS (e.g. jawOpen), not all 8");
  const bool gate_floor_held = std::any_of(params.gate_floor.begin(), params.gate_floor.end(), [](float f) { return f > 0; });
  if (gate_floor_held && !gate_mode) throw InputError("train dpo: --gate-floor is for the gate");
  for (float f : params.gate_floor)
    if (!(f >= 0 && f < 2)) throw InputError("train dpo: --gate-floor values must be in 0..2 (g < 2)");
  const torch::Tensor gate_floor =
      torch::tensor(c10::ArrayRef<float>(params.gate_floor.data(), params.gate_floor.size())).view({1, -1, 1});
  std::filesystem::create_directories(params.out_dir);
  const auto clock_start = std::chrono::steady_clock::now();

  experts::MotionModel model = experts::load_model(
      params.base_weights.empty() ? fusion::default_learned_weights() : params.base_weights);
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  model->eval();

  // Data: every clip of the preference set with its features, candidates normalised.
  std::vector<PrefClip> prefs = read_prefs(params.prefs);
  CorpusReader reader(params.corpus);
  std::map<std::string, const ClipRef*> by_id;
  for (const ClipRef& r : reader.clips()) by_id[r.meta.id] = &r;
  std::vector<PairClip> clips;
  clips.reserve(prefs.size());
  std::optional<critic::Critic> mn_critic;
  if (params.rank_without_mouth) {
    mn_critic.emplace(critic::CriticParams{.models_dir = params.critic_dir, .threads = params.threads});
    std::fprintf(stderr, "dpo %s: MN of %zu clips' candidates again with the first one's mouth and blinks\n",
                 params.what.c_str(), prefs.size());
  }
  for (PrefClip& p : prefs) {
    auto it = by_id.find(p.clip_id);
    if (it == by_id.end())
      throw InputError("preference set " + quoted(params.prefs) + " names clip " + p.clip_id +
                       ", which corpus " + quoted(params.corpus) + " lacks");
    Clip clip = reader.load(*it->second);
    const audio::Features features = audio::compute_features(clip.audio);
    if (mn_critic && !p.candidates.empty()) rank_without_mouth(p, features, *mn_critic);
    PairClip c;
    c.frames = p.frames;
    c.features = model->normalize_features(clip_features(features, p.frames));
    c.labels = model->normalize_motion(critic::motion_tensor(clip.motion)).slice(0, 0, p.frames);
    for (PrefCandidate& k : p.candidates) {
      c.candidates.push_back(model->normalize_motion(critic::motion_tensor(k.motion)));
      c.per_second.push_back(std::move(k.per_second));
    }
    clips.push_back(std::move(c));
  }
  prefs.clear();
  PairRule rule{.what = gate_mode ? -1 : static_cast<int>(*dim), .pareto = params.gate_pairs == "pareto"};
  // Clips a pair can come from: a window long, scored by the head (VQ scores exist only
  // on the rendered clips). The last 5 % of them are held out for validation.
  std::vector<const PairClip*> eligible, train_clips, val_clips;
  for (const PairClip& c : clips) {
    if (c.frames >= kWindow && std::isfinite(rule.score(head_window_scores(c, 0, 0, kWindow)))) eligible.push_back(&c);
  }
  if (eligible.empty())
    throw InputError("preference set " + quoted(params.prefs) + " has no clip of 2 s or more scored by " +
                     (gate_mode ? std::string("the heads") : params.what));
  const size_t val_count = eligible.size() < 2 ? 0 : std::max<size_t>(1, static_cast<size_t>(eligible.size() * kValShare));
  for (size_t i = 0; i < eligible.size(); ++i)
    (i + val_count >= eligible.size() ? val_clips : train_clips).push_back(eligible[i]);
  if (val_clips.empty()) val_clips = train_clips;
  std::fprintf(stderr, "dpo %s: %zu clips with pairs (%zu held out for validation)\n", params.what.c_str(),
               train_clips.size(), val_count);
  if (gate_mode && params.gate_pairs != "mean") {
    rule.weight = balanced_weights(train_clips);
    std::fprintf(stderr, "dpo gate: %s pairs, head weights ls %.3f mn %.3f vq %.3f\n", params.gate_pairs.c_str(),
                 rule.weight[0], rule.weight[1], rule.weight[2]);
  }
  const double full_share = gate_mode ? params.full_share : 0;
  PairSampler train_pairs(train_clips, rule, params.margin, full_share),
      val_pairs(val_clips, rule, params.margin, full_share);

  // Loss weights per channel: an expert is judged on what its head sees; blinks come
  // from the blink overlay, never from the model.
  torch::Tensor channel_weight = torch::ones({kChannelCount});
  channel_weight[index(Channel::EyeBlinkLeft)] = 0;
  channel_weight[index(Channel::EyeBlinkRight)] = 0;
  if (dim == Dimension::Ls) channel_weight.slice(0, kMouthChannelCount).zero_();
  const bool mouth_locked = params.keep_mouth > 0;  // an expert's drift, or the fused experts' under the gate
  std::vector<int64_t> locked_channels;  // the lock's channels: those named, else the mouth's
  for (const std::string& name : params.keep_channels) locked_channels.push_back(channel_index(name));
  if (locked_channels.empty())
    for (int c = 0; c < kMouthChannelCount; ++c) locked_channels.push_back(c);
  const torch::Tensor locked = torch::tensor(locked_channels, torch::kInt64);
  if (mouth_locked) channel_weight.index_fill_(0, locked, 0.f);
  for (const std::string& name : params.drop_channels) channel_weight[channel_index(name)] = 0;
  channel_weight = channel_weight / channel_weight.sum();
  // The anchor's channels: those named (e.g. jawOpen alone), else the DPO error's.
  torch::Tensor anchor_weight = channel_weight;
  if (!params.anchor_channels.empty()) {
    anchor_weight = torch::zeros({kChannelCount});
    for (const std::string& name : params.anchor_channels) anchor_weight[channel_index(name)] = 1;
    anchor_weight = anchor_weight / anchor_weight.sum();
  }

  // Trainable parts.
  std::vector<std::string> layer_names;
  for (const auto& layer : model->denoiser->lora_layers()) layer_names.push_back(layer->lora_name());
  experts::LoraSet lora;
  std::vector<experts::LoraSet> frozen;
  torch::manual_seed(derive_seed(params.seed, 0x67617465));
  experts::ExpertGate gate(experts::ExpertGateOptions{.layers = static_cast<int>(layer_names.size())});
  std::vector<torch::Tensor> trainable;
  if (gate_mode) {
    for (const char* name : {"ls", "mn", "vq"})
      frozen.push_back(experts::load_lora_set(params.experts_dir / (std::string(name) + ".pt"), model->config()));
    trainable = gate->parameters();
  } else {
    lora = experts::random_lora_set(model->denoiser, params.what, params.rank, 0.f,
                                    derive_seed(params.seed, 0x6C6F7261));
    for (auto& [name, adapter] : lora.adapters) {
      adapter.a.set_requires_grad(true);
      adapter.b.set_requires_grad(true);
      trainable.push_back(adapter.a);
      trainable.push_back(adapter.b);
    }
  }
  torch::optim::AdamW optimizer(trainable, torch::optim::AdamWOptions(params.learning_rate).weight_decay(0));

  // The adapters as trained: the expert's set, or the frozen three under the gate at t.
  auto make_mix = [&](const torch::Tensor& t) {
    experts::LoraMix mix;
    if (gate_mode) {
      for (const auto& s : frozen) mix.sets.push_back(&s);
      mix.scales = {1.f, 1.f, 1.f};
      mix.layer_scales = gate->forward(t);
      mix.layer_names = layer_names;
    } else {
      mix.sets = {&lora};
      mix.scales = {1.f};
    }
    return mix;
  };
  // Per window of x ([R, P+N, 20]: clean prefix, then x0), the weighted v error of the
  // adapted model minus the frozen base's at times t [R] with noise eps [R, N, 20]; with
  // the mouth lock, also the mean square of their mouth-channel difference (else 0).
  auto error_gap = [&](const torch::Tensor& features, int repeat, const torch::Tensor& x,
                       const torch::Tensor& roles, const torch::Tensor& t, const torch::Tensor& eps,
                       const torch::Tensor& weight) {
    torch::Tensor tokens;
    {
      torch::NoGradGuard no_grad;
      tokens = model->encode(features).repeat({repeat, 1, 1});
    }
    torch::Tensor x0 = x.slice(1, kPrefixFrames);
    torch::Tensor alpha = experts::schedule_alpha(t).view({-1, 1, 1});
    torch::Tensor sigma = experts::schedule_sigma(t).view({-1, 1, 1});
    torch::Tensor xt = alpha * x0 + sigma * eps;
    torch::Tensor v = alpha * eps - sigma * x0;
    torch::Tensor input = torch::cat({x.slice(1, 0, kPrefixFrames), xt}, 1);
    auto error = [&](const torch::Tensor& v_hat) {  // [R]
      return ((v_hat.slice(1, kPrefixFrames) - v).pow(2) * weight.view({1, 1, -1})).sum(2).mean(1);
    };
    torch::Tensor ref_v;
    {
      torch::NoGradGuard no_grad;
      ref_v = model->denoiser->forward(input, roles, tokens, t, nullptr);
    }
    experts::LoraMix mix = make_mix(t);
    torch::Tensor adapted_v = model->denoiser->forward(input, roles, tokens, t, &mix);
    torch::Tensor drift = torch::zeros({});
    if (mouth_locked) {
      drift = (adapted_v - ref_v).slice(1, kPrefixFrames).index_select(2, locked).pow(2).mean();
    }
    return std::pair{error(adapted_v) - error(ref_v), drift};
  };
  // One pass: DPO loss and accuracy of a batch at times t with noise eps; with an anchor,
  // plus anchor · β · the mean error gap on label windows (the corpus' own motion).
  auto dpo = [&](const PairBatch& b, const torch::Tensor& t, const torch::Tensor& eps,
                 const PairBatch* labels, const torch::Tensor& label_t, const torch::Tensor& label_eps) {
    const int64_t batch = b.features.size(0);
    auto [gap, drift] = error_gap(b.features, 2, b.x, b.roles, t.repeat({2}), eps.repeat({2, 1, 1}), channel_weight);
    torch::Tensor inside = -params.beta * (gap.slice(0, 0, batch) - gap.slice(0, batch));
    torch::Tensor loss = torch::nn::functional::softplus(-inside).mean();
    if (mouth_locked) loss = loss + params.keep_mouth * drift;
    if (labels != nullptr && params.anchor > 0) {
      loss = loss + params.anchor * params.beta *
                        error_gap(labels->features, 1, labels->x, labels->roles, label_t, label_eps, anchor_weight)
                            .first.mean();
    }
    double accuracy = (inside > 0).to(torch::kFloat32).mean().item<double>();
    return std::pair{loss, accuracy};
  };
  auto draw_times = [&](Random& rng, int batch) {
    torch::Tensor t = torch::rand({batch});
    for (int i = 0; i < batch; ++i)
      if (rng.chance(kPureNoiseShare)) t[i] = 1.f;
    return t;
  };

  // Fixed validation pairs.
  std::vector<std::tuple<PairBatch, torch::Tensor, torch::Tensor>> val_set;
  {
    Random rng(derive_seed(params.seed, 0x76616C));
    torch::manual_seed(derive_seed(params.seed, 0x76616D));
    for (int k = 0; k < 4; ++k) {
      PairBatch b = val_pairs.draw(rng, 32);
      val_set.emplace_back(b, draw_times(rng, 32), torch::randn({32, kWindow, kChannelCount}));
    }
  }
  auto validate = [&]() {
    torch::NoGradGuard no_grad;
    double loss = 0, acc = 0;
    for (auto& [b, t, eps] : val_set) {
      auto [l, a] = dpo(b, t, eps, nullptr, {}, {});
      loss += l.item<double>(), acc += a;
    }
    return std::pair{loss / val_set.size(), acc / val_set.size()};
  };

  const auto checkpoint = params.out_dir / "checkpoint.pt";
  const auto csv = params.out_dir / "loss.csv";
  int step = 0;
  double previous_seconds = 0;
  if (std::filesystem::exists(checkpoint)) {
    torch::serialize::InputArchive archive, opt_archive;
    archive.load_from(checkpoint.string());
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < trainable.size(); ++i) {
      torch::Tensor saved;
      archive.read("p" + std::to_string(i), saved);
      trainable[i].copy_(saved);
    }
    archive.read("optimizer", opt_archive);
    optimizer.load(opt_archive);
    const CheckpointProgress progress = read_progress(archive);
    step = progress.step;
    previous_seconds = progress.seconds;
    std::fprintf(stderr, "resuming at step %d\n", step);
  } else {
    write_text_file(csv, "step,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds\n");
  }
  auto elapsed = [&] {
    return previous_seconds +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  };

  DpoReport report;
  report.steps = params.steps;
  double interval_loss = 0, interval_acc = 0;
  int interval_steps = 0;
  double lr = learning_rate(params, step);
  auto save = [&] {
    report.step = step;
    report.loss = interval_steps ? interval_loss / interval_steps : 0;
    report.accuracy = interval_steps ? interval_acc / interval_steps : 0;
    std::tie(report.val_loss, report.val_accuracy) = validate();
    report.seconds = elapsed();
    report.finished = step >= params.steps;
    interval_loss = interval_acc = 0;
    interval_steps = 0;
    torch::serialize::OutputArchive archive, opt_archive;
    for (size_t i = 0; i < trainable.size(); ++i) archive.write("p" + std::to_string(i), trainable[i].detach());
    optimizer.save(opt_archive);
    archive.write("optimizer", opt_archive);
    save_checkpoint(archive, {step, report.seconds}, checkpoint);
    if (gate_mode) {
      experts::save_gate(gate, params.out_dir / "gate.pt");
      write_gate_figures(gate, layer_names, params.out_dir / "gate.md", params.out_dir / "gate.png");
    } else {
      experts::save_lora_set(lora, static_cast<int>(*dim), params.out_dir / (params.what + ".pt"));
    }
    std::ofstream(csv, std::ios::app) << step << ',' << report.loss << ',' << report.val_loss << ','
                                      << report.accuracy << ',' << report.val_accuracy << ',' << lr
                                      << ',' << report.seconds << '\n';
    plot_loss_csv(csv, params.out_dir / "loss.png");
    if (progress) progress(report);
  };

  while (step < params.steps) {
    if (params.max_minutes > 0 && elapsed() - previous_seconds > params.max_minutes * 60) break;
    Random rng(derive_seed(params.seed, static_cast<std::uint64_t>(step) + 1));
    torch::manual_seed(derive_seed(params.seed ^ 0x64706Full, static_cast<std::uint64_t>(step)));
    PairBatch b = train_pairs.draw(rng, params.batch);
    torch::Tensor t = draw_times(rng, params.batch);
    torch::Tensor eps = torch::randn({params.batch, kWindow, kChannelCount});
    std::optional<PairBatch> labels;
    torch::Tensor label_t, label_eps;
    if (params.anchor > 0) {
      labels = train_pairs.draw_labels(rng, params.batch);
      label_t = params.anchor_time >= 0 ? torch::full({params.batch}, static_cast<float>(params.anchor_time))
                                        : draw_times(rng, params.batch);
      label_eps = torch::randn({params.batch, kWindow, kChannelCount});
    }
    auto [loss, accuracy] = dpo(b, t, eps, labels ? &*labels : nullptr, label_t, label_eps);
    if (gate_floor_held) {
      torch::Tensor below = (gate_floor - gate->forward(torch::linspace(0, 1, kGateFloorTimes))).clamp_min(0);
      loss = loss + kGateFloorWeight * below.pow(2).mean();
    }
    if (!std::isfinite(loss.item<double>())) throw Error("DPO diverged at step " + std::to_string(step));
    lr = learning_rate(params, step);
    for (auto& group : optimizer.param_groups())
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(trainable, 1.0);
    optimizer.step();
    interval_loss += loss.item<double>();
    interval_acc += accuracy;
    ++interval_steps;
    ++step;
    if (step % params.checkpoint_every == 0 || step == params.steps) save();
  }
  if (interval_steps > 0) save();
  report.finished = step >= params.steps;
  return report;
}

}  // namespace parla::train
