// Private to cli: the commands that need LibTorch (the critic, training, evaluation)
// live in a second executable, `parla-torch`, beside `parla`. Loading LibTorch costs
// ~0.6 s per process, so `parla` never links it: for these names it replaces itself
// with `parla-torch` (execv, same arguments), which runs them. This table is the one
// place their names and summaries are written, for both binaries' --help.
#pragma once

#include <string_view>

namespace parla::cli {

struct CommandName {
  std::string_view name;
  std::string_view summary;
};

inline constexpr CommandName kTorchCommands[] = {
    {"score", "score talking-head videos: lip sync, motion naturalness, visual quality"},
    {"train", "training steps: the speech-and-motion corpus, the base motion model, the critic"},
    {"eval", "evaluate motion generators against labels, or the critic on held-out data"},
};

// The summary of a torch command by name (empty when unknown).
constexpr std::string_view torch_command_summary(std::string_view name) {
  for (const CommandName& c : kTorchCommands) {
    if (c.name == name) return c.summary;
  }
  return {};
}

}  // namespace parla::cli
