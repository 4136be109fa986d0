#include "cli/cli.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/audio_input.h"
#include "cli/best_of.h"
#include "cli/commands.h"
#include "cli/overwrite.h"
#include "cli/torch_commands.h"
#include "core/core.h"

namespace parla::cli {
namespace {

// The commands `parla` runs itself; kTorchCommands run in parla-torch.
std::vector<const Command*> own_commands() {
  return {&render_command(), &motion_command(),
#ifdef PARLA_HAVE_PLAYER
          &play_command(),   &live_command(),
#endif
          &fit_command(),    &batch_command()};
}

std::vector<std::string> all_command_names() {
  std::vector<std::string> names;
  for (const Command* c : own_commands()) names.push_back(c->spec.name);
  for (const CommandName& c : kTorchCommands) names.emplace_back(c.name);
  return names;
}

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "parla %s: animate a portrait from speech\n\n"
               "usage: parla <command> [options]\n\ncommands:\n",
               PARLA_VERSION);
  for (const Command* c : own_commands()) {
    std::fprintf(out, "  %-8s %s\n", c->spec.name.c_str(), c->spec.summary.c_str());
  }
  for (const CommandName& c : kTorchCommands) {
    std::fprintf(out, "  %-8.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(out, "\n'parla <command> --help' (or 'parla help <command>') describes a command.\n"
                    "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.\n");
}

bool is_torch_command(const std::string& name) { return !torch_command_summary(name).empty(); }

// Replaces this process with parla-torch (beside this executable) running `args`.
// Returns only when that fails, with the exit code to use.
int exec_torch_binary(const std::string& name, std::vector<std::string> args) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path torch_exe = self.parent_path() / "parla-torch";
  args.insert(args.begin(), torch_exe.string());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(torch_exe.c_str(), argv.data());
  std::fprintf(stderr, "parla %s: failed: cannot run %s: %s (it is built beside parla: "
               "cmake --build build --target parla-torch)\n",
               name.c_str(), torch_exe.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace

std::string sample_portrait_path() { return (data_dir() / "sample" / "portrait.png").string(); }
std::string sample_audio_path() { return (data_dir() / "sample" / "speech.flac").string(); }
std::string sample_landmarks_path() { return (data_dir() / "sample" / "portrait.landmarks.json").string(); }

int run_command(const Command& command, std::vector<std::string> args) {
  const std::string& name = command.spec.name;
  try {
    Overwrite overwrite = take_overwrite_flags(args);
    ParsedArgs parsed = parse_args(command.spec, args);
    if (parsed.help) {
      std::fputs(help_text(command.spec).c_str(), stdout);
      return 0;
    }
    check_overwrites(parsed, overwrite);
    // The batch commands stop cleanly on Ctrl-C; play and live keep the default.
    if (name == "render" || name == "motion" || name == "fit" || name == "batch") install_interrupt_handlers();
    return command.run(parsed);
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "parla %s: %s\n", name.c_str(), e.what());
    return 128 + e.signal_number();
  } catch (const InputError& e) {
    std::fprintf(stderr, "parla %s: error: %s\n", name.c_str(),
                 capped_message(name_inputs_in_message(e.what())).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parla %s: failed: %s\n", name.c_str(),
                 capped_message(name_inputs_in_message(e.what())).c_str());
    return 1;
  }
}

int unknown_command(const std::string& name) {
  std::string hint = did_you_mean(name, all_command_names());
  std::fprintf(stderr, "parla: unknown command '%s'%s (see parla --help)\n", name.c_str(),
               hint.empty() ? "" : ("; did you mean '" + hint + "'?").c_str());
  return 2;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string name = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  if (name == "--version") {
    std::printf("parla %s\n", PARLA_VERSION);
    return 0;
  }
  if (name == "--help" || name == "-h" || name == "help") {
    if (rest.empty()) {
      print_usage(stdout);
      return 0;
    }
    name = rest[0];  // parla help render == parla render --help
    rest = {"--help"};
  }
  // --best-of ranks candidates with the critic (LibTorch): parla-torch runs it.
  if ((name == "render" || name == "motion") && asks_best_of(rest)) {
    rest.insert(rest.begin(), name);
    return exec_torch_binary(name, rest);
  }
  for (const Command* command : own_commands()) {
    if (command->spec.name == name) return run_command(*command, rest);
  }
  if (is_torch_command(name)) {
    rest.insert(rest.begin(), name);
    return exec_torch_binary(name, rest);
  }
  return unknown_command(name);
}

}  // namespace parla::cli
