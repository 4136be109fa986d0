// `parla motion AUDIO -o TRACK.json|.csv`: audio → MotionTrack only.
#include <cstdio>

#include "cli/audio_input.h"
#include "cli/best_of.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "cli/text_hint.h"

namespace parla::cli {
namespace {

int run_motion(const ParsedArgs& args) {
  auto out_path = args.value("output");
  if (!out_path) throw InputError("missing -o TRACK.json|TRACK.csv (see parla motion --help)");
  AudioInput audio(args.positionals.at(0), args);
  const std::filesystem::path& audio_path = audio.path();
  double fps = args.number("fps", kMotionFps, 1, 240);
  MotionOptions options = motion_options_from_args(args, audio_path);
  if (args.has("best-of")) {
    const int n = static_cast<int>(args.integer("best-of", 1, 1, kMaxBestOf));
    options.params.seed = choose_best_seed(audio_path, options, n, args.has("allow-silence"));
  }
  // Built before any decoding, so a bad name or weight file is reported first.
  auto generator = fusion::make_generator(options.generator, options.params);
  std::optional<TextHintRequest> hint = text_hint_from_args(args);

  std::vector<std::filesystem::path> inputs;
  if (!audio.original().empty()) inputs.push_back(audio.original());
  {
    check_motion_track_name(*out_path);
    OutputFile probe(*out_path, inputs);  // validates the output path before the work
  }
  AudioScan scan;
  MotionTrack track = motion_from_audio(audio_path, *generator, args.has("allow-silence"),
                                        /*show_progress=*/!args.has("quiet"), scan);
  if (hint) apply_text_hint(track, audio_path, *hint, args.has("quiet"));
  if (fps != kMotionFps) track = track.resampled(fps);
  write_motion_track(track, *out_path, inputs);
  char summary[160];
  // The audio's length, as render reports it (the last frame starts before it ends).
  std::snprintf(summary, sizeof summary, "wrote %lld frames (%.2f s of audio at %g fps, %s generator) to %s",
                static_cast<long long>(track.frame_count()), scan.seconds(), track.fps,
                options.generator.c_str(), out_path->c_str());
  if (!args.has("quiet")) std::fprintf(stderr, "%s\n", summary);
  return 0;
}

}  // namespace

const Command& motion_command() {
  static const Command command{
      {.name = "motion",
       .positionals = "AUDIO",
       .summary = "audio → MotionTrack (JSON, or Unreal Live Link Face CSV)",
       .details = "AUDIO may be - for standard input.\n"
                  "The track has 20 named channels at 25 fps (see DESIGN.md); .csv writes the\n"
                  "Live Link Face layout (headX, headY and headScale have no column there).",
       .options =
           [] {
             std::vector<OptionSpec> options{
                 {"output", 'o', "TRACK", "output file, .json or .csv (required)"}};
             for (auto& o : generator_options()) options.push_back(o);
             options.push_back(best_of_option());
             for (auto& o : audio_part_options()) options.push_back(o);
             for (auto& o : text_hint_options()) options.push_back(o);
             options.insert(options.end(),
                            {{"fps", 0, "F", "frames per second of the written track (default 25)"},
                             {"allow-silence", 0, "", "accept audio that is pure silence"},
                             {"quiet", 'q', "", "no progress or summary on stderr"}});
             return options;
           }(),
       .min_positionals = 1,
       .max_positionals = 1},
      run_motion};
  return command;
}

}  // namespace parla::cli
