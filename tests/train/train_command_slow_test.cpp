// `parla train corpus`, `parla train corpus-stats` and `parla eval motion` end to end
// through the real executable: a tiny corpus, its report, the evaluation of both
// generators on it, and exit code 2 for bad usage or input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/core.h"
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

TEST(EvalCommand, ScoresBothGeneratorsAgainstTheLabels) {
  parla::testing::ScratchDir dir;
  std::string corpus = shell_quote((dir / "corpus").string());
  auto made = run_command(parla() + " train corpus --hours 0.01 --seed 5 --shard-minutes 0.3 -o " + corpus);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::string json = (dir / "eval.json").string();
  auto r = run_command(parla() + " eval motion -q --split train --max-clips 6 --corpus " + corpus +
                       " --json " + shell_quote(json));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("clean: learned beats classic on"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("labels   speech head speed"), std::string::npos) << r.output;
  nlohmann::json j = nlohmann::json::parse(parla::read_text_file(json));
  EXPECT_EQ(j["clips"], 6);
  for (const char* g : {"learned", "classic"}) {
    const nlohmann::json& gen = j["generators"][g];
    double jaw_r = gen["clean"]["pearson"]["jawOpen"];
    EXPECT_TRUE(std::isfinite(jaw_r)) << g;
    EXPECT_GT(static_cast<double>(gen["x_real_time_cpu"]), 1.0) << g;
    EXPECT_LE(static_cast<double>(gen["silence"]["open_share"]), 1.0) << g;
  }
  // The shipped model lip-syncs seen voices far better than the rule-based generator.
  EXPECT_GT(static_cast<double>(j["generators"]["learned"]["clean"]["pearson"]["jawOpen"]),
            static_cast<double>(j["generators"]["classic"]["clean"]["pearson"]["jawOpen"]) + 0.2);
  EXPECT_EQ(j["verdicts"].size(), 2u);
  EXPECT_EQ(j["full_ddim_lips"], false);

  // The lips sampled by the DDIM instead of the first step's x0 prediction: other lips.
  std::string sampled_json = (dir / "sampled.json").string();
  auto sampled = run_command(parla() + " eval motion -q --split train --max-clips 6 --generators learned" +
                             " --full-ddim-lips --steps 4 --corpus " + corpus + " --json " +
                             shell_quote(sampled_json));
  ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
  nlohmann::json js = nlohmann::json::parse(parla::read_text_file(sampled_json));
  EXPECT_EQ(js["full_ddim_lips"], true);
  EXPECT_EQ(js["steps"], 4);
  const double x0_r = j["generators"]["learned"]["clean"]["pearson"]["jawOpen"];
  const double sampled_r = js["generators"]["learned"]["clean"]["pearson"]["jawOpen"];
  EXPECT_GT(std::abs(x0_r - sampled_r), 1e-4) << x0_r << " vs " << sampled_r;
  EXPECT_GT(sampled_r, 0.3);

  // The learned generator as render runs it: the fused experts by default, with the base
  // model's own jawOpen and mouthClose, so the jaw's r is the base's exactly and the
  // experts show in the other lips; --base-jaw off lets them move the jaw too.
  auto learned_r = [&](const std::string& options, const char* channel) {
    const std::string out = (dir / "experts.json").string();
    auto e = run_command(parla() + " eval motion -q --split train --max-clips 6 --generators learned" + options +
                         " --corpus " + corpus + " --json " + shell_quote(out));
    EXPECT_EQ(e.exit_code, 0) << options << "\n" << e.output;
    return nlohmann::json::parse(parla::read_text_file(out))["generators"]["learned"]["clean"]["pearson"][channel]
        .get<double>();
  };
  const double base_jaw = learned_r(" --experts off", "jawOpen");
  EXPECT_EQ(learned_r("", "jawOpen"), base_jaw);
  EXPECT_NE(learned_r("", "mouthFunnel"), learned_r(" --experts off", "mouthFunnel"));
  EXPECT_NE(learned_r(" --base-jaw off", "jawOpen"), base_jaw);
  EXPECT_EQ(learned_r(" --expert-scale ls=0,mn=0,vq=0 --base-jaw off", "mouthFunnel"),
            learned_r(" --experts off", "mouthFunnel"));
  auto misplaced = run_command(parla() + " eval experts --corpus " + corpus + " --expert-scale ls=2 2>&1");
  EXPECT_EQ(misplaced.exit_code, 2) << misplaced.output;
  EXPECT_NE(misplaced.output.find("--expert-scale is for eval motion"), std::string::npos) << misplaced.output;

  // Fine-tuning from a weight file that is not there: exit 2, naming it.
  auto bad = run_command(parla() + " train base --corpus " + corpus + " -o " +
                         shell_quote((dir / "run").string()) + " --init " +
                         shell_quote((dir / "missing.pt").string()));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("missing.pt"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(dir / "run"));
}

TEST(TrainCommand, FineTunedWeightsDriveTheMotionCommand) {
  // `train base --init` from the bundled model for a few steps, then `motion --weights`
  // with the result: the same model named explicitly gives the default track, the
  // fine-tuned one a different track.
  parla::testing::ScratchDir dir;
  std::string corpus = shell_quote((dir / "corpus").string());
  auto made = run_command(parla() + " train corpus --hours 0.005 --seed 4 --shard-minutes 0.15 -o " + corpus);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  fs::path bundled = parla::testing::data_dir() / "models" / "base" / "base.pt";
  auto tuned = run_command(parla() + " train base -q --corpus " + corpus + " -o " +
                           shell_quote((dir / "run").string()) + " --init " +
                           shell_quote(bundled.string()) + " --steps 4 --checkpoint-every 2");
  ASSERT_EQ(tuned.exit_code, 0) << tuned.output;
  fs::path speech = parla::testing::data_dir() / "sample" / "speech.flac";
  auto motion = [&](const std::string& extra, const std::string& name) {
    auto r = run_command(parla() + " motion -q " + shell_quote(speech.string()) + " -o " +
                         shell_quote((dir / name).string()) + extra);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return parla::read_text_file(dir / name);
  };
  std::string by_default = motion("", "a.json");
  EXPECT_EQ(motion(" --weights " + shell_quote(bundled.string()), "b.json"), by_default);
  const fs::path tuned_weights = dir / "run" / "base.pt";
  std::string by_tuned = motion(" --weights " + shell_quote(tuned_weights.string()), "c.json");
  EXPECT_NE(by_tuned, by_default);
  // `train merge`: the ends of the mix are its inputs, a mix between gives a third track.
  auto merged = [&](const std::string& mix, const std::string& name) {
    const fs::path out = dir / (name + ".pt");
    auto r = run_command(parla() + " train merge -q " + shell_quote(bundled.string()) + " " +
                         shell_quote(tuned_weights.string()) + " --mix " + mix + " -o " +
                         shell_quote(out.string()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return motion(" --weights " + shell_quote(out.string()), name + ".json");
  };
  // Weights other than the bundled file run without the shipped experts (fusion/).
  std::string bundled_base = motion(" --experts off", "base.json");
  EXPECT_EQ(merged("0", "m0"), bundled_base);
  EXPECT_EQ(merged("1", "m1"), by_tuned);
  std::string half = merged("0.5", "m5");
  EXPECT_NE(half, bundled_base);
  EXPECT_NE(half, by_tuned);
}

TEST(TrainCommand, BadUsageExitsWithTwo) {
  parla::testing::ScratchDir dir;
  for (const std::string& args :
       {std::string("train"), std::string("train bogus"), std::string("train corpus --hours 1"),
        std::string("train corpus --hours -1 -o ") + shell_quote((dir / "x").string()),
        std::string("train corpus-stats ") + shell_quote((dir / "missing").string()),
        std::string("train merge ") + shell_quote((dir / "missing.pt").string()) + " -o " +
            shell_quote((dir / "m.pt").string()),
        std::string("train merge ") + shell_quote((dir / "a.pt").string()) + " " +
            shell_quote((dir / "b.pt").string()) + " --mix 2 -o " + shell_quote((dir / "m.pt").string())}) {
    auto r = run_command(parla() + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
  }
  auto help = run_command(parla() + " train --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("corpus-stats"), std::string::npos) << help.output;
}

}  // namespace
