// Private to cli: `--best-of N` of render and motion (issue #11): N whole-file candidate
// tracks with seeds seed .. seed+N-1, ranked by the critic's LS and MN heads; the command
// then runs as with `--seed` of the best, so its output is exactly that seed's. The
// critic needs LibTorch: `parla` hands such a command to parla-torch (cli.cpp), which
// installs the scorer before running it (torch_cli.cpp, best_of_critic.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "cli/args.h"
#include "cli/pipeline.h"

namespace parla::cli {

inline constexpr int kMaxBestOf = 64;

// (LS, MN) scores, 0..100, of each candidate track of one audio file.
using CandidateScorer = std::function<std::vector<std::pair<float, float>>(
    const std::filesystem::path& audio, std::span<const MotionTrack> candidates)>;
void set_candidate_scorer(CandidateScorer scorer);
bool has_candidate_scorer();
// Installs the critic's heads as the scorer (best_of_critic.cpp, in parla-torch only).
void install_critic_scorer();

// The --best-of option of render and motion.
OptionSpec best_of_option();
// True when `args` (after the command name) ask for --best-of: parla execs parla-torch.
bool asks_best_of(const std::vector<std::string>& args);

// The seed of the best of N candidates of `audio` (the mean of LS and MN, highest
// first), sampled with options.params and seeds options.params.seed + i. Prints "best of
// N: seed S, LS x, MN y (candidates: ...)" to stderr. InputError without a scorer.
std::uint64_t choose_best_seed(const std::filesystem::path& audio, const MotionOptions& options,
                               int n, bool allow_silence);

}  // namespace parla::cli
