// `parla live [PORTRAIT]`: a microphone-driven avatar with measured latency.
#include <cstdio>

#include "audio/audio.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "cli/player_options.h"
#include "fusion/fusion.h"
#include "player/player.h"
#include "video/video.h"

namespace parla::cli {
namespace {

int run_live(const ParsedArgs& args) {
  // SIGINT/SIGTERM/SIGHUP stop the player as Q does; the process then exits 128 + the
  // signal with nothing written (no --stats, no partial --record).
  install_interrupt_handlers();
  if (args.has("list-devices")) return list_audio_devices();
  std::filesystem::path portrait_path =
      args.positionals.empty() ? sample_portrait_path() : args.positionals[0];
  check_input_file(portrait_path, "portrait");
  player::LiveParams params;
  params.window = window_params_from(args, "parla live");
  params.input_device = static_cast<int>(args.integer("input-device", -1, -1, 1 << 20));
  MotionOptions motion = motion_options_from_args(args);
  motion.params.lookahead_frames =
      static_cast<int>(args.integer("lookahead", fusion::kDefaultLookaheadFrames, 1, 49));
  motion.params.chunk_frames =
      static_cast<int>(args.integer("chunk", fusion::kLiveChunkFrames, 1, 49));
  params.generator = motion.generator;
  params.generator_params = motion.params;
  params.max_seconds = args.number("seconds", 0, 0, 1e7);
  if (auto input = args.value("input")) {
    check_input_file(*input, "input audio");
    params.input_pcm = audio::decode_audio(*input);  // 16 kHz mono, like the microphone
    params.input_name = std::filesystem::path(*input).filename().string();
    if (params.input_pcm.empty()) throw InputError("--input '" + *input + "' has no audio samples");
  }
  if (auto record = args.value("record")) {
    params.record_path = *record;
    std::vector<std::filesystem::path> inputs{portrait_path};
    if (auto input = args.value("input")) inputs.emplace_back(*input);
    OutputFile probe(params.record_path, inputs);  // refuses a bad path before any work
  }
  fusion::make_generator(motion.generator, motion.params);  // reject a bad name or weights early

  player::Scene scene = scene_from(args, portrait_path, "live");
  player::PlayStats stats = player::run_live(scene, params);
  write_stats_if_asked(args, stats);
  std::fprintf(
      stderr,
      "parla live: %.1f s, %.1f fps, %lld frames shown; audio→picture latency %.0f ms mean, "
      "%.0f ms p95, %.0f ms max (+ %.0f ms generator and feature look-ahead)\n",
      stats.wall_seconds, stats.fps, static_cast<long long>(stats.frames_shown),
      stats.latency_mean * 1e3, stats.latency_p95 * 1e3, stats.latency_max * 1e3,
      stats.lookahead_seconds * 1e3);
  return 0;
}

}  // namespace

const Command& live_command() {
  static const Command command{
      {.name = "live",
       .positionals = "[PORTRAIT]",
       .summary = "microphone-driven avatar in a window, with measured audio→picture latency",
       .details =
           "With no PORTRAIT, animates the bundled sample portrait. Speech from the input\n"
           "device drives the current default motion generator through its streaming API.\n"
           "Latency is measured from a sample entering the capture callback to the swap of\n"
           "the first frame computed with it (H shows it).\n"
           "Keys: H HUD, S screenshot, f fullscreen, Esc/Q quit.\n"
           "--input FILE plays a file into the same path as the microphone, in real time,\n"
           "and quits at its end; --record OUT.mp4 writes what is shown (25 fps) with the\n"
           "input audio, complete when live ends (window closed, --seconds, end of --input).",
       .options =
           [] {
             std::vector<OptionSpec> options{
                 {"input-device", 0, "N", "PortAudio input device (see --list-devices)"},
                 {"seconds", 0, "S", "quit after S seconds"},
                 {"input", 0, "FILE",
                  "a file as the microphone (decoded, fed in real time; quits at its end)"},
                 {"record", 0, "OUT.mp4",
                  "record what is shown (25 fps, no HUD) with the input audio to an MP4"},
                 {"lookahead", 0, "N",
                  "audio look-ahead in 40 ms frames: more follows the lips closer but adds latency "
                  "(default 4)"},
                 {"chunk", 0, "N",
                  "frames per model window: 4 follows the lips closer (jawOpen r 0.75 vs 0.69 "
                  "on held-out voices), the picture then updates in 160 ms steps (default 1)"}};
             for (auto& o : generator_options()) options.push_back(o);
             for (auto& o : player_scene_options()) options.push_back(o);
             for (auto& o : player_window_options()) options.push_back(o);
             return options;
           }(),
       .min_positionals = 0,
       .max_positionals = 1},
      run_live};
  return command;
}

}  // namespace parla::cli
