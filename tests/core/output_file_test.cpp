#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::ScratchDir;

size_t entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(OutputFile, AppearsOnlyOnCommit) {
  ScratchDir dir;
  {
    parla::OutputFile out(dir / "a.json");
    EXPECT_EQ(out.temp_path().extension(), ".json");
    parla::write_text_file(out.temp_path(), "x");
    EXPECT_FALSE(fs::exists(dir / "a.json"));
    out.commit();
  }
  EXPECT_EQ(parla::read_text_file(dir / "a.json"), "x");
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(OutputFile, AbandonedWriteLeavesNothing) {
  ScratchDir dir;
  {
    parla::OutputFile out(dir / "b.mp4");
    parla::write_text_file(out.temp_path(), "half");
  }
  EXPECT_EQ(entries(dir.path()), 0u);
}

TEST(OutputFile, RejectsBadPathsWithTheirName) {
  ScratchDir dir;
  fs::create_directory(dir / "sub");
  parla::write_text_file(dir / "in.wav", "data");
  auto expect_rejected = [](const fs::path& path, std::initializer_list<fs::path> inputs, const std::string& why) {
    try {
      parla::OutputFile out(path, inputs);
      FAIL() << "accepted " << path;
    } catch (const parla::InputError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find(path.filename().string()), std::string::npos) << what;
      EXPECT_NE(what.find(why), std::string::npos) << what;
    }
  };
  expect_rejected(dir / "sub", {}, "is a directory");
  expect_rejected(dir / "nowhere" / "x.mp4", {}, "does not exist");
  expect_rejected(dir / "in.wav", {dir / "in.wav"}, "also an input");
  expect_rejected(dir / "sub" / ".." / "in.wav", {dir / "in.wav"}, "also an input");
  if (::geteuid() != 0) {  // root writes anywhere
    fs::permissions(dir / "sub", fs::perms::owner_write, fs::perm_options::remove);
    expect_rejected(dir / "sub" / "x.mp4", {}, "not writable");
  }
  EXPECT_EQ(parla::read_text_file(dir / "in.wav"), "data");  // inputs untouched
}

TEST(CheckInputFile, NamesTheFileAndProblem) {
  ScratchDir dir;
  EXPECT_THROW(parla::check_input_file(dir / "none.wav", "audio"), parla::InputError);
  try {
    parla::check_input_file(dir.path(), "audio");
    FAIL();
  } catch (const parla::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos);
  }
}

}  // namespace
