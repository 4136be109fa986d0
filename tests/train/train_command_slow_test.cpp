// `parla train corpus` and `parla train corpus-stats` end to end through the real
// executable: a tiny corpus, its report, and exit code 2 for bad usage or input.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::run_command;
using parla::testing::shell_quote;

std::string parla() { return shell_quote(parla::testing::parla_executable().string()); }

TEST(TrainCommand, MakesACorpusAndReportsOnIt) {
  parla::testing::ScratchDir dir;
  std::string out = shell_quote((dir / "corpus").string());
  auto made = run_command(parla() + " train corpus --hours 0.005 --seed 3 --shard-minutes 0.15 -o " + out);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_NE(made.output.find("wrote"), std::string::npos) << made.output;
  EXPECT_TRUE(fs::exists(dir / "corpus" / "corpus.json"));
  EXPECT_TRUE(fs::exists(dir / "corpus" / "shard-00001.json"));
  auto stats = run_command(parla() + " train corpus-stats " + out);
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  for (const char* part : {"engines", "languages", "splits", "visemes", "channels", "blink rate"}) {
    EXPECT_NE(stats.output.find(part), std::string::npos) << part << "\n" << stats.output;
  }
  // The same directory again: refused, untouched.
  auto again = run_command(parla() + " train corpus --hours 0.005 -o " + out);
  EXPECT_EQ(again.exit_code, 2) << again.output;
}

TEST(TrainCommand, BadUsageExitsWithTwo) {
  parla::testing::ScratchDir dir;
  for (const std::string& args :
       {std::string("train"), std::string("train bogus"), std::string("train corpus --hours 1"),
        std::string("train corpus --hours -1 -o ") + shell_quote((dir / "x").string()),
        std::string("train corpus-stats ") + shell_quote((dir / "missing").string())}) {
    auto r = run_command(parla() + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
  }
  auto help = run_command(parla() + " train --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("corpus-stats"), std::string::npos) << help.output;
}

}  // namespace
