// The `parla-torch` executable: the commands that need LibTorch (cli/torch_commands.h).
#include "cli/cli.h"

int main(int argc, char** argv) { return parla::cli::run_torch(argc, argv); }
