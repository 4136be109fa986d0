// What the player's slow tests share: the real binary, an X display check, --stats.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/core.h"
#include "tests/support/testing.h"

namespace parla::testing {

inline bool have_display() {
  const char* display = std::getenv("DISPLAY");
  return display && *display;
}

#define REQUIRE_DISPLAY()                                      \
  if (!::parla::testing::have_display())                       \
  GTEST_SKIP() << "needs an X display: run under xvfb-run -a " \
                  "(scripts/test.sh does)"

// The `parla` binary and a path, quoted for the shell.
inline std::string parla() { return shell_quote(parla_executable().string()); }
inline std::string q(const std::filesystem::path& p) { return shell_quote(p.string()); }

// A --stats FILE.json the binary wrote.
inline nlohmann::json read_stats(const std::filesystem::path& path) {
  return nlohmann::json::parse(::parla::read_text_file(path));
}

}  // namespace parla::testing
