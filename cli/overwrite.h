// Private to cli: ffmpeg's overwrite policy for the files a command writes (-o, --preview,
// --json, --html). -y overwrites without asking; -n never overwrites (exit 2, nothing
// touched); with neither, an interactive terminal is asked "[y/N]" and scripts overwrite
// (Parla's behaviour before these flags, which scripts rely on).
#pragma once

#include <string>
#include <vector>

#include "cli/args.h"

namespace parla::cli {

enum class Overwrite { Ask, Always, Never };

// Removes -y / -n from a command's arguments (before "--") and returns the policy.
Overwrite take_overwrite_flags(std::vector<std::string>& args);
// Applies the policy to every output option given that names an existing file; throws
// InputError when it must not be overwritten. Called before the command does any work.
void check_overwrites(const ParsedArgs& args, Overwrite policy);

}  // namespace parla::cli
