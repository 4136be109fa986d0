// End-to-end render speed of the real `parla` binary, as a user runs it: 60 s of speech
// at 512² and 20 s at 1920x1080 --full, each printed as x real time (wall), CPU seconds
// (user + sys of the child) and the child's peak RSS, median of N runs. References in
// the same run: `parla --version` (process start), the bundled sample render with a
// cold and a warm portrait-fit cache, and ffmpeg's libx264 re-encoding the rendered
// frames with the same settings (what the encoder alone costs on this machine now).
//
//   build/bench/bench_e2e [--runs N] [--hour] [-- PARLA RENDER OPTIONS...]
//   PARLA_BENCH_PARLA=/tmp/parla-old build/bench/bench_e2e      # another build
//
// --hour renders one hour of speech (the 60 s clip looped) at the default framing and
// reports its peak RSS (goal ≤ 500 MB); it takes minutes. Options after `--` go to
// every `parla render` (e.g. `-- --preset superfast --crf 20`).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "bench/support.h"

namespace fs = std::filesystem;
using namespace parla;

namespace {

struct ChildRun {
  double wall_s = 0, cpu_s = 0, peak_rss_mib = 0;
};

// Runs argv[0] with argv (no shell), stdout/stderr to /dev/null unless `verbose`;
// exits the bench when the child fails.
ChildRun run_child(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(stdout);  // or the child inherits (and repeats) buffered output
  bench::Stopwatch clock;
  pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    execvp(args[0], args.data());
    std::perror(args[0]);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  ChildRun run;
  run.wall_s = clock.seconds();
  run.cpu_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 + usage.ru_stime.tv_sec +
              usage.ru_stime.tv_usec * 1e-6;
  run.peak_rss_mib = usage.ru_maxrss / 1024.0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string line;
    for (const std::string& a : argv) line += a + " ";
    std::fprintf(stderr, "bench_e2e: failed (status %d): %s\n", status, line.c_str());
    std::exit(1);
  }
  return run;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// Median wall, CPU and RSS of `runs` runs; prints them as one block.
ChildRun measure(const std::string& name, const std::vector<std::string>& argv, int runs,
                 double audio_s) {
  std::vector<double> wall, cpu, rss;
  for (int i = 0; i < runs; ++i) {
    ChildRun r = run_child(argv);
    wall.push_back(r.wall_s), cpu.push_back(r.cpu_s), rss.push_back(r.peak_rss_mib);
  }
  ChildRun m{median(wall), median(cpu), median(rss)};
  if (audio_s > 0) {
    bench::report(name + ", x real time (wall)", audio_s / m.wall_s, "x");
  } else {
    std::printf("%s\n", name.c_str());
  }
  bench::report("  wall (median of " + std::to_string(runs) + ", range " +
                    std::to_string(*std::min_element(wall.begin(), wall.end())).substr(0, 5) + "-" +
                    std::to_string(*std::max_element(wall.begin(), wall.end())).substr(0, 5) + ")",
                m.wall_s, "s");
  bench::report("  CPU (user + sys)", m.cpu_s, "s");
  bench::report("  peak RSS", m.peak_rss_mib, "MiB");
  return m;
}

void shell(const std::string& command) {
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "bench_e2e: failed: %s\n", command.c_str());
    std::exit(1);
  }
}

double load_average() {
  double load = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = 0;
    std::fclose(f);
  }
  return load;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  bool hour = false;
  std::vector<std::string> extra;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--hour") {
      hour = true;
    } else if (a == "--") {
      extra.assign(argv + i + 1, argv + argc);
      break;
    } else {
      std::fprintf(stderr, "usage: bench_e2e [--runs N] [--hour] [-- PARLA RENDER OPTIONS...]\n");
      return 2;
    }
  }
  // PARLA_BENCH_PARLA=/path/to/another/parla compares builds (e.g. an older one).
  const std::string parla = std::getenv("PARLA_BENCH_PARLA") ? std::getenv("PARLA_BENCH_PARLA") : PARLA_BENCH_PARLA_EXE;
  const fs::path data = PARLA_BENCH_DATA_DIR;
  const fs::path dir = fs::temp_directory_path() / "parla-bench-e2e";
  fs::create_directories(dir);
  // A private fit cache: the user's is left alone, and the first run fills this one.
  const fs::path cache = dir / "cache";
  setenv("XDG_CACHE_HOME", cache.c_str(), 1);

  const fs::path speech60 = dir / "speech_60s.wav", speech20 = dir / "speech_20s.wav";
  if (!fs::exists(speech60)) {
    std::string text;
    for (int i = 0; i < 13; ++i) {
      text += "Maybe people should put more pepper in the soup, said the cook, before the bells rang. ";
    }
    shell("espeak-ng -s 160 -w '" + (dir / "raw.wav").string() + "' \"" + text + "\"");
    shell("ffmpeg -nostdin -v error -y -i '" + (dir / "raw.wav").string() + "' -t 60 -ar 16000 -ac 1 '" +
          speech60.string() + "'");
  }
  if (!fs::exists(speech20)) {
    shell("ffmpeg -nostdin -v error -y -i '" + speech60.string() + "' -t 20 '" + speech20.string() + "'");
  }
  // 1080p portrait: shared obama.jpg (else the sample) letterboxed on grey.
  const fs::path wide = dir / "portrait_1080p.png";
  if (!fs::exists(wide)) {
    fs::path source = data / ".." / ".." / "shared" / "media" / "portraits" / "obama.jpg";
    if (!fs::exists(source)) source = data / "sample" / "portrait.png";
    shell("ffmpeg -nostdin -v error -y -i '" + source.string() +
          "' -vf 'scale=-2:1080,pad=1920:1080:(ow-iw)/2:0:gray' -frames:v 1 '" + wide.string() + "'");
  }
  const fs::path portrait = data / "sample" / "portrait.png";
  auto render = [&](const fs::path& picture, const fs::path& audio, std::vector<std::string> options,
                    const fs::path& out) {
    std::vector<std::string> argv{parla, "render", "-q", "-y", picture.string(), audio.string(), "-o", out.string()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  };
  std::string extra_text;
  for (const std::string& e : extra) extra_text += " " + e;
  std::printf("parla: %s%s\nruns: %d, load average at start %.2f (2-core box: compare with the references)\n",
              parla.c_str(), extra_text.c_str(), runs, load_average());

  measure("reference: parla --version (process start)", {parla, "--version"}, runs, 0);

  // `parla render -o out.mp4` (the bundled sample, which ships its fit), then the same
  // portrait and audio named as a user's files: cold = an empty fit cache each run
  // (dlib detection), warm = the entry the run before wrote.
  {
    std::vector<std::string> sample{parla, "render", "-q", "-y", "-o", (dir / "sample.mp4").string()};
    sample.insert(sample.end(), extra.begin(), extra.end());
    measure("bundled sample: parla render -o out.mp4", sample, runs, 0);
    std::vector<double> cold;
    for (int i = 0; i < runs; ++i) {
      fs::remove_all(cache);
      cold.push_back(run_child(render(portrait, data / "sample" / "speech.flac", {}, dir / "sample.mp4")).wall_s);
    }
    bench::report("sample as a user's files, fit cache cold, wall (median)", median(cold), "s");
    measure("sample as a user's files, fit cache warm",
            render(portrait, data / "sample" / "speech.flac", {}, dir / "sample.mp4"), runs, 0);
  }

  const fs::path out512 = dir / "render_512.mp4", out1080 = dir / "render_1080p.mp4";
  run_child(render(wide, speech20, {"--full"}, out1080));  // warms the cache for the 1080p portrait
  measure("60 s speech, 512² crop", render(portrait, speech60, {"--size", "512"}, out512), runs, 60.0);
  measure("20 s speech, 1920x1080 --full", render(wide, speech20, {"--full"}, out1080), runs, 20.0);

  // Reference: ffmpeg's libx264 re-encoding the frames just rendered, with the preset
  // and crf given to parla (defaults otherwise), 2 threads; includes H.264 decoding.
  auto option = [&](const std::string& name, const std::string& fallback) {
    for (size_t i = 0; i + 1 < extra.size(); ++i) {
      if (extra[i] == name) return extra[i + 1];
    }
    return fallback;
  };
  for (const auto& [name, file, seconds] :
       {std::tuple{std::string("reference: ffmpeg decode + x264 of the 512² frames"), out512, 60.0},
        std::tuple{std::string("reference: ffmpeg decode + x264 of the 1080p frames"), out1080, 20.0}}) {
    measure(name,
            {"ffmpeg", "-nostdin", "-v", "error", "-i", file.string(), "-an", "-c:v", "libx264", "-preset",
             option("--preset", "superfast"), "-crf", option("--crf", "20"), "-threads", "2", "-f", "null", "-"},
            runs, seconds);
  }

  if (hour) {
    const fs::path speech_hour = dir / "speech_1h.wav";
    if (!fs::exists(speech_hour)) {
      shell("ffmpeg -nostdin -v error -y -stream_loop 59 -i '" + speech60.string() + "' -c copy '" +
            speech_hour.string() + "'");
    }
    measure("1 hour of speech, default framing", render(portrait, speech_hour, {}, dir / "render_1h.mp4"), 1,
            3600.0);
    bench::report("  goal: peak RSS", 500.0 / 1.048576, "MiB");
    fs::remove(dir / "render_1h.mp4");
  }
  std::printf("load average at end %.2f\n", load_average());
  return 0;
}
