// `parla train critic` end to end on a tiny corpus and two real clips: the data cache,
// three heads written and loadable by `parla score`, resuming from the checkpoints, and
// `parla eval critic` on the run's held-out data. Smoke-sized: a few steps per head.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::run_command;
using parla::testing::shell_quote;

std::string parla() { return shell_quote(parla::testing::parla_executable().string()); }
std::string q(const fs::path& p) { return shell_quote(p.string()); }

TEST(TrainCritic, TrainsResumesAndScores) {
  parla::testing::ScratchDir dir;
  const fs::path corpus = dir / "corpus", run = dir / "run";
  auto made = run_command(parla() + " train corpus --hours 0.03 --seed 4 --shard-minutes 0.5 -q -o " + q(corpus));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string common = " train critic --corpus " + q(corpus) + " --realtalk " +
                             q(parla::testing::shared_media_dir() / "realtalk") +
                             " --real-clips 2 --label-clips 12 --rendered-clips 2 --batch 4 --checkpoint-every 2 -o " +
                             q(run);
  auto first = run_command(parla() + common + " --steps 2 2>&1");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("VQ pairs"), std::string::npos) << first.output;
  for (const char* file : {"ls.pt", "mn.pt", "vq.pt", "loss-ls.csv", "loss-ls.png", "data/critic_data.pt"}) {
    EXPECT_TRUE(fs::exists(run / file)) << file;
  }
  // The same command with more steps resumes each head from its checkpoint.
  auto second = run_command(parla() + common + " --steps 4 2>&1");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("data: reusing"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("ls step 4/4"), std::string::npos) << second.output;
  EXPECT_EQ(second.output.find("ls step 2/4"), std::string::npos) << "restarted instead of resuming:\n"
                                                                  << second.output;
  // The heads load and score a real video.
  auto scored = run_command(parla() + " score -q " +
                            q(parla::testing::shared_media_dir() / "video" / "hdtf_katiehill.mp4") +
                            " --models " + q(run) + " --json " + q(dir / "s.json"));
  ASSERT_EQ(scored.exit_code, 0) << scored.output;
  nlohmann::json j = nlohmann::json::parse(parla::read_text_file(dir / "s.json"));
  for (const char* head : {"ls", "mn", "vq"}) {
    double s = j["scores"][head].get<double>();
    EXPECT_GE(s, 0);
    EXPECT_LE(s, 100);
  }
  // `parla eval critic` on the run: every held-out figure in the JSON, shift recovery
  // both ways over the 21 shifts of each shared video, and each shared video's own offset.
  auto evaluated = run_command(parla() + " eval critic --data " + q(run) + " --corpus " + q(corpus) +
                               " --max-clips 2 --json " + q(dir / "eval.json") + " 2>&1");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  nlohmann::json e = nlohmann::json::parse(parla::read_text_file(dir / "eval.json"));
  for (const char* figure : {"ls_shift_recovery", "ls_relative_shift_recovery"}) {
    const auto& shared = e[figure]["shared real videos"];
    EXPECT_EQ(shared["n"].get<int>(), 2 * 21) << figure;
    EXPECT_GE(shared["rate"].get<double>(), 0) << figure;
    EXPECT_LE(shared["rate"].get<double>(), 1) << figure;
  }
  EXPECT_TRUE(e["ls_offset_in_sync"]["shared real videos"].contains("hdtf_katiehill.mp4")) << e.dump(1);
  EXPECT_EQ(e["ls_generators"]["clips"].get<int>(), 2) << e.dump(1);
  // A file that is not a critic head is refused with one line naming it.
  parla::write_text_file(run / "mn.pt", "not a model");
  auto bad = run_command(parla() + " score -q " +
                         q(parla::testing::shared_media_dir() / "video" / "hdtf_katiehill.mp4") +
                         " --models " + q(run) + " 2>&1");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("mn.pt"), std::string::npos) << bad.output;
}

}  // namespace
