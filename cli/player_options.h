// Private to cli: the options `play` and `live` share (window, scripting, statistics).
#pragma once

#include <vector>

#include "cli/args.h"
#include "player/player.h"

namespace parla::cli {

// --size, --full, --landmarks (cli/portrait.h) and --renderer: what is drawn and how.
std::vector<OptionSpec> player_scene_options();
// Loads the portrait, fits the face (or reads --landmarks) and builds the rig; prints
// the fit's warning or framing note on stderr.
player::Scene scene_from(const ParsedArgs& args, const std::filesystem::path& portrait_path,
                         const char* command);

// --frames, --screenshot-at, --hud, --max-fps, --stats, --vmc, --list-devices.
std::vector<OptionSpec> player_window_options();
player::WindowParams window_params_from(const ParsedArgs& args, const std::string& title);
// Prints the PortAudio device table (for --list-devices).
int list_audio_devices();
// Writes --stats FILE.json when given.
void write_stats_if_asked(const ParsedArgs& args, const player::PlayStats& stats);

}  // namespace parla::cli
