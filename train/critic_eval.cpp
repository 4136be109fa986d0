// `parla eval critic`: the Talking-Critic's held-out figures (docs/critic.md
// "Evaluation") — LS shift recovery on real speakers never trained on, the shared real
// videos and synthetic test clips rendered and tracked back; pairwise accuracy of each
// head per perturbation / degradation; LS ranking of the base vs the classic generator.
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "critic/perturb.h"
#include "fusion/fusion.h"
#include "train/critic_data.h"
#include "train/random.h"

namespace parla::train {
namespace {

using nlohmann::json;

struct Rate {
  int hits = 0, total = 0;
  void add(bool hit) { hits += hit, ++total; }
  double value() const { return total ? static_cast<double>(hits) / total : 0; }
  json to_json() const { return {{"rate", value()}, {"n", total}}; }
};

// Shift recovery two ways: `absolute`, the reported offset within +-1 of -k (assumes the
// clip itself is in sync), and `relative`, the offset's change from the clip's own
// offset at k = 0 within +-1 of -k (what a clip recorded a few frames out of sync
// still shows). `own` gets each clip's offset at k = 0.
struct ShiftRecovery {
  Rate absolute, relative;
  std::vector<std::pair<std::string, int>> own;
};

ShiftRecovery shift_recovery(critic::LsHead& head, const std::vector<const CriticClip*>& clips) {
  ShiftRecovery rates;
  for (const CriticClip* clip : clips) {
    const int in_sync = ls_evaluate(head, *clip, 0).offset_frames;
    rates.own.emplace_back(clip->name, in_sync);
    for (int k = -10; k <= 10; ++k) {
      const int offset = k == 0 ? in_sync : ls_evaluate(head, *clip, k).offset_frames;
      rates.absolute.add(std::abs(offset + k) <= 1);
      rates.relative.add(std::abs(offset - in_sync + k) <= 1);
    }
  }
  return rates;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f %%", 100 * v);
  return buf;
}

}  // namespace

std::string evaluate_critic(const CriticEvalParams& params) {
  // The held-out data of a training run, never built here (that needs its corpus).
  if (!std::filesystem::is_regular_file(critic_data_cache(params.data_dir)))
    throw InputError("--data " + quoted(params.data_dir) + " is not a 'parla train critic' run: it has no " +
                     critic_data_cache("").relative_path().string());
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  critic::LsHead ls;
  critic::MnHead mn;
  critic::VqHead vq;
  critic::load_head(*ls, "ls", params.models_dir / "ls.pt");
  critic::load_head(*mn, "mn", params.models_dir / "mn.pt");
  critic::load_head(*vq, "vq", params.models_dir / "vq.pt");
  CriticTrainParams data_params;
  data_params.out_dir = params.data_dir;
  CriticData data = load_or_build_critic_data(data_params, [](const std::string&) {});
  json out;
  std::string table;

  // Held-out motion clips by kind.
  std::map<std::string, std::vector<const CriticClip*>> held_out;
  for (const CriticClip& c : data.clips) {
    // Beside them, marked "trained on", the training data: the gap is what a head memorised.
    if (c.source == MotionSource::Real && c.split == Split::Train)
      held_out["trained on: real train speakers"].push_back(&c);
    if (c.source == MotionSource::Tracked && c.split == Split::Train)
      held_out["trained on: train clips, rendered + tracked"].push_back(&c);
    if (c.source == MotionSource::Real && c.split == Split::Val)
      held_out["real val speakers"].push_back(&c);
    if (c.source == MotionSource::Tracked && c.split == Split::Test)
      held_out["synthetic test, rendered + tracked"].push_back(&c);
    if (c.source == MotionSource::Labels && c.split == Split::Test)
      held_out["synthetic test labels"].push_back(&c);
  }
  // The shared real videos (test media, never trained on), with VQ pairs of every degradation.
  std::vector<CriticClip> shared;
  VqCollector shared_vq(/*stride=*/4, params.seed, /*all_types=*/true);
  for (const char* name : {"hdtf_katiehill.mp4", "retalking_woman.mp4"}) {
    const auto path = params.media / "video" / name;
    critic::VideoAnalysis a =
        critic::analyze_video(path, critic::AnalysisParams{.keep_crops = false});
    shared.push_back(make_critic_clip(a.motion, audio::compute_features(a.pcm), a.confidence,
                                      MotionSource::Real, Split::Test, name));
    video::VideoReader reader(path);
    Image frame;
    shared_vq.reset_video();
    for (size_t f = 0; f < a.observations.size() && reader.read_frame(frame); ++f) {
      shared_vq.add(frame, a.observations[f], Split::Test, /*real=*/true);
    }
  }
  for (const CriticClip& c : shared) held_out["shared real videos"].push_back(&c);

  // LS shift recovery.
  table += "LS shift recovery (audio shifted by k = -10..+10 frames; offset within +-1 of -k;\n"
           "relative: the offset's change from the clip's own offset at k = 0)\n";
  for (const auto& [kind, clips] : held_out) {
    ShiftRecovery r = shift_recovery(ls, clips);
    out["ls_shift_recovery"][kind] = r.absolute.to_json();
    out["ls_relative_shift_recovery"][kind] = r.relative.to_json();
    table += "  " + kind + ": " + percent(r.absolute.value()) + " (relative " +
             percent(r.relative.value()) + ") of " + std::to_string(r.absolute.total) + "\n";
    // Held-out real clips that read out of sync as they are: name them (the misses of
    // `absolute`).
    if (kind != "real val speakers" && kind != "shared real videos") continue;
    for (const auto& [name, offset] : r.own) {
      out["ls_offset_in_sync"][kind][name] = offset;
      if (std::abs(offset) > 1) {
        table += "    " + name + " reads " + std::to_string(offset) + " frames as it is\n";
      }
    }
  }

  // LS pairwise: the original against shifted and mismatched audio.
  table += "LS pairwise (original preferred over ...)\n";
  for (const auto& [kind, clips] : held_out) {
    std::map<std::string, Rate> rates;
    for (size_t i = 0; i < clips.size(); ++i) {
      const CriticClip& c = *clips[i];
      float original = ls_evaluate(ls, c, 0).confidence_at_zero;
      for (int k : {2, 5, 10}) {
        for (int sign : {-1, 1}) {
          rates["shift " + std::to_string(k)].add(original >
                                                  ls_evaluate(ls, c, sign * k).confidence_at_zero);
        }
      }
      if (clips.size() > 1) {
        const CriticClip& other = *clips[(i + 1) % clips.size()];
        rates["another clip's audio"].add(original >
                                          ls_evaluate_mismatched(ls, c, other).confidence_at_zero);
      }
    }
    table += "  " + kind + ":";
    for (const auto& [name, r] : rates) {
      out["ls_pairwise"][kind][name] = r.to_json();
      table += "  " + name + " " + percent(r.value());
    }
    table += "\n";
  }

  // MN pairwise per perturbation.
  table += "MN pairwise (original preferred over each perturbation)\n";
  for (const auto& [kind, clips] : held_out) {
    std::map<std::string, Rate> rates;
    Random rng(derive_seed(params.seed, std::hash<std::string>{}(kind)));
    for (size_t i = 0; i < clips.size(); ++i) {
      const CriticClip& c = *clips[i];
      if (c.frames() < 50) continue;
      const int64_t frames = std::min<int64_t>(c.frames(), critic::kMnMaxWindow);
      torch::Tensor natural = c.motion.slice(0, 0, frames);
      torch::Tensor prosody = c.prosody.slice(0, 0, frames);
      std::unique_ptr<bool[]> speech(new bool[frames]);
      for (int64_t t = 0; t < frames; ++t) speech[t] = c.speech[t].item<float>() > 0.5f;
      MotionTrack other = track_of(clips[(i + 1) % clips.size()]->motion);
      float original = mn_evaluate(mn, natural, prosody);
      for (int p = 0; p < critic::kPerturbationCount; ++p) {
        auto type = static_cast<critic::Perturbation>(p);
        torch::Tensor moved = critic::motion_tensor(critic::perturb_motion(
            track_of(natural), type, std::span<const bool>(speech.get(), frames), &other,
            rng.next_u64()));
        if ((moved - natural).abs().max().item<float>() < 1e-3f) continue;  // a no-op here
        rates[std::string(critic::perturbation_name(type))].add(original >
                                                                mn_evaluate(mn, moved, prosody));
      }
    }
    table += "  " + kind + ":";
    for (const auto& [name, r] : rates) {
      out["mn_pairwise"][kind][name] = r.to_json();
      table += "  " + name + " " + percent(r.value());
    }
    table += "\n";
  }

  // VQ pairwise per degradation: held-out real frames, and the val split of training data.
  table += "VQ pairwise (clean frame preferred over each degradation)\n";
  auto vq_rates = [&](const VqData& set, std::optional<Split> split, const std::string& kind) {
    std::map<std::string, Rate> rates;
    if (!set.label.defined()) return;
    torch::NoGradGuard no_grad;
    std::vector<int64_t> pairs;
    for (int64_t i = 0; i + 1 < set.label.size(0); i += 2) {
      if (!split || set.split[i].item<int64_t>() == static_cast<int64_t>(*split))
        pairs.push_back(i);
    }
    for (size_t b = 0; b < pairs.size(); b += 128) {
      std::vector<int64_t> idx;
      for (size_t i = b; i < std::min(pairs.size(), b + 128); ++i)
        idx.push_back(pairs[i]), idx.push_back(pairs[i] + 1);
      torch::Tensor ix = torch::tensor(idx);
      torch::Tensor l = vq->forward(critic::vq_face_from_bytes(set.face.index_select(0, ix)),
                                    critic::vq_mouth_from_bytes(set.mouth.index_select(0, ix)))
                            .view({-1, 2});
      for (int64_t j = 0; j < l.size(0); ++j) {
        auto type = static_cast<critic::Degradation>(set.type[idx[2 * j + 1]].item<int64_t>());
        rates[std::string(critic::degradation_name(type))].add(l[j][0].item<float>() >
                                                               l[j][1].item<float>());
      }
    }
    table += "  " + kind + ":";
    for (const auto& [name, r] : rates) {
      out["vq_pairwise"][kind][name] = r.to_json();
      table += "  " + name + " " + percent(r.value());
    }
    table += "\n";
  };
  VqData shared_pairs = shared_vq.finish();
  vq_rates(shared_pairs, std::nullopt, "shared real videos (every degradation of every 4th frame)");
  vq_rates(data.vq, Split::Val, "real val speakers and val renders");
  vq_rates(data.vq, Split::Train, "trained on: real train speakers and train renders");

  // LS ranking of the two generators on the corpus test split.
  if (!params.corpus.empty()) {
    CorpusReader reader(params.corpus);
    std::vector<ClipRef> refs = reader.clips(Split::Test);
    Rate learned_wins;
    double learned_sum = 0, classic_sum = 0, labels_sum = 0;
    for (size_t i = 0; i < refs.size() && static_cast<int>(i) < params.generator_clips; ++i) {
      size_t pick = i * refs.size() / params.generator_clips;  // spread over voices
      Clip clip = reader.load(refs[std::min(pick, refs.size() - 1)]);
      audio::Features f = audio::compute_features(clip.audio);
      auto score = [&](const MotionTrack& m) {
        return ls_evaluate(ls, make_critic_clip(m, f, {}, MotionSource::Labels, Split::Test, ""), 0)
            .score;
      };
      // A generator serves one stream: a new one per clip.
      auto learned = fusion::make_generator("learned", {.seed = params.seed});
      auto classic = fusion::make_generator("classic", {.seed = params.seed});
      float a = score(fusion::generate_motion(f.frames, *learned));
      float b = score(fusion::generate_motion(f.frames, *classic));
      learned_sum += a, classic_sum += b, labels_sum += score(clip.motion);
      learned_wins.add(a > b);
    }
    const int n = std::max(1, learned_wins.total);
    out["ls_generators"] = {{"clips", learned_wins.total},
                            {"learned_preferred", learned_wins.value()},
                            {"learned_mean_score", learned_sum / n},
                            {"classic_mean_score", classic_sum / n},
                            {"labels_mean_score", labels_sum / n}};
    char line[200];
    std::snprintf(
        line, sizeof line,
        "LS base (learned) vs classic on %d test clips: learned preferred in %s; mean LS %.1f vs "
        "%.1f (labels %.1f)\n",
        learned_wins.total, percent(learned_wins.value()).c_str(), learned_sum / n, classic_sum / n,
        labels_sum / n);
    table += line;
  }
  out["table"] = table;
  return out.dump(2);
}

}  // namespace parla::train
