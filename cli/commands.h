// Private to cli: the subcommands. Each takes the arguments after its name and
// returns an exit code; errors propagate as parla::Error / parla::InputError.
#pragma once

#include <string>
#include <vector>

#include "cli/args.h"

namespace parla::cli {

struct Command {
  CommandSpec spec;
  int (*run)(const ParsedArgs& args);
};

const Command& render_command();
const Command& motion_command();
const Command& fit_command();
const Command& batch_command();  // cli/batch_command.cpp
const Command& train_command();
const Command& eval_command();
const Command& score_command();
#ifdef PARLA_HAVE_PLAYER
const Command& play_command();  // cli/play_command.cpp
const Command& live_command();  // cli/live_command.cpp
#endif

// Runs one command on the arguments after its name: --help, parsing, and errors mapped
// to exit codes (one line on stderr).
int run_command(const Command& command, std::vector<std::string> args);
// Reports an unknown command name (with the closest known one) and returns 2.
int unknown_command(const std::string& name);

// Bundled sample media (data/sample).
std::string sample_portrait_path();
std::string sample_audio_path();
std::string sample_landmarks_path();  // dlib's fit of the sample portrait

}  // namespace parla::cli
