// `parla eval experts` (issue #11 item 5, docs/experts.md): the base model, each TLPO
// expert alone, their uniform merge and the gate on held-out clips × seeds, scored by the
// critic's three heads and by measures no expert was trained on (label jawOpen r and
// closure recall; blink rate, head speed and jerk distributions against the labels'; rig
// folds on real renders), with win rates against the base and the cost in speed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "critic/critic.h"
#include "fusion/fusion.h"
#include "train/random.h"
#include "train/train.h"
#include "video/video.h"

namespace parla::train {
namespace {

using nlohmann::json;
using Fusion = fusion::GeneratorParams::Fusion;

constexpr std::array<const char*, 3> kHeads = {"ls", "mn", "vq"};  // critic heads = expert sets

// CPU time of the calling thread: on a shared machine, wall time measures the neighbours.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// One generator configuration: "base", "ls", "mn", "vq", "uniform", "gate", or
// "gate:ls=2", "uniform:mn=0:vq=0.5" (a mode and the scales that differ from 1). The
// uniform merge and the gate run as render does, with the base's jaw
// (GeneratorParams::base_jaw; ":free" turns it off); an expert alone runs free, as trained.
struct EvalConfig {
  std::string name;
  Fusion fusion = Fusion::Gate;
  std::array<float, 3> scale{1, 1, 1};
  bool base_jaw = true;
};

EvalConfig parse_config(const std::string& text) {
  EvalConfig c{.name = text};
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ':');) parts.push_back(part);
  const std::string mode = parts.empty() ? "" : parts[0];
  if (mode == "base" && parts.size() == 1) return c.fusion = Fusion::Off, c;
  for (int e = 0; e < 3; ++e) {
    if (mode == kHeads[e] && parts.size() == 1) {  // one expert alone, without the gate
      c.fusion = Fusion::Uniform;
      c.scale = {0, 0, 0};
      c.scale[e] = 1;
      c.base_jaw = false;
      return c;
    }
  }
  if (mode != "gate" && mode != "uniform")
    throw InputError("unknown configuration '" + text +
                     "' (base, ls, mn, vq, uniform, gate, or gate:ls=2, uniform:mn=0:vq=0.5, gate:free)");
  c.fusion = mode == "gate" ? Fusion::Gate : Fusion::Uniform;
  for (size_t k = 1; k < parts.size(); ++k) {
    if (parts[k] == "free") {
      c.base_jaw = false;
      continue;
    }
    const auto eq = parts[k].find('=');
    const std::string key = parts[k].substr(0, eq);
    const auto e = std::find(kHeads.begin(), kHeads.end(), key) - kHeads.begin();
    char* end = nullptr;
    const double value = eq == std::string::npos ? -1 : std::strtod(parts[k].c_str() + eq + 1, &end);
    if (e == 3 || eq == std::string::npos || end == parts[k].c_str() + eq + 1 || *end != '\0' ||
        !(value >= 0 && value <= 4))
      throw InputError("configuration '" + text + "': '" + parts[k] +
                       "' is not ls=X, mn=X or vq=X with X in 0..4, nor free");
    c.scale[e] = static_cast<float>(value);
  }
  return c;
}

// Mean over seeds of the per-seed figure, and the seed-to-seed spread (sample standard
// deviation of the per-seed figures; 0 for one seed).
struct SeedStat {
  std::vector<double> per_seed;
  double mean() const {
    double s = 0;
    for (double v : per_seed) s += v;
    return per_seed.empty() ? 0 : s / per_seed.size();
  }
  double spread() const {
    if (per_seed.size() < 2) return 0;
    double m = mean(), s = 0;
    for (double v : per_seed) s += (v - m) * (v - m);
    return std::sqrt(s / (per_seed.size() - 1));
  }
  json to_json() const { return {{"mean", mean()}, {"spread", spread()}, {"per_seed", per_seed}}; }
};

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

// 1-D Wasserstein-1 distance between two samples: the mean absolute difference of their
// quantile functions (on 1000 evenly spaced levels).
double wasserstein1(std::vector<double> a, std::vector<double> b) {
  if (a.empty() || b.empty()) return 0;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  auto quantile = [](const std::vector<double>& v, double p) {
    double x = p * (v.size() - 1);
    size_t i = static_cast<size_t>(x);
    if (i + 1 >= v.size()) return v.back();
    return v[i] + (x - i) * (v[i + 1] - v[i]);
  };
  constexpr int kLevels = 1000;
  double sum = 0;
  for (int k = 0; k < kLevels; ++k) {
    double p = (k + 0.5) / kLevels;
    sum += std::abs(quantile(a, p) - quantile(b, p));
  }
  return sum / kLevels;
}

// Per-frame head angular speed (deg/s) and jerk magnitude (deg/s³) of yaw, pitch, roll,
// appended to `speed` and `jerk` (the distributions MN's independent measures compare).
void add_head_dynamics(const MotionTrack& track, std::vector<double>& speed,
                       std::vector<double>& jerk) {
  const double fps = track.fps, deg = 180 / M_PI;
  auto angle = [&](size_t t, int c) { return track.frames[t][index(Channel::HeadYaw) + c]; };
  for (size_t t = 1; t < track.frames.size(); ++t) {
    double sq = 0;
    for (int c = 0; c < 3; ++c) sq += std::pow((angle(t, c) - angle(t - 1, c)) * fps * deg, 2);
    speed.push_back(std::sqrt(sq));
  }
  for (size_t t = 3; t < track.frames.size(); ++t) {
    double sq = 0;
    for (int c = 0; c < 3; ++c) {
      double third = angle(t, c) - 3 * angle(t - 1, c) + 3 * angle(t - 2, c) - angle(t - 3, c);
      sq += std::pow(third * fps * fps * fps * deg, 2);
    }
    jerk.push_back(std::sqrt(sq));
  }
}

// Blinks in a track, as the critic's MN statistics count them.
double blinks_in(const MotionTrack& track) {
  return critic::motion_statistics(track, {}, {}).blinks_per_minute * track.duration_seconds() /
         60.0;
}

// What one configuration scored with one seed.
struct SeedResult {
  std::vector<double> ls, mn;  // per clip, critic head scores 0..100
  std::vector<double> vq, render_ls, render_mn;  // per rendered clip × portrait
  MotionScorer scorer;
  std::vector<double> head_speed, head_jerk;  // pooled per-frame values
  double blinks = 0, minutes = 0;
  int folded = 0, inverted_mouth = 0, stretched = 0, rendered_frames = 0, distorted_frames = 0;
  double max_area_ratio_sum = 0;  // over rendered frames: each pose's largest triangle growth
};

struct ConfigResult {
  EvalConfig config;
  std::vector<SeedResult> seeds;
  double cpu_seconds = 0;  // generation, one thread
};

// Wins, ties and losses of a against b, item by item over every seed.
json win_rate(const std::vector<SeedResult>& a, const std::vector<SeedResult>& b,
              std::vector<double> SeedResult::*field) {
  int wins = 0, ties = 0, losses = 0;
  for (size_t s = 0; s < a.size(); ++s) {
    const auto &x = a[s].*field, &y = b[s].*field;
    for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
      if (x[i] > y[i]) {
        ++wins;
      } else if (x[i] < y[i]) {
        ++losses;
      } else {
        ++ties;
      }
    }
  }
  const int n = wins + ties + losses;
  return {{"wins", wins}, {"ties", ties}, {"losses", losses}, {"n", n},
          {"rate", n ? static_cast<double>(wins) / n : 0.0}};
}

SeedStat per_seed(const std::vector<SeedResult>& seeds,
                  const std::function<double(const SeedResult&)>& get) {
  SeedStat s;
  for (const SeedResult& r : seeds) s.per_seed.push_back(get(r));
  return s;
}

// A portrait ready to render: its rig and a single-threaded renderer.
struct RenderTarget {
  std::string name;
  video::Rig rig;
  std::unique_ptr<video::Renderer> renderer;
};

RenderTarget make_target(const std::filesystem::path& path) {
  Image portrait = video::load_image(path);
  video::FaceFit fit = video::fit_face(portrait, path.string());
  video::Rig rig(std::move(portrait), fit);
  auto renderer = std::make_unique<video::Renderer>(rig, video::RenderParams{.threads = 1});
  return {path.filename().string(), rig, std::move(renderer)};
}

// Renders the first frames of a track on a portrait, tracks the face back and scores the
// video as `parla score` would (the analysis built in memory, no MP4 in between); counts
// mesh folds of every rendered pose.
void score_render(RenderTarget& target, const MotionTrack& track, std::span<const float> pcm,
                  std::int64_t frames, critic::Critic& critic, SeedResult& out) {
  critic::FaceTracker tracker;
  critic::VideoAnalysis a;
  a.source = target.name;
  a.source_fps = kMotionFps;
  a.width = target.renderer->width();
  a.height = target.renderer->height();
  frames = std::min<std::int64_t>(frames, track.frame_count());
  int seen = 0;
  for (std::int64_t k = 0; k < frames; ++k) {
    const MotionFrame& m = track.frames[k];
    a.observations.push_back(tracker.observe(target.renderer->render(m)));
    seen += a.observations.back().found;
    video::RigDistortion d = video::rig_distortion(target.rig, m);
    out.folded += static_cast<int>(d.folded.size());
    out.inverted_mouth += d.inverted_mouth;
    out.stretched += d.stretched;
    out.max_area_ratio_sum += d.max_area_ratio;
    out.distorted_frames += !d.folded.empty() || d.inverted_mouth > 0;
    ++out.rendered_frames;
  }
  if (seen == 0) throw Error("no face tracked on the render of " + target.name);
  a.face_coverage = static_cast<double>(seen) / frames;
  a.video_seconds = static_cast<double>(frames) / kMotionFps;
  const auto samples = std::min<size_t>(pcm.size(), frames * kSamplesPerMotionFrame);
  a.pcm.assign(pcm.begin(), pcm.begin() + samples);
  a.audio_seconds = static_cast<double>(samples) / kSampleRate;
  a.motion = critic::estimate_motion(a.observations, a.source_fps, &a.confidence);
  critic::ScoreReport r = critic.score(a, target.name);
  out.vq.push_back(r.vq ? r.vq->score : 0.0);
  out.render_ls.push_back(r.ls.score);
  out.render_mn.push_back(r.mn.score);
}

std::string format(const char* fmt, double a, double b = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

}  // namespace

std::vector<std::string> default_experts_eval_configs() {
  return {"base", "ls", "mn", "vq", "uniform", "gate"};
}

std::string evaluate_experts(const ExpertsEvalParams& params) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  auto log = [&](const std::string& line) {
    if (params.progress) params.progress(line);
  };
  std::vector<EvalConfig> configs;
  for (const std::string& c : params.configs) configs.push_back(parse_config(c));
  if (configs.empty() || configs[0].fusion != Fusion::Off)
    configs.insert(configs.begin(), parse_config("base"));
  const std::filesystem::path experts_dir =
      params.experts_dir.empty() ? fusion::default_experts_dir() : params.experts_dir;
  for (const char* file : {"ls.pt", "mn.pt", "vq.pt", "gate.pt"}) {
    if (!std::filesystem::exists(experts_dir / file))
      throw InputError("the experts directory " + quoted(experts_dir) + " has no " + file +
                       " (parla train expert / parla train gate write them)");
  }
  if (params.seeds < 1) throw InputError("--seeds must be at least 1");

  CorpusReader reader(params.corpus);
  std::vector<ClipRef> refs = reader.clips(params.split);
  if (refs.empty())
    throw InputError("corpus " + quoted(params.corpus) + " has no clips in the " +
                     std::string(split_name(params.split)) + " split");
  const size_t clip_count =
      params.clips > 0 ? std::min<size_t>(params.clips, refs.size()) : refs.size();
  std::vector<ClipRef> picked;
  for (size_t i = 0; i < clip_count; ++i) picked.push_back(refs[i * refs.size() / clip_count]);

  critic::Critic critic(critic::CriticParams{.models_dir = params.critic_dir, .threads = 1});
  std::vector<RenderTarget> targets;
  for (const auto& p : params.portraits) targets.push_back(make_target(p));
  const auto render_frames = static_cast<std::int64_t>(params.render_seconds * kMotionFps);
  const size_t render_clips = targets.empty() ? 0 : std::min<size_t>(params.render_clips, picked.size());

  std::vector<ConfigResult> results(configs.size());
  for (size_t c = 0; c < configs.size(); ++c) {
    results[c].config = configs[c];
    results[c].seeds.resize(params.seeds);
  }
  std::vector<double> label_speed, label_jerk, label_ls, label_mn;
  double label_blinks = 0, audio_seconds = 0;
  for (size_t i = 0; i < picked.size(); ++i) {
    Clip clip = reader.load(picked[i]);
    audio::Features features = audio::compute_features(clip.audio);
    audio_seconds += clip.audio.size() / static_cast<double>(kSampleRate);
    add_head_dynamics(clip.motion, label_speed, label_jerk);
    label_blinks += blinks_in(clip.motion);
    std::optional<critic::ClipAudio> clip_audio;
    // Each clip its own noise under every seed: one draw shared by all clips would shift
    // a seed's whole mean at once, and the seed-to-seed spread would measure that draw.
    const std::uint64_t clip_stream =
        (static_cast<std::uint64_t>(picked[i].shard) << 32) | static_cast<std::uint32_t>(picked[i].index);
    for (int s = 0; s < params.seeds; ++s) {
      for (size_t c = 0; c < configs.size(); ++c) {
        fusion::GeneratorParams gp;
        gp.seed = derive_seed(params.seed + static_cast<std::uint64_t>(s), clip_stream);
        gp.fusion = configs[c].fusion;
        gp.expert_scale = configs[c].scale;
        gp.base_jaw = configs[c].base_jaw;
        gp.experts_dir = experts_dir;
        auto gen = fusion::make_generator("learned", gp);
        const double start = thread_cpu_seconds();
        MotionTrack track = fusion::generate_motion(features.frames, *gen);
        results[c].cpu_seconds += thread_cpu_seconds() - start;
        if (!clip_audio) {
          clip_audio.emplace(critic.prepare_audio(features, track.frame_count()));
          label_ls.push_back(critic.score_ls(clip.motion, features).score);
          label_mn.push_back(critic.score_mn(clip.motion, features).score);
        }
        SeedResult& r = results[c].seeds[s];
        r.ls.push_back(critic.score_ls(track, *clip_audio).score);
        critic::MnResult mn = critic.score_mn(track, *clip_audio);
        r.mn.push_back(mn.score);
        r.scorer.add(clip, track);
        add_head_dynamics(track, r.head_speed, r.head_jerk);
        r.blinks += mn.stats.blinks_per_minute * track.duration_seconds() / 60.0;
        r.minutes += track.duration_seconds() / 60.0;
        if (i < render_clips) {
          for (RenderTarget& t : targets) score_render(t, track, clip.audio, render_frames, critic, r);
        }
      }
    }
    log("eval experts: " + std::to_string(i + 1) + "/" + std::to_string(picked.size()) + " clips");
  }

  // Figures per configuration.
  const double label_minutes = audio_seconds / 60.0;
  const double label_rate = label_blinks / std::max(label_minutes, 1e-9);
  json out;
  out["corpus"] = params.corpus.string();
  out["split"] = split_name(params.split);
  out["clips"] = picked.size();
  for (const ClipRef& ref : picked) out["clip_ids"].push_back(ref.meta.id);
  out["seeds"] = params.seeds;
  out["first_seed"] = params.seed;
  out["noise"] = "per clip";  // derive_seed(seed, shard << 32 | index); before 2026-12-06 one draw for all clips
  out["audio_seconds"] = audio_seconds;
  out["experts_dir"] = experts_dir.string();
  out["render"] = {{"clips", render_clips},
                   {"seconds", params.render_seconds},
                   {"portraits", json::array()}};
  for (const auto& t : targets) out["render"]["portraits"].push_back(t.name);
  out["labels"] = {{"ls", mean_of(label_ls)},
                   {"mn", mean_of(label_mn)},
                   {"blinks_per_minute", label_rate},
                   {"head_speed_mean_deg_s", mean_of(label_speed)},
                   {"head_jerk_mean_deg_s3", mean_of(label_jerk)}};
  const ConfigResult& base = results[0];
  std::map<std::string, std::map<std::string, SeedStat>> stats;  // config → figure → stat
  for (const ConfigResult& r : results) {
    auto& st = stats[r.config.name];
    st["ls"] = per_seed(r.seeds, [](const SeedResult& s) { return mean_of(s.ls); });
    st["mn"] = per_seed(r.seeds, [](const SeedResult& s) { return mean_of(s.mn); });
    st["vq"] = per_seed(r.seeds, [](const SeedResult& s) { return mean_of(s.vq); });
    st["render_ls"] = per_seed(r.seeds, [](const SeedResult& s) { return mean_of(s.render_ls); });
    st["render_mn"] = per_seed(r.seeds, [](const SeedResult& s) { return mean_of(s.render_mn); });
    st["jaw_r"] = per_seed(r.seeds, [](const SeedResult& s) { return s.scorer.scores().pearson[0]; });
    st["closure_recall"] =
        per_seed(r.seeds, [](const SeedResult& s) { return s.scorer.scores().closure_recall; });
    st["blink_rate_diff"] = per_seed(r.seeds, [&](const SeedResult& s) {
      return std::abs(s.blinks / std::max(s.minutes, 1e-9) - label_rate);
    });
    st["head_speed_w1"] =
        per_seed(r.seeds, [&](const SeedResult& s) { return wasserstein1(s.head_speed, label_speed); });
    st["head_jerk_w1"] =
        per_seed(r.seeds, [&](const SeedResult& s) { return wasserstein1(s.head_jerk, label_jerk); });
    st["folds_per_frame"] = per_seed(r.seeds, [](const SeedResult& s) {
      return s.rendered_frames ? static_cast<double>(s.folded + s.inverted_mouth) / s.rendered_frames : 0.0;
    });
    st["stretched_per_frame"] = per_seed(r.seeds, [](const SeedResult& s) {
      return s.rendered_frames ? static_cast<double>(s.stretched) / s.rendered_frames : 0.0;
    });
    st["max_stretch"] = per_seed(r.seeds, [](const SeedResult& s) {
      return s.rendered_frames ? s.max_area_ratio_sum / s.rendered_frames : 0.0;
    });
    json j;
    j["name"] = r.config.name;
    j["mode"] = r.config.fusion == Fusion::Off       ? "off"
                : r.config.fusion == Fusion::Uniform ? "uniform"
                                                     : "gate";
    j["expert_scale"] = {{"ls", r.config.scale[0]}, {"mn", r.config.scale[1]}, {"vq", r.config.scale[2]}};
    for (const auto& [figure, stat] : st) j[figure] = stat.to_json();
    j["blinks_per_minute"] = per_seed(r.seeds, [](const SeedResult& s) {
                               return s.blinks / std::max(s.minutes, 1e-9);
                             }).to_json();
    int folded = 0, inverted = 0, stretched = 0, frames = 0, distorted = 0;
    for (const SeedResult& s : r.seeds)
      folded += s.folded, inverted += s.inverted_mouth, stretched += s.stretched,
          frames += s.rendered_frames, distorted += s.distorted_frames;
    j["rig"] = {{"rendered_frames", frames}, {"folded_triangles", folded},
                {"inverted_mouth_triangles", inverted}, {"stretched_triangles", stretched},
                {"frames_with_a_fold", distorted}};
    for (const SeedResult& s : r.seeds) {  // [seed][clip]; VQ [seed][rendered clip × portrait]
      j["per_clip"]["ls"].push_back(s.ls);
      j["per_clip"]["mn"].push_back(s.mn);
      j["per_clip"]["vq"].push_back(s.vq);
    }
    j["win_rate"]["ls"] = win_rate(r.seeds, base.seeds, &SeedResult::ls);
    j["win_rate"]["mn"] = win_rate(r.seeds, base.seeds, &SeedResult::mn);
    j["win_rate"]["vq"] = win_rate(r.seeds, base.seeds, &SeedResult::vq);
    j["generation_cpu_seconds"] = r.cpu_seconds;
    j["x_real_time_cpu"] = audio_seconds * params.seeds / std::max(r.cpu_seconds, 1e-9);
    j["speed_cost_vs_base"] = r.cpu_seconds / std::max(base.cpu_seconds, 1e-9);
    out["configs"].push_back(j);
  }

  // The "Done when": a margin counts when it exceeds the larger seed-to-seed
  // spread of the two sides.
  json checks = json::array();
  auto beats = [&](const std::string& a, const std::string& b, const std::string& figure,
                   bool higher_is_better) {
    const SeedStat &x = stats[a][figure], &y = stats[b][figure];
    const double delta = higher_is_better ? x.mean() - y.mean() : y.mean() - x.mean();
    const double spread = std::max(x.spread(), y.spread());
    // The margin's own spread: both sides scored the same clips with the same seed.
    SeedStat paired;
    for (size_t s = 0; s < x.per_seed.size() && s < y.per_seed.size(); ++s)
      paired.per_seed.push_back(x.per_seed[s] - y.per_seed[s]);
    checks.push_back({{"claim", a + " beats " + b + " on " + figure},
                      {"margin", delta},
                      {"spread", spread},
                      {"paired_spread", paired.spread()},
                      {"pass", delta > spread},
                      {"pass_paired", delta > paired.spread()}});
    return delta > spread;
  };
  auto has = [&](const std::string& name) { return stats.count(name) > 0; };
  // Without renders there is no VQ to compare: its checks are left out.
  std::vector<std::string> heads = {"ls", "mn"};
  if (render_clips > 0) heads.push_back("vq");
  for (const std::string& e : heads) {
    if (!has(e)) continue;
    beats(e, "base", e, true);
    if (e == "ls") beats(e, "base", "jaw_r", true), beats(e, "base", "closure_recall", true);
    if (e == "mn")
      beats(e, "base", "head_speed_w1", false), beats(e, "base", "head_jerk_w1", false),
          beats(e, "base", "blink_rate_diff", false);
    if (e == "vq") beats(e, "base", "folds_per_frame", false), beats(e, "base", "max_stretch", false);
  }
  if (has("gate")) {
    const std::string all = heads.size() == 3 ? "all three heads" : "LS and MN (no renders)";
    int over_base = 0, over_uniform = 0;
    for (const std::string& e : heads) over_base += beats("gate", "base", e, true);
    if (has("uniform"))
      for (const std::string& e : heads) over_uniform += beats("gate", "uniform", e, true);
    checks.push_back({{"claim", "gate beats base on " + all},
                      {"pass", over_base == static_cast<int>(heads.size())}});
    if (has("uniform"))
      checks.push_back({{"claim", "gate beats uniform on at least two of " +
                                      std::string(heads.size() == 3 ? "the three heads" : "LS and MN")},
                        {"pass", over_uniform >= 2}});
    for (const char* figure : {"jaw_r", "closure_recall"}) {
      const double g = stats["gate"][figure].mean(), b = stats["base"][figure].mean();
      checks.push_back({{"claim", std::string("no reward hacking: gate ") + figure + " >= base"},
                        {"gate", g}, {"base", b}, {"pass", g >= b}});
    }
  }
  for (const json& c : out["configs"]) {
    if (c["name"] != "gate") continue;
    const double x = c["x_real_time_cpu"];
    checks.push_back({{"claim", "gate generation >= 100x real time (CPU time of one thread)"},
                      {"x_real_time", x},
                      {"pass", x >= 100}});
  }
  out["checks"] = checks;

  // The table: stdout and docs/experts.md.
  struct Column {
    std::string title, figure;
    const char* fmt;
  };
  const std::vector<Column> critic_cols = {{"LS", "ls", "%.1f±%.1f"}, {"MN", "mn", "%.1f±%.1f"},
                                           {"VQ (renders)", "vq", "%.1f±%.1f"}};
  const std::vector<Column> indep_cols = {{"jawOpen r", "jaw_r", "%.3f±%.3f"},
                                          {"closure recall", "closure_recall", "%.3f±%.3f"},
                                          {"blink/min Δ", "blink_rate_diff", "%.2f±%.2f"},
                                          {"head speed W1 °/s", "head_speed_w1", "%.2f±%.2f"},
                                          {"jerk W1 °/s³", "head_jerk_w1", "%.0f±%.0f"},
                                          {"folds/frame", "folds_per_frame", "%.3f±%.3f"},
                                          {"max stretch", "max_stretch", "%.3f±%.3f"}};
  std::string table, md;
  char line[512];
  std::snprintf(line, sizeof line,
                "parla eval experts: %s split of %s, %zu clips (%.1f min) x %d seeds; renders: %zu "
                "clips x %zu portraits x %.1f s\nmean over seeds ± seed-to-seed spread (std of the "
                "per-seed means); win = share of clip x seed (renders: x portrait) beating base\n",
                std::string(split_name(params.split)).c_str(), params.corpus.c_str(), picked.size(),
                audio_seconds / 60, params.seeds, render_clips, targets.size(), params.render_seconds);
  table += line;
  md += "| config | LS | MN | VQ | win LS | win MN | win VQ | jawOpen r | closure recall | blink/min Δ | "
        "head speed W1 (°/s) | jerk W1 (°/s³) | folds/frame | max stretch | speed cost |\n|---|";
  for (int k = 0; k < 14; ++k) md += "---|";
  md += "\n";
  std::snprintf(line, sizeof line,
                "%-18s %-11s %-11s %-11s %6s %6s %6s  %-13s %-13s %-13s %-13s %-13s %-13s %-13s %5s\n",
                "config", "LS", "MN", "VQ", "winLS", "winMN", "winVQ", "jawOpen r", "closure rec",
                "blink/min Δ", "speed W1", "jerk W1", "folds/frame", "max stretch", "cost");
  table += line;
  for (const json& j : out["configs"]) {
    const std::string name = j["name"];
    auto cell = [&](const Column& col) {
      return format(col.fmt, stats[name][col.figure].mean(), stats[name][col.figure].spread());
    };
    std::string row = "| " + name + " |";
    std::snprintf(line, sizeof line, "%-18s", name.c_str());
    table += line;
    for (const Column& col : critic_cols) {
      std::snprintf(line, sizeof line, " %-11s", cell(col).c_str());
      table += line;
      row += " " + cell(col) + " |";
    }
    for (const char* h : kHeads) {
      std::string w = format("%.0f %%", 100.0 * j["win_rate"][h]["rate"].get<double>());
      std::snprintf(line, sizeof line, " %6s", w.c_str());
      table += line;
      row += " " + w + " |";
    }
    table += " ";
    for (const Column& col : indep_cols) {
      std::snprintf(line, sizeof line, " %-13s", cell(col).c_str());
      table += line;
      row += " " + cell(col) + " |";
    }
    std::string cost = format("%.2fx", j["speed_cost_vs_base"].get<double>());
    std::snprintf(line, sizeof line, " %5s\n", cost.c_str());
    table += line;
    row += " " + cost + " |\n";
    md += row;
  }
  std::snprintf(line, sizeof line, "LS %.1f, MN %.1f, %.1f blinks/min, head speed mean %.1f °/s\n",
                mean_of(label_ls), mean_of(label_mn), label_rate, mean_of(label_speed));
  table += "labels (ceiling): " + std::string(line);
  md += "\nThe labels (the ceiling): " + std::string(line);
  std::snprintf(line, sizeof line,
                "\n%zu held-out clips (%s split, %.1f min of audio) × %d seeds; VQ on real renders "
                "(%zu clips × %zu portraits × %.1f s, each seed). Mean over seeds ± seed-to-seed "
                "spread; win = share of clip × seed beating the base; Δ and W1 against the labels' "
                "distributions (lower is better); speed cost = generation CPU time / base's.\n",
                picked.size(), std::string(split_name(params.split)).c_str(), audio_seconds / 60,
                params.seeds, render_clips, targets.size(), params.render_seconds);
  md += line;
  md += "\nChecks (issue #11 \"Done when\"; a margin counts when larger than the larger "
        "seed-to-seed spread of the two sides; paired: than the spread over seeds of the per-seed "
        "margin):\n\n";
  table +=
      "\nchecks (issue #11 \"Done when\"; a margin counts when larger than the larger seed-to-seed "
      "spread of the two sides; paired: than the spread over seeds of the per-seed margin):\n";
  for (const json& c : checks) {
    std::string detail;
    if (c.contains("margin"))
      detail = format(" (margin %.3f, spread %.3f", c["margin"].get<double>(), c["spread"].get<double>()) +
               format("; paired spread %.3f: ", c["paired_spread"].get<double>()) +
               (c["pass_paired"].get<bool>() ? "pass" : "fail") + ")";
    if (c.contains("x_real_time")) detail = format(" (%.0fx)", c["x_real_time"].get<double>());
    if (c.contains("gate"))
      detail = format(" (gate %.3f, base %.3f)", c["gate"].get<double>(), c["base"].get<double>());
    table += std::string(c["pass"].get<bool>() ? "  pass  " : "  FAIL  ") +
             c["claim"].get<std::string>() + detail + "\n";
    md += std::string(c["pass"].get<bool>() ? "- pass: " : "- **fail**: ") +
          c["claim"].get<std::string>() + detail + "\n";
  }
  out["table"] = table;
  out["markdown"] = md;
  return out.dump(2);
}

}  // namespace parla::train
