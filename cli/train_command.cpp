// `parla train corpus --hours H --seed S -o DIR` and `parla train corpus-stats DIR`:
// the synthetic training corpus (train/, docs/corpus.md).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include "cli/commands.h"
#include "cli/torch_commands.h"
#include "cli/pipeline.h"
#include "cli/progress.h"
#include "experts/experts.h"
#include "train/train.h"

namespace parla::cli {
namespace {

int run_corpus(const ParsedArgs& args) {
  auto out_dir = args.value("output");
  if (!out_dir) throw InputError("missing -o DIR (see parla train --help)");
  train::CorpusParams params;
  params.hours = args.number("hours", 1.0, 1e-4, 1000);
  params.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
  params.workers = static_cast<int>(args.integer("workers", 2, 1, 64));
  params.shard_minutes = args.number("shard-minutes", 10.0, 0.05, 600);
  bool quiet = args.has("quiet");
  std::optional<Progress> progress;  // the shard count is known once generation starts
  train::CorpusSummary s = train::generate_corpus(params, *out_dir, [&](int done, int total) {
    if (!progress) progress.emplace("corpus", total, !quiet);
    progress->update(done);
  });
  char summary[200];
  std::snprintf(summary, sizeof summary,
                "wrote %d clips (%.3f h of audio) in %d shards to %s in %.1f s (%.0fx real time)",
                s.clips, s.audio_hours, s.shards, out_dir->c_str(), s.wall_seconds,
                s.audio_hours * 3600 / std::max(s.wall_seconds, 1e-9));
  if (!progress) progress.emplace("corpus", 1, false);
  progress->finish(quiet ? "" : summary);
  return 0;
}

int run_base(const ParsedArgs& args) {
  train::BaseTrainParams params;
  auto corpus = args.value("corpus");
  auto out_dir = args.value("output");
  if (!corpus || !out_dir) throw InputError("parla train base needs --corpus DIR and -o DIR");
  params.corpus = *corpus;
  params.out_dir = *out_dir;
  params.cache_dir = args.value_or("cache", "");
  params.steps = static_cast<int>(args.integer("steps", params.steps, 1, 10000000));
  params.max_minutes = args.number("minutes", 0, 0, 1e6);
  params.batch = static_cast<int>(args.integer("batch", params.batch, 1, 4096));
  params.learning_rate = args.number("lr", params.learning_rate, 1e-7, 1);
  params.threads = static_cast<int>(args.integer("threads", params.threads, 1, 64));
  params.checkpoint_every = static_cast<int>(args.integer("checkpoint-every", params.checkpoint_every, 1, 1000000));
  params.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
  params.d_model = static_cast<int>(args.integer("d-model", params.d_model, 8, 1024));
  params.layers = static_cast<int>(args.integer("layers", params.layers, 1, 32));
  params.encoder_channels = static_cast<int>(args.integer("encoder-channels", params.encoder_channels, 8, 1024));
  params.init = args.value_or("init", "");
  if (!params.init.empty()) check_input_file(params.init, "weight file");
  params.pure_noise_share = args.number("pure-noise", params.pure_noise_share, 0, 1);
  params.closure_weight = args.number("closure-weight", params.closure_weight, 1, 100);
  params.spread_weight = args.number("spread-weight", params.spread_weight, 0, 100);
  params.spread_jaw_only = args.has("spread-jaw-only");
  params.warp = args.number("warp", params.warp, 0, 0.3);
  params.nonspeech_share = args.number("nonspeech", params.nonspeech_share, 0, 1);
  params.realtalk = args.value_or("realtalk", "");
  params.real_labels = args.value_or("real-labels", "");
  params.real_share = args.number("real-share", params.real_share, 0, 1);
  params.real_variants = static_cast<int>(args.integer("real-variants", params.real_variants, 1, 64));
  params.real_speaker_power = args.number("real-speaker-power", params.real_speaker_power, 0, 1);
  params.real_warp = args.number("real-warp", params.real_warp, 0, 0.3);
  params.real_as_published = args.has("real-as-published");
  params.real_shut_at_zero = args.has("real-shut-zero");
  if (params.d_model % 4 != 0) throw InputError("--d-model must be a multiple of 4 (the attention heads)");
  bool quiet = args.has("quiet");
  train::BaseTrainReport r = train::train_base(params, [&](const train::BaseTrainReport& report) {
    if (!quiet) {
      std::fprintf(stderr, "step %d/%d  train %.4f  val %.4f  %.0f s\n", report.step, params.steps,
                   report.train_loss, report.val_loss, report.seconds);
    }
  });
  if (!quiet) {
    std::fprintf(stderr, "%s at step %d (val loss %.4f); weights in %s\n",
                 r.finished ? "finished" : "stopped (resume with the same command)", r.step, r.val_loss,
                 (params.out_dir / "base.pt").c_str());
  }
  return 0;
}

std::vector<std::filesystem::path> path_list(const std::string& list) {
  std::vector<std::filesystem::path> paths;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) paths.emplace_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return paths;
}

int run_critic(const ParsedArgs& args) {
  train::CriticTrainParams params;
  auto corpus = args.value("corpus");
  auto out_dir = args.value("output");
  if (!corpus || !out_dir) throw InputError("parla train critic needs --corpus DIR and -o DIR");
  params.corpus = *corpus;
  params.out_dir = *out_dir;
  params.realtalk = args.value_or("realtalk", "");
  params.portraits = path_list(args.value_or("portraits", sample_portrait_path()));
  for (const auto& p : params.portraits) check_input_file(p, "portrait");
  params.heads = args.value_or("heads", params.heads);
  params.label_clips = static_cast<int>(args.integer("label-clips", params.label_clips, 1, 1000000));
  params.rendered_clips = static_cast<int>(args.integer("rendered-clips", params.rendered_clips, 0, 1000000));
  params.real_clip_limit = static_cast<int>(args.integer("real-clips", 0, 0, 1000000));
  const int steps = static_cast<int>(args.integer("steps", 0, 0, 10000000));
  params.ls_steps = steps ? steps : params.ls_steps;
  params.mn_steps = steps ? steps : params.mn_steps;
  params.vq_steps = steps ? steps : params.vq_steps;
  params.batch = static_cast<int>(args.integer("batch", params.batch, 2, 4096));
  params.learning_rate = args.number("lr", params.learning_rate, 1e-7, 1);
  params.threads = static_cast<int>(args.integer("threads", params.threads, 1, 64));
  params.checkpoint_every = static_cast<int>(args.integer("checkpoint-every", params.checkpoint_every, 1, 1000000));
  params.max_minutes = args.number("minutes", 0, 0, 1e6);
  params.seed = static_cast<std::uint64_t>(args.integer("seed", 1, 0, 1LL << 53));
  const bool quiet = args.has("quiet");
  train::train_critic(params, [&](const train::CriticTrainReport& r) {
    if (quiet) return;
    if (r.head.rfind("data: ", 0) == 0) {
      std::fprintf(stderr, "%s\n", r.head.c_str());
    } else {
      std::fprintf(stderr, "%s step %d/%d  train loss %.4f  val %.3f  %.0f s\n", r.head.c_str(), r.step,
                   r.steps, r.train_loss, r.val_metric, r.seconds);
    }
  });
  if (!quiet) std::fprintf(stderr, "critic heads in %s (ls.pt, mn.pt, vq.pt)\n", out_dir->c_str());
  return 0;
}

// `parla train real-labels --realtalk DIR -o FILE [--corpus DIR]`: tracks every realtalk
// clip into the label cache and prints each speaker's jawOpen mapping.
int run_real_labels(const ParsedArgs& args) {
  auto dir = args.value("realtalk");
  auto out = args.value("output");
  if (!dir || !out) throw InputError("parla train real-labels needs --realtalk DIR and -o FILE");
  if (auto corpus = args.value("corpus")) {
    train::CorpusReader reader(*corpus);
    const auto q = train::synthetic_jaw_quantiles(reader, train::Split::Train);
    std::printf("synthetic labels (train split of %s), jawOpen over speech frames: p10 %.4f p50 %.4f p90 %.4f\n",
                corpus->c_str(), q[0], q[1], q[2]);
  }
  const bool quiet = args.has("quiet");
  auto clips = train::real_labels(*dir, *out, [&](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "%s\n", line.c_str());
  });
  std::printf("%-42s %5s %5s %6s %6s %6s %6s\n", "speaker", "split", "clips", "s", "p10", "p50", "p90");
  std::set<std::string> done;
  for (size_t i = 0; i < clips.size(); ++i) {
    if (!done.insert(clips[i].speaker).second) continue;
    const std::string& last = clips[i].speaker;
    int n = 0;
    double seconds = 0;
    for (const auto& c : clips) {
      if (c.speaker == last) ++n, seconds += c.frames() / 25.0;
    }
    const auto& q = clips[i].speaker_quantiles;
    std::printf("%-42s %5s %5d %6.1f %6.3f %6.3f %6.3f\n", last.c_str(),
                std::string(train::split_name(clips[i].split)).c_str(), n, seconds, q[0], q[1], q[2]);
  }
  return 0;
}

// `parla train prefs --corpus DIR -o DIR`: the preference set (docs/experts.md).
int run_prefs(const ParsedArgs& args) {
  train::PrefsParams params;
  auto corpus = args.value("corpus");
  auto out_dir = args.value("output");
  if (!corpus || !out_dir) throw InputError("parla train prefs needs --corpus DIR and -o DIR");
  params.corpus = *corpus;
  params.out_dir = *out_dir;
  params.base_weights = args.value_or("weights", "");
  params.critic_dir = args.value_or("critic", "");
  params.realtalk = args.value_or("realtalk", "");
  params.portraits = path_list(args.value_or("portraits", sample_portrait_path()));
  for (const auto& p : params.portraits) check_input_file(p, "portrait");
  params.candidates = static_cast<int>(args.integer("candidates", params.candidates, 2, 64));
  params.steps = static_cast<int>(args.integer("steps", params.steps, 1, 50));
  params.max_clips = static_cast<int>(args.integer("clips", 0, 0, 10000000));
  params.clips_per_shard = static_cast<int>(args.integer("clips-per-shard", params.clips_per_shard, 1, 100000));
  params.vq_every = static_cast<int>(args.integer("vq-every", params.vq_every, 0, 100000));
  params.max_minutes = args.number("minutes", 0, 0, 1e6);
  if (auto part = args.value("part")) {
    int used = 0;
    if (std::sscanf(part->c_str(), "%d/%d%n", &params.part_index, &params.part_count, &used) != 2 ||
        used != static_cast<int>(part->size()))
      throw InputError("--part '" + *part + "': expected I/N with 0 ≤ I < N (e.g. 0/2 and 1/2)");
  }
  params.seed = static_cast<std::uint64_t>(args.integer("seed", 1, 0, 1LL << 53));
  const bool quiet = args.has("quiet");
  train::PrefsSummary s = train::build_prefs(params, [&](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "%s\n", line.c_str());
  });
  std::printf("preference set %s: %d clips (%d with VQ renders), %lld candidates, %.1f min of audio, "
              "%d shards%s, %.0f s\n",
              out_dir->c_str(), s.clips, s.vq_clips, static_cast<long long>(s.candidates), s.seconds / 60,
              s.shards, s.complete ? "" : " (incomplete: run again to continue)", s.wall_seconds);
  std::fputs(train::prefs_report(train::read_prefs(*out_dir), train::DpoParams{}.margin).c_str(), stdout);
  return 0;
}

// `parla train expert --dimension ls|mn|vq` and `parla train gate`: Diffusion-DPO.
int run_dpo(const ParsedArgs& args, const std::string& what) {
  train::DpoParams params;
  auto corpus = args.value("corpus");
  auto prefs = args.value("prefs");
  auto out_dir = args.value("output");
  if (!corpus || !prefs || !out_dir)
    throw InputError("parla train " + std::string(what == "gate" ? "gate" : "expert") +
                     " needs --corpus DIR, --prefs DIR and -o DIR");
  params.corpus = *corpus;
  params.prefs = *prefs;
  params.out_dir = *out_dir;
  params.what = what;
  params.base_weights = args.value_or("weights", "");
  params.experts_dir = args.value_or("experts-dir", "");
  if (what == "gate" && params.experts_dir.empty())
    throw InputError("parla train gate needs --experts-dir DIR (ls.pt, mn.pt, vq.pt)");
  params.rank = static_cast<int>(args.integer("rank", params.rank, 1, 64));
  params.steps = static_cast<int>(args.integer("steps", params.steps, 1, 10000000));
  params.batch = static_cast<int>(args.integer("batch", params.batch, 1, 4096));
  params.learning_rate = args.number("lr", params.learning_rate, 1e-7, 1);
  params.beta = args.number("beta", params.beta, 1e-3, 1e7);
  params.margin = args.number("margin", params.margin, 0, 100);
  params.anchor = args.number("anchor", params.anchor, 0, 1e6);
  if (auto on = args.value("anchor-on")) params.anchor_channels = split_list(*on);
  params.anchor_time = args.number("anchor-t", params.anchor_time, 0, 1);
  params.rank_without_mouth = args.has("rank-without-mouth");
  params.critic_dir = args.value_or("critic", "");
  params.keep_mouth = args.number("keep-mouth", params.keep_mouth, 0, 1e9);
  if (auto keep = args.value("keep")) params.keep_channels = split_list(*keep);
  if (auto drop = args.value("drop")) params.drop_channels = split_list(*drop);
  params.full_share = args.number("full-share", params.full_share, 0, 1);
  params.gate_pairs = args.value_or("pairs", params.gate_pairs);
  if (auto floor = args.value("gate-floor")) params.gate_floor = parse_per_expert(*floor, "--gate-floor", 0, 2);
  params.threads = static_cast<int>(args.integer("threads", params.threads, 1, 64));
  params.checkpoint_every = static_cast<int>(args.integer("checkpoint-every", params.checkpoint_every, 1, 1000000));
  params.max_minutes = args.number("minutes", 0, 0, 1e6);
  params.seed = static_cast<std::uint64_t>(args.integer("seed", 1, 0, 1LL << 53));
  const bool quiet = args.has("quiet");
  train::DpoReport r = train::train_dpo(params, [&](const train::DpoReport& r) {
    if (!quiet)
      std::fprintf(stderr, "%s step %d/%d  loss %.4f  acc %.3f  val loss %.4f  val acc %.3f  %.0f s\n",
                   what.c_str(), r.step, r.steps, r.loss, r.accuracy, r.val_loss, r.val_accuracy, r.seconds);
  });
  if (!quiet)
    std::fprintf(stderr, "%s in %s%s\n", (what == "gate" ? "gate.pt" : what + ".pt").c_str(),
                 out_dir->c_str(), r.finished ? "" : " (not finished: run again to continue)");
  return 0;
}

int run_train(const ParsedArgs& args) {
  const std::string& what = args.positionals.at(0);
  if (what == "corpus") {
    if (args.positionals.size() != 1)
      throw InputError("parla train corpus takes no positional arguments");
    return run_corpus(args);
  }
  if (what == "base") {
    if (args.positionals.size() != 1) throw InputError("parla train base takes no positional arguments");
    return run_base(args);
  }
  if (what == "critic") {
    if (args.positionals.size() != 1) throw InputError("parla train critic takes no positional arguments");
    return run_critic(args);
  }
  if (what == "real-labels") {
    if (args.positionals.size() != 1) throw InputError("parla train real-labels takes no positional arguments");
    return run_real_labels(args);
  }
  if (what == "prefs" || what == "expert" || what == "gate") {
    if (args.positionals.size() != 1)
      throw InputError("parla train " + what + " takes no positional arguments");
    if (what == "prefs") return run_prefs(args);
    if (what == "gate") return run_dpo(args, "gate");
    auto dim = args.value("dimension");
    if (!dim || !train::dimension_from_name(*dim))
      throw InputError("parla train expert needs --dimension ls|mn|vq");
    return run_dpo(args, *dim);
  }
  if (what == "merge") {
    auto out = args.value("output");
    if (args.positionals.size() != 3 || !out)
      throw InputError("usage: parla train merge A.pt B.pt --mix F -o OUT.pt");
    const double mix = args.number("mix", 0.5, 0.0, 1.0);
    const std::filesystem::path inputs[] = {args.positionals[1], args.positionals[2]};
    experts::MotionModel a = experts::load_model(inputs[0]);
    experts::MotionModel b = experts::load_model(inputs[1]);
    experts::MotionModel merged = experts::interpolate_models(a, b, mix);
    experts::save_model(merged, *out, inputs);
    if (!args.has("quiet"))
      std::fprintf(stderr, "%s = %.3g x %s + %.3g x %s\n", out->c_str(), 1.0 - mix,
                   args.positionals[1].c_str(), mix, args.positionals[2].c_str());
    return 0;
  }
  if (what == "corpus-stats") {
    if (args.positionals.size() != 2) throw InputError("usage: parla train corpus-stats DIR");
    train::CorpusReader reader(args.positionals[1]);
    std::fputs(train::corpus_stats_report(reader).c_str(), stdout);
    return 0;
  }
  throw InputError("unknown training step '" + what + "' (see parla train --help)");
}

}  // namespace

const Command& train_command() {
  static const Command command{
      {.name = "train",
       .positionals = "corpus | corpus-stats DIR | base | critic | real-labels | prefs | expert | gate | merge A B",
       .summary = std::string(torch_command_summary("train")),
       .details = "corpus: TTS speech (espeak-ng, flite, festival) in many voices and languages with\n"
                  "exact phone timings, coarticulated mouth labels, prosody-driven head/brow/blink/gaze\n"
                  "labels and audio augmentation, in shards with train/val/test splits (test holds out\n"
                  "voices and two languages). Deterministic for a seed. See docs/corpus.md.\n"
                  "corpus-stats DIR: hours per engine/language/voice/split, viseme and channel statistics.\n"
                  "base --corpus DIR -o DIR: trains the base motion denoiser (experts/); writes\n"
                  "checkpoint.pt (resumable: run the same command again), base.pt (EMA weights),\n"
                  "loss.csv and loss.png into DIR after every checkpoint. With --realtalk DIR it\n"
                  "co-trains on the train speakers' tracked jawOpen (docs/real_speakers.md).\n"
                  "real-labels --realtalk DIR -o FILE: tracks every realtalk clip into a label cache\n"
                  "and prints each speaker's jawOpen quantiles (--corpus: the synthetic ones too).\n"
                  "critic --corpus DIR --realtalk DIR -o DIR: the Talking-Critic heads (LS, MN, VQ) on\n"
                  "corpus labels, corpus clips rendered on portraits and tracked back, and real talking\n"
                  "faces (split by speaker); writes data/ (cache), checkpoint-*.pt (resumable),\n"
                  "loss-*.csv/png and ls.pt, mn.pt, vq.pt into DIR (docs/critic.md).\n"
                  "prefs --corpus DIR -o DIR: the preference set: --candidates K motions per train clip\n"
                  "from the base model, scored by the critic heads (VQ on renders of every --vq-every-th\n"
                  "clip); sharded, checksummed, resumable (docs/experts.md).\n"
                  "expert --dimension ls|mn|vq --corpus DIR --prefs DIR -o DIR: one LoRA expert trained\n"
                  "with Diffusion-DPO on pairs ranked by that head; writes DIR/<dimension>.pt.\n"
                  "gate --corpus DIR --prefs DIR --experts-dir DIR -o DIR: the timestep x layer gate,\n"
                  "experts frozen, DPO on pairs ranked by all heads; writes DIR/gate.pt.\n"
                  "merge A.pt B.pt --mix F -o OUT.pt: (1 - F) x A + F x B, parameter by parameter, of two\n"
                  "base models fine-tuned from one start (docs/real_speakers.md).",
       .options = {{"output", 'o', "DIR", "corpus directory, absent or empty (corpus); run directory (base)"},
                   {"corpus", 0, "DIR", "corpus to train on (base)"},
                   {"cache", 0, "DIR", "feature cache directory (base; default DIR/cache)"},
                   {"steps", 0, "N", "optimiser steps of the whole run (base: default 6000; critic: per head, default 2500/3000/2000 for ls/mn/vq)"},
                   {"minutes", 0, "M", "stop after M minutes, resumable (base; default no limit)"},
                   {"batch", 0, "B", "windows per step (base; default 16)"},
                   {"lr", 0, "LR", "peak learning rate (base; default 1e-3)"},
                   {"threads", 0, "N", "torch threads (base; default 1)"},
                   {"checkpoint-every", 0, "N", "steps between checkpoints (base; default 200)"},
                   {"d-model", 0, "D", "transformer width (base; default 128)"},
                   {"layers", 0, "L", "transformer blocks (base; default 4)"},
                   {"encoder-channels", 0, "C", "audio encoder width (base; default 128)"},
                   {"init", 0, "FILE", "start from these weights, their config and normalisation (base)"},
                   {"pure-noise", 0, "P", "share of windows trained at t = 1 (base; default 0.25)"},
                   {"closure-weight", 0, "W", "loss weight on shut mouthClose labels (base; default 3)"},
                   {"spread-weight", 0, "W", "weight of the one-step lips' per-window amplitude term (base; default 0)"},
                   {"spread-jaw-only", 0, "", "that term on jawOpen alone, not every mouth channel (base)"},
                   {"nonspeech", 0, "P", "share of windows with music, noise or silence audio (base; default 0.15)"},
                   {"warp", 0, "A", "vocal-tract warp range of the mel axis, 1 +- A (base; default 0.1)"},
                   {"realtalk", 0, "DIR", "real talking faces with MANIFEST.tsv (critic, base, real-labels)"},
                   {"real-labels", 0, "FILE", "tracked realtalk label cache (base; default CACHE/realtalk-labels.bin)"},
                   {"real-share", 0, "P", "share of windows from real clips (base with --realtalk; default 0.3)"},
                   {"real-variants", 0, "N", "audio versions per real clip, clean + augmented (base; default 8)"},
                   {"real-speaker-power", 0, "P", "speaker share of real windows ~ frames^P: 1 by frames, 0 equal (base; default 1)"},
                   {"real-warp", 0, "A", "vocal-tract warp range of real windows (base; default 0 = --warp)"},
                   {"real-as-published", 0, "", "real labels as published, not moved onto the audio of clips the critic reads out of sync (base)"},
                   {"real-shut-zero", 0, "", "below a speaker's p10 the real jawOpen map runs to 0 at shut lips (base)"},
                   {"portraits", 0, "LIST", "comma-separated portraits to render on (critic; default sample)"},
                   {"heads", 0, "LIST", "heads to train (critic; default ls,mn,vq)"},
                   {"label-clips", 0, "N", "corpus train clips as labels (critic; default 1500)"},
                   {"rendered-clips", 0, "N", "corpus train clips rendered and tracked back (critic; default 100)"},
                   {"real-clips", 0, "N", "use only the first N realtalk clips (critic; default all)"},
                   {"prefs", 0, "DIR", "preference set (expert, gate)"},
                   {"dimension", 0, "D", "ls, mn or vq (expert)"},
                   {"experts-dir", 0, "DIR", "the frozen experts ls.pt mn.pt vq.pt (gate)"},
                   {"weights", 0, "FILE", "base model (prefs, expert, gate; default data/models/base/base.pt)"},
                   {"critic", 0, "DIR", "critic heads (prefs; --rank-without-mouth; default data/models/critic)"},
                   {"candidates", 0, "K", "candidate motions per clip (prefs; default 8)"},
                   {"clips", 0, "N", "use the first N train clips (prefs; default all)"},
                   {"clips-per-shard", 0, "N", "clips per shard (prefs; default 64)"},
                   {"vq-every", 0, "N", "render every N-th clip's candidates for VQ, 0 = none (prefs; default 8)"},
                   {"part", 0, "I/N", "make only shard s with s % N == I: N processes in parallel, then once without (prefs)"},
                   {"rank", 0, "R", "LoRA rank (expert; default 4)"},
                   {"anchor", 0, "A", "weight of the corpus-label anchor against drift (expert, gate; default 0)"},
                   {"anchor-on", 0, "LIST", "the channels the anchor holds to the labels, e.g. jawOpen (default the DPO error's)"},
                   {"anchor-t", 0, "T", "diffusion time of the anchor's windows, 0..1; 1 = where the lips are read (default drawn)"},
                   {"keep-mouth", 0, "W", "lock the mouth channels to the base model with weight W (mn, vq; ls and gate with --keep; default 0)"},
                   {"keep", 0, "LIST", "the mouth channels --keep-mouth locks, e.g. jawOpen (expert, gate; default all 8)"},
                   {"drop", 0, "LIST", "mouth channels left out of the DPO error, no lock, e.g. mouthClose (expert, gate)"},
                   {"rank-without-mouth", 0, "", "MN ranks the candidates given one shared mouth and blinks (mn, gate; default the set's scores)"},
                   {"full-share", 0, "P", "share of pairs from clips all three heads scored (gate; default 0)"},
                   {"pairs", 0, "RULE", "how the heads rank a pair: mean, balanced, pareto (gate; default mean)"},
                   {"gate-floor", 0, "LIST", "least g the gate may give an expert, e.g. vq=1 (gate; default 0 each)"},
                   {"beta", 0, "B", "DPO temperature (expert, gate; default 200)"},
                   {"margin", 0, "M", "score logits a winner leads by (expert, gate; default 0.5)"},
                   {"mix", 0, "F", "share of the second weight file (merge; default 0.5)"},
                   {"hours", 0, "H", "hours of audio to generate (default 1)"},
                   {"seed", 0, "S", "random seed (default 0)"},
                   {"workers", 0, "N", "worker processes (default 2)"},
                   {"shard-minutes", 0, "M", "audio minutes per shard (default 10)"},
                   {"quiet", 'q', "", "no progress or summary on stderr"}},
       .min_positionals = 1,
       .max_positionals = 3},
      run_train};
  return command;
}

}  // namespace parla::cli
