// Mouth and expression labels from phones: bilabials close the lips at the acoustic
// closure with anticipation, f/v roll the lower lip, rounded vowels pucker and round
// ahead of the sound; blinks come at a natural rate, the head is calmer in silence;
// every value is in range; a seed fixes the motion.
#include <gtest/gtest.h>

#include <cmath>

#include "train/random.h"
#include "train/train.h"

namespace {
using namespace parla::train;
using parla::Channel;
using parla::MotionTrack;

constexpr std::int64_t kMs = kSampleRate / 1000;

// Phones from (ipa, milliseconds) pairs, back to back from 0.
std::vector<Phone> phones_of(std::initializer_list<std::pair<const char*, int>> list) {
  std::vector<Phone> out;
  std::int64_t at = 0;
  for (const auto& [ipa, ms] : list) {
    out.push_back({ipa, at, at + ms * kMs, *viseme_for_ipa(ipa), 0.5f});
    at += ms * kMs;
  }
  return out;
}

std::int64_t samples_of(const std::vector<Phone>& p) { return p.back().end_sample; }

// Value of a channel at a time (nearest frame).
float at(const MotionTrack& t, double seconds, Channel c) {
  auto k = static_cast<std::int64_t>(std::lround(seconds * t.fps));
  return t.value(std::clamp<std::int64_t>(k, 0, t.frame_count() - 1), c);
}

double seconds_of(std::int64_t samples) { return samples / static_cast<double>(kSampleRate); }

TEST(MouthLabels, FrameCountMatchesAudio) {
  for (std::int64_t samples : {1, 639, 640, 641, 16000, 16001}) {
    std::vector<Phone> p{{"_", 0, samples, Viseme::Silence, 0}};
    EXPECT_EQ(label_motion(p, samples, false, 1).frame_count(), (samples + 639) / 640) << samples;
  }
}

TEST(MouthLabels, BilabialsCloseAtTheClosureAndAnticipate) {
  auto p = phones_of(
      {{"_", 400}, {"a", 200}, {"p", 120}, {"a", 200}, {"m", 100}, {"a", 250}, {"_", 400}});
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    MotionTrack t = label_motion(p, samples_of(p), false, seed);
    for (int i : {2, 4}) {
      double on = seconds_of(p[i].start_sample), off = seconds_of(p[i].end_sample);
      EXPECT_GE(at(t, on + 0.3 * (off - on), Channel::MouthClose), 0.95f)
          << "seed " << seed << " phone " << i;
      EXPECT_LE(at(t, on + 0.3 * (off - on), Channel::JawOpen), 0.2f) << "seed " << seed;
      // The lips are already closing one frame (40 ms) before the acoustic closure.
      EXPECT_GT(at(t, on - 0.04, Channel::MouthClose), 0.25f) << "seed " << seed << " phone " << i;
    }
    // Open vowels open the jaw; the lips part between closures.
    EXPECT_GT(at(t, seconds_of(p[1].start_sample + p[1].end_sample) / 2, Channel::JawOpen), 0.4f);
    EXPECT_LT(
        at(t, seconds_of(p[5].start_sample + p[5].end_sample) / 2 + 0.05, Channel::MouthClose),
        0.3f);
  }
}

TEST(MouthLabels, ALongPauseSettlesAtTheRestMouth) {
  // rest_mouth is what the base trainer puts under music and silence: the labels must
  // reach exactly it inside a long pause (smile: the clip's resting smile).
  auto p = phones_of({{"_", 300}, {"a", 250}, {"_", 1500}, {"o", 250}, {"_", 300}});
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    MotionTrack t = label_motion(p, samples_of(p), false, seed);
    double mid = seconds_of(p[2].start_sample + p[2].end_sample) / 2;
    auto rest = rest_mouth(at(t, mid, Channel::MouthSmile));
    for (int c = 0; c < parla::kMouthChannelCount; ++c) {
      EXPECT_NEAR(at(t, mid, static_cast<Channel>(c)), rest[c], 0.01)
          << "seed " << seed << " channel " << c;
    }
    EXPECT_LT(rest[parla::index(Channel::JawOpen)], 0.05f);
  }
}

TEST(MouthLabels, LabiodentalsRollTheLowerLip) {
  auto p = phones_of(
      {{"_", 300}, {"a", 200}, {"f", 140}, {"a", 200}, {"v", 120}, {"i", 200}, {"_", 300}});
  MotionTrack t = label_motion(p, samples_of(p), false, 4);
  for (int i : {2, 4}) {
    double mid = seconds_of(p[i].start_sample + p[i].end_sample) / 2;
    EXPECT_GE(at(t, mid, Channel::MouthRollLower), 0.7f) << i;
  }
  // Before the gesture starts (≥ 150 ms ahead of the f) the lip is free.
  EXPECT_LT(at(t, seconds_of(p[1].start_sample) + 0.02, Channel::MouthRollLower), 0.2f);
}

TEST(MouthLabels, RoundedVowelsPuckerAndRoundingIsAnticipated) {
  auto p = phones_of({{"_", 300},
                      {"i", 250},
                      {"s", 120},
                      {"t", 80},
                      {"uː", 250},
                      {"_", 300},
                      {"o", 250},
                      {"_", 300}});
  MotionTrack t = label_motion(p, samples_of(p), false, 2);
  double u_mid = seconds_of(p[4].start_sample + p[4].end_sample) / 2;
  double i_mid = seconds_of(p[1].start_sample + p[1].end_sample) / 2;
  double o_mid = seconds_of(p[6].start_sample + p[6].end_sample) / 2;
  EXPECT_GT(at(t, u_mid, Channel::MouthPucker), 0.55f);
  EXPECT_GT(at(t, o_mid, Channel::MouthFunnel), 0.45f);
  EXPECT_LT(at(t, i_mid, Channel::MouthPucker), 0.15f);
  EXPECT_GT(at(t, i_mid, Channel::MouthStretch), 0.35f);
  // Rounding starts during the consonants before the vowel.
  double u_on = seconds_of(p[4].start_sample);
  EXPECT_GT(at(t, u_on - 0.04, Channel::MouthPucker), 0.3f);
  EXPECT_GT(at(t, u_on - 0.04, Channel::MouthPucker),
            at(t, u_on - 0.16, Channel::MouthPucker) + 0.1f);
}

// A long talk: phrases of random syllables separated by pauses.
std::vector<Phone> long_talk(std::uint64_t seed, double minutes) {
  Random rng(seed);
  std::vector<Phone> p;
  std::int64_t at = 0;
  const char* syllables[][2] = {{"p", "a"}, {"t", "i"}, {"m", "o"},
                                {"s", "u"}, {"k", "e"}, {"l", "ə"}};
  while (at < minutes * 60 * kSampleRate) {
    int n = 4 + static_cast<int>(rng.below(14));
    for (int s = 0; s < n; ++s) {
      const auto& syl = syllables[rng.below(6)];
      auto c = static_cast<std::int64_t>(rng.uniform(50, 110)) * kMs;
      auto v = static_cast<std::int64_t>(rng.uniform(70, 200)) * kMs;
      p.push_back({syl[0], at, at + c, *viseme_for_ipa(syl[0]), 0});
      p.push_back(
          {syl[1], at + c, at + c + v, *viseme_for_ipa(syl[1]), static_cast<float>(rng.uniform())});
      at += c + v;
    }
    auto pause = static_cast<std::int64_t>(rng.uniform(150, 1200)) * kMs;
    p.push_back({"_", at, at + pause, Viseme::Silence, 0});
    at += pause;
  }
  return p;
}

TEST(ExpressionLabels, BlinkRateAndDurationAreNatural) {
  double blinks = 0, minutes = 0, closed_frames = 0;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    auto p = long_talk(seed, 2.0);
    MotionTrack t = label_motion(p, samples_of(p), false, seed);
    float previous = 0;
    for (const auto& f : t.frames) {
      float lid = f[parla::index(Channel::EyeBlinkLeft)];
      if (lid >= 0.5f && previous < 0.5f) ++blinks;
      if (lid >= 0.5f) ++closed_frames;
      previous = lid;
    }
    minutes += t.duration_seconds() / 60;
  }
  double rate = blinks / minutes;
  EXPECT_GE(rate, 14.0);
  EXPECT_LE(rate, 22.0);
  // Lids are past half-closed for ~100–200 ms per blink: 2.5–5 frames at 25 fps.
  double frames_per_blink = closed_frames / blinks;
  EXPECT_GE(frames_per_blink, 2.0);
  EXPECT_LE(frames_per_blink, 6.0);
}

TEST(ExpressionLabels, BlinksAreMoreLikelyInPauses) {
  double pause_blinks = 0, pause_s = 0, speech_blinks = 0, speech_s = 0;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    auto p = long_talk(seed + 100, 2.0);
    MotionTrack t = label_motion(p, samples_of(p), false, seed);
    std::vector<bool> in_pause(static_cast<size_t>(t.frame_count()), false);
    for (const Phone& ph : p) {
      if (ph.viseme != Viseme::Silence) continue;
      for (auto k = ph.start_sample / 640;
           k < std::min<std::int64_t>(t.frame_count(), ph.end_sample / 640 + 5); ++k)
        in_pause[k] = true;
    }
    float previous = 0;
    for (std::int64_t k = 0; k < t.frame_count(); ++k) {
      float lid = t.value(k, Channel::EyeBlinkLeft);
      bool onset = lid >= 0.5f && previous < 0.5f;
      previous = lid;
      (in_pause[k] ? pause_s : speech_s) += 1 / t.fps;
      if (onset) (in_pause[k] ? pause_blinks : speech_blinks) += 1;
    }
  }
  EXPECT_GT(pause_blinks / pause_s, 1.3 * speech_blinks / speech_s);
}

TEST(ExpressionLabels, HeadIsCalmerInSilenceAndValuesAreInRange) {
  // 20 s of talk, then 20 s of silence.
  auto talk = long_talk(9, 1.0 / 3);
  std::int64_t talk_end = talk.back().end_sample;
  talk.push_back({"_", talk_end, talk_end + 20 * kSampleRate, Viseme::Silence, 0});
  double moving_talk = 0, moving_silence = 0;
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    MotionTrack t = label_motion(talk, samples_of(talk), false, seed);
    auto boundary = talk_end / 640;
    for (std::int64_t k = 1; k < t.frame_count(); ++k) {
      double v = 0;
      for (Channel c : {Channel::HeadYaw, Channel::HeadPitch, Channel::HeadRoll}) {
        v += std::abs(t.value(k, c) - t.value(k - 1, c));
      }
      if (k < boundary - 10) moving_talk += v;
      if (k > boundary + 50) moving_silence += v;  // after the 2 s settling
      for (int ch = 0; ch < parla::kChannelCount; ++ch) {
        const auto& info = parla::channel_table()[ch];
        ASSERT_GE(t.frames[k][ch], info.min) << info.name;
        ASSERT_LE(t.frames[k][ch], info.max) << info.name;
      }
    }
  }
  EXPECT_GT(moving_talk, 1.5 * moving_silence);
}

TEST(ExpressionLabels, SeedFixesTheMotion) {
  auto p = long_talk(3, 0.3);
  MotionTrack a = label_motion(p, samples_of(p), true, 42),
              b = label_motion(p, samples_of(p), true, 42);
  MotionTrack c = label_motion(p, samples_of(p), true, 43);
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_NE(a.frames, c.frames);
}

}  // namespace
