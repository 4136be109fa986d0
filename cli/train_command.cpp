// `parla train corpus --hours H --seed S -o DIR` and `parla train corpus-stats DIR`:
// the synthetic training corpus (train/, docs/corpus.md).
#include <algorithm>
#include <cstdio>
#include <optional>

#include "cli/commands.h"
#include "cli/progress.h"
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

int run_train(const ParsedArgs& args) {
  const std::string& what = args.positionals.at(0);
  if (what == "corpus") {
    if (args.positionals.size() != 1)
      throw InputError("parla train corpus takes no positional arguments");
    return run_corpus(args);
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
       .positionals = "corpus | corpus-stats DIR",
       .summary = "training steps: synthesize the speech-and-motion corpus, report on it",
       .details =
           "corpus: TTS speech (espeak-ng, flite, festival) in many voices and languages with\n"
           "exact phone timings, coarticulated mouth labels, prosody-driven head/brow/blink/gaze\n"
           "labels and audio augmentation, in shards with train/val/test splits (test holds out\n"
           "voices and two languages). Deterministic for a seed. See docs/corpus.md.\n"
           "corpus-stats DIR: hours per engine/language/voice/split, viseme and channel "
           "statistics.",
       .options = {{"output", 'o', "DIR", "corpus directory, absent or empty (corpus)"},
                   {"hours", 0, "H", "hours of audio to generate (default 1)"},
                   {"seed", 0, "S", "random seed (default 0)"},
                   {"workers", 0, "N", "worker processes (default 2)"},
                   {"shard-minutes", 0, "M", "audio minutes per shard (default 10)"},
                   {"quiet", 'q', "", "no progress or summary on stderr"}},
       .min_positionals = 1,
       .max_positionals = 2},
      run_train};
  return command;
}

}  // namespace parla::cli
