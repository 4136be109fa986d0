// `parla eval motion --corpus DIR --split test`: motion generators against the corpus
// labels, side by side: clean audio, the same audio under 10 dB SNR pink noise, and
// non-speech input (synthetic music, digital silence); speed and live-chunk latency.
// `parla eval critic` and `parla eval experts` (the TLPO table) run train/'s evaluations.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "audio/audio.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "cli/torch_commands.h"
#include "fusion/fusion.h"
#include "text/text.h"
#include "train/train.h"

namespace parla::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the calling thread: on a shared machine, wall time measures the neighbours.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Calm and closed: statistics of a track generated from non-speech input.
struct QuietStats {
  double jaw_mean = 0, jaw_p95 = 0, open_share = 0;  // open: jawOpen > 0.15
  double head_speed_deg_s = 0;                       // RMS angular speed of yaw, pitch, roll
};

QuietStats quiet_stats(const MotionTrack& track) {
  QuietStats q;
  std::vector<float> jaw;
  for (const auto& f : track.frames) jaw.push_back(f[index(Channel::JawOpen)]);
  if (jaw.empty()) return q;
  for (float v : jaw) q.jaw_mean += v, q.open_share += v > 0.15f;
  q.jaw_mean /= jaw.size();
  q.open_share /= jaw.size();
  std::sort(jaw.begin(), jaw.end());
  q.jaw_p95 = jaw[static_cast<size_t>(0.95 * (jaw.size() - 1))];
  double sum = 0;
  for (size_t k = 1; k < track.frames.size(); ++k) {
    for (Channel c : {Channel::HeadYaw, Channel::HeadPitch, Channel::HeadRoll}) {
      double d =
          (track.frames[k][index(c)] - track.frames[k - 1][index(c)]) * track.fps * 180 / M_PI;
      sum += d * d;
    }
  }
  q.head_speed_deg_s = track.frames.size() > 1 ? std::sqrt(sum / (track.frames.size() - 1)) : 0.0;
  return q;
}

// 30 s of synthetic music: three pieces of 10 s in their own keys, at 0, -10 and -20 dB
// (none of them in the training pool, which is drawn from the training seed).
std::vector<float> music_excerpts() {
  std::vector<float> out;
  for (int piece = 0; piece < 3; ++piece) {
    const float gain = std::pow(10.f, -0.5f * piece);
    for (float v : train::synth_music(10.0, 77 + piece)) out.push_back(gain * v);
  }
  return out;
}

nlohmann::json scores_json(const train::MotionScores& s) {
  nlohmann::json j;
  for (int c = 0; c < kMouthChannelCount; ++c) {
    std::string name(channel_table()[c].name);
    j["pearson"][name] = s.pearson[c];
    j["mae"][name] = s.mae[c];
  }
  j["viseme_accuracy"] = s.viseme_accuracy;
  j["closure_precision"] = s.closure_precision;
  j["closure_recall"] = s.closure_recall;
  j["closure_f1"] = s.closure_f1;
  j["closures"] = s.closures;
  j["frames"] = s.frames;
  return j;
}

// The rows of a score table, each with the direction that is better.
struct Metric {
  std::string label;
  std::function<double(const train::MotionScores&)> get;
  bool higher_is_better;
};

std::vector<Metric> metrics() {
  std::vector<Metric> out;
  for (int c = 0; c < kMouthChannelCount; ++c) {
    out.push_back({std::string(channel_table()[c].name) + " r",
                   [c](const train::MotionScores& s) { return s.pearson[c]; }, true});
  }
  for (int c = 0; c < kMouthChannelCount; ++c) {
    out.push_back({std::string(channel_table()[c].name) + " MAE",
                   [c](const train::MotionScores& s) { return s.mae[c]; }, false});
  }
  out.push_back({"viseme accuracy", [](const auto& s) { return s.viseme_accuracy; }, true});
  out.push_back({"closure precision", [](const auto& s) { return s.closure_precision; }, true});
  out.push_back({"closure recall", [](const auto& s) { return s.closure_recall; }, true});
  out.push_back({"closure F1", [](const auto& s) { return s.closure_f1; }, true});
  return out;
}

void print_table(const std::string& title, const std::vector<std::string>& names,
                 const std::vector<train::MotionScores>& scores) {
  std::printf("\n%s\n%-22s", title.c_str(), "");
  for (const auto& n : names) std::printf("%10s", n.c_str());
  std::printf("\n");
  for (const Metric& m : metrics()) {
    std::printf("%-22s", m.label.c_str());
    for (const auto& s : scores) std::printf("%10.3f", m.get(s));
    std::printf("\n");
  }
}

// "learned beats classic on 19 of 20 metrics; not on: tongueOut MAE" (at the printed
// precision a tie is not a win).
std::string verdict(const std::string& a, const train::MotionScores& sa, const std::string& b,
                    const train::MotionScores& sb) {
  std::vector<Metric> all = metrics();
  std::string losses;
  int wins = 0;
  for (const Metric& m : all) {
    double da = std::round(m.get(sa) * 1000), db = std::round(m.get(sb) * 1000);
    if (m.higher_is_better ? da > db : da < db) {
      ++wins;
    } else {
      losses += (losses.empty() ? "" : ", ") + m.label;
    }
  }
  return a + " beats " + b + " on " + std::to_string(wins) + " of " + std::to_string(all.size()) +
         " metrics" + (losses.empty() ? "" : "; not on: " + losses);
}


// The live configuration (a window per frame, 40 ms feature pushes) on the first clips:
// CPU time of each push that runs a window, and the live tracks scored against the labels.
struct LiveRun {
  double median_ms = 0, p99_ms = 0, max_ms = 0;
  train::MotionScores scores;
};

LiveRun run_live_config(const std::vector<train::Clip>& clips,
                        const std::vector<audio::Features>& inputs,
                        const fusion::GeneratorParams& base) {
  fusion::GeneratorParams params = base;
  std::vector<double> ms;
  train::MotionScorer scorer;
  for (size_t c = 0; c < inputs.size(); ++c) {
    const audio::Features& f = inputs[c];
    auto gen = fusion::make_generator("learned", params);  // one stream per clip
    MotionTrack track;
    for (size_t i = 0; i < f.frames.size(); i += 4) {
      size_t n = std::min<size_t>(4, f.frames.size() - i);
      size_t before = track.frames.size();
      double start = thread_cpu_seconds();
      gen->push(std::span(f.frames).subspan(i, n), track.frames);
      if (track.frames.size() > before) ms.push_back((thread_cpu_seconds() - start) * 1000);
    }
    gen->finish(track.frames);
    track.clamp_to_ranges();
    scorer.add(clips[c], track);
  }
  LiveRun run;
  run.scores = scorer.scores();
  if (ms.empty()) return run;
  std::sort(ms.begin(), ms.end());
  run.median_ms = ms[ms.size() / 2];
  run.p99_ms = ms[static_cast<size_t>(0.99 * (ms.size() - 1))];
  run.max_ms = ms.back();
  return run;
}

// Real speech (docs/real_speakers.md): each generator's jawOpen against the jawOpen
// tracked on the realtalk clips, on the held-out speakers and on the training speakers,
// with the audio-energy baseline as a third column.
nlohmann::json run_realtalk(const std::filesystem::path& dir, const std::filesystem::path& cache,
                            const std::vector<std::string>& names,
                            const fusion::GeneratorParams& params, bool quiet) {
  std::vector<train::RealLabels> clips = train::real_labels(dir, cache, [&](const std::string& l) {
    if (!quiet) std::fprintf(stderr, "%s\n", l.c_str());
  });
  std::vector<std::string> columns = names;
  columns.push_back("energy");
  nlohmann::json out;
  std::printf(
      "\nreal speech: jawOpen r against the tracked, speaker-normalised jawOpen of %s\n"
      "(frames with tracking confidence >= %.1f; best lag searched over +-%d frames, + = "
      "generated trails the video)\n",
      dir.c_str(), train::kRealMinConfidence, train::kRealMaxLagFrames);
  for (train::Split split : {train::Split::Val, train::Split::Train}) {
    // Each column against the clips as published and against the same clips with the
    // video-side labels moved onto the audio where the critic reads them out of sync.
    std::vector<train::RealSpeechScorer> scorers(columns.size()), synced(columns.size());
    int count = 0, moved = 0;
    double seconds = 0;
    std::set<std::string> speakers;
    std::vector<std::string> clip_names;
    std::vector<int> clip_offsets;
    for (const train::RealLabels& clip : clips) {
      if (clip.split != split) continue;
      ++count, seconds += clip.frames() / 25.0, speakers.insert(clip.speaker);
      clip_names.push_back(clip.file);
      clip_offsets.push_back(clip.av_offset);
      const train::RealLabels in_sync = train::sync_corrected(clip);
      moved += in_sync.av_offset != clip.av_offset;
      audio::Features features = audio::compute_features(clip.pcm);
      for (size_t g = 0; g < columns.size(); ++g) {
        std::vector<float> jaw;
        if (columns[g] == "energy") {
          jaw = train::energy_jaw(clip.pcm);
        } else {
          auto gen = fusion::make_generator(columns[g], params);
          MotionTrack track = fusion::generate_motion(features.frames, *gen);
          for (const auto& f : track.frames) jaw.push_back(f[index(Channel::JawOpen)]);
        }
        scorers[g].add(clip, jaw);
        synced[g].add(in_sync, jaw);
      }
    }
    const std::string key = split == train::Split::Val ? "heldout_speakers" : "training_speakers";
    std::printf("%s: %zu speakers, %d clips, %.1f s\n", key.c_str(), speakers.size(), count,
                seconds);
    out[key]["clips"] = count;
    out[key]["seconds"] = seconds;
    out[key]["speakers"] = speakers.size();
    out[key]["clip_names"] = clip_names;
    out[key]["clip_av_offset_frames"] = clip_offsets;
    out[key]["clips_sync_corrected"] = moved;
    auto table = [&](const std::vector<train::RealSpeechScorer>& from, nlohmann::json& to) {
      std::vector<train::RealSpeechScores> scores;
      std::printf("%-10s %9s %9s %8s %9s %7s %7s\n", "", "pooled r", "median r", "best lag",
                  "r at lag", "spread", "frames");
      for (size_t g = 0; g < columns.size(); ++g) {
        const train::RealSpeechScores& r = scores.emplace_back(from[g].scores());
        std::printf("%-10s %9.3f %9.3f %8d %9.3f %7.2f %7lld\n", columns[g].c_str(), r.pooled_r,
                    r.median_clip_r, r.best_lag_frames, r.best_lag_r, r.spread,
                    static_cast<long long>(r.frames));
        to[columns[g]] = {{"pooled_r", r.pooled_r},
                          {"median_clip_r", r.median_clip_r},
                          {"spread", r.spread},
                          {"best_lag_frames", r.best_lag_frames},
                          {"best_lag_r", r.best_lag_r},
                          {"lag_r", r.lag_r},
                          {"clip_r", r.clip_r},
                          {"clip_best_lag_frames", r.clip_best_lag},
                          {"clip_best_lag_r", r.clip_best_lag_r},
                          {"frames", r.frames}};
      }
      return scores;
    };
    std::printf("as published:\n");
    const std::vector<train::RealSpeechScores> scores = table(scorers, out[key]);
    std::printf("sync-corrected (%d of %d clips the critic reads >= %d frames out of sync, "
                "labels moved onto the audio):\n",
                moved, count, train::kRealSyncMinOffset);
    table(synced, out[key]["sync_corrected"]);
    if (split == train::Split::Val) {
      // Per held-out clip: r at lag 0 and each column's own best lag, so a clip whose
      // video and audio are out of step shows as the same lag for every column.
      std::printf("per held-out clip (as published), critic's A/V offset, r at lag 0 / best "
                  "lag (r there):\n");
      for (size_t c = 0; c < clip_names.size(); ++c) {
        std::printf("  %-44.44s %+3d", clip_names[c].c_str(), clip_offsets[c]);
        for (size_t g = 0; g < columns.size(); ++g) {
          std::printf("  %s %6.3f / %+d (%.3f)", columns[g].c_str(), scores[g].clip_r[c],
                      scores[g].clip_best_lag[c], scores[g].clip_best_lag_r[c]);
        }
        std::printf("\n");
      }
    }
  }
  return out;
}

// The espeak-ng voice that reads a corpus clip's text for the text hint: its language.
std::string text_hint_voice(const std::string& language) {
  return language == "en" ? "en-us" : language;
}

// Scores with and without the text hint, for one generator and one group of clips.
struct HintComparison {
  train::MotionScorer without, with;
  int clips = 0, applied = 0, closures_imposed = 0, stray_opened = 0;
  double quality_sum = 0;
};

nlohmann::json hint_json(const HintComparison& h) {
  return {{"clips", h.clips},
          {"hint_applied", h.applied},
          {"mean_alignment_quality", h.clips ? h.quality_sum / h.clips : 0.0},
          {"closures_imposed", h.closures_imposed},
          {"stray_closures_opened", h.stray_opened},
          {"without", scores_json(h.without.scores())},
          {"with", scores_json(h.with.scores())}};
}

void print_hint_row(const std::string& label, const HintComparison& h) {
  train::MotionScores a = h.without.scores(), b = h.with.scores();
  std::printf(
      "%-24s %5d %5d %6d  recall %.3f -> %.3f  precision %.3f -> %.3f  F1 %.3f -> %.3f  "
      "jawOpen r %.3f -> %.3f\n",
      label.c_str(), h.clips, h.applied, a.closures, a.closure_recall, b.closure_recall,
      a.closure_precision, b.closure_precision, a.closure_f1, b.closure_f1, a.pearson[0],
      b.pearson[0]);
}

// The shared test media (the critic's real videos, the experts' VQ portraits): --media,
// else $PARLA_MEDIA_DIR, else the checkout's ../shared/media beside the data folder. It
// must hold `needed` (a folder), or the command stops before any work and says where it
// looked.
std::filesystem::path shared_media(const ParsedArgs& args, const std::string& needed) {
  std::filesystem::path dir;
  if (auto m = args.value("media")) {
    dir = *m;
  } else if (const char* env = std::getenv("PARLA_MEDIA_DIR"); env && *env) {
    dir = env;
  } else {
    dir = (data_dir() / ".." / ".." / "shared" / "media").lexically_normal();
  }
  if (!std::filesystem::is_directory(dir / needed))
    throw InputError("shared media " + quoted(dir) + " has no " + needed +
                     "/ folder: pass --media DIR (a checkout's ../shared/media) or set PARLA_MEDIA_DIR");
  return dir;
}

int run_eval_critic(const ParsedArgs& args) {
  train::CriticEvalParams params;
  auto data = args.value("data");
  if (!data) throw InputError("parla eval critic needs --data DIR (a 'parla train critic' run)");
  params.data_dir = *data;
  params.models_dir = args.value_or("models", (data_dir() / "models" / "critic").string());
  params.corpus = args.value_or("corpus", "");
  params.media = shared_media(args, "video");
  params.generator_clips = static_cast<int>(args.integer("max-clips", params.generator_clips, 1, 1 << 30));
  std::optional<OutputFile> json_out;
  if (auto p = args.value("json")) json_out.emplace(*p);
  const std::string result = train::evaluate_critic(params);
  std::fputs(nlohmann::json::parse(result)["table"].get<std::string>().c_str(), stdout);
  if (json_out) {
    write_text_file(json_out->temp_path(), result);
    json_out->commit();
  }
  return 0;
}

// `parla eval experts`: train::evaluate_experts on the corpus split, the table on stdout.
int run_eval_experts(const ParsedArgs& args) {
  train::ExpertsEvalParams params;
  auto corpus = args.value("corpus");
  if (!corpus) throw InputError("parla eval experts needs --corpus DIR");
  params.corpus = *corpus;
  auto split = train::split_from_name(args.value_or("split", "test"));
  if (!split) throw InputError("--split must be train, val or test");
  params.split = *split;
  params.clips = static_cast<int>(args.integer("clips", params.clips, 0, 1 << 30));
  params.seeds = static_cast<int>(args.integer("seeds", params.seeds, 1, 100));
  params.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
  for (const char* motion_only : {"experts", "expert-scale", "base-jaw"})
    if (args.has(motion_only))
      throw InputError(std::string("--") + motion_only +
                       " is for eval motion; eval experts takes --configs (e.g. gate:free, gate:ls=2)");
  params.experts_dir = args.value_or("experts-dir", "");
  if (!params.experts_dir.empty() && !std::filesystem::is_directory(params.experts_dir))
    throw InputError("--experts-dir " + quoted(params.experts_dir) + " is not a directory");
  params.critic_dir = args.value_or("models", "");
  if (auto c = args.value("configs")) params.configs = split_list(*c);
  std::vector<std::string> portraits;
  if (auto list = args.value("portraits")) {
    if (*list != "none") portraits = split_list(*list);
  } else {
    const std::filesystem::path dir = shared_media(args, "portraits") / "portraits";
    for (const char* name : {"obama.jpg", "mona_lisa.jpg", "illustration.png"}) portraits.push_back((dir / name).string());
  }
  for (const auto& p : portraits) {
    check_input_file(p, "portrait");
    params.portraits.push_back(p);
  }
  params.render_clips = static_cast<int>(args.integer("render-clips", params.render_clips, 0, 1000));
  params.render_seconds = args.number("render-seconds", params.render_seconds, 0.5, 600);
  std::optional<OutputFile> json_out, md_out;  // validated before any work
  if (auto p = args.value("json")) json_out.emplace(*p);
  if (auto p = args.value("markdown")) md_out.emplace(*p);
  if (!args.has("quiet"))
    params.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  const nlohmann::json report = nlohmann::json::parse(train::evaluate_experts(params));
  std::fputs(report["table"].get<std::string>().c_str(), stdout);
  if (json_out) {
    write_text_file(json_out->temp_path(), report.dump(2) + "\n");
    json_out->commit();
  }
  if (md_out) {
    write_text_file(md_out->temp_path(), report["markdown"].get<std::string>());
    md_out->commit();
  }
  return 0;
}

int run_eval(const ParsedArgs& args) {
  if (args.positionals.at(0) == "critic") return run_eval_critic(args);
  if (args.positionals.at(0) == "experts") return run_eval_experts(args);
  if (args.positionals.at(0) != "motion")
    throw InputError("unknown evaluation '" + args.positionals[0] + "' (see parla eval --help)");
  auto corpus = args.value("corpus");
  auto realtalk = args.value("realtalk");
  if (!corpus && !realtalk)
    throw InputError("missing --corpus DIR or --realtalk DIR (see parla eval --help)");
  auto split = train::split_from_name(args.value_or("split", "test"));
  if (!split) throw InputError("--split must be train, val or test");
  std::vector<std::string> names = split_list(args.value_or("generators", "learned,classic"));
  fusion::GeneratorParams params;
  params.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
  params.steps = static_cast<int>(args.integer("steps", fusion::kDefaultSteps, 1, 50));
  params.full_ddim_lips = args.has("full-ddim-lips");
  const int live_chunk =
      static_cast<int>(args.integer("live-chunk", fusion::kLiveChunkFrames, 1, 49));
  const int live_lookahead = static_cast<int>(
      args.integer("live-lookahead", fusion::kDefaultLookaheadFrames, 1, 49));
  params.weights = args.value_or("weights", "");
  // The learned generator as render runs it: the fused experts by default.
  expert_params_from_args(args, params);
  const double snr_db = args.number("snr", 10, -20, 60);
  const auto max_clips = static_cast<size_t>(args.integer("max-clips", 0, 0, 1 << 30));
  const bool with_text = args.has("with-text");
  for (const auto& n : names)
    fusion::make_generator(n, params);  // reject bad names and weights first
  nlohmann::json real_report;
  if (realtalk) {
    const std::filesystem::path cache = args.value_or(
        "realtalk-cache",
        (std::filesystem::temp_directory_path() / "parla-realtalk-labels.bin").string());
    real_report = run_realtalk(*realtalk, cache, names, params, args.has("quiet"));
    if (!corpus) {
      if (auto json_path = args.value("json"))
        write_text_file(*json_path, nlohmann::json{{"realtalk", real_report}}.dump(2) + "\n");
      return 0;
    }
  }

  train::CorpusReader reader(*corpus);
  std::vector<train::ClipRef> refs = reader.clips(*split);
  if (max_clips > 0 && refs.size() > max_clips) refs.resize(max_clips);
  if (refs.empty())
    throw InputError("corpus " + quoted(std::filesystem::path(*corpus)) +
                     " has no clips in that split");

  std::vector<train::MotionScorer> clean(names.size()), noisy(names.size());
  train::MotionScorer labels_scorer;
  std::vector<double> gen_seconds(names.size(), 0.0), gen_cpu_seconds(names.size(), 0.0);
  double audio_seconds = 0, label_head_speed = 0;
  constexpr size_t kLiveClips = 40;
  std::vector<audio::Features> live_inputs;
  std::vector<train::Clip> live_clips;
  train::MotionScorer whole_on_live_clips;  // the learned generator's whole-file tracks
  // --with-text: per generator, clean and noisy; per engine for the first generator.
  std::vector<HintComparison> hint_clean(names.size()), hint_noisy(names.size());
  std::map<std::string, HintComparison> hint_by_engine;
  auto add_hinted = [&](HintComparison& h, const train::Clip& clip, const MotionTrack& track,
                        std::span<const float> pcm) {
    MotionTrack hinted = track;
    text::TextHintParams hint_params;
    hint_params.voice.voice = text_hint_voice(clip.meta.language);
    text::TextHintReport r = text::apply_text_hint(hinted, pcm, clip.meta.text, hint_params);
    ++h.clips;
    h.applied += r.applied;
    h.quality_sum += r.quality;
    h.closures_imposed += r.closures;
    h.stray_opened += r.stray_closures_opened;
    h.without.add(clip, track);
    h.with.add(clip, hinted);
  };
  for (size_t i = 0; i < refs.size(); ++i) {
    train::Clip clip = reader.load(refs[i]);
    audio_seconds += clip.audio.size() / static_cast<double>(train::kSampleRate);
    audio::Features features = audio::compute_features(clip.audio);
    train::AugmentParams noise;
    noise.noise = "pink";
    noise.snr_db = snr_db;
    const std::vector<float> noisy_audio = train::augment(clip.audio, noise, {}, clip.meta.seed ^ 0x5EED);
    audio::Features noisy_features = audio::compute_features(noisy_audio);
    labels_scorer.add(clip, clip.motion);
    label_head_speed += quiet_stats(clip.motion).head_speed_deg_s;
    const bool live_clip = live_inputs.size() < kLiveClips;
    if (live_clip) live_inputs.push_back(features), live_clips.push_back(clip);
    for (size_t g = 0; g < names.size(); ++g) {
      auto gen = fusion::make_generator(names[g], params);
      auto start = Clock::now();
      double cpu_start = thread_cpu_seconds();
      MotionTrack track = fusion::generate_motion(features.frames, *gen);
      gen_cpu_seconds[g] += thread_cpu_seconds() - cpu_start;
      gen_seconds[g] += seconds_since(start);
      clean[g].add(clip, track);
      if (live_clip && names[g] == "learned") whole_on_live_clips.add(clip, track);
      auto gen_noisy = fusion::make_generator(names[g], params);
      MotionTrack noisy_track = fusion::generate_motion(noisy_features.frames, *gen_noisy);
      noisy[g].add(clip, noisy_track);
      if (with_text) {
        add_hinted(hint_clean[g], clip, track, clip.audio);
        add_hinted(hint_noisy[g], clip, noisy_track, noisy_audio);
        if (g == 0) add_hinted(hint_by_engine[clip.meta.engine], clip, track, clip.audio);
      }
    }
    if (!args.has("quiet") && (i + 1) % 50 == 0)
      std::fprintf(stderr, "eval: %zu/%zu clips\n", i + 1, refs.size());
  }

  std::vector<std::string> columns = names;
  columns.push_back("labels");
  std::vector<train::MotionScores> clean_scores, noisy_scores;
  for (auto& s : clean) clean_scores.push_back(s.scores());
  clean_scores.push_back(labels_scorer.scores());
  for (auto& s : noisy) noisy_scores.push_back(s.scores());

  std::printf(
      "parla eval motion: %s split of %s, %zu clips, %.3f h, %lld frames, %d bilabial closures; "
      "seed %llu, %d steps\n",
      std::string(train::split_name(*split)).c_str(), corpus->c_str(), refs.size(),
      audio_seconds / 3600, static_cast<long long>(clean_scores[0].frames),
      clean_scores[0].closures, static_cast<unsigned long long>(params.seed), params.steps);
  print_table("clean audio (labels column: the labels scored against themselves, the ceiling)",
              columns, clean_scores);
  char title[96];
  std::snprintf(title, sizeof title, "pink noise at %.0f dB SNR", snr_db);
  print_table(title, names, noisy_scores);
  std::vector<std::string> verdicts;
  for (size_t g = 1; g < names.size(); ++g) {
    verdicts.push_back("clean: " + verdict(names[0], clean_scores[0], names[g], clean_scores[g]));
    verdicts.push_back("noisy: " + verdict(names[0], noisy_scores[0], names[g], noisy_scores[g]));
  }
  if (!verdicts.empty()) std::printf("\n");
  for (const auto& v : verdicts) std::printf("%s\n", v.c_str());

  nlohmann::json report;
  if (with_text) {
    std::printf(
        "\ntext hint (each clip's own text read by espeak-ng in its language, aligned by DTW; "
        "docs/text_hint.md)\n%-24s %5s %5s %6s\n",
        "", "clips", "hint", "p/b/m");
    for (size_t g = 0; g < names.size(); ++g) {
      print_hint_row(names[g] + " clean", hint_clean[g]);
      print_hint_row(names[g] + " noisy", hint_noisy[g]);
      report["text_hint"][names[g]] = {{"clean", hint_json(hint_clean[g])},
                                       {"noisy", hint_json(hint_noisy[g])}};
    }
    for (const auto& [engine, h] : hint_by_engine) {
      print_hint_row(names[0] + " clean, " + engine, h);
      report["text_hint"]["by_engine"][engine] = hint_json(h);
    }
  }
  report["split"] = train::split_name(*split);
  report["clips"] = refs.size();
  report["audio_hours"] = audio_seconds / 3600;
  report["seed"] = params.seed;
  report["steps"] = params.steps;
  report["full_ddim_lips"] = params.full_ddim_lips;
  report["snr_db"] = snr_db;
  report["verdicts"] = verdicts;
  std::printf("\nspeed, non-speech and noise robustness\n");
  for (size_t g = 0; g < names.size(); ++g) {
    nlohmann::json& j = report["generators"][names[g]];
    j["clean"] = scores_json(clean_scores[g]);
    j["noisy"] = scores_json(noisy_scores[g]);
    j["jaw_r_drop_under_noise"] = clean_scores[g].pearson[0] - noisy_scores[g].pearson[0];
    j["x_real_time_cpu"] = audio_seconds / std::max(gen_cpu_seconds[g], 1e-9);
    j["x_real_time_wall"] = audio_seconds / std::max(gen_seconds[g], 1e-9);
    std::printf(
        "%-8s jawOpen r drop under noise %.3f; generation %.0fx real time in CPU time of one "
        "thread "
        "(%.0fx in wall time on this shared machine)\n",
        names[g].c_str(), clean_scores[g].pearson[0] - noisy_scores[g].pearson[0],
        audio_seconds / std::max(gen_cpu_seconds[g], 1e-9),
        audio_seconds / std::max(gen_seconds[g], 1e-9));
    for (const auto& [input, pcm] : std::map<std::string, std::vector<float>>{
             {"music", music_excerpts()},
             {"silence", std::vector<float>(30 * train::kSampleRate, 0.f)}}) {
      auto gen = fusion::make_generator(names[g], params);
      QuietStats q =
          quiet_stats(fusion::generate_motion(audio::compute_features(pcm).frames, *gen));
      j[input] = {{"jaw_mean", q.jaw_mean},
                  {"jaw_p95", q.jaw_p95},
                  {"open_share", q.open_share},
                  {"head_speed_deg_s", q.head_speed_deg_s}};
      std::printf(
          "%-8s %-8s jawOpen mean %.3f p95 %.3f, open (>0.15) %.1f %% of frames, head speed %.1f "
          "deg/s\n",
          names[g].c_str(), input.c_str(), q.jaw_mean, q.jaw_p95, 100 * q.open_share,
          q.head_speed_deg_s);
    }
    if (names[g] == "learned") {
      fusion::GeneratorParams live_params = params;
      live_params.lookahead_frames = live_lookahead;
      live_params.chunk_frames = live_chunk;
      LiveRun live = run_live_config(live_clips, live_inputs, live_params);
      train::MotionScores whole = whole_on_live_clips.scores();
      j["live_chunk_ms"] = {{"median", live.median_ms},
                            {"p99", live.p99_ms},
                            {"max", live.max_ms},
                            {"chunk_frames", live_chunk},
                            {"lookahead_frames", live_lookahead}};
      j["live"] = {{"clips", live_clips.size()},
                   {"scores", scores_json(live.scores)},
                   {"whole_file_scores", scores_json(whole)}};
      std::printf(
          "learned  live chunk (%d frames + %d look-ahead), CPU time: median %.1f ms, p99 %.1f ms, "
          "max %.1f ms\n",
          live_chunk, live_lookahead, live.median_ms, live.p99_ms,
          live.max_ms);
      std::printf(
          "learned  live on the first %zu clips: jawOpen r %.3f, closure recall %.3f "
          "(whole-file windows: %.3f, %.3f)\n",
          live_clips.size(), live.scores.pearson[0], live.scores.closure_recall, whole.pearson[0],
          whole.closure_recall);
    }
  }
  report["labels_head_speed_deg_s"] = label_head_speed / refs.size();
  if (realtalk) report["realtalk"] = real_report;
  std::printf("labels   speech head speed %.1f deg/s (reference)\n",
              label_head_speed / refs.size());
  if (auto json_path = args.value("json")) write_text_file(*json_path, report.dump(2) + "\n");
  return 0;
}

}  // namespace

const Command& eval_command() {
  static const Command command{
      {.name = "eval",
       .positionals = "motion | critic | experts",
       .summary = std::string(torch_command_summary("eval")),
       .details =
           "motion: per mouth channel Pearson r and MAE, viseme-class accuracy (nearest label\n"
           "centroid), bilabial closure precision/recall/F1 (mouthClose >= 0.5 within +-40 ms of\n"
           "a p/b/m), on clean audio and under pink noise; jaw and head statistics on synthetic\n"
           "music and on silence; generation speed and live chunk latency (learned).\n"
           "critic --data RUN: LS shift recovery, pairwise accuracy of each head per perturbation\n"
           "and degradation on held-out speakers, voices and the shared real videos, and LS of "
           "the\n"
           "learned vs the classic generator on --corpus's test split.\n"
           "motion --realtalk DIR: Pearson r of each generator's jawOpen (and an audio-energy\n"
           "baseline) against the jawOpen tracked on real video, normalised per speaker, pooled\n"
           "over clips at lag 0, median per clip, and the best lag within +-8 frames, for the\n"
           "held-out and the training speakers (docs/real_speakers.md).\n"
           "experts: the base model, each TLPO expert alone (scale 1, others 0, no gate), the\n"
           "uniform merge and the gate (--configs; e.g. gate:ls=2 for the scale sweep) over\n"
           "--clips test clips x --seeds seeds: critic LS and MN on every track, VQ on real\n"
           "renders of the first --render-clips clips on --portraits; jawOpen r and closure\n"
           "recall, blink rate and head speed / jerk distributions against the labels, rig\n"
           "folds; win rates against the base, seed-to-seed spread, speed (docs/experts.md).",
       .options =
           {{"corpus", 0, "DIR", "corpus directory (required for motion)"},
            {"data", 0, "DIR", "critic: a 'parla train critic' run (its held-out data)"},
            {"models", 0, "DIR", "critic, experts: critic heads (default data/models/critic)"},
            {"media", 0, "DIR",
             "critic, experts: shared test media (default $PARLA_MEDIA_DIR, else ../shared/media beside the checkout)"},
            {"split", 0, "NAME",
             "train, val or test (default test: held-out voices and languages)"},
            {"generators", 0, "LIST", "comma-separated generators (default learned,classic)"},
            {"weights", 0, "FILE", "weight file for the learned generator (default: bundled)"},
            {"steps", 0, "K", "diffusion steps (default 2)"},
            {"full-ddim-lips", 0, "", "motion: the lips from the last DDIM step, not the first step's x0 prediction"},
            {"seed", 0, "S", "generator seed (default 0; experts: the first seed)"},
            {"live-chunk", 0, "N", "frames per window of the live configuration (default 1)"},
            {"live-lookahead", 0, "N", "look-ahead frames of the live configuration (default 4)"},
            {"snr", 0, "DB", "signal-to-noise ratio of the noisy condition (default 10)"},
            {"max-clips", 0, "N", "evaluate only the first N clips (default all)"},
            {"with-text", 0, "",
             "motion: also score each track with its clip's text as a hint (docs/text_hint.md)"},
            {"realtalk", 0, "DIR",
             "motion: also (or only, without --corpus) jawOpen r against real video of "
             "the realtalk speakers"},
            {"realtalk-cache", 0, "FILE",
             "tracked realtalk labels (default TMPDIR/parla-realtalk-labels.bin)"},
            {"clips", 0, "N", "experts: test clips, spread over the split (default 60; 0 = all)"},
            {"seeds", 0, "S", "experts: generator seeds per clip (default 3)"},
            {"experts-dir", 0, "DIR",
             "motion, experts: ls.pt, mn.pt, vq.pt, gate.pt (default data/models/experts)"},
            {"experts", 0, "on|off|uniform", "motion: the learned generator's experts, as in render (default on)"},
            {"expert-scale", 0, "ls=A,mn=B,vq=C", "motion: scale of each expert's gate, as in render (default 1 each)"},
            {"base-jaw", 0, "on|off", "motion: jawOpen and mouthClose from the base model's chain, as in render (default on)"},
            {"configs", 0, "LIST",
             "experts: configurations (default base,ls,mn,vq,uniform,gate; also gate:ls=2 ..., gate:free = without the base's jaw)"},
            {"portraits", 0, "LIST",
             "experts: portraits rendered for VQ (default obama.jpg, mona_lisa.jpg, illustration.png "
             "of --media; none = no renders)"},
            {"render-clips", 0, "N", "experts: clips rendered per seed and portrait (default 4)"},
            {"render-seconds", 0, "S", "experts: seconds rendered of each (default 4)"},
            {"markdown", 0, "FILE", "experts: also write the table for docs/experts.md"},
            {"json", 0, "FILE", "also write the figures as JSON"},
            {"quiet", 'q', "", "no progress on stderr"}},
       .min_positionals = 1,
       .max_positionals = 1},
      run_eval};
  return command;
}

}  // namespace parla::cli
