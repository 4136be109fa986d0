#include "cli/cli.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/core.h"

namespace parla::cli {
namespace {

std::vector<const Command*> all_commands() {
  return {&render_command(), &motion_command(), &fit_command(), &score_command(), &train_command(), &eval_command(),
#ifdef PARLA_HAVE_PLAYER
          &play_command(), &live_command(),
#endif
  };
}

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "parla %s: animate a portrait from speech\n\n"
               "usage: parla <command> [options]\n\ncommands:\n",
               PARLA_VERSION);
  for (const Command* c : all_commands()) {
    std::fprintf(out, "  %-8s %s\n", c->spec.name.c_str(), c->spec.summary.c_str());
  }
  std::fprintf(out, "\n'parla <command> --help' describes a command.\n"
                    "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.\n");
}

}  // namespace

std::string sample_portrait_path() { return std::string(PARLA_DATA_DIR) + "/sample/portrait.png"; }
std::string sample_audio_path() { return std::string(PARLA_DATA_DIR) + "/sample/speech.flac"; }

int run(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  if (name == "--version") {
    std::printf("parla %s\n", PARLA_VERSION);
    return 0;
  }
  for (const Command* command : all_commands()) {
    if (command->spec.name != name) continue;
    try {
      ParsedArgs args = parse_args(command->spec, std::vector<std::string>(argv + 2, argv + argc));
      if (args.help) {
        std::fputs(help_text(command->spec).c_str(), stdout);
        return 0;
      }
      return command->run(args);
    } catch (const InputError& e) {
      std::fprintf(stderr, "parla %s: error: %s\n", name.c_str(), e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "parla %s: failed: %s\n", name.c_str(), e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "parla: unknown command '%s' (see parla --help)\n", name.c_str());
  return 2;
}

}  // namespace parla::cli
