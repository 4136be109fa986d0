// Phone timings from every engine agree with the audio they came with: pauses are
// quiet, bilabial closures are quiet compared with their vowels, phones tile the clip,
// and speed perturbation keeps all of that true after stretching the labels.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/train/support.h"

namespace {
using namespace parla::train;
using parla::train::testing::energy_db;
using parla::train::testing::speak;
using parla::train::testing::Spoken;

constexpr const char* kEnglish =
    "Maybe people put pepper in the soup. Bob bought a big blue boat, and Pam kept a map.";

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void expect_tiled(const Spoken& s) {
  ASSERT_FALSE(s.phones.empty());
  EXPECT_EQ(s.phones.front().start_sample, 0);
  EXPECT_EQ(s.phones.back().end_sample, static_cast<std::int64_t>(s.audio.size()));
  for (size_t i = 1; i < s.phones.size(); ++i) {
    EXPECT_EQ(s.phones[i].start_sample, s.phones[i - 1].end_sample) << "phone " << i;
    EXPECT_LT(s.phones[i].start_sample, s.phones[i].end_sample) << "phone " << i;
  }
}

// Interior pauses of ≥ 100 ms are ≥ 15 dB below the median vowel; the closure half of
// bilabial stops is > 6 dB below the vowel before it (median over occurrences; /b/ keeps
// a voice bar, so the drop is ~8–12 dB rather than a voiceless stop's 20+).
void expect_energy_agrees(const Spoken& s, const std::string& what) {
  std::vector<double> vowels, pauses, closure_drops;
  for (size_t i = 0; i < s.phones.size(); ++i) {
    const Phone& p = s.phones[i];
    if (is_vowel(p.viseme)) vowels.push_back(energy_db(s.audio, p.start_sample, p.end_sample));
    bool interior = i > 0 && i + 1 < s.phones.size();
    if (p.viseme == Viseme::Silence && interior && p.end_sample - p.start_sample >= 1600) {
      // Skip 20 ms at each edge: the neighbours' edges are not exact to the sample.
      pauses.push_back(energy_db(s.audio, p.start_sample + 320, p.end_sample - 320));
    }
    bool stop = p.ipa.rfind("p", 0) == 0 || p.ipa.rfind("b", 0) == 0;
    if (stop && interior && is_vowel(s.phones[i - 1].viseme)) {
      auto mid = (p.start_sample + p.end_sample) / 2;
      double closure = energy_db(s.audio, p.start_sample + 80, mid);
      double vowel = energy_db(s.audio, s.phones[i - 1].start_sample, s.phones[i - 1].end_sample);
      closure_drops.push_back(vowel - closure);
    }
  }
  ASSERT_FALSE(vowels.empty()) << what;
  ASSERT_FALSE(pauses.empty()) << what;
  double vowel_db = median(vowels);
  for (double pause_db : pauses) EXPECT_LT(pause_db, vowel_db - 15) << what;
  ASSERT_GE(closure_drops.size(), 3u) << what;
  EXPECT_GT(median(closure_drops), 6) << what;
}

// Labels against audio: frames whose lips are shut (mouthClose ≥ 0.9) are quieter than
// frames with the jaw open (jawOpen ≥ 0.4) by > 6 dB (medians of the energy over 40 ms
// at each frame time). Measured 8–10 dB: /m/ is voiced, and anticipation shows the lips
// shut up to a frame before the sound stops, so the gap is smaller than a stop's.
void expect_closed_lips_are_quiet(const Spoken& s, const std::string& what) {
  parla::MotionTrack t =
      label_motion(s.phones, static_cast<std::int64_t>(s.audio.size()), false, 1);
  std::vector<double> closed, open;
  for (std::int64_t k = 0; k < t.frame_count(); ++k) {
    double db = energy_db(s.audio, k * 640 - 320, k * 640 + 320);
    if (t.value(k, parla::Channel::MouthClose) >= 0.9f) closed.push_back(db);
    if (t.value(k, parla::Channel::JawOpen) >= 0.4f) open.push_back(db);
  }
  ASSERT_GE(closed.size(), 3u) << what;
  ASSERT_GE(open.size(), 3u) << what;
  EXPECT_GT(median(open) - median(closed), 6) << what;
}

TEST(PhoneTiming, ClosedLipsInLabelsAreQuietInAudio) {
  const char* text =
      "Maybe people put pepper in the soup. Bob bought a big blue boat, and Pam kept a map.";
  expect_closed_lips_are_quiet(speak("espeak-ng", "en-us+m1", "en", text), "espeak-ng");
  expect_closed_lips_are_quiet(speak("flite", "cmu_us_awb", "en", text), "flite");
  expect_closed_lips_are_quiet(speak("festival", "kal_diphone", "en", text), "festival");
}

TEST(PhoneTiming, EspeakEnglishAgreesWithAudio) {
  Spoken s = speak("espeak-ng", "en-us+m1", "en", kEnglish);
  expect_tiled(s);
  expect_energy_agrees(s, "espeak-ng en-us");
}

TEST(PhoneTiming, EspeakGermanAgreesWithAudio) {
  Spoken s = speak("espeak-ng", "de+f2", "de",
                   "Papa backt Brot. Bitte bringe mir ein paar Birnen, aber bald.");
  expect_tiled(s);
  expect_energy_agrees(s, "espeak-ng de");
}

TEST(PhoneTiming, FliteAgreesWithAudio) {
  Spoken s = speak("flite", "cmu_us_slt", "en", kEnglish);
  expect_tiled(s);
  expect_energy_agrees(s, "flite slt");
}

TEST(PhoneTiming, FestivalAgreesWithAudio) {
  Spoken s = speak("festival", "kal_diphone", "en", kEnglish);
  expect_tiled(s);
  expect_energy_agrees(s, "festival kal");
}

TEST(PhoneTiming, SpeedPerturbationKeepsLabelsOnTheAudio) {
  Spoken base = speak("espeak-ng", "en-us+f3", "en", kEnglish);
  for (double factor : {0.9, 1.1}) {
    Spoken s = base;
    s.audio = speed_perturb(base.audio, factor, s.phones);
    EXPECT_NEAR(static_cast<double>(s.audio.size()), base.audio.size() / factor, 1.0);
    ASSERT_EQ(s.phones.size(), base.phones.size());
    for (size_t i = 0; i < s.phones.size(); ++i) {
      EXPECT_NEAR(s.phones[i].start_sample, base.phones[i].start_sample / factor, 1.0)
          << "phone " << i;
    }
    expect_tiled(s);
    expect_energy_agrees(s, "speed " + std::to_string(factor));
    parla::MotionTrack track =
        label_motion(s.phones, static_cast<std::int64_t>(s.audio.size()), false, 3);
    EXPECT_EQ(track.frame_count(), motion_frames_for(static_cast<std::int64_t>(s.audio.size())));
  }
}

TEST(PhoneTiming, SpeedPerturbationMovesAnEventToTheStretchedTime) {
  std::vector<float> audio(32000, 0.f);
  for (int i = 16000; i < 16160; ++i) audio[i] = 0.8f;  // a 10 ms burst at 1.0 s
  std::vector<Phone> phones{{"_", 0, 16000, Viseme::Silence, 0},
                            {"a", 16000, 32000, Viseme::OpenVowel, 0}};
  std::vector<float> fast = speed_perturb(audio, 1.1, phones);
  auto peak = std::max_element(fast.begin(), fast.end(),
                               [](float a, float b) { return std::abs(a) < std::abs(b); });
  double burst_centre = 16080 / 1.1;
  EXPECT_NEAR(static_cast<double>(peak - fast.begin()), burst_centre, 80);
  EXPECT_NEAR(static_cast<double>(phones[1].start_sample), 16000 / 1.1, 1.0);
}

}  // namespace
