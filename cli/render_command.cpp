// `parla render PORTRAIT AUDIO -o OUT.mp4`: the main job — portrait + speech → MP4.
//
// Three stages overlap (docs/video_output.md "Pipelined render"; pipeline/ holds them,
// shared with the library): a motion thread (streaming decode → features → generator)
// feeds a bounded channel; this thread renders each frame, converts it to YUV and queues
// it with the audio beside it; the Mp4Writer's thread encodes and muxes. Memory stays
// flat for any length. An exception on any thread reaches this one; the others are
// stopped and joined, the temporary output is removed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "audio/audio.h"
#include "cli/audio_input.h"
#include "cli/best_of.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "cli/portrait.h"
#include "cli/progress.h"
#include "cli/render_job.h"
#include "cli/text_hint.h"
#include "video/video.h"

namespace parla::cli {
namespace {

constexpr int kEncoderQueueFrames = 8;     // YUV frames waiting for the encoder thread
// x264 frame threads on this machine's two cores beside the render thread
// (docs/benchmarks.md "Encoder settings").
constexpr int kEncoderThreads = 2;
// superfast at crf 20: ~1.5 ms CPU a frame less than veryfast at 512², +1.7 dB PSNR
// against a lossless reference, ~1.9x the file size (docs/benchmarks.md).
constexpr const char* kDefaultPreset = "superfast";

// A track shorter or longer than its audio would freeze the face (or cut the motion)
// for the difference: refused past half a second, noted below it.
constexpr double kTrackMismatchSeconds = 0.5;

void check_track_covers_audio(const MotionTrack& track, const std::filesystem::path& track_path,
                              double audio_seconds, const std::filesystem::path& audio_path) {
  double gap = audio_seconds - track.duration_seconds();
  if (std::fabs(gap) <= kTrackMismatchSeconds) return;
  char problem[200];
  std::snprintf(problem, sizeof problem, "covers %.2f s but the audio %s is %.2f s: %s",
                track.duration_seconds(), quoted(audio_path).c_str(), audio_seconds,
                gap > 0 ? "the face would freeze for the rest" : "the motion would be cut short");
  throw InputError("motion track " + quoted(track_path) + " " + problem +
                   " (make the track from this audio: parla motion AUDIO -o TRACK)");
}

}  // namespace

int render_from_args(const ParsedArgs& args, const GeneratorFactory& make_generator) {
  bool use_sample = args.positionals.empty() || args.has("sample");
  if (!use_sample && args.positionals.size() != 2) {
    throw InputError("expected PORTRAIT AUDIO, or no inputs for the bundled sample (see parla render --help)");
  }
  std::filesystem::path portrait_path = use_sample ? sample_portrait_path() : args.positionals[0];
  AudioInput audio(use_sample ? sample_audio_path() : args.positionals[1], args);
  const std::filesystem::path& audio_path = audio.path();
  std::filesystem::path out_path = args.value_or("output", "");
  if (out_path.empty()) throw InputError("missing -o OUT.mp4 (see parla render --help)");
  // A still: -o FRAME.png --frame T renders the one frame shown at T seconds.
  const bool still = out_path.extension() == ".png";
  if (still != args.has("frame")) {
    throw InputError(still ? "a .png output is one frame: give --frame T (seconds into the audio)"
                           : "--frame T renders one frame: the output must end in .png");
  }
  if (!still && out_path.extension() != ".mp4") {
    throw InputError("cannot write output " + quoted(out_path) + ": the file name must end in .mp4 (or .png with --frame)");
  }
  const double still_s = args.number("frame", 0.0, 0.0, 1e7);
  double fps = args.number("fps", 25.0, 1.0, 120.0);
  video::Mp4Params mp4;
  mp4.fps = fps;
  mp4.crf = static_cast<int>(args.integer("crf", mp4.crf, 0, 51));
  mp4.preset = args.value_or("preset", kDefaultPreset);
  mp4.tune = args.value_or("tune", "");
  mp4.encoder_threads = static_cast<int>(args.integer("encoder-threads", kEncoderThreads, 0, 64));
  mp4.queue_frames = kEncoderQueueFrames;
  video::check_encoder_settings(mp4);  // before any work: a typo costs nothing
  bool quiet = args.has("quiet");
  bool allow_silence = args.has("allow-silence");
  MotionOptions motion_options = motion_options_from_args(args, audio_path);
  if (args.has("best-of")) {
    if (args.has("motion")) throw InputError("--best-of samples generated motion: not with --motion");
    const int n = static_cast<int>(args.integer("best-of", 1, 1, kMaxBestOf));
    motion_options.params.seed = choose_best_seed(audio_path, motion_options, n, allow_silence);
  }
  auto generator = make_generator ? make_generator(motion_options)
                                 : fusion::make_generator(motion_options.generator, motion_options.params);
  std::optional<TextHintRequest> hint = text_hint_from_args(args);

  std::vector<std::filesystem::path> inputs{portrait_path};
  if (!audio.original().empty()) inputs.push_back(audio.original());
  auto motion_path = args.value("motion");
  if (motion_path) inputs.emplace_back(*motion_path);
  if (hint && motion_path) throw InputError("--text shapes generated motion: not with --motion");
  check_input_file(portrait_path, "portrait");
  check_input_file(audio_path, "audio");
  OutputFile out(out_path, inputs);

  // A given track is read whole (its file is small) and needs only the audio's length;
  // both are checked before the portrait is fitted.
  AudioScan scan;
  std::optional<MotionTrack> given_track;
  if (motion_path) {
    given_track = read_motion_track(*motion_path);
    scan = scan_audio(audio_path, allow_silence);
    check_track_covers_audio(*given_track, *motion_path, scan.seconds(), audio_path);
  }

  auto landmarks_path = args.value("landmarks");
  if (landmarks_path) check_input_file(*landmarks_path, "landmarks");
  video::RenderParams render_params = render_params_from(args);

  Image portrait = video::load_image(portrait_path);
  // The bundled sample ships its dlib fit (FitFace.SampleMatchesCheckedInLandmarks keeps
  // it honest): the sample renders without loading dlib's model.
  video::FaceFit fit = use_sample && !args.has("landmarks") && !args.has("face")
                           ? video::read_landmarks_file(sample_landmarks_path(), portrait.width, portrait.height)
                           : fit_portrait(portrait, portrait_path, args);
  video::Renderer renderer(video::Rig(std::move(portrait), fit), render_params);
  if (!quiet && !fit.warning.empty()) std::fprintf(stderr, "note: %s\n", fit.warning.c_str());
  if (!quiet && !renderer.framing_note().empty()) {
    std::fprintf(stderr, "note: %s\n", renderer.framing_note().c_str());
  }
  // The text hint aligns the whole audio: with --text the motion is made (and hinted)
  // before the first frame renders, then rendered like a given track.
  if (hint) {
    given_track = motion_from_audio(audio_path, *generator, allow_silence, !quiet, scan);
    apply_text_hint(*given_track, audio_path, *hint, quiet);
  }

  if (still) {
    if (!given_track) given_track = motion_from_audio(audio_path, *generator, allow_silence, !quiet, scan);
    if (still_s > scan.seconds()) {
      char problem[128];
      std::snprintf(problem, sizeof problem, "--frame %.2f s is past the end of the audio (%.2f s)", still_s,
                    scan.seconds());
      throw InputError(std::string(problem) + ": " + quoted(audio.original().empty() ? audio_path : audio.original()));
    }
    // The frame a video would show at T: frame floor(T * fps) of the track.
    const double shown_s = std::floor(still_s * fps + 1e-9) / fps;
    video::save_png(renderer.render(given_track->sample(shown_s)), out.temp_path());
    out.commit();
    if (!quiet) std::fprintf(stderr, "wrote %s: the frame at %.2f s, %dx%d\n", out_path.c_str(), shown_s,
                             renderer.width(), renderer.height());
    return 0;
  }

  pipeline::Mp4Output writer(out.temp_path(), mp4, audio_path, renderer.width(), renderer.height());
  const auto expected_frames = static_cast<std::int64_t>(
      std::ceil((given_track ? scan.seconds() : writer.audio_container_seconds()) * fps - 1e-9));
  Progress progress("render", expected_frames, !quiet);
  auto write_frame = [&](std::int64_t i, const Image& picture, const std::array<int, 4>& changed) {
    check_interrupted();  // Ctrl-C: unwind; the threads stop and the temporary goes
    writer.write(i, picture, changed);
    progress.update(std::min(i + 1, expected_frames));
  };
  const std::int64_t frame_count =
      given_track ? pipeline::render_track(renderer, *given_track, scan.seconds(), fps, write_frame)
                  : pipeline::render_generated(renderer, audio_path, *generator, fps, allow_silence, scan,
                                               write_frame);
  writer.finish(scan.seconds());
  out.commit();
  char summary[256];
  std::snprintf(summary, sizeof summary, "wrote %s: %lld frames, %dx%d, %.2f s, %s motion",
                out_path.c_str(), static_cast<long long>(frame_count), renderer.width(), renderer.height(),
                scan.seconds(), motion_path ? "given" : motion_options.generator.c_str());
  progress.finish(quiet ? "" : summary);
  return 0;
}

namespace {

int run_render(const ParsedArgs& args) { return render_from_args(args, {}); }

CommandSpec render_spec() {
  CommandSpec spec{
      .name = "render",
       .positionals = "[PORTRAIT AUDIO]",
       .summary = "portrait + speech → talking-portrait MP4 (H.264 + AAC)",
       .details = "With no PORTRAIT and AUDIO, renders the bundled sample (data/sample).\n"
                  "Audio: anything FFmpeg reads (wav, mp3, flac, ogg/opus, m4a, a video's track);\n"
                  "- reads it from standard input.\n"
                  "Portrait: PNG, JPEG or WebP with one clearly visible face.",
       .options = {{"output", 'o', "OUT.mp4", "output video (required), or FRAME.png with --frame"},
                   {"frame", 0, "T", "render only the frame shown at T seconds, as PNG (-o still.png)"},
                   {"sample", 0, "", "use the bundled sample portrait and speech"},
                   {"motion", 0, "TRACK", "render this MotionTrack (.json or .csv) instead of generating one"},
                   {"fps", 0, "F", "output frames per second (default 25)"},
                   {"crf", 0, "Q", "x264 quality, 0..51, lower is better (default 20)"},
                   {"preset", 0, "P", "x264 preset, ultrafast..placebo (default superfast)"},
                   {"tune", 0, "T", "x264 tune, e.g. fastdecode, zerolatency (default none)"},
                   {"encoder-threads", 0, "N", "x264 threads, 0 = x264's choice (default 2)"},
                   {"allow-silence", 0, "", "accept audio that is pure silence"},
                   {"quiet", 'q', "", "no progress or summary on stderr"}},
       .min_positionals = 0,
       .max_positionals = 2};
  auto framing = framing_options();
  spec.options.insert(spec.options.begin() + 4, framing.begin(), framing.end());
  auto generator = generator_options();
  generator.push_back(best_of_option());
  for (auto& o : text_hint_options()) generator.push_back(o);
  for (auto& o : audio_part_options()) generator.push_back(o);
  spec.options.insert(spec.options.begin() + 4 + framing.size(), generator.begin(), generator.end());
  return spec;
}

}  // namespace

const Command& render_command() {
  static const Command command{render_spec(), run_render};
  return command;
}

}  // namespace parla::cli
