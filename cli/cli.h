// cli: the `parla` command line. run() parses argv, dispatches to a subcommand and
// maps errors to exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.
#pragma once

namespace parla::cli {

int run(int argc, char** argv);

}  // namespace parla::cli
