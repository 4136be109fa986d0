#include "cli/player_options.h"

#include <cstdio>

#include "audio/audio.h"
#include "cli/portrait.h"
#include "video/video.h"

namespace parla::cli {

std::vector<OptionSpec> player_scene_options() {
  std::vector<OptionSpec> options = framing_options();
  options.push_back(
      {"renderer", 0, "gl|cpu", "draw with OpenGL shaders (default) or the CPU renderer"});
  return options;
}

player::Scene scene_from(const ParsedArgs& args, const std::filesystem::path& portrait_path,
                         const char* command) {
  std::string backend = args.value_or("renderer", "gl");
  if (backend != "gl" && backend != "cpu") {
    throw InputError("--renderer expects gl or cpu, got '" + backend + "'");
  }
  video::RenderParams render = render_params_from(args);
  Image portrait = video::load_image(portrait_path);
  video::FaceFit fit = fit_portrait(portrait, portrait_path, args);
  if (!fit.warning.empty()) std::fprintf(stderr, "parla %s: %s\n", command, fit.warning.c_str());
  return {video::Rig(std::move(portrait), fit), render,
          backend == "gl" ? player::Backend::Gl : player::Backend::Cpu};
}

std::vector<OptionSpec> player_window_options() {
  return {{"frames", 0, "N", "quit after N redraws"},
          {"screenshot-at", 0, "SECONDS OUT.png", "save the picture at that time, then quit", 2},
          {"hud", 0, "", "start with the HUD shown (H toggles it)"},
          {"max-fps", 0, "N", "redraw cap (default: the monitor's refresh rate; -1 = none)"},
          {"stats", 0, "FILE.json", "write timing statistics (fps, A/V offset, latency) on exit"},
          {"vmc", 0, "HOST:PORT",
           "send each shown frame's 52 ARKit blendshapes and head pose over the VMC protocol "
           "(OSC/UDP) to a VTuber app, e.g. 127.0.0.1:39539 (docs/vmc.md)"},
          {"list-devices", 0, "", "list the audio devices and exit"}};
}

player::WindowParams window_params_from(const ParsedArgs& args, const std::string& title) {
  player::WindowParams window;
  window.title = title;
  window.max_redraws = args.integer("frames", 0, 1, 1LL << 40);
  window.max_fps = static_cast<int>(args.integer("max-fps", 0, -1, 1000));
  window.show_hud = args.has("hud");
  if (args.has("screenshot-at")) {
    window.screenshot_at = args.number("screenshot-at", 0, 0, 1e6);
    window.screenshot_path = *args.second_value("screenshot-at");
    OutputFile probe(window.screenshot_path);  // validates the path before any work
  }
  if (auto vmc = args.value("vmc")) {
    VmcSender probe(*vmc);  // an unresolvable address is refused before any work
    window.vmc_address = *vmc;
  }
  return window;
}

int list_audio_devices() {
  audio::PortAudioSession session;
  std::fputs(audio::format_device_table(session.devices()).c_str(), stdout);
  return 0;
}

void write_stats_if_asked(const ParsedArgs& args, const player::PlayStats& stats) {
  if (auto path = args.value("stats")) write_text_file(*path, player::stats_to_json(stats));
}

}  // namespace parla::cli
