// cli: the `parla` command line. run() parses argv, dispatches to a subcommand and
// maps errors to exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.
// Commands needing LibTorch (score, train, eval) run in the `parla-torch` executable
// beside `parla` (run_torch), which `parla` execs for them, so the others start fast.
#pragma once

namespace parla::cli {

int run(int argc, char** argv);
int run_torch(int argc, char** argv);

}  // namespace parla::cli
