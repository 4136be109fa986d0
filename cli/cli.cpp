#include "cli/cli.h"

#include <cstdio>

namespace parla::cli {

int run(int, char**) {
  std::fprintf(stderr, "usage: parla <command> ...\n");
  return 2;
}

}  // namespace parla::cli
