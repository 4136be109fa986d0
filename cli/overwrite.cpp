#include "cli/overwrite.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "core/core.h"

namespace parla::cli {
namespace {

// Options whose value is a file the command writes.
constexpr std::string_view kOutputOptions[] = {"output", "preview", "json", "html"};

}  // namespace

Overwrite take_overwrite_flags(std::vector<std::string>& args) {
  Overwrite policy = Overwrite::Ask;
  std::vector<std::string> kept;
  bool options_done = false;
  for (auto& a : args) {
    if (!options_done && a == "--") options_done = true;
    if (!options_done && (a == "-y" || a == "-n")) {
      policy = a == "-y" ? Overwrite::Always : Overwrite::Never;
      continue;
    }
    kept.push_back(std::move(a));
  }
  args = std::move(kept);
  return policy;
}

void check_overwrites(const ParsedArgs& args, Overwrite policy) {
  for (std::string_view name : kOutputOptions) {
    auto value = args.value(std::string(name));
    if (!value) continue;
    std::filesystem::path path = *value;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;  // new, or a directory (train -o)
    if (policy == Overwrite::Always) continue;
    if (policy == Overwrite::Never) {
      throw InputError("output " + quoted(path) + " already exists; not overwriting it (-n)");
    }
    if (!::isatty(STDIN_FILENO) || !::isatty(STDERR_FILENO)) continue;  // scripts: overwrite
    std::fprintf(stderr, "File %s already exists. Overwrite? [y/N] ", quoted(path).c_str());
    std::fflush(stderr);
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      throw InputError("output " + quoted(path) + " already exists; not overwriting it");
    }
  }
}

}  // namespace parla::cli
