// Private to cli: what `parla batch` leaves beside its outputs (docs/batch.md): the
// summary JSON written at the end (also after SIGINT/SIGTERM), and an append-only log
// of every finished job under DIR/.parla-batch/, which survives a crash or SIGKILL.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "cli/batch_jobs.h"

namespace parla::cli {

enum class JobStatus {
  NotRun,       // never started: the run was interrupted first
  Done,         // rendered now
  Skipped,      // its output already existed (complete: render renames into place)
  Failed,       // error holds the reason; the other jobs went on
  Interrupted,  // in flight at SIGINT/SIGTERM: its temporary was removed
};
const char* status_name(JobStatus status);  // "not_run", "done", ...

struct JobOutcome {
  JobStatus status = JobStatus::NotRun;
  std::string error;     // one line, failed jobs only
  double seconds = 0.0;  // wall time of the render (0 when skipped or not run)
};

struct BatchRunInfo {
  std::filesystem::path jobs_file;  // absolute
  std::filesystem::path out_dir;    // absolute
  int shard_index = 0;              // 0-based
  int shard_count = 1;              // 1 = no --shard
  bool sharded = false;             // --shard given
  int jobs_in_file = 0;
  int workers = 1;
  std::chrono::system_clock::time_point started;
  double seconds = 0.0;       // wall time of the whole run
  int interrupt_signal = 0;   // 0, or the signal that stopped the run
};

// DIR/batch-summary.json, or DIR/batch-summary-shardI.json with --shard.
std::filesystem::path batch_summary_path(const BatchRunInfo& run);

// Writes the summary (schema in docs/batch.md) through a temporary and a rename.
// `jobs` are this shard's, `outcomes` beside them.
void write_batch_summary(const BatchRunInfo& run, const std::vector<const BatchJob*>& jobs,
                         const std::vector<JobOutcome>& outcomes);

// DIR/.parla-batch/log[-shardI].tsv: one line per finished job (UTC time, status, job
// index, jobs-file line, output, seconds, host, pid), appended with one write each.
// Thread-safe.
class BatchLog {
 public:
  explicit BatchLog(const BatchRunInfo& run);
  void record(const BatchJob& job, const JobOutcome& outcome);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::string host_;
  std::mutex mutex_;  // one line at a time
};

}  // namespace parla::cli
