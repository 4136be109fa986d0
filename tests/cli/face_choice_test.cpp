// --face N on a real picture with two real faces side by side (obama.jpg | mona_lisa.jpg):
// N counts from the left, the default is the largest (with a note), a missing face is
// refused naming the file, and the fit cache keeps the choices apart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::shell_quote;

class FaceChoice : public ::testing::Test {
 protected:
  void SetUp() override {
    auto portraits = parla::testing::shared_media_dir() / "portraits";
    two = dir / "two.png";
    parla::testing::ffmpeg("-i " + q(portraits / "obama.jpg") + " -i " + q(portraits / "mona_lisa.jpg") +
                           " -filter_complex \"[0]scale=-2:600[a];[1]scale=-2:600[b];[a][b]hstack\" " + q(two));
  }
  std::string q(const fs::path& p) const { return shell_quote(p.string()); }
  parla::testing::CommandResult fit(const std::string& flags, const fs::path& out) {
    return parla::testing::run_command("XDG_CACHE_HOME=" + q(dir / "cache") + " " +
                                       shell_quote(parla::testing::parla_executable().string()) + " fit " +
                                       q(two) + " -o " + q(out) + " " + flags);
  }
  // Mean x of the 68 fitted landmarks.
  static double mean_x(const fs::path& landmarks) {
    auto doc = nlohmann::json::parse(parla::read_text_file(landmarks));
    double sum = 0;
    for (const auto& p : doc.at("landmarks")) sum += p[0].get<double>();
    return sum / doc.at("landmarks").size();
  }
  parla::testing::ScratchDir dir;
  fs::path two;
};

TEST_F(FaceChoice, CountsFromTheLeft) {
  const double left_half_end = 455;  // obama scaled to 600 px high is 480 px wide
  auto largest = fit("", dir / "l.json");
  ASSERT_EQ(largest.exit_code, 0) << largest.output;
  EXPECT_NE(largest.output.find("--face N"), std::string::npos) << largest.output;
  auto first = fit("--face 1", dir / "1.json");
  auto second = fit("--face 2", dir / "2.json");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_LT(mean_x(dir / "1.json"), left_half_end);
  EXPECT_GT(mean_x(dir / "2.json"), left_half_end);
  // Again from the cache (one entry per choice): the same landmarks.
  auto again = fit("--face 2", dir / "2b.json");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(parla::read_text_file(dir / "2.json"), parla::read_text_file(dir / "2b.json"));
  EXPECT_LT(mean_x(dir / "1.json"), left_half_end);
}

TEST_F(FaceChoice, AMissingFaceIsRefused) {
  auto r = fit("--face 3", dir / "3.json");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("only 2 faces"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("two.png"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "3.json"));
}

}  // namespace
