// `parla batch JOBS.tsv --out DIR [--shard I/N] [--jobs K]`: many renders in one
// process (docs/batch.md). Start-up is paid once: the learned model is read once per
// worker (a PlainModel holds scratch, so each worker thread has its own) and dlib's face
// fitter once per process (video::fit_face, const and thread-safe). Workers take the
// shard's jobs in order from one atomic counter; each job is a whole `parla render`
// (render_from_args), so its output appears only complete. Jobs whose output exists
// are skipped, failures are recorded and the rest go on, and SIGINT/SIGTERM stop the
// in-flight renders (their temporaries removed) before the summary is written.
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "cli/audio_input.h"
#include "cli/batch_jobs.h"
#include "cli/batch_summary.h"
#include "cli/commands.h"
#include "cli/render_job.h"
#include "experts/runtime.h"

namespace parla::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Shard {
  int index = 0;  // 0-based
  int count = 1;
};

// "I/N" with 0 <= I < N: the jobs whose index % N == I.
Shard parse_shard(const std::string& text) {
  Shard shard;
  int used = 0;
  if (std::sscanf(text.c_str(), "%d/%d%n", &shard.index, &shard.count, &used) != 2 ||
      used != static_cast<int>(text.size()) || shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    throw InputError("--shard expects I/N with 0 <= I < N (I is 0-based, like a Slurm array 0-(N-1)), got '" +
                     excerpt(text) + "'");
  }
  return shard;
}

// CPUs this process may run on (a Slurm allocation or taskset narrows it).
int usable_cpus() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// A worker's model, lent to each job's generator (which owns its network by pointer).
class BorrowedNetwork final : public experts::MotionNetwork {
 public:
  explicit BorrowedNetwork(experts::MotionNetwork& model) : model_(model) {}
  const experts::ModelConfig& config() const override { return model_.config(); }
  void normalize_features(float* features, int rows) const override { model_.normalize_features(features, rows); }
  void denormalize_motion(float* motion, int rows) const override { model_.denormalize_motion(motion, rows); }
  void encode(const float* features, int frames, float* tokens) override { model_.encode(features, frames, tokens); }
  void denoise(const float* x, const experts::Role* roles, const float* tokens, int frames, float t,
               const experts::PlainLoraMix* lora, float* v) override {
    model_.denoise(x, roles, tokens, frames, t, lora, v);
  }

 private:
  experts::MotionNetwork& model_;
};

// The learned models one worker thread has loaded, by weight file; used by that thread only.
class WorkerModels {
 public:
  std::unique_ptr<fusion::MotionGenerator> make_generator(const MotionOptions& options) {
    if (options.generator != "learned") return fusion::make_generator(options.generator, options.params);
    const fs::path weights =
        options.params.weights.empty() ? fusion::default_learned_weights() : options.params.weights;
    std::unique_ptr<experts::PlainModel>& model = models_[weights.string()];
    if (!model) model = std::make_unique<experts::PlainModel>(weights);
    return fusion::make_learned_generator(options.params, std::make_unique<BorrowedNetwork>(*model));
  }

 private:
  std::map<std::string, std::unique_ptr<experts::PlainModel>> models_;
};

// Removes what a killed earlier run left of this job: OutputFile's temporaries are
// ".STEM.partial-PID-N.EXT" beside the output. Only this shard renders this job.
void remove_stale_partials(const fs::path& output) {
  const std::string prefix = "." + output.stem().string() + ".partial-";
  const std::string extension = output.extension().string();
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(output.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > extension.size() &&
        name.compare(name.size() - extension.size(), extension.size(), extension) == 0) {
      fs::remove(entry.path(), ec);
    }
  }
}

std::string one_line(std::string message) {
  for (char& c : message) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return capped_message(name_inputs_in_message(message));
}

JobOutcome run_job(const BatchJob& job, WorkerModels& models) {
  JobOutcome outcome;
  std::error_code ec;
  if (fs::is_regular_file(job.output, ec)) {
    outcome.status = JobStatus::Skipped;
    return outcome;
  }
  const Clock::time_point start = Clock::now();
  try {
    check_interrupted();
    fs::create_directories(job.output.parent_path());
    remove_stale_partials(job.output);
    ParsedArgs args = job.args;
    args.set("quiet", "");  // the batch prints one line per job instead
    render_from_args(args, [&](const MotionOptions& options) { return models.make_generator(options); });
    outcome.status = JobStatus::Done;
  } catch (const Interrupted&) {
    outcome.status = JobStatus::Interrupted;
  } catch (const fs::filesystem_error& e) {
    outcome.status = JobStatus::Failed;
    outcome.error = one_line("cannot create the folder of " + quoted(job.output) + ": " + e.code().message());
  } catch (const std::exception& e) {
    outcome.status = JobStatus::Failed;
    outcome.error = one_line(e.what());
  }
  outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return outcome;
}

int run_batch(const ParsedArgs& args) {
  const fs::path jobs_file = args.positionals.at(0);
  auto out = args.value("out");
  if (!out || out->empty()) throw InputError("missing --out DIR (see parla batch --help)");
  const Shard shard = args.has("shard") ? parse_shard(*args.value("shard")) : Shard{};
  const bool quiet = args.has("quiet");

  BatchRunInfo run;
  run.started = std::chrono::system_clock::now();
  run.jobs_file = fs::absolute(jobs_file).lexically_normal();
  run.out_dir = fs::absolute(*out).lexically_normal();
  run.shard_index = shard.index;
  run.shard_count = shard.count;
  run.sharded = args.has("shard");
  const std::vector<BatchJob> jobs = read_batch_jobs(jobs_file, run.out_dir);
  run.jobs_in_file = static_cast<int>(jobs.size());
  std::error_code ec;
  fs::create_directories(run.out_dir, ec);
  if (ec || !fs::is_directory(run.out_dir)) {
    throw InputError("cannot create the output folder " + quoted(run.out_dir) +
                     (ec ? ": " + ec.message() : ": a file of that name exists"));
  }
  std::vector<const BatchJob*> mine;
  for (const BatchJob& job : jobs) {
    if (job.index % shard.count == shard.index) mine.push_back(&job);
  }
  const int total = static_cast<int>(mine.size());
  run.workers = static_cast<int>(args.integer("jobs", usable_cpus(), 1, 256));
  run.workers = std::max(1, std::min(run.workers, total));
  BatchLog log(run);
  if (!quiet) {
    std::fprintf(stderr, "parla batch: %s: %d job%s", jobs_file.c_str(), run.jobs_in_file,
                 run.jobs_in_file == 1 ? "" : "s");
    if (run.sharded) std::fprintf(stderr, ", shard %d/%d takes %d", shard.index, shard.count, total);
    std::fprintf(stderr, "; %d worker%s -> %s\n", run.workers, run.workers == 1 ? "" : "s", run.out_dir.c_str());
  }

  std::vector<JobOutcome> outcomes(mine.size());
  std::atomic<size_t> next{0};
  std::mutex print_mutex;
  int finished = 0;  // guarded by print_mutex
  auto work = [&] {
    WorkerModels models;
    for (;;) {
      if (interrupt_signal()) return;  // the rest stay not_run
      const size_t i = next++;
      if (i >= mine.size()) return;
      outcomes[i] = run_job(*mine[i], models);
      const JobOutcome& o = outcomes[i];
      if (o.status == JobStatus::Done || o.status == JobStatus::Failed) log.record(*mine[i], o);
      std::lock_guard lock(print_mutex);
      ++finished;
      if (quiet && o.status != JobStatus::Failed) continue;
      std::fprintf(stderr, "parla batch: [%d/%d] %s %s", finished, total, status_name(o.status),
                   mine[i]->output_name.c_str());
      if (o.status == JobStatus::Failed) std::fprintf(stderr, " (line %d): %s\n", mine[i]->line, o.error.c_str());
      else if (o.status == JobStatus::Done) std::fprintf(stderr, " (%.2f s)\n", o.seconds);
      else std::fputc('\n', stderr);
    }
  };
  std::vector<std::thread> workers;
  for (int w = 1; w < run.workers; ++w) workers.emplace_back(work);
  work();
  for (std::thread& t : workers) t.join();

  run.seconds = std::chrono::duration<double>(std::chrono::system_clock::now() - run.started).count();
  run.interrupt_signal = interrupt_signal();
  write_batch_summary(run, mine, outcomes);
  std::map<JobStatus, int> counts;
  for (const JobOutcome& o : outcomes) ++counts[o.status];
  if (!quiet || counts[JobStatus::Failed] > 0 || run.interrupt_signal) {
    std::fprintf(stderr, "parla batch: %d done, %d skipped, %d failed", counts[JobStatus::Done],
                 counts[JobStatus::Skipped], counts[JobStatus::Failed]);
    if (run.interrupt_signal) {
      std::fprintf(stderr, ", %d interrupted, %d not run", counts[JobStatus::Interrupted], counts[JobStatus::NotRun]);
    }
    std::fprintf(stderr, " in %.1f s; summary %s\n", run.seconds, batch_summary_path(run).c_str());
  }
  if (run.interrupt_signal) return 128 + run.interrupt_signal;
  return counts[JobStatus::Failed] > 0 ? 1 : 0;
}

CommandSpec batch_spec() {
  return {.name = "batch",
          .positionals = "JOBS.tsv",
          .summary = "render many jobs from a TSV file in one process (resumable, shardable)",
          .details = "JOBS.tsv: one job a line, tab-separated: PORTRAIT, AUDIO, OUTPUT and optionally\n"
                     "render options (\"--size 256 --seed 3\"). '#' lines and blank lines are skipped, and a\n"
                     "first line 'portrait<TAB>audio<TAB>output...' names the columns. Inputs are relative\n"
                     "to the jobs file's folder, outputs to --out. A job whose output exists is skipped\n"
                     "(outputs appear only complete), so a rerun resumes. A failed job is recorded and\n"
                     "the rest go on. DIR/batch-summary[-shardI].json lists every job at the end.\n"
                     "Exit codes: 0 all done or skipped, 1 some failed, 2 bad usage or jobs file,\n"
                     "128+N stopped by signal N (in-flight outputs dropped, summary written).\n"
                     "See docs/batch.md.",
          .options = {{"out", 0, "DIR", "folder the outputs are written under (created if missing; required)"},
                      {"shard", 0, "I/N", "take only the jobs whose index % N == I (I from 0: N machines split a list)"},
                      {"jobs", 'j', "K", "jobs rendered at once, one worker thread each (default: usable CPUs)"},
                      {"quiet", 'q', "", "print only failures and the final line"}},
          .min_positionals = 1,
          .max_positionals = 1};
}

}  // namespace

const Command& batch_command() {
  static const Command command{batch_spec(), run_batch};
  return command;
}

}  // namespace parla::cli
