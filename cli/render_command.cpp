// `parla render PORTRAIT AUDIO -o OUT.mp4`: the main job — portrait + speech → MP4.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "audio/audio.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "cli/portrait.h"
#include "cli/progress.h"
#include "video/video.h"

namespace parla::cli {
namespace {

constexpr size_t kMuxChunkSamples = 4800;  // 0.1 s at 48 kHz

// Streams the audio to mux alongside the frames, keeping audio just ahead of video.
class AudioFeed {
 public:
  AudioFeed(const std::filesystem::path& path, int channels)
      : decoder_(path, {.sample_rate = 48000, .channels = channels}), channels_(channels) {}
  // Writes audio until `seconds` of it have been written (or the file ends).
  void write_until(video::Mp4Writer& writer, double seconds) {
    auto target = static_cast<std::int64_t>(std::ceil(seconds * 48000.0));
    while (!done_ && written_frames_ < target) {
      size_t n = decoder_.read(chunk_);
      if (n == 0) {
        done_ = true;
        break;
      }
      writer.write_audio({chunk_.data(), n});
      written_frames_ += static_cast<std::int64_t>(n / channels_);
    }
  }

 private:
  audio::AudioDecoder decoder_;
  int channels_;
  std::vector<float> chunk_ = std::vector<float>(kMuxChunkSamples * 2);
  std::int64_t written_frames_ = 0;  // sample frames (per channel)
  bool done_ = false;
};

int run_render(const ParsedArgs& args) {
  bool use_sample = args.positionals.empty() || args.has("sample");
  if (!use_sample && args.positionals.size() != 2) {
    throw InputError("expected PORTRAIT AUDIO, or no inputs for the bundled sample (see parla render --help)");
  }
  std::filesystem::path portrait_path = use_sample ? sample_portrait_path() : args.positionals[0];
  std::filesystem::path audio_path = use_sample ? sample_audio_path() : args.positionals[1];
  std::filesystem::path out_path = args.value_or("output", "");
  if (out_path.empty()) throw InputError("missing -o OUT.mp4 (see parla render --help)");
  if (out_path.extension() != ".mp4") {
    throw InputError("cannot write output " + quoted(out_path) + ": the file name must end in .mp4");
  }
  double fps = args.number("fps", 25.0, 1.0, 120.0);
  video::Mp4Params mp4;
  mp4.fps = fps;
  mp4.crf = static_cast<int>(args.integer("crf", mp4.crf, 0, 51));
  mp4.preset = args.value_or("preset", mp4.preset);
  bool quiet = args.has("quiet");
  MotionOptions motion_options = motion_options_from_args(args);
  auto generator = fusion::make_generator(motion_options.generator, motion_options.params);

  std::vector<std::filesystem::path> inputs{portrait_path, audio_path};
  auto motion_path = args.value("motion");
  if (motion_path) inputs.emplace_back(*motion_path);
  check_input_file(portrait_path, "portrait");
  check_input_file(audio_path, "audio");
  OutputFile out(out_path, inputs);

  auto landmarks_path = args.value("landmarks");
  if (landmarks_path) check_input_file(*landmarks_path, "landmarks");
  video::RenderParams render_params = render_params_from(args);

  Image portrait = video::load_image(portrait_path);
  video::FaceFit fit = fit_portrait(portrait, portrait_path, landmarks_path);
  video::Renderer renderer(video::Rig(std::move(portrait), fit), render_params);
  if (!quiet && !fit.warning.empty()) std::fprintf(stderr, "note: %s\n", fit.warning.c_str());
  if (!quiet && !renderer.framing_note().empty()) {
    std::fprintf(stderr, "note: %s\n", renderer.framing_note().c_str());
  }
  // One decode pass gives the motion and the audio's length; a given track needs only
  // the length.
  AudioScan scan;
  MotionTrack track;
  if (motion_path) {
    track = read_motion_track(*motion_path);
    scan = scan_audio(audio_path, args.has("allow-silence"));
  } else {
    track = motion_from_audio(audio_path, *generator, args.has("allow-silence"),
                              /*show_progress=*/!quiet, scan);
  }

  auto frame_count = static_cast<std::int64_t>(std::ceil(scan.seconds() * fps - 1e-9));
  int channels = std::clamp(scan.source_channels, 1, 2);
  mp4.width = renderer.width();
  mp4.height = renderer.height();
  mp4.audio_rate = 48000;
  mp4.audio_channels = channels;
  AudioFeed feed(audio_path, channels);
  video::Mp4Writer writer(out.temp_path(), mp4);
  Progress progress("render", frame_count, !quiet);
  for (std::int64_t i = 0; i < frame_count; ++i) {
    feed.write_until(writer, (i + 1) / fps);
    writer.write_frame(renderer.render(track.sample(i / fps)));
    progress.update(i + 1);
  }
  feed.write_until(writer, scan.seconds() + 1.0);
  writer.finish();
  out.commit();
  char summary[256];
  std::snprintf(summary, sizeof summary, "wrote %s: %lld frames, %dx%d, %.2f s, %s motion",
                out_path.c_str(), static_cast<long long>(frame_count), mp4.width, mp4.height,
                scan.seconds(), motion_path ? "given" : motion_options.generator.c_str());
  progress.finish(quiet ? "" : summary);
  return 0;
}

CommandSpec render_spec() {
  CommandSpec spec{
      .name = "render",
       .positionals = "[PORTRAIT AUDIO]",
       .summary = "portrait + speech → talking-portrait MP4 (H.264 + AAC)",
       .details = "With no PORTRAIT and AUDIO, renders the bundled sample (data/sample).\n"
                  "Audio: anything FFmpeg reads (wav, mp3, flac, ogg/opus, m4a, a video's track).\n"
                  "Portrait: PNG, JPEG or WebP with one clearly visible face.",
       .options = {{"output", 'o', "OUT.mp4", "output video (required)"},
                   {"sample", 0, "", "use the bundled sample portrait and speech"},
                   {"motion", 0, "TRACK", "render this MotionTrack (.json or .csv) instead of generating one"},
                   {"fps", 0, "F", "output frames per second (default 25)"},
                   {"crf", 0, "Q", "x264 quality, 0..51, lower is better (default 20)"},
                   {"preset", 0, "P", "x264 preset (default veryfast)"},
                   {"allow-silence", 0, "", "accept audio that is pure silence"},
                   {"quiet", 'q', "", "no progress or summary on stderr"}},
       .min_positionals = 0,
       .max_positionals = 2};
  auto framing = framing_options();
  spec.options.insert(spec.options.begin() + 3, framing.begin(), framing.end());
  auto generator = generator_options();
  spec.options.insert(spec.options.begin() + 3 + framing.size(), generator.begin(), generator.end());
  return spec;
}

}  // namespace

const Command& render_command() {
  static const Command command{render_spec(), run_render};
  return command;
}

}  // namespace parla::cli
