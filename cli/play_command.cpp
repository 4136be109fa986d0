// `parla play PORTRAIT AUDIO`: live preview of a file in a window, audio-clock synced.
#include <algorithm>
#include <cstdio>

#include "audio/audio.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "cli/player_options.h"
#include "cli/text_hint.h"
#include "player/player.h"
#include "video/video.h"

namespace parla::cli {
namespace {

constexpr int kPlaybackRate = 48000;  // Hz handed to PortAudio

int run_play(const ParsedArgs& args) {
  // SIGINT/SIGTERM/SIGHUP stop the player as Q does; the process then exits 128 + the
  // signal with no --stats written.
  install_interrupt_handlers();
  if (args.has("list-devices")) return list_audio_devices();
  bool use_sample = args.positionals.empty();
  if (!use_sample && args.positionals.size() != 2) {
    throw InputError(
        "expected PORTRAIT AUDIO, or no inputs for the bundled sample (see parla play --help)");
  }
  std::filesystem::path portrait_path = use_sample ? sample_portrait_path() : args.positionals[0];
  std::filesystem::path audio_path = use_sample ? sample_audio_path() : args.positionals[1];
  check_input_file(portrait_path, "portrait");
  check_input_file(audio_path, "audio");
  player::PlayParams params;
  params.window = window_params_from(args, "parla play — " + audio_path.filename().string());
  params.no_audio = args.has("no-audio");
  params.output_device = static_cast<int>(args.integer("output-device", -1, -1, 1 << 20));
  MotionOptions motion_options = motion_options_from_args(args, audio_path);
  auto generator = fusion::make_generator(motion_options.generator, motion_options.params);
  std::optional<TextHintRequest> hint = text_hint_from_args(args);
  if (hint && args.has("motion"))
    throw InputError("--text shapes generated motion: not with --motion");

  player::Scene scene = scene_from(args, portrait_path, "play");
  player::PlayInput input;
  AudioScan scan;
  if (auto motion_path = args.value("motion")) {
    input.motion = read_motion_track(*motion_path).resampled(kMotionFps);
    input.generator = "track file";
    scan = scan_audio(audio_path, /*allow_silence=*/true);
  } else {
    input.motion = motion_from_audio(audio_path, *generator, /*allow_silence=*/true,
                                     /*show_progress=*/false, scan);
    if (hint) apply_text_hint(input.motion, audio_path, *hint, /*quiet=*/false);
    input.generator = motion_options.generator;
  }
  input.duration_seconds = scan.seconds();
  if (!params.no_audio) {
    input.channels = std::clamp(scan.source_channels, 1, 2);
    input.sample_rate = kPlaybackRate;
    input.pcm =
        audio::decode_audio(audio_path, {.sample_rate = kPlaybackRate, .channels = input.channels});
  }
  player::PlayStats stats = player::run_play(scene, input, params);
  write_stats_if_asked(args, stats);
  std::fprintf(stderr,
               "parla play: %.1f s, %.1f fps, %lld frames shown (%lld dropped, %lld late), "
               "A/V offset %.0f ms mean (%.0f..%.0f), clock %s, %lld underruns\n",
               stats.wall_seconds, stats.fps, static_cast<long long>(stats.frames_shown),
               static_cast<long long>(stats.frames_dropped),
               static_cast<long long>(stats.frames_late), stats.av_offset_mean * 1e3,
               stats.av_offset_min * 1e3, stats.av_offset_max * 1e3, stats.clock.c_str(),
               static_cast<long long>(stats.audio_underruns));
  return 0;
}

}  // namespace

const Command& play_command() {
  static const Command command{
      {.name = "play",
       .positionals = "[PORTRAIT AUDIO]",
       .summary = "live preview in a window, synced to audio playback",
       .details = "With no PORTRAIT and AUDIO, plays the bundled sample. The audio clock is the\n"
                  "master: each redraw shows the newest frame whose time has been heard.\n"
                  "Keys (mpv's): space pause, left/right seek 5 s, , and . pause and step one\n"
                  "frame back/forward, [ and ] speed /1.1 x1.1 (Backspace: 1x), m mute, l loop\n"
                  "the whole file, f fullscreen, H HUD (fps, A/V offset, latency, generator; a\n"
                  "thin progress bar shows when it is off), S screenshot (parla-N.png), Esc or\n"
                  "Q quit. Muted or at another speed the sound pauses and the wall clock leads.\n"
                  "Needs a display: on a headless machine use `xvfb-run -a parla play ...`.",
       .options =
           [] {
             std::vector<OptionSpec> options{
                 {"no-audio", 0, "", "play silently on the wall clock (no audio device needed)"},
                 {"output-device", 0, "N", "PortAudio output device (see --list-devices)"},
                 {"motion", 0, "TRACK",
                  "play this MotionTrack (.json or .csv) instead of generating one"}};
             for (auto& o : generator_options()) options.push_back(o);
             for (auto& o : text_hint_options()) options.push_back(o);
             for (auto& o : player_scene_options()) options.push_back(o);
             for (auto& o : player_window_options()) options.push_back(o);
             return options;
           }(),
       .min_positionals = 0,
       .max_positionals = 2},
      run_play};
  return command;
}

}  // namespace parla::cli
