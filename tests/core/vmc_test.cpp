// VMC output: real UDP packets on localhost, parsed by an OSC parser written from the
// spec (tests/support/osc.h), carry the frame's blendshapes and head rotation.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/core.h"
#include "tests/support/osc.h"

namespace {

using parla::Channel;
using parla::index;

std::map<std::string, float> blendshapes(const std::vector<parla::testing::OscMessage>& messages) {
  std::map<std::string, float> out;
  for (const auto& m : messages) {
    if (m.address == "/VMC/Ext/Blend/Val") out[m.s(0)] = m.f(1);
  }
  return out;
}

TEST(Vmc, SendsOneBundlePerFrameWithBlendshapesAndHead) {
  parla::testing::UdpReceiver receiver;
  parla::VmcSender sender("127.0.0.1:" + std::to_string(receiver.port()));
  parla::MotionFrame f = parla::neutral_frame();
  f[index(Channel::JawOpen)] = 0.6f;
  f[index(Channel::MouthClose)] = 0.5f;
  f[index(Channel::EyeBlinkLeft)] = 0.9f;
  f[index(Channel::EyeBlinkRight)] = 0.7f;
  f[index(Channel::HeadYaw)] = 0.3f;
  sender.send(f, 1.25);
  auto packet = receiver.receive(2000);
  ASSERT_FALSE(packet.empty());
  EXPECT_EQ(sender.sent(), 1);
  auto messages = parla::testing::parse_osc_packet(packet.data(), packet.size());
  ASSERT_GE(messages.size(), 64u);
  EXPECT_EQ(messages.front().address, "/VMC/Ext/OK");
  EXPECT_EQ(messages.back().address, "/VMC/Ext/Blend/Apply");  // applied after every value

  auto shapes = blendshapes(messages);
  EXPECT_EQ(shapes.size(), 52u + 8u);  // ARKit + VRM presets
  EXPECT_FLOAT_EQ(shapes.at("jawOpen"), 0.6f);
  EXPECT_LE(shapes.at("mouthClose"), shapes.at("jawOpen"));  // ARKit: a seal over the open jaw
  EXPECT_FLOAT_EQ(shapes.at("eyeBlinkLeft"), 0.9f);
  EXPECT_FLOAT_EQ(shapes.at("Blink"), 0.7f);
  EXPECT_NEAR(shapes.at("Blink_L"), 0.2f, 1e-6);
  EXPECT_FLOAT_EQ(shapes.at("Blink_R"), 0.f);
  EXPECT_GT(shapes.at("A"), 0.f);  // an open jaw, half sealed: some "A"

  bool saw_time = false, saw_head = false;
  for (const auto& m : messages) {
    if (m.address == "/VMC/Ext/T") {
      saw_time = true;
      EXPECT_FLOAT_EQ(m.f(0), 1.25f);
    }
    if (m.address == "/VMC/Ext/Bone/Pos") {
      saw_head = true;
      ASSERT_EQ(m.tags, "sfffffff");
      EXPECT_EQ(m.s(0), "Head");
      // A pure yaw of 0.3 rad about Unity's +Y.
      EXPECT_NEAR(m.f(4), 0.f, 1e-6);
      EXPECT_NEAR(m.f(5), std::sin(0.15f), 1e-6);
      EXPECT_NEAR(m.f(6), 0.f, 1e-6);
      EXPECT_NEAR(m.f(7), std::cos(0.15f), 1e-6);
    }
  }
  EXPECT_TRUE(saw_time);
  EXPECT_TRUE(saw_head);
}

TEST(Vmc, HeadQuaternionIsUnitForAnyPose) {
  parla::MotionFrame f = parla::neutral_frame();
  f[index(Channel::HeadYaw)] = -0.7f;
  f[index(Channel::HeadPitch)] = 0.4f;
  f[index(Channel::HeadRoll)] = 0.25f;
  auto bytes = parla::vmc_bundle(f, 0.0);
  for (const auto& m : parla::testing::parse_osc_packet(bytes.data(), bytes.size())) {
    if (m.address != "/VMC/Ext/Bone/Pos") continue;
    float n = m.f(4) * m.f(4) + m.f(5) * m.f(5) + m.f(6) * m.f(6) + m.f(7) * m.f(7);
    EXPECT_NEAR(n, 1.f, 1e-5);
  }
}

TEST(Vmc, BadAddressesAreInputErrors) {
  for (std::string bad : {"localhost", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "host:abc",
                          "no-such-host.invalid:39539"}) {
    EXPECT_THROW(parla::VmcSender{bad}, parla::InputError) << bad;
  }
  EXPECT_NO_THROW(parla::VmcSender{"[::1]:39539"});
  EXPECT_NO_THROW(parla::VmcSender{"localhost:39539"});
}

TEST(Vmc, NobodyListeningIsNotAnError) {
  parla::VmcSender sender("127.0.0.1:9");  // discard port: nothing listens
  parla::MotionFrame f = parla::neutral_frame();
  for (int i = 0; i < 5; ++i) sender.send(f, i / 25.0);
  EXPECT_EQ(sender.sent() + sender.failed(), 5);
}

}  // namespace
