// Ctrl-C or SIGTERM while `parla live --record OUT.mp4` or `parla play` runs (issue #15):
// the player stops as Q stops it (window closed, audio stream stopped, worker joined),
// the process exits 128 + the signal with one "interrupted" line, and nothing is left
// behind: no OUT.mp4, no .partial temporary, no --stats. On the real binary in a real
// window, with a private PulseAudio server as the audio device (live from its virtual
// microphone, fed real speech; play to its null sink).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/player/support/player_test.h"
#include "tests/player/support/pulse_server.h"
#include "tests/support/testing.h"

namespace parla::testing {
namespace {
namespace fs = std::filesystem;

std::string signal_name(int signo) { return signo == SIGINT ? "INT" : "TERM"; }

// Files under `dir` whose names are not in `keep`.
std::vector<std::string> leftovers(const fs::path& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) names.push_back(name);
  }
  return names;
}

// Runs `setup` then `command` (a player) in the background in `dir`, waits until `ready`
// (a shell test) holds, 2 s more, sends the signal, and returns READY-TO-SIGNAL (when it held),
// "rc=N" and the player's stderr.
std::string signal_when(const fs::path& dir, const std::string& setup, const std::string& command,
                        const std::string& ready, int signo) {
  std::string script = "cd " + q(dir) + " && { " + setup + command + " 2>stderr.txt & pid=$!; " +
                       "for i in $(seq 600); do if " + ready +
                       "; then echo READY-TO-SIGNAL; break; fi; sleep 0.05; done; " +
                       "sleep 2; kill -" + signal_name(signo) + " $pid; wait $pid; " +
                       "echo rc=$?; cat stderr.txt; rm stderr.txt; }";
  return run_command(script).output;
}

class PlayerInterrupt : public ::testing::TestWithParam<int> {};

TEST_P(PlayerInterrupt, LiveRecordLeavesNothingBehind) {
  REQUIRE_DISPLAY();
  const int signo = GetParam();
  PulseServer pulse;
  // The virtual microphone speaks for the whole test.
  std::string mic = "{ " + pulse.env() + "paplay --device=mic " +
                    q(shared_media_dir() / "speech" / "jfk_en_male.wav") + " >/dev/null 2>&1 & } ; ";
  std::string live = pulse.env() + parla() + " live --size 128 --record out.mp4 --stats stats.json";
  // Recording: the MP4's temporary exists (the encoder holds the first frames in memory).
  std::string ready = "[ -n \"$(find . -maxdepth 1 -name '.out.partial-*' -size +0)\" ]";
  std::string result = signal_when(pulse.dir(), mic, live, ready, signo);
  ASSERT_NE(result.find("READY-TO-SIGNAL"), std::string::npos) << "live never started recording\n" << result;
  EXPECT_NE(result.find("rc=" + std::to_string(128 + signo)), std::string::npos) << result;
  EXPECT_NE(result.find("interrupted by SIG"), std::string::npos) << result;
  EXPECT_FALSE(fs::exists(pulse.dir() / "out.mp4")) << result;
  EXPECT_FALSE(fs::exists(pulse.dir() / "stats.json")) << result;
  auto left = leftovers(pulse.dir(), {"home", "run", "pulse.log"});
  EXPECT_TRUE(left.empty()) << "left behind: " << ::testing::PrintToString(left) << "\n" << result;
}

TEST_P(PlayerInterrupt, PlayStopsCleanly) {
  REQUIRE_DISPLAY();
  const int signo = GetParam();
  PulseServer pulse;
  std::string play = pulse.env() + parla() + " play --size 128 --stats stats.json " +
                     q(data_dir() / "sample" / "portrait.png") + " " +
                     q(shared_media_dir() / "speech" / "jfk_en_male.wav");
  // Playing: the sink has a stream from parla.
  std::string ready = pulse.env() + "pactl list short sink-inputs | grep -q .";
  std::string result = signal_when(pulse.dir(), "", play, ready, signo);
  ASSERT_NE(result.find("READY-TO-SIGNAL"), std::string::npos) << "play never started sounding\n" << result;
  EXPECT_NE(result.find("rc=" + std::to_string(128 + signo)), std::string::npos) << result;
  EXPECT_NE(result.find("interrupted by SIG"), std::string::npos) << result;
  EXPECT_FALSE(fs::exists(pulse.dir() / "stats.json")) << result;
  auto left = leftovers(pulse.dir(), {"home", "run", "pulse.log"});
  EXPECT_TRUE(left.empty()) << "left behind: " << ::testing::PrintToString(left) << "\n" << result;
}

INSTANTIATE_TEST_SUITE_P(Signals, PlayerInterrupt, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) { return info.param == SIGINT ? "SIGINT" : "SIGTERM"; });

}  // namespace
}  // namespace parla::testing
