// The critic's video input (`parla score VIDEO`): critic::analyze_video opens the file
// with video::VideoReader, decodes its frames, and reads its audio with
// audio::decode_audio (an AudioDecoder). The face tracking after that needs dlib's
// models (seconds per input), so this harness fuzzes the container and decoding part:
// the same VideoReader calls (open, info, read_frame) and, when the file has audio, the
// same decoder, without LibTorch or dlib. Frames must match the size the reader reports
// and stay within the image limits. At most kMaxFrames frames and kMaxSeconds of audio
// are read per input.
#include <cmath>
#include <vector>

#include "audio/audio.h"
#include "fuzz/fuzz_support.h"
#include "video/video.h"

namespace {
constexpr int kMaxFrames = 12;
constexpr std::int64_t kMaxSeconds = 10;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parla;
  static fuzz::MemoryFile file;
  const std::filesystem::path& path = file.hold(data, size);
  bool has_audio = false;
  // VideoReader: InputError on opening, Error for a decode failure mid-stream.
  fuzz::expect_clean(path.string(), fuzz::Allow::AnyParlaError, [&] {
    video::VideoReader reader(path);
    const video::VideoInfo& info = reader.info();
    if (info.width <= 0 || info.height <= 0) fuzz::fail("opened a video without a frame size");
    has_audio = info.has_audio;
    fuzz::note("codec " + info.codec);
    fuzz::note("audio", info.has_audio ? 1 : 0);
    fuzz::note("width", fuzz::magnitude(static_cast<std::uint64_t>(info.width)));
    Image frame;
    int frames = 0;
    for (int i = 0; i < kMaxFrames && reader.read_frame(frame); ++i, ++frames) {
      if (frame.empty() || frame.rgb.size() != static_cast<std::size_t>(frame.width) * frame.height * 3) {
        fuzz::fail("decoded a frame whose buffer does not match its size");
      }
      if (!std::isfinite(reader.frame_time_seconds())) fuzz::fail("non-finite frame time");
    }
    fuzz::note("frames", fuzz::magnitude(static_cast<std::uint64_t>(frames)));
  });
  if (!has_audio) return 0;
  fuzz::expect_clean(path.string(), fuzz::Allow::AnyParlaError, [&] {
    audio::AudioDecoder decoder(path);
    std::vector<float> chunk(16000);
    std::int64_t samples = 0;
    fuzz::note("audio codec " + decoder.info().codec);
    while (std::size_t n = decoder.read(chunk)) {
      for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(chunk[i])) fuzz::fail("decoder handed out a non-finite sample");
      }
      samples += static_cast<std::int64_t>(n);
      if (samples >= kMaxSeconds * audio::kSampleRate) break;
    }
  });
  return 0;
}
