// Portrait images (`render PORTRAIT`, `fit`, `play`): video::load_image, as the CLI
// calls it on a path: Parla's own PNG / JPEG / WebP header reader and size limits,
// FFmpeg's image demuxers and decoders, the RGB conversion and the EXIF orientation.
// A decoded image must be non-empty, inside the size limits, and hold w x h x 3 bytes.
extern "C" {
#include <libavformat/avformat.h>
}

#include <vector>

#include "fuzz/fuzz_support.h"
#include "video/video.h"

namespace {

// The demuxer FFmpeg's probe picks for these bytes, as a feature (fuzz::note).
void note_format(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> buffer(data, data + size);
  buffer.resize(size + AVPROBE_PADDING_SIZE, 0);
  AVProbeData probe{};
  probe.filename = "";
  probe.buf = buffer.data();
  probe.buf_size = static_cast<int>(size);
  const AVInputFormat* format = av_probe_input_format(&probe, 1);
  parla::fuzz::note(std::string("format ") + (format ? format->name : "none"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parla;
  static fuzz::MemoryFile file;
  const std::filesystem::path& path = file.hold(data, size);
  note_format(data, size);
  fuzz::expect_clean(path.string(), fuzz::Allow::InputErrorOnly, [&] {
        const Image image = video::load_image(path);
        if (image.width <= 0 || image.height <= 0) fuzz::fail("decoded an empty image");
        if (image.width > video::kMaxImageSide || image.height > video::kMaxImageSide ||
            static_cast<std::int64_t>(image.width) * image.height > video::kMaxImagePixels) {
          fuzz::fail("decoded an image beyond the size limits");
        }
        if (image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3) {
          fuzz::fail("image buffer size differs from width x height x 3");
        }
        fuzz::note("width", fuzz::magnitude(static_cast<std::uint64_t>(image.width)));
        fuzz::note("height", fuzz::magnitude(static_cast<std::uint64_t>(image.height)));
      });
  return 0;
}
