// parla/parla.h through libparla: the streaming Animator against itself cut differently
// and against rendered frames, PCM in memory, early stop, parameter and data errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "audio/audio.h"
#include "parla/parla.h"
#include "tests/support/testing.h"

namespace parla {
namespace {

// The sample's speech, decoded at `rate` Hz mono (what a microphone would deliver).
std::vector<float> sample_pcm(int rate) { return audio::decode_audio(sample_audio(), {.sample_rate = rate, .channels = 1}); }

std::vector<MotionFrame> stream(const std::vector<float>& pcm, int rate, size_t chunk) {
  Params params;
  params.seed = 3;
  Animator animator(params);
  std::vector<MotionFrame> frames;
  for (size_t at = 0; at < pcm.size(); at += chunk) {
    animator.push({pcm.data() + at, std::min(chunk, pcm.size() - at)}, rate);
    animator.pull_all(frames);
  }
  animator.finish();
  animator.pull_all(frames);
  EXPECT_EQ(animator.frames_pulled(), static_cast<std::int64_t>(frames.size()));
  return frames;
}

TEST(Facade, DataIsTheCheckoutsAndTheSampleExists) {
  EXPECT_TRUE(std::filesystem::equivalent(data_dir(), testing::data_dir()));
  EXPECT_TRUE(std::filesystem::is_regular_file(sample_portrait()));
}

TEST(Facade, AnimatorGivesTheSameMotionHoweverThePushesAreCut) {
  const std::vector<float> pcm = sample_pcm(48000);
  const std::vector<MotionFrame> mic = stream(pcm, 48000, 480);      // 10 ms chunks
  const std::vector<MotionFrame> whole = stream(pcm, 48000, pcm.size());
  // 16 kHz samples S give ceil(ceil(S / 160) / 4) frames: the sample's 8.345 s is 209.
  ASSERT_EQ(mic.size(), 209u);
  ASSERT_EQ(whole.size(), mic.size());
  float jaw_max = 0;
  for (size_t i = 0; i < mic.size(); ++i) {
    for (int c = 0; c < kChannelCount; ++c) ASSERT_EQ(mic[i][c], whole[i][c]) << "frame " << i << " channel " << c;
    jaw_max = std::max(jaw_max, mic[i][index(Channel::JawOpen)]);
  }
  EXPECT_GT(jaw_max, 0.3f) << "speech opens the jaw";
}

TEST(Facade, RenderFramesFromPcmDeliversEveryFrameAndStopsWhenAsked) {
  const std::vector<float> pcm = sample_pcm(16000);
  Params params;
  params.size = 128;
  params.fps = 10;
  std::int64_t seen = 0;
  RenderResult all = render_frames(params, sample_portrait(), Pcm{pcm, 16000, 1}, [&](const Picture& p) {
    EXPECT_EQ(p.index, seen++);
    EXPECT_EQ(p.width, 128);
    EXPECT_EQ(p.rgba[3], 255);
    return true;
  });
  EXPECT_EQ(all.frames, static_cast<std::int64_t>(std::ceil(pcm.size() / 16000.0 * 10)));
  EXPECT_EQ(seen, all.frames);
  EXPECT_NEAR(all.audio_seconds, 8.345, 0.01);
  RenderResult first = render_frames(params, sample_portrait(), Pcm{pcm, 16000, 1},
                                     [&](const Picture& p) { return p.index < 4; });
  EXPECT_EQ(first.frames, 5);
}

TEST(Facade, BadParametersAndInputsThrowBadInputNamingThem) {
  Params params;
  params.jaw_gain = 4;
  try {
    generate_motion(params, sample_audio());
    FAIL() << "jaw_gain 4 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("jaw_gain"), std::string::npos) << e.what();
  }
  try {
    render_file(Params{}, "/nonexistent/face.png", sample_audio(), testing::ScratchDir() / "x.mp4");
    FAIL() << "a missing portrait was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/face.png"), std::string::npos) << e.what();
  }
  for (auto set : {+[](Params& p) { p.experts = "maybe"; },
                   +[](Params& p) { p.expert_scale[1] = 5; },
                   +[](Params& p) { p.experts_dir = "/nonexistent/experts"; }}) {
    Params bad;
    set(bad);
    try {
      generate_motion(bad, sample_audio());
      FAIL() << "bad experts parameters were accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_input) << e.what();
      EXPECT_NE(std::string(e.what()).find("expert"), std::string::npos) << e.what();
    }
  }
  Params off;
  off.experts = "off";
  Params zero;
  zero.experts_dir = "/nonexistent/experts";  // never read: every scale 0 is the base model
  zero.expert_scale = {0, 0, 0};
  EXPECT_EQ(generate_motion(zero, sample_audio()), generate_motion(off, sample_audio()));
  Animator animator(Params{});
  animator.push(std::vector<float>(480, 0.f), 48000);
  EXPECT_THROW(animator.push(std::vector<float>(441, 0.f), 44100), InputError);
  EXPECT_THROW(animator.render(MotionFrame{}), InputError);
}

// The shipped experts keep the base model's jaw and closures to the bit unless told not to
// (Params::base_jaw), and still move the other channels.
TEST(Facade, ShippedExpertsKeepTheBaseModelsJawUnlessTold) {
  Params off;
  off.experts = "off";
  const auto base = generate_motion(off, sample_audio());
  const auto fused = generate_motion(Params{}, sample_audio());
  Params free;
  free.base_jaw = false;
  const auto unanchored = generate_motion(free, sample_audio());
  ASSERT_EQ(fused.size(), base.size());
  ASSERT_EQ(unanchored.size(), base.size());
  int jaw_moved = 0, other_moved = 0;
  for (std::size_t k = 0; k < base.size(); ++k) {
    for (Channel c : {Channel::JawOpen, Channel::MouthClose}) {
      EXPECT_EQ(fused[k][index(c)], base[k][index(c)]) << k;
      jaw_moved += unanchored[k][index(c)] != base[k][index(c)];
    }
    other_moved += fused[k][index(Channel::MouthFunnel)] != base[k][index(Channel::MouthFunnel)];
  }
  EXPECT_GT(jaw_moved, 0);
  EXPECT_GT(other_moved, 0);
}

TEST(Facade, DataDirFollowsTheEnvironment) {
  testing::ScratchDir dir;
  ::setenv("PARLA_DATA_DIR", dir.path().c_str(), 1);
  EXPECT_EQ(data_dir(), dir.path());
  EXPECT_EQ(sample_audio(), dir.path() / "sample" / "speech.flac");
  ::unsetenv("PARLA_DATA_DIR");
  EXPECT_TRUE(std::filesystem::equivalent(data_dir(), testing::data_dir()));
}

}  // namespace
}  // namespace parla
