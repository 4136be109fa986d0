// The entry point of parla-torch: the commands of kTorchCommands (see torch_commands.h),
// reached through `parla <command>`.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/best_of.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/torch_commands.h"

namespace parla::cli {

int run_torch(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "parla-torch runs the LibTorch commands of parla: use 'parla <command>' "
                         "(see parla --help)\n");
    return 2;
  }
  std::string name = argv[1];
  install_critic_scorer();  // render and motion come here for --best-of (cli/best_of.h)
  for (const Command* command : {&score_command(), &train_command(), &eval_command(),
                                 &render_command(), &motion_command()}) {
    if (command->spec.name == name) {
      return run_command(*command, std::vector<std::string>(argv + 2, argv + argc));
    }
  }
  return unknown_command(name);
}

}  // namespace parla::cli
