// The renderer's WorkerPool against oneTBB's parallel_for and a std::async per call, as
// the renderer uses them: each call runs `bands` tasks on `threads` threads (the caller
// works too) and returns when all are done. Two loads: empty tasks (the cost of a call
// itself) and tasks of a given CPU time (a 512² frame is ~3.5 ms of CPU in 6 bands on 2
// threads, docs/benchmarks.md "Render"). The three run interleaved in each repeat; the
// figures are medians of wall time per call over the repeats, and ratios to WorkerPool
// in the same repeat; for empty calls also the process CPU time per call, where threads
// that spin while they wait for work show.
//
//   build/bench/bench_pool [repeats=15] [threads=2] [bands=6] [band_us=580]
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <future>
#include <string>
#include <vector>

#include "bench/support.h"
#include "video/rig_internal.h"

using namespace parla;

namespace {

// Runs `count` tasks on `threads` threads: one std::async per extra thread, per call.
void run_async(int threads, int count, const std::function<void(int)>& task) {
  std::atomic<int> next{0};
  auto work = [&] {
    for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) task(i);
  };
  std::vector<std::future<void>> helpers;
  for (int t = 1; t < threads; ++t) helpers.push_back(std::async(std::launch::async, work));
  work();
  for (auto& h : helpers) h.get();
}

// About `iterations` dependent multiply-adds: CPU work that no compiler removes.
float spin(long iterations, float seed) {
  float x = seed;
  for (long i = 0; i < iterations; ++i) x = x * 0.999999f + 1e-7f;
  return x;
}

struct Candidate {
  std::string name;
  std::function<void(int, const std::function<void(int)>&)> run;
  std::vector<double> empty_us, loaded_us;  // wall per call, one value per repeat
  std::vector<double> empty_cpu_us;         // process CPU per empty call (spinning shows here)
};

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  const int bands = argc > 3 ? std::max(1, std::atoi(argv[3])) : 6;
  const double band_us = argc > 4 ? std::atof(argv[4]) : 580.0;

  // Iterations per band for band_us of CPU on one thread, timed in thread CPU time so
  // that a loaded machine does not shorten the bands.
  long per_us = 0;
  {
    const double cpu0 = bench::thread_cpu_seconds();
    volatile float sink = spin(20'000'000, 1.f);
    (void)sink;
    per_us = static_cast<long>(20'000'000 / ((bench::thread_cpu_seconds() - cpu0) * 1e6));
  }
  const long band_iterations = static_cast<long>(per_us * band_us);

  video::WorkerPool pool(threads);
  tbb::task_arena arena(threads);
  std::vector<Candidate> candidates;
  candidates.push_back({"WorkerPool",
                        [&](int n, const std::function<void(int)>& f) { pool.run(n, f); },
                        {},
                        {},
                        {}});
  candidates.push_back({"tbb::parallel_for",
                        [&](int n, const std::function<void(int)>& f) {
                          arena.execute([&] {
                            tbb::parallel_for(
                                tbb::blocked_range<int>(0, n, 1),
                                [&](const tbb::blocked_range<int>& r) {
                                  for (int i = r.begin(); i < r.end(); ++i) f(i);
                                },
                                tbb::simple_partitioner());
                          });
                        },
                        {},
                        {}});
  candidates.push_back({"std::async per call",
                        [&](int n, const std::function<void(int)>& f) { run_async(threads, n, f); },
                        {},
                        {}});

  std::vector<float> out(bands);
  const std::function<void(int)> empty = [&](int band) { out[band] += 1.f; };
  const std::function<void(int)> loaded = [&](int band) {
    out[band] += spin(band_iterations, out[band]);
  };
  const int empty_calls = 500, loaded_calls = 20;
  for (int r = 0; r < repeats; ++r) {
    for (Candidate& c : candidates) {
      bench::Stopwatch clock;
      const double cpu0 = bench::process_cpu_seconds();
      for (int i = 0; i < empty_calls; ++i) c.run(bands, empty);
      c.empty_us.push_back(clock.seconds() / empty_calls * 1e6);
      c.empty_cpu_us.push_back((bench::process_cpu_seconds() - cpu0) / empty_calls * 1e6);
    }
    for (Candidate& c : candidates) {
      bench::Stopwatch clock;
      for (int i = 0; i < loaded_calls; ++i) c.run(bands, loaded);
      c.loaded_us.push_back(clock.seconds() / loaded_calls * 1e6);
    }
  }

  std::printf("%d threads, %d bands per call, %d repeats, medians of wall time per call\n", threads,
              bands, repeats);
  std::printf("%-20s %14s %10s %14s %22s %10s\n", "", "empty call us", "ratio", "its CPU us",
              "call of bands, us", "ratio");
  for (const Candidate& c : candidates) {
    std::vector<double> empty_ratio, loaded_ratio;
    for (int r = 0; r < repeats; ++r) {
      empty_ratio.push_back(c.empty_us[r] / candidates[0].empty_us[r]);
      loaded_ratio.push_back(c.loaded_us[r] / candidates[0].loaded_us[r]);
    }
    std::printf("%-20s %14.1f %9.2fx %14.1f %22.0f %9.3fx\n", c.name.c_str(), bench::median(c.empty_us),
                bench::median(empty_ratio), bench::median(c.empty_cpu_us), bench::median(c.loaded_us),
                bench::median(loaded_ratio));
  }
  std::printf("ideal call of bands: %.0f us (%d x %.0f us of CPU over %d threads)\n",
              std::ceil(static_cast<double>(bands) / threads) * band_us, bands, band_us, threads);
  if (out[0] == 12345.f) std::puts("");
  return 0;
}
