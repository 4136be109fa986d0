// `parla render` settings checked before any work, odd portrait sizes with --full, and
// the portrait fit cache — on the real binary with real media. The cache lives under
// a scratch XDG_CACHE_HOME (or HOME), never the user's own.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::CommandResult;
using parla::testing::run_command;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

std::string q(const fs::path& p) { return shell_quote(p.string()); }

class RenderSettings : public ::testing::Test {
 protected:
  void SetUp() override {
    portrait = parla::testing::data_dir() / "sample" / "portrait.png";
    speech = dir / "speech.wav";
    parla::testing::make_speech(speech, "Hello there.");
  }
  // Runs parla with XDG_CACHE_HOME set to a scratch folder (plus `env`, e.g. "HOME=x").
  CommandResult parla(const std::string& args, const std::string& env = "") {
    std::string prefix = env.empty() ? "XDG_CACHE_HOME=" + q(dir / "cache") : env;
    return run_command("env " + prefix + " " + q(parla::testing::parla_executable()) + " " + args);
  }
  // The cache entries under `root`/parla.
  static std::vector<fs::path> entries(const fs::path& root) {
    std::vector<fs::path> files;
    if (!fs::exists(root / "parla")) return files;
    for (const auto& e : fs::directory_iterator(root / "parla")) files.push_back(e.path());
    return files;
  }
  static std::vector<std::pair<double, double>> landmarks(const fs::path& json) {
    auto doc = nlohmann::json::parse(parla::read_text_file(json));
    std::vector<std::pair<double, double>> points;
    for (const auto& p : doc.at("landmarks")) points.emplace_back(p[0].get<double>(), p[1].get<double>());
    return points;
  }
  std::vector<fs::path> files_in_dir() const {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir.path())) files.push_back(e.path().filename());
    std::sort(files.begin(), files.end());
    return files;
  }

  ScratchDir dir;
  fs::path portrait, speech;
};

// Before: an unknown preset failed only after the motion, the render and the encoder
// setup, naming the temporary file. Now it is the first thing said, even for a
// portrait that has no face (whose error would otherwise come first).
TEST_F(RenderSettings, UnknownPresetOrTuneIsRefusedBeforeAnyWork) {
  parla::testing::ffmpeg("-f lavfi -i color=c=gray:s=300x300 -frames:v 1 " + q(dir / "wall.png"));
  auto before = files_in_dir();
  for (const std::string& option : {std::string("--preset fastest"), std::string("--tune film-noir")}) {
    CommandResult r = parla("render " + q(dir / "wall.png") + " " + q(speech) + " -o " + q(dir / "o.mp4") +
                            " --generator classic " + option);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_NE(r.output.find(option.substr(option.find(' ') + 1)), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("no face"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find(".tmp"), std::string::npos) << "names a temporary file: " << r.output;
  }
  EXPECT_EQ(files_in_dir(), before);
}

// Before: --full on obama.jpg (910x1137) failed after all the work: "frame size 910x1137
// must be positive and even", naming the temporary file.
TEST_F(RenderSettings, FullFramingOfOddSizedPortraitsGainsAPixel) {
  const fs::path obama = parla::testing::shared_media_dir() / "portraits" / "obama.jpg";
  ASSERT_TRUE(fs::exists(obama)) << obama;
  parla::testing::ffmpeg("-i " + q(obama) + " -vf crop=909:1137:0:0 " + q(dir / "odd.png"));
  const std::pair<fs::path, std::string> cases[] = {{obama, "910,1138"}, {dir / "odd.png", "910,1138"}};
  for (const auto& [picture, size] : cases) {
    fs::path out = dir / (picture.stem().string() + ".mp4");
    CommandResult r = parla("render -q " + q(picture) + " " + q(speech) + " --full --generator classic -o " + q(out));
    ASSERT_EQ(r.exit_code, 0) << picture << ": " << r.output;
    CommandResult probe = run_command("ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 " + q(out));
    EXPECT_EQ(probe.output.substr(0, probe.output.find('\n')), size) << picture;
    EXPECT_NEAR(parla::testing::probe_duration(out), parla::testing::probe_duration(speech), 0.045);
  }
}

TEST_F(RenderSettings, FitCacheIsWrittenThenUsed) {
  CommandResult first = parla("fit " + q(portrait) + " -o " + q(dir / "a.json"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto cached = entries(dir / "cache");
  ASSERT_EQ(cached.size(), 1u);
  EXPECT_EQ(cached[0].extension(), ".json");
  // Shift the cached landmarks: a second fit that reads them reports the shift, which
  // detection never would.
  auto doc = nlohmann::json::parse(parla::read_text_file(cached[0]));
  for (auto& p : doc.at("landmarks")) p[0] = p[0].get<double>() + 3.0;
  parla::write_text_file(cached[0], doc.dump());
  CommandResult second = parla("fit " + q(portrait) + " -o " + q(dir / "b.json"));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  auto a = landmarks(dir / "a.json"), b = landmarks(dir / "b.json");
  ASSERT_EQ(a.size(), 68u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(b[i].first, a[i].first + 3.0, 0.011) << i;
    EXPECT_NEAR(b[i].second, a[i].second, 0.011) << i;
  }
  // render reads the same entry (and writes no other).
  CommandResult render = parla("render -q " + q(portrait) + " " + q(speech) + " --generator classic -o " + q(dir / "o.mp4"));
  ASSERT_EQ(render.exit_code, 0) << render.output;
  EXPECT_EQ(entries(dir / "cache").size(), 1u);
}

TEST_F(RenderSettings, CorruptFitCacheEntryIsIgnoredAndRewritten) {
  ASSERT_EQ(parla("fit " + q(portrait) + " -o " + q(dir / "a.json")).exit_code, 0);
  auto cached = entries(dir / "cache");
  ASSERT_EQ(cached.size(), 1u);
  const std::string good = parla::read_text_file(cached[0]);
  for (const std::string& bad : {std::string("{\"version\": \"dlib-hog-sp68-v1\", \"landm"), std::string(""),
                                 std::string("{\"version\": 7, \"landmarks\": \"x\"}")}) {
    parla::write_text_file(cached[0], bad);
    CommandResult r = parla("fit " + q(portrait) + " -o " + q(dir / "b.json"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(landmarks(dir / "b.json"), landmarks(dir / "a.json"));
    EXPECT_EQ(parla::read_text_file(cached[0]), good) << "entry not rewritten after: " << bad;
  }
}

TEST_F(RenderSettings, FitCacheFollowsXdgThenHomeAndLandmarksBypassIt) {
  ASSERT_EQ(parla("fit " + q(portrait) + " -o " + q(dir / "a.json"), "XDG_CACHE_HOME=" + q(dir / "xdg")).exit_code, 0);
  EXPECT_EQ(entries(dir / "xdg").size(), 1u);
  ASSERT_EQ(parla("fit " + q(portrait), "-u XDG_CACHE_HOME HOME=" + q(dir / "home")).exit_code, 0);
  EXPECT_EQ(entries(dir / "home" / ".cache").size(), 1u);
  // --landmarks: no detection, so nothing to cache.
  ASSERT_EQ(parla("fit " + q(portrait) + " --landmarks " + q(dir / "a.json"), "XDG_CACHE_HOME=" + q(dir / "other")).exit_code, 0);
  EXPECT_FALSE(fs::exists(dir / "other"));
}

}  // namespace
