// Ctrl-C or SIGTERM in the middle of a real render (issue #15): the process exits with
// 128 + the signal and one line, and leaves nothing behind — no output, no .partial
// file beside it, no temporary audio directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

class Interrupt : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    portrait = dir / "face.png";
    fs::copy_file(parla::testing::data_dir() / "sample" / "portrait.png", portrait);
    speech = dir / "speech.wav";
    // ~4 min of speech (a render of ~15 s): still running when the signal comes.
    parla::testing::ffmpeg("-stream_loop 30 -i " +
                           shell_quote((parla::testing::data_dir() / "sample" / "speech.flac").string()) +
                           " -ac 1 " + shell_quote(speech.string()));
  }

  // Files under the scratch dir other than the two inputs.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path() != portrait && e.path() != speech) names.push_back(e.path().filename().string());
    }
    return names;
  }

  ScratchDir dir;
  fs::path portrait, speech;
};

TEST_P(Interrupt, MidRenderLeavesNothingBehind) {
  const int signo = GetParam();
  const fs::path out = dir / "out.mp4";
  const std::string exe = parla::testing::parla_executable().string();
  const std::string landmarks = (parla::testing::data_dir() / "sample" / "portrait.landmarks.json").string();
  const std::string err_path = (dir / "stderr.txt").string();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* err = std::freopen(err_path.c_str(), "w", stderr);
    (void)err;
    // --start makes a temporary audio part: it must go too.
    ::execl(exe.c_str(), exe.c_str(), "render", portrait.c_str(), speech.c_str(), "--landmarks",
            landmarks.c_str(), "--start", "0.5", "-q", "-o", out.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until frames are being written (the .partial exists), then signal.
  bool rendering = false;
  for (int k = 0; k < 300 && !rendering; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path().filename().string().find(".partial") != std::string::npos && fs::file_size(e.path()) > 0) {
        rendering = true;
      }
    }
  }
  EXPECT_TRUE(rendering) << "the render never started writing";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, signo);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + signo);
  std::string err = parla::read_text_file(err_path);
  fs::remove(err_path);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(leftovers().empty()) << "left behind: " << ::testing::PrintToString(leftovers());
  const std::string audio_dir = "parla-audio-" + std::to_string(pid) + "-";
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path())) {
    EXPECT_NE(e.path().filename().string().rfind(audio_dir, 0), 0u) << "left behind: " << e.path();
  }
}

INSTANTIATE_TEST_SUITE_P(Signals, Interrupt, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) { return info.param == SIGINT ? "SIGINT" : "SIGTERM"; });

}  // namespace
