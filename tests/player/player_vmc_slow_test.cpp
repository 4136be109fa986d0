// `parla play --vmc` / `parla live --vmc` end to end: the real binary in a real window
// sends to a UDP socket in this process; the datagrams are parsed with the OSC parser
// written from the spec (tests/support/osc.h), independent of core/vmc.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <nlohmann/json.hpp>

#include "core/core.h"
#include "tests/support/osc.h"
#include "tests/player/support/player_test.h"
#include "tests/support/testing.h"

namespace parla::testing {
namespace {


// One received bundle: its /VMC/Ext/T time and the blendshapes it carried.
struct VmcFrame {
  double seconds = -1;
  float jaw_open = -1, mouth_close = -1;
  int blend_values = 0;
  bool applied = false, has_head = false;
};

VmcFrame parse_frame(const std::vector<std::uint8_t>& packet) {
  VmcFrame frame;
  for (const OscMessage& m : parse_osc_packet(packet.data(), packet.size())) {
    if (m.address == "/VMC/Ext/T") frame.seconds = m.f(0);
    if (m.address == "/VMC/Ext/Bone/Pos" && m.s(0) == "Head") frame.has_head = true;
    if (m.address == "/VMC/Ext/Blend/Apply") frame.applied = true;
    if (m.address == "/VMC/Ext/Blend/Val") {
      ++frame.blend_values;
      if (m.s(0) == "jawOpen") frame.jaw_open = m.f(1);
      if (m.s(0) == "mouthClose") frame.mouth_close = m.f(1);
    }
  }
  return frame;
}

// Runs `command` (which sends to receiver.port()) while draining the socket, so no
// datagram is lost to a full receive buffer.
std::vector<VmcFrame> receive_while(UdpReceiver& receiver, const std::string& command,
                                    CommandResult& result) {
  auto running = std::async(std::launch::async, [&] { return run_command(command); });
  std::vector<VmcFrame> frames;
  for (;;) {
    auto packet = receiver.receive(100);
    if (!packet.empty()) {
      frames.push_back(parse_frame(packet));
      continue;
    }
    if (running.wait_for(std::chrono::seconds(0)) == std::future_status::ready) break;
  }
  result = running.get();
  return frames;
}

// Checks what a VTuber app relies on; returns the number of frames that move the jaw.
void expect_speech_frames(const std::vector<VmcFrame>& frames) {
  ASSERT_GE(frames.size(), 50u);
  float jaw_min = 1, jaw_max = 0;
  int close_above_jaw = 0, time_steps_back = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const VmcFrame& f = frames[i];
    ASSERT_EQ(f.blend_values, 52 + 8) << "frame " << i;
    ASSERT_TRUE(f.applied && f.has_head) << "frame " << i;
    ASSERT_GE(f.jaw_open, 0.f);
    jaw_min = std::min(jaw_min, f.jaw_open), jaw_max = std::max(jaw_max, f.jaw_open);
    close_above_jaw += f.mouth_close > f.jaw_open + 1e-6f;
    if (i > 0) time_steps_back += f.seconds <= frames[i - 1].seconds;
  }
  std::printf("VMC: %zu bundles, jawOpen %.2f..%.2f, T %.2f..%.2f s\n", frames.size(), jaw_min,
              jaw_max, frames.front().seconds, frames.back().seconds);
  EXPECT_GT(jaw_max, 0.3f);       // the mouth opens with the speech...
  EXPECT_LT(jaw_min, 0.1f);       // ...and closes in its pauses
  EXPECT_EQ(close_above_jaw, 0);  // ARKit: mouthClose is a corrective over an open jaw
  EXPECT_EQ(time_steps_back, 0);  // /VMC/Ext/T increases frame after frame
}

TEST(PlayVmc, EveryShownFrameGoesOutAsAVmcBundle) {
  REQUIRE_DISPLAY();
  ScratchDir dir;
  UdpReceiver receiver;
  CommandResult r;
  auto frames = receive_while(
      receiver,
      parla() + " play --no-audio --vmc 127.0.0.1:" + std::to_string(receiver.port()) +
          " --stats " + q(dir / "stats.json") + " 2>&1",
      r);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto stats = nlohmann::json::parse(read_text_file(dir / "stats.json"));
  int shown = stats["frames_shown"].get<int>();
  EXPECT_EQ(stats["vmc_sent"].get<int>(), shown) << stats.dump();
  EXPECT_GE(static_cast<int>(frames.size()), shown - 2) << "of " << shown << " frames shown";
  EXPECT_LE(static_cast<int>(frames.size()), shown);
  expect_speech_frames(frames);
  // The bundled sample (8.3 s) to its end: T runs over the whole clip in frame steps.
  EXPECT_LT(frames.front().seconds, 0.1);
  EXPECT_GT(frames.back().seconds, 8.0);
}

TEST(PlayVmc, ABadAddressIsRefusedBeforeTheWindowOpens) {
  // No display needed: the address is checked first.
  auto r =
      run_command("env -u DISPLAY " + parla() + " play --no-audio --vmc nohost.invalid:39539 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--vmc"), std::string::npos) << r.output;
  auto live = run_command("env -u DISPLAY " + parla() + " live --vmc 127.0.0.1:0 2>&1");
  EXPECT_EQ(live.exit_code, 2) << live.output;
}

// live with a file as the microphone (--input) drives the VMC output in real time.
TEST(LiveVmc, AFileAsTheMicrophoneDrivesTheVmcOutput) {
  REQUIRE_DISPLAY();
  ScratchDir dir;
  UdpReceiver receiver;
  CommandResult r;
  auto speech = shared_media_dir() / "speech" / "librivox_en_male.wav";  // 7.1 s
  auto frames = receive_while(receiver,
                              parla() + " live --input " + q(speech) +
                                  " --vmc 127.0.0.1:" + std::to_string(receiver.port()) +
                                  " --stats " + q(dir / "stats.json") + " 2>&1",
                              r);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto stats = nlohmann::json::parse(read_text_file(dir / "stats.json"));
  int shown = stats["frames_shown"].get<int>();
  EXPECT_EQ(stats["vmc_sent"].get<int>(), shown) << stats.dump();
  EXPECT_GE(static_cast<int>(frames.size()), shown - 2);
  EXPECT_GE(shown, 100) << stats.dump();  // ~25 fps for the 7 s of speech
  expect_speech_frames(frames);
}

}  // namespace
}  // namespace parla::testing
