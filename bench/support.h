// Tiny helpers for benchmarks: wall/CPU clocks, peak RSS and a uniform result line.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace parla::bench {

// Seconds of wall time since construction.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// CPU seconds used by this process (all threads).
double process_cpu_seconds();
// CPU seconds used by the calling thread: time the scheduler gives other processes is
// not counted (micro-benchmarks on a shared machine).
double thread_cpu_seconds();
// The median of `values` (the upper one of an even count); values must not be empty.
double median(std::vector<double> values);
// Peak resident set size of this process in MiB (VmHWM).
double peak_rss_mib();
// Current resident set size in MiB (VmRSS).
double current_rss_mib();
// Prints "name: value unit" and a reference comparison when given, one line.
void report(const std::string& name, double value, const std::string& unit);

}  // namespace parla::bench
