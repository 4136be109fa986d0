// The TLPO training chain end to end on a tiny corpus: `parla train prefs` (shards,
// checksums, resuming, a changed recipe refused), `parla train expert` for each head
// (resuming from its checkpoint), `parla train gate` on those experts, and the generator
// running the result. Smoke-sized: a few clips and steps.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::run_command;
using parla::testing::shell_quote;

std::string parla() { return shell_quote(parla::testing::parla_executable().string()); }
std::string q(const fs::path& p) { return shell_quote(p.string()); }

TEST(TrainTlpo, PrefsExpertsGateAndTheFusedGenerator) {
  parla::testing::ScratchDir dir;
  const fs::path corpus = dir / "corpus", prefs = dir / "prefs", experts = dir / "experts";
  auto made = run_command(parla() + " train corpus --hours 0.03 --seed 4 --shard-minutes 0.5 -q -o " + q(corpus));
  ASSERT_EQ(made.exit_code, 0) << made.output;

  const std::string prefs_command = parla() + " train prefs -q --corpus " + q(corpus) +
                                    " --clips 6 --clips-per-shard 2 --vq-every 2 --steps 2 -o " + q(prefs);
  auto built = run_command(prefs_command + " --candidates 3 2>&1");
  ASSERT_EQ(built.exit_code, 0) << built.output;
  EXPECT_NE(built.output.find("6 clips (3 with VQ renders), 18 candidates"), std::string::npos) << built.output;
  for (const char* head : {"\nls ", "\nmn ", "\nvq "})
    EXPECT_NE(built.output.find(head), std::string::npos) << head << built.output;
  nlohmann::json index = nlohmann::json::parse(parla::read_text_file(prefs / "prefs.json"));
  EXPECT_EQ(index["schema"], "parla.prefs/1");
  EXPECT_EQ(index["complete"], true);
  ASSERT_EQ(index["shards"].size(), 3u);
  const fs::path shard0 = prefs / index["shards"][0]["file"].get<std::string>();
  const auto written = fs::last_write_time(shard0);

  // The same command again reuses every shard; another recipe into the same set is refused.
  auto again = run_command(prefs_command + " --candidates 3 2>&1");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(fs::last_write_time(shard0), written);
  auto other = run_command(prefs_command + " --candidates 4 2>&1");
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find("candidates"), std::string::npos) << other.output;

  // One expert per head; the first resumes from its checkpoint.
  const std::string common = " --corpus " + q(corpus) + " --prefs " + q(prefs) +
                             " --batch 2 --margin 0 --checkpoint-every 1";
  for (const char* head : {"ls", "mn", "vq"}) {
    auto trained = run_command(parla() + " train expert --dimension " + head + common + " --steps 2 -o " +
                               q(dir / head) + " 2>&1");
    ASSERT_EQ(trained.exit_code, 0) << head << "\n" << trained.output;
    ASSERT_TRUE(fs::exists(dir / head / (std::string(head) + ".pt"))) << head;
    fs::create_directories(experts);
    fs::copy_file(dir / head / (std::string(head) + ".pt"), experts / (std::string(head) + ".pt"));
  }
  auto resumed = run_command(parla() + " train expert --dimension ls" + common + " --steps 3 -o " +
                             q(dir / "ls") + " 2>&1");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming at step 2"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("ls step 3/3"), std::string::npos) << resumed.output;

  // The gate on the three frozen experts.
  auto gated = run_command(parla() + " train gate" + common + " --steps 2 --experts-dir " + q(experts) +
                           " -o " + q(dir / "gate") + " 2>&1");
  ASSERT_EQ(gated.exit_code, 0) << gated.output;
  fs::copy_file(dir / "gate" / "gate.pt", experts / "gate.pt");

  // The generator runs the trained files; with every expert off it is the base model.
  const std::string speech = q(parla::data_dir() / "sample" / "speech.flac");
  auto fused = run_command(parla() + " motion -q " + speech + " --experts-dir " + q(experts) + " -o " + q(dir / "fused.json"));
  ASSERT_EQ(fused.exit_code, 0) << fused.output;
  auto base = run_command(parla() + " motion -q " + speech + " --experts off -o " + q(dir / "base.json"));
  ASSERT_EQ(base.exit_code, 0) << base.output;
  auto zero = run_command(parla() + " motion -q " + speech + " --experts-dir " + q(experts) +
                          " --expert-scale ls=0,mn=0,vq=0 -o " + q(dir / "zero.json"));
  ASSERT_EQ(zero.exit_code, 0) << zero.output;
  EXPECT_EQ(parla::read_text_file(dir / "zero.json"), parla::read_text_file(dir / "base.json"));
  EXPECT_NE(parla::read_text_file(dir / "fused.json"), parla::read_text_file(dir / "base.json"))
      << "a trained expert (B no longer 0) must change the track";

  // A shard whose bytes changed fails its checksum, named, exit 2.
  {
    std::fstream f(shard0, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  auto corrupt = run_command(parla() + " train expert --dimension mn" + common + " --steps 1 -o " +
                             q(dir / "mn2") + " 2>&1");
  EXPECT_EQ(corrupt.exit_code, 2) << corrupt.output;
  EXPECT_NE(corrupt.output.find("checksum"), std::string::npos) << corrupt.output;
  EXPECT_NE(corrupt.output.find(shard0.filename().string()), std::string::npos) << corrupt.output;
}

}  // namespace
