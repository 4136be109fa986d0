// The TLPO training chain end to end on a tiny corpus: `parla train prefs` (shards,
// checksums, resuming, a changed recipe refused, made in parts), `parla train expert` for each head
// (resuming from its checkpoint), `parla train gate` on those experts, and the generator
// running the result. Smoke-sized: a few clips and steps.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
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

  // In parts (two processes' worth, one after the other), then once without --part: the
  // same shards, byte for byte, and a complete index.
  const fs::path parted = dir / "prefs-parted";
  const std::string parted_command = parla() + " train prefs -q --corpus " + q(corpus) +
                                     " --clips 6 --clips-per-shard 2 --vq-every 2 --steps 2 --candidates 3 -o " + q(parted);
  auto part1 = run_command(parted_command + " --part 1/2 2>&1");
  ASSERT_EQ(part1.exit_code, 0) << part1.output;
  EXPECT_TRUE(fs::exists(parted / index["shards"][1]["file"].get<std::string>()));
  EXPECT_FALSE(fs::exists(parted / index["shards"][0]["file"].get<std::string>()));
  auto part0 = run_command(parted_command + " --part 0/2 2>&1");
  ASSERT_EQ(part0.exit_code, 0) << part0.output;
  auto joined = run_command(parted_command + " 2>&1");
  ASSERT_EQ(joined.exit_code, 0) << joined.output;
  nlohmann::json parted_index = nlohmann::json::parse(parla::read_text_file(parted / "prefs.json"));
  EXPECT_EQ(parted_index["complete"], true);
  EXPECT_EQ(parted_index["shards"], index["shards"]);
  for (const auto& shard : index["shards"]) {
    const std::string file = shard["file"].get<std::string>();
    EXPECT_EQ(parla::read_text_file(parted / file), parla::read_text_file(prefs / file)) << file;
  }
  auto bad_part = run_command(parted_command + " --part 2/2 2>&1");
  EXPECT_EQ(bad_part.exit_code, 2) << bad_part.output;
  EXPECT_NE(bad_part.output.find("--part '2/2'"), std::string::npos) << bad_part.output;

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
  // Pairs ranked Pareto-wise over the heads, each weighted by its spread; a rule that does
  // not exist, or one given to an expert, is refused.
  auto pareto = run_command(parla() + " train gate" + common + " --steps 1 --pairs pareto --experts-dir " +
                            q(experts) + " -o " + q(dir / "gate-pareto") + " 2>&1");
  ASSERT_EQ(pareto.exit_code, 0) << pareto.output;
  EXPECT_NE(pareto.output.find("pareto pairs, head weights ls "), std::string::npos) << pareto.output;
  EXPECT_TRUE(fs::exists(dir / "gate-pareto" / "gate.pt"));
  // Refused with exit 2 and one line saying why.
  auto refused = [&](const std::string& command, const std::string& why) {
    auto r = run_command(parla() + command + common + " --steps 1 -o " + q(dir / "refused") + " 2>&1");
    EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.output;
    EXPECT_NE(r.output.find(why), std::string::npos) << command << "\n" << r.output;
  };
  refused(" train gate --pairs best --experts-dir " + q(experts), "unknown --pairs 'best'");
  refused(" train expert --dimension ls --pairs pareto", "--pairs is for the gate");

  // A floor under the gate's weights lifts every g to it (learning fast, so the 4 steps
  // move it); the same run without one leaves some g below. A floor for an expert, out of
  // range or naming no expert is refused.
  struct GateWeights {
    double least = 2, mean = 0;
  };
  auto gate_weights = [&](const std::string& options, const fs::path& out) {
    auto r = run_command(parla() + " train gate" + common + " --steps 4 --lr 0.3" + options + " --experts-dir " +
                         q(experts) + " -o " + q(out) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    GateWeights g;
    int count = 0;
    std::istringstream table(parla::read_text_file(out / "gate.md"));
    for (std::string line; std::getline(table, line);) {
      if (line.rfind("| blocks.", 0) != 0) continue;
      std::istringstream cells(line.substr(line.find('|', 2) + 1));
      for (std::string cell; std::getline(cells, cell, '|');) {
        if (cell.find_first_not_of(' ') == std::string::npos) continue;
        g.least = std::min(g.least, std::stod(cell));
        g.mean += std::stod(cell), ++count;
      }
    }
    EXPECT_GT(count, 0) << "no weights in " << out / "gate.md";
    g.mean /= std::max(count, 1);
    return g;
  };
  const GateWeights free_gate = gate_weights("", dir / "gate-free");
  EXPECT_GE(gate_weights(" --gate-floor ls=1.5,mn=1.5,vq=1.5", dir / "gate-floor").least, 1.45);
  EXPECT_LT(free_gate.least, 1.45);
  // A jaw lock on the gate holds the fused experts' jawOpen to the base's: the only way a
  // gate can is to turn the experts down, so a heavy lock leaves it below the free gate.
  const GateWeights jaw_gate = gate_weights(" --keep-mouth 1e6 --keep jawOpen", dir / "gate-jaw");
  EXPECT_LT(jaw_gate.mean, free_gate.mean - 0.1) << "free " << free_gate.mean << ", jaw locked " << jaw_gate.mean;
  refused(" train gate --keep-mouth 100 --experts-dir " + q(experts), "for the gate with --keep CHANNELS");
  refused(" train gate --gate-floor vq=2 --experts-dir " + q(experts), "--gate-floor values must be in 0..2");
  refused(" train gate --gate-floor av=1 --experts-dir " + q(experts), "--gate-floor: unknown expert 'av'");
  refused(" train expert --dimension vq --gate-floor vq=1", "--gate-floor is for the gate");

  // A lock on one mouth channel trains; a channel that is not the mouth's, or --keep
  // without the lock's weight, is refused.
  auto close_locked = run_command(parla() + " train expert --dimension vq --keep-mouth 100 --keep mouthClose" +
                                  common + " --steps 1 -o " + q(dir / "vq-close") + " 2>&1");
  ASSERT_EQ(close_locked.exit_code, 0) << close_locked.output;
  EXPECT_TRUE(fs::exists(dir / "vq-close" / "vq.pt"));
  refused(" train expert --dimension vq --keep-mouth 100 --keep headYaw", "--keep 'headYaw' is not a mouth channel");
  refused(" train expert --dimension vq --keep mouthClose", "give --keep-mouth W too");
  // The ls expert may lock some of the mouth (its jaw), never all of it.
  auto jaw_locked = run_command(parla() + " train expert --dimension ls --keep-mouth 100 --keep jawOpen" + common +
                                " --steps 1 -o " + q(dir / "ls-jaw") + " 2>&1");
  ASSERT_EQ(jaw_locked.exit_code, 0) << jaw_locked.output;
  EXPECT_TRUE(fs::exists(dir / "ls-jaw" / "ls.pt"));
  refused(" train expert --dimension ls --keep-mouth 100", "for ls with --keep CHANNELS");
  // --drop takes a channel out of the DPO error with no lock: the same seed and steps
  // learn something else; a channel that is not the mouth's, or leaving ls no mouth
  // channel at all, is refused.
  auto jaw_locked_dropped = run_command(parla() + " train expert --dimension ls --keep-mouth 100 --keep jawOpen" +
                                        " --drop mouthClose" + common + " --steps 1 -o " + q(dir / "ls-jaw-drop") + " 2>&1");
  ASSERT_EQ(jaw_locked_dropped.exit_code, 0) << jaw_locked_dropped.output;
  EXPECT_NE(parla::read_text_file(dir / "ls-jaw-drop" / "ls.pt"), parla::read_text_file(dir / "ls-jaw" / "ls.pt"))
      << "--drop mouthClose must change what the expert learns";
  refused(" train expert --dimension ls --drop tongue", "--drop 'tongue' is not a mouth channel");
  refused(" train expert --dimension ls --keep-mouth 1 --keep jawOpen --drop "
          "mouthClose,mouthFunnel,mouthPucker,mouthStretch,mouthSmile,mouthRollLower,tongueOut",
          "leave the ls expert no mouth channel");
  // The label anchor may hold named channels at one diffusion time (1: the step the lips
  // are read from): the same seed and steps then learn something else than under the
  // anchor drawn as the pairs are. Shaping an anchor without its weight, or anchoring a
  // channel that is not the mouth's, is refused.
  auto anchored = [&](const std::string& options, const fs::path& out) {
    auto r = run_command(parla() + " train expert --dimension ls --anchor 1" + options + common + " --steps 1 -o " +
                         q(out) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << options << "\n" << r.output;
    return parla::read_text_file(out / "ls.pt");
  };
  EXPECT_NE(anchored("", dir / "ls-anchor"), anchored(" --anchor-on jawOpen --anchor-t 1", dir / "ls-anchor-jaw"))
      << "--anchor-on jawOpen --anchor-t 1 must change what the expert learns";
  refused(" train expert --dimension ls --anchor-on jawOpen", "--anchor-on and --anchor-t shape the label anchor");
  refused(" train expert --dimension ls --anchor 1 --anchor-on headPitch", "--anchor-on 'headPitch' is not a mouth channel");
  refused(" train expert --dimension ls --anchor 1 --anchor-t 2", "--anchor-t expects a number from 0 to 1");
  // The MN expert's pairs ranked again with one shared mouth and blinks: other winners,
  // so the same seed and steps learn something else. For the ls or vq expert it is refused.
  auto unmouthed = run_command(parla() + " train expert --dimension mn --rank-without-mouth" + common +
                               " --steps 2 -o " + q(dir / "mn-unmouthed") + " 2>&1");
  ASSERT_EQ(unmouthed.exit_code, 0) << unmouthed.output;
  EXPECT_NE(unmouthed.output.find("MN of 6 clips' candidates again"), std::string::npos) << unmouthed.output;
  EXPECT_NE(parla::read_text_file(dir / "mn-unmouthed" / "mn.pt"), parla::read_text_file(dir / "mn" / "mn.pt"))
      << "ranking without the mouth must change what the mn expert learns";
  refused(" train expert --dimension ls --rank-without-mouth", "--rank-without-mouth is for the mn expert and the gate");
  auto gate_unmouthed = run_command(parla() + " train gate --rank-without-mouth" + common + " --steps 2 --experts-dir " +
                                    q(experts) + " -o " + q(dir / "gate-unmouthed") + " 2>&1");
  ASSERT_EQ(gate_unmouthed.exit_code, 0) << gate_unmouthed.output;
  EXPECT_NE(parla::read_text_file(dir / "gate-unmouthed" / "gate.pt"), parla::read_text_file(dir / "gate" / "gate.pt"))
      << "ranking MN without the mouth must change what the gate learns";

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
