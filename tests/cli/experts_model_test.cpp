// The TLPO experts on the real binary (issue #11): random LoRA experts and a random gate
// written in the shipped format (experts::save_lora_set / save_gate on the base model),
// then `parla motion` and `parla render` with --experts, --experts-dir, --expert-scale and
// --best-of.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "experts/experts.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
namespace experts = parla::experts;
using parla::testing::shell_quote;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ExpertsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new parla::testing::ScratchDir();
    experts::MotionModel model =
        experts::load_model(parla::testing::data_dir() / "models" / "base" / "base.pt");
    fs::create_directories(experts_dir());
    for (int e = 0; e < experts::kExpertCount; ++e) {
      experts::LoraSet set =
          experts::random_lora_set(model->denoiser, std::string(experts::kExpertNames[e]),
                                   /*rank=*/4, /*b_std=*/0.05f, 40 + e);
      experts::save_lora_set(set, e,
                             experts_dir() / (std::string(experts::kExpertNames[e]) + ".pt"));
    }
    torch::manual_seed(9);
    experts::ExpertGate gate(experts::ExpertGateOptions{
        .layers = static_cast<int>(model->denoiser->lora_layers().size())});
    {
      torch::NoGradGuard no_grad;
      gate->fc2_weight.normal_(0, 1.0);
    }
    experts::save_gate(gate, experts_dir() / "gate.pt");
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path experts_dir() { return dir_->path() / "experts"; }

  // `parla motion` of the JFK clip (11 s of real speech) with `options` (--seed 5 unless
  // they give one); the JSON's bytes in `json`.
  parla::testing::CommandResult motion(const std::string& options, std::string* json = nullptr) {
    fs::path out = dir_->path() / ("t" + std::to_string(runs_++) + ".json");
    auto r = parla::testing::run_command(
        shell_quote(parla::testing::parla_executable().string()) + " motion " +
        shell_quote((parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav").string()) +
        " -o " + shell_quote(out.string()) +
        (options.find("--seed") == std::string::npos ? " --seed 5 " : " ") + options);
    if (json != nullptr) *json = read_file(out);
    return r;
  }
  std::string track(const std::string& options) {
    std::string json;
    auto r = motion(options, &json);
    EXPECT_EQ(r.exit_code, 0) << options << "\n" << r.output;
    EXPECT_FALSE(json.empty()) << options;
    return json;
  }
  std::string with_experts(const std::string& options) {
    return "--experts-dir " + shell_quote(experts_dir().string()) + " " + options;
  }

  static parla::testing::ScratchDir* dir_;
  int runs_ = 0;
};
parla::testing::ScratchDir* ExpertsCli::dir_ = nullptr;

TEST_F(ExpertsCli, ZeroScalesGiveTheBaseTrackExactly) {
  const std::string base = track("--experts off");
  EXPECT_EQ(track(with_experts("--expert-scale ls=0,mn=0,vq=0")), base);
  EXPECT_EQ(track(with_experts("--experts off")), base);
  const std::string fused = track(with_experts(""));
  EXPECT_NE(fused, base);
  EXPECT_EQ(track(with_experts("--experts on")), fused);  // gate mode is the default
  const std::string uniform = track(with_experts("--experts uniform"));
  EXPECT_NE(uniform, fused);
  EXPECT_NE(uniform, base);
  const std::string vq_only = track(with_experts("--expert-scale ls=0,mn=0"));
  EXPECT_NE(vq_only, fused);
  EXPECT_NE(vq_only, base);
  EXPECT_NE(track(with_experts("--expert-scale ls=0,mn=0,vq=2.5")), vq_only);
  EXPECT_EQ(track(with_experts("--base-jaw on")), fused);  // the base's jaw is the default
  const std::string free = track(with_experts("--base-jaw off"));
  EXPECT_NE(free, fused);
  EXPECT_NE(free, base);
  EXPECT_EQ(track("--experts off --base-jaw off"), base);  // nothing to anchor without experts
}

// `parla render` (the bundled sample) with every scale 0 shows the base model's frames
// exactly; with the experts they change.
TEST_F(ExpertsCli, RenderWithZeroScalesIsTheBaseModel) {
  auto frame = [&](double seconds, const std::string& options) {
    fs::path out = dir_->path() / ("f" + std::to_string(runs_++) + ".png");
    auto r = parla::testing::run_command(
        shell_quote(parla::testing::parla_executable().string()) + " render --frame " +
        std::to_string(seconds) + " -o " + shell_quote(out.string()) + " -q " + options);
    EXPECT_EQ(r.exit_code, 0) << options << "\n" << r.output;
    return read_file(out);
  };
  int changed = 0;
  for (double seconds : {1.0, 3.5, 6.0}) {
    const std::string base = frame(seconds, "--experts off");
    ASSERT_GT(base.size(), 1000u);
    EXPECT_EQ(frame(seconds, with_experts("--expert-scale ls=0,mn=0,vq=0")), base) << seconds;
    changed += frame(seconds, with_experts("")) != base;
  }
  EXPECT_GE(changed, 2);
}

TEST_F(ExpertsCli, BadValuesExit2WithOneLine) {
  fs::path broken = dir_->path() / "broken";
  fs::create_directories(broken);
  for (const char* name : {"ls.pt", "mn.pt", "gate.pt"})
    fs::copy_file(experts_dir() / name, broken / name);
  { std::ofstream(broken / "vq.pt") << "not a weight file"; }
  fs::path partial = dir_->path() / "partial";
  fs::create_directories(partial);
  fs::copy_file(experts_dir() / "ls.pt", partial / "ls.pt");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--expert-scale xx=1", "--expert-scale: unknown expert 'xx' (ls, mn, vq)"},
      {"--expert-scale ls=5", "--expert-scale: ls needs a value 0..4, not '5'"},
      {"--expert-scale mn=", "--expert-scale: mn needs a value 0..4, not ''"},
      {"--expert-scale ls=1,vq=abc", "--expert-scale: vq needs a value 0..4, not 'abc'"},
      {"--experts maybe", "--experts: expected on, off or uniform, not 'maybe'"},
      {"--base-jaw maybe", "--base-jaw: expected on or off, not 'maybe'"},
      {"--experts-dir " + shell_quote(partial.string()), "lacks mn.pt, vq.pt, gate.pt"},
      {"--experts-dir " + shell_quote(broken.string()), "vq.pt"},
      {"--best-of 0", "--best-of"},
      {"--best-of 65", "--best-of"},
  };
  for (const auto& [options, message] : cases) {
    auto r = motion(options);
    EXPECT_EQ(r.exit_code, 2) << options << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << options << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << options << "\n" << r.output;
  }
}

TEST_F(ExpertsCli, BestOfKeepsTheChosenSeedsTrack) {
  std::string json;
  auto r = motion(with_experts("--seed 5 --best-of 3 --quiet"), &json);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      r.output, m,
      std::regex(R"(best of 3: seed (\d+), LS ([0-9.]+), MN ([0-9.]+) \(candidates: (.*)\))")))
      << r.output;
  const int seed = std::stoi(m[1]);
  EXPECT_GE(seed, 5);
  EXPECT_LE(seed, 7);
  EXPECT_NE(m[4].str().find("5: LS"), std::string::npos) << r.output;
  EXPECT_NE(m[4].str().find("7: LS"), std::string::npos) << r.output;
  // Exactly the track of that seed alone.
  EXPECT_EQ(json, track(with_experts("--seed " + std::to_string(seed))));
}

}  // namespace
