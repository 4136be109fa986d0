// Corpus generation: the corpus is cut into shards of a fixed audio duration; shard k
// depends only on (seed, k), so any worker can make it and the result is the same.
// Each shard is made in its own forked process (espeak-ng keeps global state), at most
// `workers` at a time; the parent watches finished shards for progress and finally
// writes corpus.json, which lists the shards and the corpus' design.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "train/clip_maker.h"
#include "train/shard.h"
#include "train/text.h"

namespace parla::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kBabbleSources = 8;         // recent clean clips kept for babble noise
constexpr double kMaxFailureShare = 0.2;  // more failed syntheses than this is an error

// Makes shard `shard` holding `quota_s` seconds of audio.
void make_shard(const CorpusParams& params, const fs::path& dir, int shard, double quota_s,
                ClipMaker& maker) {
  std::uint64_t shard_seed = derive_seed(params.seed, static_cast<std::uint64_t>(shard));
  std::vector<Clip> clips;
  std::deque<std::vector<float>> recent;
  std::set<std::string> unmapped;
  double total_s = 0;
  int attempts = 0;
  std::vector<std::string> failures;  // "clip id: engine message"

  for (int clip_index = 0; total_s < quota_s; ++clip_index) {
    ClipPlan plan = plan_clip(params, shard_seed, shard, clip_index);
    ++attempts;
    std::vector<float> clean;
    try {
      std::vector<std::vector<float>> babble(recent.begin(), recent.end());
      clips.push_back(maker.make(plan, babble, clean, unmapped));
    } catch (const Error& e) {
      failures.push_back(plan.meta.id + ": " + e.what());
      if (attempts >= 10 && static_cast<double>(failures.size()) > kMaxFailureShare * attempts) {
        throw Error("shard " + std::to_string(shard) + ": " + std::to_string(failures.size()) +
                    " of " + std::to_string(attempts) +
                    " syntheses failed; last: " + failures.back());
      }
      continue;
    }
    total_s += static_cast<double>(clips.back().audio.size()) / kSampleRate;
    recent.push_back(std::move(clean));
    if (recent.size() > kBabbleSources) recent.pop_front();
  }
  write_shard(dir, shard, clips, std::vector<std::string>(unmapped.begin(), unmapped.end()),
              failures);
}

// Makes shard `shard` in a fresh child process and returns its pid. A fresh process per
// shard means no engine state (espeak-ng keeps some between utterances) carries from one
// shard to the next, so shard k is the same whichever worker slot makes it and when.
pid_t start_shard_process(const CorpusParams& params, const fs::path& dir, int shard,
                          double quota_s) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  int code = 0;
  fs::path scratch = fs::temp_directory_path() / ("parla-corpus-" + std::to_string(getpid()));
  try {
    ClipMaker maker(scratch.string());
    make_shard(params, dir, shard, quota_s, maker);
  } catch (const std::exception& e) {
    write_text_file(dir / (".shard-" + std::to_string(shard) + ".error"), e.what());
    code = 1;
  }
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  std::fflush(nullptr);
  _exit(code);
}

json corpus_index(const CorpusParams& params, int shards) {
  json index{{"format", "parla-corpus"},
             {"version", kShardFormatVersion},
             {"seed", params.seed},
             {"hours", params.hours},
             {"shard_minutes", params.shard_minutes},
             {"engine_shares",
              {{"festival", params.festival_share},
               {"flite", params.flite_share},
               {"espeak-ng", 1 - params.festival_share - params.flite_share}}},
             {"held_out_languages", held_out_languages()}};
  json voices = json::array();
  for (const VoiceSpec& v : voice_catalogue()) {
    voices.push_back({{"engine", v.engine},
                      {"voice", v.voice},
                      {"language", v.language},
                      {"held_out", v.held_out}});
  }
  index["voices"] = voices;
  json sources = json::array();
  for (const TextSource& s : text_sources()) {
    sources.push_back({{"language", s.language}, {"package", s.package}, {"path", s.path}});
  }
  index["text_sources"] = sources;
  json shard_list = json::array();
  for (int k = 0; k < shards; ++k) shard_list.push_back(shard_name(k) + ".json");
  index["shards"] = shard_list;
  return index;
}

int finished_shards(const fs::path& dir, int shards) {
  int done = 0;
  for (int k = 0; k < shards; ++k) done += fs::exists(dir / (shard_name(k) + ".json"));
  return done;
}

}  // namespace

CorpusSummary generate_corpus(const CorpusParams& params, const fs::path& out_dir,
                              const ProgressFn& progress) {
  if (!(params.hours > 0) || params.hours > 1000) throw InputError("--hours must be in (0, 1000]");
  if (params.workers < 1 || params.workers > 64) throw InputError("workers must be 1..64");
  if (!(params.shard_minutes > 0)) throw InputError("shard minutes must be positive");
  if (params.festival_share < 0 || params.flite_share < 0 ||
      params.festival_share + params.flite_share > 1) {
    throw InputError("engine shares must be non-negative and sum to at most 1");
  }
  if (fs::exists(out_dir) && (!fs::is_directory(out_dir) || !fs::is_empty(out_dir))) {
    throw InputError("output directory " + quoted(out_dir) + " exists and is not empty");
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec)
    throw InputError("cannot create output directory " + quoted(out_dir) + ": " + ec.message());
  auto start = std::chrono::steady_clock::now();

  double total_s = params.hours * 3600, shard_s = params.shard_minutes * 60;
  int shards = std::max(1, static_cast<int>(std::ceil(total_s / shard_s - 1e-9)));
  std::vector<double> quotas(static_cast<size_t>(shards), shard_s);
  quotas.back() = total_s - shard_s * (shards - 1);
  for (const TextSource& s : text_sources()) {  // fail early, before forking, on missing text
    if (!fs::exists(s.path)) {
      throw InputError("text source " + parla::quoted(s.path) +
                       " is missing (install Debian package " + s.package +
                       ", see scripts/setup.sh)");
    }
  }

  load_text_pools();  // once, before forking: every shard process inherits them
  // Keep `workers` shard processes running; start the next shard when one ends.
  std::map<pid_t, int> running;  // pid → shard
  int next_shard = 0;
  std::vector<int> failed;
  while (next_shard < shards || !running.empty()) {
    while (next_shard < shards && static_cast<int>(running.size()) < params.workers &&
           failed.empty()) {
      pid_t pid =
          start_shard_process(params, out_dir, next_shard, quotas[static_cast<size_t>(next_shard)]);
      if (pid < 0) throw Error("cannot start a corpus shard process");
      running[pid] = next_shard++;
    }
    if (!failed.empty() && running.empty()) break;
    int status = 0;
    pid_t done = waitpid(-1, &status, WNOHANG);
    if (done > 0 && running.count(done)) {
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed.push_back(running[done]);
      running.erase(done);
      continue;
    }
    if (progress) progress(finished_shards(out_dir, shards), shards);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!failed.empty()) {
    std::string message = "corpus generation failed";
    for (int shard : failed) {
      fs::path err = out_dir / (".shard-" + std::to_string(shard) + ".error");
      message += fs::exists(err) ? ": " + read_text_file(err)
                                 : ": shard " + std::to_string(shard) + " process died";
    }
    throw Error(message);
  }
  OutputFile index_file(out_dir / kCorpusIndexName);
  write_text_file(index_file.temp_path(), corpus_index(params, shards).dump(1));
  index_file.commit();
  if (progress) progress(shards, shards);

  CorpusReader reader(out_dir);
  CorpusSummary summary;
  summary.shards = shards;
  summary.clips = static_cast<int>(reader.clips().size());
  for (const ClipRef& c : reader.clips())
    summary.audio_hours += c.samples / double(kSampleRate) / 3600;
  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace parla::train
