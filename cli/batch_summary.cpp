#include "cli/batch_summary.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/core.h"

namespace parla::cli {
namespace {

namespace fs = std::filesystem;

std::string utc_iso(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

std::string shard_suffix(const BatchRunInfo& run) {
  return run.sharded ? "-shard" + std::to_string(run.shard_index) : "";
}

std::string signal_name(int signo) {
  switch (signo) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "signal " + std::to_string(signo);
  }
}

// Milliseconds are plenty for job times; fewer digits keep the file readable.
double rounded(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

}  // namespace

const char* status_name(JobStatus status) {
  switch (status) {
    case JobStatus::NotRun: return "not_run";
    case JobStatus::Done: return "done";
    case JobStatus::Skipped: return "skipped";
    case JobStatus::Failed: return "failed";
    case JobStatus::Interrupted: return "interrupted";
  }
  return "?";
}

fs::path batch_summary_path(const BatchRunInfo& run) {
  return run.out_dir / ("batch-summary" + shard_suffix(run) + ".json");
}

void write_batch_summary(const BatchRunInfo& run, const std::vector<const BatchJob*>& jobs,
                         const std::vector<JobOutcome>& outcomes) {
  nlohmann::ordered_json totals = {{"jobs", jobs.size()}};
  for (JobStatus s : {JobStatus::Done, JobStatus::Skipped, JobStatus::Failed, JobStatus::Interrupted,
                      JobStatus::NotRun}) {
    totals[status_name(s)] = 0;
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobOutcome& o = outcomes[i];
    totals[status_name(o.status)] = totals[status_name(o.status)].get<int>() + 1;
    list.push_back({{"index", jobs[i]->index},
                    {"line", jobs[i]->line},
                    {"output", jobs[i]->output_name},
                    {"status", status_name(o.status)},
                    {"seconds", rounded(o.seconds)},
                    {"error", o.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.error)}});
  }
  nlohmann::ordered_json doc = {
      {"parla_version", PARLA_VERSION},
      {"jobs_file", run.jobs_file.string()},
      {"out", run.out_dir.string()},
      {"shard", run.sharded ? nlohmann::ordered_json{{"index", run.shard_index}, {"count", run.shard_count}}
                            : nlohmann::ordered_json(nullptr)},
      {"jobs_in_file", run.jobs_in_file},
      {"workers", run.workers},
      {"host", host_name()},
      {"pid", ::getpid()},
      {"started", utc_iso(run.started)},
      {"seconds", rounded(run.seconds)},
      {"interrupted_by", run.interrupt_signal ? nlohmann::ordered_json(signal_name(run.interrupt_signal))
                                              : nlohmann::ordered_json(nullptr)},
      {"totals", totals},
      {"jobs", list}};
  const fs::path path = batch_summary_path(run);
  fs::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << doc.dump(1) << "\n";
    if (!out) throw Error("cannot write the batch summary " + quoted(temp));
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw Error("cannot write the batch summary " + quoted(path));
  }
}

BatchLog::BatchLog(const BatchRunInfo& run)
    : path_(run.out_dir / ".parla-batch" / ("log" + shard_suffix(run) + ".tsv")), host_(host_name()) {
  std::error_code ec;
  fs::create_directories(path_.parent_path(), ec);
  if (ec) throw InputError("cannot create " + quoted(path_.parent_path()) + ": " + ec.message());
}

void BatchLog::record(const BatchJob& job, const JobOutcome& outcome) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", outcome.seconds);
  std::string line = utc_iso(std::chrono::system_clock::now()) + "\t" + status_name(outcome.status) + "\t" +
                     std::to_string(job.index) + "\t" + std::to_string(job.line) + "\t" + job.output_name +
                     "\t" + seconds + "\t" + host_ + "\t" + std::to_string(::getpid()) + "\n";
  std::lock_guard lock(mutex_);
  // O_APPEND and one write(): a line is never torn, even across processes on one host.
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;  // the log is a record; the outputs and the summary are the truth
  ssize_t ignored = ::write(fd, line.data(), line.size());
  (void)ignored;
  ::close(fd);
}

}  // namespace parla::cli
