// Audio front-end speed on one thread: decode-only and decode + features (× real time)
// on a few minutes of synthetic speech in MP3, and the peak RSS of streaming a
// one-hour FLAC through AudioDecoder + FeatureExtractor. Inputs are generated with
// espeak-ng and the ffmpeg CLI under /tmp and reused by later runs.
//
//   build/bench/bench_audio [minutes=3]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "bench/support.h"

namespace fs = std::filesystem;
using namespace parla;
using bench::report;

namespace {

const fs::path kDir = fs::temp_directory_path() / "parla-bench-audio";

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", command.c_str());
    std::exit(1);
  }
}

// A few minutes of espeak-ng speech with varied sentences, as 44.1 kHz stereo MP3
// (what users hand in), and the same speech looped to one hour as 16 kHz mono FLAC.
void make_inputs(int minutes, fs::path& speech_mp3, fs::path& hour_flac) {
  fs::create_directories(kDir);
  fs::path wav = kDir / ("speech_" + std::to_string(minutes) + "min.wav");
  speech_mp3 = kDir / ("speech_" + std::to_string(minutes) + "min.mp3");
  hour_flac = kDir / "speech_1h.flac";
  if (!fs::exists(speech_mp3)) {
    const char* paragraph =
        "The north wind and the sun were disputing which was the stronger, when a traveller "
        "came along wrapped in a warm cloak. They agreed that the one who first succeeded in "
        "making the traveller take his cloak off should be considered stronger than the other. "
        "Then the north wind blew as hard as he could, but the more he blew the more closely "
        "did the traveller fold his cloak around him; and at last the north wind gave up the "
        "attempt. Then the sun shone out warmly, and immediately the traveller took off his "
        "cloak. And so the north wind was obliged to confess that the sun was the stronger. ";
    fs::path text = kDir / "speech.txt";
    FILE* f = std::fopen(text.c_str(), "w");
    for (int i = 0; i < 5 * minutes; ++i) std::fputs(paragraph, f);  // ~40 s each
    std::fclose(f);
    fs::path raw = kDir / "espeak.wav";
    run("espeak-ng -s 170 -w '" + raw.string() + "' -f '" + text.string() + "'");
    run("ffmpeg -nostdin -v error -y -i '" + raw.string() + "' -t " + std::to_string(60 * minutes) +
        " -ar 16000 -ac 1 '" + wav.string() + "'");
    run("ffmpeg -nostdin -v error -y -i '" + wav.string() +
        "' -ar 44100 -af 'pan=stereo|c0=c0|c1=c0' -c:a libmp3lame -b:a 128k '" +
        speech_mp3.string() + "'");
  }
  if (!fs::exists(hour_flac)) {
    run("ffmpeg -nostdin -v error -y -stream_loop -1 -i '" + wav.string() +
        "' -t 3600 -c:a flac '" + hour_flac.string() + "'");
  }
}

struct Timing {
  double wall_seconds;
  double cpu_seconds;
};

template <typename Body>
Timing best_of(int runs, Body body) {
  Timing best{1e30, 1e30};
  for (int r = 0; r < runs; ++r) {
    bench::Stopwatch wall;
    double cpu0 = bench::process_cpu_seconds();
    body();
    best.wall_seconds = std::min(best.wall_seconds, wall.seconds());
    best.cpu_seconds = std::min(best.cpu_seconds, bench::process_cpu_seconds() - cpu0);
  }
  return best;
}

// Streams a file through decoder and extractor, dropping frames as a consumer would.
int64_t stream_features(const fs::path& path) {
  audio::AudioDecoder decoder(path);
  audio::FeatureExtractor extractor;
  audio::Features features;
  std::vector<float> chunk(4096);
  int64_t frames = 0;
  while (size_t n = decoder.read(chunk)) {
    extractor.push({chunk.data(), n}, features);
    frames += static_cast<int64_t>(features.frames.size());
    features.frames.clear();
  }
  extractor.finish(features);
  return frames + static_cast<int64_t>(features.frames.size());
}

}  // namespace

int main(int argc, char** argv) {
  const int minutes = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  fs::path speech_mp3, hour_flac;
  make_inputs(minutes, speech_mp3, hour_flac);
  std::printf("inputs: %s, %s (1 thread)\n", speech_mp3.c_str(), hour_flac.c_str());

  // Streaming the hour first, so VmHWM measures it and nothing else.
  double rss_before = bench::current_rss_mib();
  bench::Stopwatch hour_clock;
  int64_t hour_frames = stream_features(hour_flac);
  double hour_seconds = hour_clock.seconds();
  report("1 h FLAC streamed: frames", static_cast<double>(hour_frames), "");
  report("1 h FLAC streamed: decode+features speed", 3600.0 / hour_seconds, "x real time (wall)");
  report("1 h FLAC streamed: RSS before", rss_before, "MiB");
  report("1 h FLAC streamed: peak RSS", bench::peak_rss_mib(), "MiB");

  std::vector<float> pcm;
  Timing decode = best_of(3, [&] { pcm = audio::decode_audio(speech_mp3); });
  const double audio_seconds = static_cast<double>(pcm.size()) / audio::kSampleRate;
  Timing features = best_of(3, [&] {
    audio::Features f = audio::compute_features(pcm);
    if (f.frames.empty()) std::abort();
  });
  Timing both = best_of(3, [&] { stream_features(speech_mp3); });
  // Reference: one memcpy pass over the same PCM, 100 times, in this run.
  std::vector<float> copy(pcm.size());
  Timing memcpy_pass = best_of(3, [&] {
    for (int i = 0; i < 100; ++i) {
      std::memcpy(copy.data(), pcm.data(), pcm.size() * sizeof(float));
      asm volatile("" : : "r"(copy.data()) : "memory");
    }
  });

  std::printf("%.1f s of 44.1 kHz stereo MP3 speech, best of 3:\n", audio_seconds);
  report("decode only (MP3 -> 16 kHz mono)", audio_seconds / decode.cpu_seconds,
         "x real time (CPU)");
  report("features only", audio_seconds / features.cpu_seconds, "x real time (CPU)");
  report("decode + features, streamed", audio_seconds / both.cpu_seconds, "x real time (CPU)");
  report("decode + features, streamed", audio_seconds / both.wall_seconds, "x real time (wall)");
  report("reference: features time / decode time", features.cpu_seconds / decode.cpu_seconds, "");
  report("reference: decode+features time / 100 memcpy", both.cpu_seconds / memcpy_pass.cpu_seconds,
         "");
  report("feature cost per frame", features.cpu_seconds / (audio_seconds * 100) * 1e6, "us");
  return 0;
}
