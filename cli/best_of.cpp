// --best-of N: sample the candidates, rank them with the installed scorer, print the
// choice (cli/best_of.h).
#include "cli/best_of.h"

#include <cstdio>
#include <string>

#include "fusion/fusion.h"

namespace parla::cli {
namespace {

CandidateScorer& scorer() {
  static CandidateScorer instance;
  return instance;
}

}  // namespace

void set_candidate_scorer(CandidateScorer s) { scorer() = std::move(s); }
bool has_candidate_scorer() { return static_cast<bool>(scorer()); }

OptionSpec best_of_option() {
  return {"best-of", 0, "N",
          "sample N candidates (seeds S..S+N-1), keep the one the critic's LS and MN heads rank "
          "best, 1..64"};
}

bool asks_best_of(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--best-of" || a.rfind("--best-of=", 0) == 0) return true;
  }
  return false;
}

std::uint64_t choose_best_seed(const std::filesystem::path& audio, const MotionOptions& options,
                               int n, bool allow_silence) {
  if (!has_candidate_scorer()) {
    throw InputError("--best-of needs the critic (parla render / parla motion; not in batch jobs)");
  }
  std::vector<MotionTrack> candidates;
  for (int i = 0; i < n; ++i) {
    MotionOptions candidate = options;
    candidate.params.seed = options.params.seed + static_cast<std::uint64_t>(i);
    auto generator = fusion::make_generator(candidate.generator, candidate.params);
    AudioScan scan;
    candidates.push_back(
        motion_from_audio(audio, *generator, allow_silence, /*show_progress=*/false, scan));
    candidates.back().fps = kMotionFps;
  }
  const std::vector<std::pair<float, float>> scores = scorer()(audio, candidates);
  int best = 0;
  std::string list;
  for (int i = 0; i < n; ++i) {
    const auto [ls, mn] = scores.at(i);
    if (ls + mn > scores[best].first + scores[best].second) best = i;
    char item[96];
    std::snprintf(item, sizeof item, "%s%llu: LS %.1f MN %.1f", i ? ", " : "",
                  static_cast<unsigned long long>(options.params.seed + i), ls, mn);
    list += item;
  }
  const std::uint64_t seed = options.params.seed + static_cast<std::uint64_t>(best);
  std::fprintf(stderr, "best of %d: seed %llu, LS %.1f, MN %.1f (candidates: %s)\n", n,
               static_cast<unsigned long long>(seed), scores[best].first, scores[best].second,
               list.c_str());
  return seed;
}

}  // namespace parla::cli
