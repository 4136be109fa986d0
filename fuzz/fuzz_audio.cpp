// Audio decoding (`motion`, `render`, `live --audio`): audio::AudioDecoder, the wrapper
// every command reads audio through (cli/pipeline.cpp scan_audio and the motion
// stream), opened on the input bytes by path as the CLI opens a file. FFmpeg itself is
// fuzzed upstream (OSS-Fuzz); this exercises Parla's glue: probing, stream choice, the
// sample-rate / channel / duration checks, the resampler set-up and re-set-up on format
// changes, and the per-sample checks. Every sample handed out must be finite and within
// kMaxSampleMagnitude. The harness reads at most kMaxSeconds of output per input: long
// but valid audio is the decoder's job, not a parser bug.
#include <cmath>
#include <vector>

#include "audio/audio.h"
#include "fuzz/fuzz_support.h"

namespace {
constexpr std::int64_t kMaxSeconds = 20;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parla;
  static fuzz::MemoryFile file;
  const std::filesystem::path& path = file.hold(data, size);
  // The decoder's contract: InputError on opening; Error for a failure mid-stream.
  fuzz::expect_clean(path.string(), fuzz::Allow::AnyParlaError, [&] {
        audio::AudioDecoder decoder(path);
        const audio::AudioInfo& info = decoder.info();
        if (info.source_channels < 1 || info.source_channels > audio::kMaxSourceChannels ||
            info.source_sample_rate < audio::kMinSourceSampleRate ||
            info.source_sample_rate > audio::kMaxSourceSampleRate) {
          fuzz::fail("opened audio outside the supported rate or channel count");
        }
        fuzz::note("codec " + info.codec);
        fuzz::note("channels", static_cast<std::uint64_t>(info.source_channels));
        fuzz::note("rate", fuzz::magnitude(static_cast<std::uint64_t>(info.source_sample_rate)));
        std::vector<float> chunk(16000);  // 1 s per read, as scan_audio reads
        std::int64_t samples = 0;
        while (std::size_t n = decoder.read(chunk)) {
          if (n > chunk.size()) fuzz::fail("read() returned more than asked");
          for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(chunk[i]) || std::fabs(chunk[i]) > audio::kMaxSampleMagnitude) {
              fuzz::fail("decoder handed out a non-finite or absurd sample");
            }
          }
          samples += static_cast<std::int64_t>(n);
          if (samples >= kMaxSeconds * audio::kSampleRate) break;
        }
        fuzz::note("samples", fuzz::magnitude(static_cast<std::uint64_t>(samples)));
        fuzz::note("skipped", fuzz::magnitude(static_cast<std::uint64_t>(decoder.skipped_packets())));
      });
  return 0;
}
