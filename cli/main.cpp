// The `parla` executable: dispatches to the subcommands in cli/.
#include "cli/cli.h"

int main(int argc, char** argv) { return parla::cli::run(argc, argv); }
