// `parla eval experts` on the real binary (issue #11 item 5): a tiny corpus, random LoRA
// experts and a random gate in the shipped format, two clips × two seeds, renders on a
// shared portrait. Every configuration must be in the JSON with finite figures, and a
// configuration that is the base model (every expert scale 0) must tie the base on every
// item: 0 % wins, the same scores.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>

#include "core/core.h"
#include "experts/experts.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
namespace experts = parla::experts;
using nlohmann::json;
using parla::testing::run_command;
using parla::testing::shell_quote;

std::string parla() { return shell_quote(parla::testing::parla_executable().string()); }

// Random experts (rank 4) and a gate far from g ≡ 1, as experts::save_* write them.
void write_random_experts(const fs::path& dir) {
  experts::MotionModel model =
      experts::load_model(parla::testing::data_dir() / "models" / "base" / "base.pt");
  fs::create_directories(dir);
  for (int e = 0; e < experts::kExpertCount; ++e) {
    const std::string name(experts::kExpertNames[e]);
    experts::LoraSet set =
        experts::random_lora_set(model->denoiser, name, /*rank=*/4, /*b_std=*/0.05f, 70 + e);
    experts::save_lora_set(set, e, dir / (name + ".pt"));
  }
  torch::manual_seed(11);
  experts::ExpertGate gate(experts::ExpertGateOptions{
      .layers = static_cast<int>(model->denoiser->lora_layers().size())});
  {
    torch::NoGradGuard no_grad;
    gate->fc2_weight.normal_(0, 1.0);
  }
  experts::save_gate(gate, dir / "gate.pt");
}

// Every number anywhere in `j` is finite; `where` names the first that is not.
void expect_finite(const json& j, const std::string& where) {
  if (j.is_number()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << where;
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) expect_finite(value, where + "." + key);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) expect_finite(j[i], where + "[" + std::to_string(i) + "]");
  }
}

TEST(EvalExperts, ScoresEveryConfigurationAndTiesTheBaseWithItself) {
  parla::testing::ScratchDir dir;
  const std::string corpus = shell_quote((dir / "corpus").string());
  auto made =
      run_command(parla() + " train corpus --hours 0.01 --seed 5 --shard-minutes 0.3 -q -o " + corpus);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  write_random_experts(dir / "experts");
  const fs::path json_path = dir / "eval.json", md_path = dir / "experts.md";
  const std::string zero = "gate:ls=0:mn=0:vq=0";  // the base model through the experts path
  const std::string common =
      parla() + " eval experts -q --corpus " + corpus +
      " --split train --clips 2 --seeds 2 --experts-dir " + shell_quote((dir / "experts").string());
  auto r = run_command(common + " --configs base,ls,mn,vq,uniform,gate,gate:ls=2,gate:free," + zero +
                       " --portraits " +
                       shell_quote((parla::testing::shared_media_dir() / "portraits" / "obama.jpg").string()) +
                       " --render-clips 1 --render-seconds 1.2 --json " + shell_quote(json_path.string()) +
                       " --markdown " + shell_quote(md_path.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("checks (issue #11"), std::string::npos) << r.output;

  json j = json::parse(parla::read_text_file(json_path));
  expect_finite(j, "report");
  EXPECT_EQ(j["clips"], 2);
  EXPECT_EQ(j["seeds"], 2);
  EXPECT_EQ(j["noise"], "per clip");  // each clip its own draw under each seed
  std::map<std::string, json> by_name;
  for (const json& c : j["configs"]) by_name[c["name"]] = c;
  const std::string md = parla::read_text_file(md_path);
  for (const std::string name :
       {"base", "ls", "mn", "vq", "uniform", "gate", "gate:ls=2", "gate:free", zero.c_str()}) {
    ASSERT_TRUE(by_name.count(name)) << name;
    const json& c = by_name[name];
    for (const char* figure : {"ls", "mn", "vq", "jaw_r", "closure_recall", "blink_rate_diff",
                               "head_speed_w1", "head_jerk_w1", "folds_per_frame"}) {
      ASSERT_TRUE(c.contains(figure)) << name << " " << figure;
      EXPECT_EQ(c[figure]["per_seed"].size(), 2u) << name << " " << figure;
    }
    EXPECT_GT(c["x_real_time_cpu"].get<double>(), 1.0) << name;
    EXPECT_EQ(c["win_rate"]["ls"]["n"], 4) << name;        // 2 clips × 2 seeds
    EXPECT_EQ(c["win_rate"]["vq"]["n"], 2) << name;        // 1 clip × 2 seeds × 1 portrait
    EXPECT_EQ(c["rig"]["rendered_frames"], 2 * 30) << name;
    EXPECT_NE(md.find("| " + name + " |"), std::string::npos) << name << "\n" << md;
  }
  // The base against itself, and the all-zero scales (the base model exactly): all ties.
  for (const std::string& name : {std::string("base"), zero}) {
    for (const char* head : {"ls", "mn", "vq"}) {
      const json& w = by_name[name]["win_rate"][head];
      EXPECT_EQ(w["wins"], 0) << name << " " << head;
      EXPECT_EQ(w["losses"], 0) << name << " " << head;
      EXPECT_EQ(w["ties"], w["n"]) << name << " " << head;
      EXPECT_EQ(w["rate"].get<double>(), 0.0) << name << " " << head;
      EXPECT_EQ(by_name[name][head]["per_seed"], by_name["base"][head]["per_seed"]) << name << " " << head;
    }
  }
  // The gate and the uniform merge run with the base's jaw, as render does: the label
  // figures of jawOpen and mouthClose are the base's exactly; free, the experts move them.
  for (const char* name : {"gate", "uniform", "gate:ls=2"}) {
    for (const char* figure : {"jaw_r", "closure_recall"}) {
      EXPECT_EQ(by_name[name][figure]["per_seed"], by_name["base"][figure]["per_seed"]) << name << " " << figure;
    }
  }
  EXPECT_NE(by_name["gate:free"]["jaw_r"]["per_seed"], by_name["base"]["jaw_r"]["per_seed"]);
  // Random experts move the motion: the critic sees a difference on some clip.
  const json& w = by_name["uniform"]["win_rate"]["ls"];
  EXPECT_GT(w["wins"].get<int>() + w["losses"].get<int>(), 0) << w.dump();

  // Bad input: an unknown configuration, an experts directory without the files (exit 2).
  auto bad = run_command(common + " --portraits none --configs base,bogus");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("bogus"), std::string::npos) << bad.output;
  fs::create_directories(dir / "empty");
  auto missing = run_command(parla() + " eval experts -q --corpus " + corpus +
                             " --split train --clips 1 --seeds 1 --portraits none --experts-dir " +
                             shell_quote((dir / "empty").string()));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("ls.pt"), std::string::npos) << missing.output;
}

}  // namespace
