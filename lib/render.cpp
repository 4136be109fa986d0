// The facade's whole-clip uses: render to an MP4 or to RGBA frames, motion only. Each
// runs the stages of pipeline/ exactly as `parla render` and `parla motion` do.
#include <cmath>

#include "lib/params.h"

namespace parla {
namespace {

// Thrown from the frame sink when the caller's callback returned false.
struct StopRequested {};

RenderResult result_of(std::int64_t frames, const video::Renderer& renderer, const pipeline::AudioScan& scan) {
  return {.frames = frames, .width = renderer.width(), .height = renderer.height(), .audio_seconds = scan.seconds()};
}

}  // namespace

const char* version() { return PARLA_VERSION; }

std::filesystem::path sample_portrait() { return data_dir() / "sample" / "portrait.png"; }
std::filesystem::path sample_audio() { return data_dir() / "sample" / "speech.flac"; }

std::string_view channel_name(Channel channel) { return channel_info(channel).name; }

RenderResult render_file(const Params& params, const std::filesystem::path& portrait,
                         const std::filesystem::path& audio, const std::filesystem::path& output) {
  lib::check_params(params);
  if (output.extension() != ".mp4") {
    throw InputError("cannot write output " + quoted(output) + ": the file name must end in .mp4");
  }
  video::Mp4Params mp4 = lib::mp4_params(params);
  check_input_file(portrait, "portrait");
  check_input_file(audio, "audio");
  auto generator = fusion::make_generator(params.generator, lib::generator_params(params, audio));
  OutputFile out(output, {portrait, audio});
  std::unique_ptr<video::Renderer> renderer = lib::make_renderer(params, portrait);
  pipeline::Mp4Output writer(out.temp_path(), mp4, audio, renderer->width(), renderer->height());
  pipeline::AudioScan scan;
  const std::int64_t frames = pipeline::render_generated(
      *renderer, audio, *generator, params.fps, params.allow_silence, scan,
      [&](std::int64_t i, const Image& picture, const std::array<int, 4>& changed) { writer.write(i, picture, changed); });
  writer.finish(scan.seconds());
  out.commit();
  return result_of(frames, *renderer, scan);
}

RenderResult render_file(const Params& params, const std::filesystem::path& portrait, const Pcm& audio,
                         const std::filesystem::path& output) {
  lib::TempAudio temp(audio);
  return render_file(params, portrait, temp.path(), output);
}

RenderResult render_frames(const Params& params, const std::filesystem::path& portrait,
                           const std::filesystem::path& audio, const FrameCallback& on_frame) {
  lib::check_params(params);
  check_input_file(portrait, "portrait");
  check_input_file(audio, "audio");
  auto generator = fusion::make_generator(params.generator, lib::generator_params(params, audio));
  std::unique_ptr<video::Renderer> renderer = lib::make_renderer(params, portrait);
  pipeline::AudioScan scan;
  std::vector<std::uint8_t> rgba;
  std::int64_t delivered = 0;
  try {
    pipeline::render_generated(*renderer, audio, *generator, params.fps, params.allow_silence, scan,
                               [&](std::int64_t i, const Image& picture, const std::array<int, 4>&) {
                                 lib::to_rgba(picture, rgba);
                                 Picture p{picture.width, picture.height, rgba.data(), i, i / params.fps};
                                 ++delivered;
                                 if (!on_frame(p)) throw StopRequested{};
                               });
  } catch (const StopRequested&) {
    // The motion thread has been stopped and joined on the way out.
  }
  return result_of(delivered, *renderer, scan);
}

RenderResult render_frames(const Params& params, const std::filesystem::path& portrait, const Pcm& audio,
                           const FrameCallback& on_frame) {
  lib::TempAudio temp(audio);
  return render_frames(params, portrait, temp.path(), on_frame);
}

std::vector<MotionFrame> generate_motion(const Params& params, const std::filesystem::path& audio) {
  lib::check_params(params);
  check_input_file(audio, "audio");
  auto generator = fusion::make_generator(params.generator, lib::generator_params(params, audio));
  pipeline::AudioScan scan;
  return pipeline::motion_from_audio(audio, *generator, params.allow_silence, scan).frames;
}

std::vector<MotionFrame> generate_motion(const Params& params, const Pcm& audio) {
  lib::TempAudio temp(audio);
  return generate_motion(params, temp.path());
}

}  // namespace parla
