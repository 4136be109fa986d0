// Alignment of two espeak-ng readings of one text: the phone times moved from one
// reading onto the other land on that reading's own phone times (espeak-ng reports them
// exactly), across rates, voices and added noise; minutes of speech align too.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/core.h"
#include "text/text.h"

namespace {
using namespace parla::text;

constexpr const char* kText =
    "Maybe people put pepper in the soup. Bob bought a big blue boat, and Pam kept a map "
    "of every harbour from Bombay to Boston.";

struct Errors {
  double median_ms = 0, p90_ms = 0;
  size_t count = 0;
};

// |mapped start − true start| of each non-pause phone, in ms. The two readings come
// from one phonemiser, so their phone sequences match one to one once pauses are left out
// (another accent of one language keeps the count but not every vowel: `same_ipa` false).
Errors boundary_errors(const std::vector<Phone>& mapped, const std::vector<Phone>& truth,
                       bool same_ipa = true) {
  std::vector<const Phone*> a, b;
  for (const Phone& p : mapped)
    if (p.viseme != Viseme::Silence) a.push_back(&p);
  for (const Phone& p : truth)
    if (p.viseme != Viseme::Silence) b.push_back(&p);
  EXPECT_EQ(a.size(), b.size());
  std::vector<double> ms;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (same_ipa) {
      EXPECT_EQ(a[i]->ipa, b[i]->ipa) << "phone " << i;
    }
    ms.push_back(std::abs(a[i]->start_sample - b[i]->start_sample) * 1000.0 / kSampleRate);
  }
  std::sort(ms.begin(), ms.end());
  Errors e;
  e.count = ms.size();
  if (ms.empty()) return e;
  e.median_ms = ms[ms.size() / 2];
  e.p90_ms = ms[static_cast<size_t>(0.9 * (ms.size() - 1))];
  return e;
}

// Deterministic white noise at `snr_db` below the signal's power.
std::vector<float> with_noise(std::vector<float> audio, double snr_db) {
  double power = 0;
  for (float v : audio) power += v * v;
  power /= std::max<size_t>(1, audio.size());
  const double sd = std::sqrt(power / std::pow(10.0, snr_db / 10));
  parla::Random rng(42);
  for (float& v : audio) v += static_cast<float>(sd * rng.normal());
  return audio;
}

Errors align_and_measure(const SpokenText& reference, const SpokenText& target,
                         const std::vector<float>& target_audio, const std::string& what,
                         bool same_ipa = true) {
  Alignment a = align_speech(reference.audio, target_audio);
  std::vector<Phone> mapped =
      map_phones(reference.phones, a, static_cast<std::int64_t>(target_audio.size()));
  Errors e = boundary_errors(mapped, target.phones, same_ipa);
  std::printf("%-28s quality %.2f, %zu phones: median error %.1f ms, p90 %.1f ms\n", what.c_str(),
              a.quality, e.count, e.median_ms, e.p90_ms);
  EXPECT_GT(a.quality, 0.3) << what;
  return e;
}

TEST(Align, RecoversPhoneTimesAcrossRateAndVoice) {
  SpokenText reference = speak_text(kText, {.voice = "en-us"});
  ASSERT_TRUE(reference.unmapped.empty());
  struct Case {
    std::string what;
    EspeakParams voice;
  };
  for (const Case& c : {Case{"slower, other pitch", {.voice = "en-us", .rate_wpm = 130, .pitch = 70}},
                        Case{"faster, female variant", {.voice = "en-us+f3", .rate_wpm = 230}},
                        Case{"klatt voice", {.voice = "en-us+klatt", .rate_wpm = 150, .pitch = 30}},
                        Case{"British English", {.voice = "en+m3", .rate_wpm = 160}}}) {
    SpokenText target = speak_text(kText, c.voice);
    Errors e = align_and_measure(reference, target, target.audio, c.what,
                                 /*same_ipa=*/c.voice.voice.rfind("en-us", 0) == 0);
    EXPECT_LT(e.median_ms, 25) << c.what;
    EXPECT_LT(e.p90_ms, 60) << c.what;
  }
}

TEST(Align, RecoversPhoneTimesUnderNoise) {
  SpokenText reference = speak_text(kText, {.voice = "en-us"});
  SpokenText target = speak_text(kText, {.voice = "en-us+m3", .rate_wpm = 145});
  Errors e = align_and_measure(reference, target, with_noise(target.audio, 10), "white noise 10 dB");
  EXPECT_LT(e.median_ms, 30);
  EXPECT_LT(e.p90_ms, 80);
}

// Leading silence and a long pause the reference does not have: the path waits in them.
TEST(Align, AbsorbsSilenceTheReferenceLacks) {
  SpokenText reference = speak_text(kText, {.voice = "en-us"});
  SpokenText target = speak_text(kText, {.voice = "en-us+f2", .rate_wpm = 160});
  const std::int64_t lead = 2 * kSampleRate;
  std::vector<float> padded(static_cast<size_t>(lead), 0.f);
  padded.insert(padded.end(), target.audio.begin(), target.audio.end());
  padded.insert(padded.end(), static_cast<size_t>(kSampleRate), 0.f);
  SpokenText shifted = target;
  for (Phone& p : shifted.phones) p.start_sample += lead, p.end_sample += lead;
  Errors e = align_and_measure(reference, shifted, padded, "2 s of leading silence");
  EXPECT_LT(e.median_ms, 25);
  EXPECT_LT(e.p90_ms, 60);
}

// About three minutes of speech: bounded memory (the band) and seconds, not minutes.
TEST(Align, AlignsMinutesOfSpeech) {
  std::string text;
  for (int i = 0; i < 18; ++i) text += std::string(kText) + " ";
  SpokenText reference = speak_text(text, {.voice = "en-us"});
  SpokenText target = speak_text(text, {.voice = "en-us+m1", .rate_wpm = 150});
  ASSERT_GT(target.audio.size(), 150u * kSampleRate);
  auto start = std::chrono::steady_clock::now();
  Errors e = align_and_measure(reference, target, target.audio, "3 minutes");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("aligned %.0f s of speech in %.1f s\n", target.audio.size() / 16000.0, seconds);
  EXPECT_LT(e.median_ms, 25);
  EXPECT_LT(e.p90_ms, 60);
  EXPECT_LT(seconds, 60);
}

}  // namespace
