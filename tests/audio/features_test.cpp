// Feature extraction on signals whose answers are known: tones, noise, silence, and
// espeak-ng speech decoded through the real decoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "audio/audio.h"
#include "tests/audio/audio_test_support.h"
#include "tests/support/testing.h"

namespace parla::audio {
namespace {

using test::sine;
using test::white_noise;

// Middle frames, away from the zero-padded edges.
std::vector<FeatureFrame> middle(const Features& f) {
  size_t skip = f.frames.size() / 5;
  return {f.frames.begin() + skip, f.frames.end() - skip};
}

float median(std::vector<float> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

std::vector<float> espeak_speech(const std::string& text) {
  parla::testing::ScratchDir dir;
  parla::testing::make_speech(dir / "speech.wav", text);
  return decode_audio(dir / "speech.wav");
}

TEST(Features, FrameCountIsCeilOfSamplesOverHop) {
  for (size_t n : {0, 1, 159, 160, 161, 16000, 16001}) {
    std::vector<float> pcm(n, 0.1f);
    EXPECT_EQ(compute_features(pcm).frames.size(), (n + 159) / 160) << n << " samples";
  }
}

TEST(Features, StreamingEmitsAFrameOnceItsLookaheadArrives) {
  FeatureExtractor extractor;
  const int latency = extractor.latency_samples();
  EXPECT_GE(latency, 200);
  EXPECT_LE(latency, 800) << "keeps live mode responsive";
  Features out;
  std::vector<float> pcm = sine(200, 1.0);
  extractor.push({pcm.data(), static_cast<size_t>(latency) - 1}, out);
  EXPECT_EQ(out.frames.size(), 0u);
  extractor.push({pcm.data() + latency - 1, 1}, out);
  EXPECT_EQ(out.frames.size(), 1u);
  extractor.push({pcm.data() + latency, 160}, out);
  EXPECT_EQ(out.frames.size(), 2u);
}

TEST(Features, EnergyIsRmsInDbfs) {
  Features f = compute_features(sine(1000, 1.0, /*amplitude=*/1.0));
  for (const auto& frame : middle(f)) EXPECT_NEAR(frame.energy_db, -3.01f, 0.05f);
  Features quiet = compute_features(sine(1000, 1.0, /*amplitude=*/0.01));
  for (const auto& frame : middle(quiet)) EXPECT_NEAR(frame.energy_db, -43.01f, 0.05f);
}

TEST(Features, MelOfAToneIsLargestInTheBinCentredOnIt) {
  for (int bin : {12, 30, 50, 70, 78}) {
    const double hz = mel_bin_center_hz(bin);
    // The expected centre, straight from the HTK mel scale and the band edges.
    const double lo = 2595 * std::log10(1 + kMelMinHz / 700),
                 hi = 2595 * std::log10(1 + kMelMaxHz / 700);
    const double mel = lo + (bin + 1) * (hi - lo) / (kMelBins + 1);
    EXPECT_NEAR(hz, 700 * (std::pow(10, mel / 2595) - 1), 1e-6);
    Features f = compute_features(sine(hz, 0.5));
    for (const auto& frame : middle(f)) {
      int peak = static_cast<int>(std::max_element(frame.log_mel.begin(), frame.log_mel.end()) -
                                  frame.log_mel.begin());
      ASSERT_EQ(peak, bin) << hz << " Hz";
    }
  }
}

TEST(Features, PitchOfTonesWithinOnePercent) {
  for (double hz : {65.0, 120.0, 220.0, 330.0, 480.0}) {
    Features f = compute_features(sine(hz, 1.0, 0.3));
    std::vector<float> f0, voicing;
    for (const auto& frame : middle(f)) {
      f0.push_back(frame.f0_hz);
      voicing.push_back(frame.voicing);
    }
    EXPECT_NEAR(median(f0), hz, hz * 0.01) << hz << " Hz";
    EXPECT_GT(*std::min_element(f0.begin(), f0.end()), hz * 0.99) << hz << " Hz, every frame";
    EXPECT_LT(*std::max_element(f0.begin(), f0.end()), hz * 1.01) << hz << " Hz, every frame";
    EXPECT_GT(*std::min_element(voicing.begin(), voicing.end()), 0.9f) << hz << " Hz";
  }
}

TEST(Features, WidestPitchRangeStillResolvesItsEnds) {
  const FeatureParams wide{.f0_min_hz = 40, .f0_max_hz = 1000};
  for (double hz : {45.0, 900.0}) {
    std::vector<float> f0;
    for (const auto& frame : middle(compute_features(sine(hz, 1.0, 0.3), wide))) {
      f0.push_back(frame.f0_hz);
    }
    EXPECT_NEAR(median(f0), hz, hz * 0.01) << hz << " Hz";
  }
}

TEST(Features, WhiteNoiseIsUnvoicedAndNotSpeech) {
  Features f = compute_features(white_noise(3.0, 0.3));
  int voiced = 0, speech = 0;
  double voicing = 0;
  for (const auto& frame : f.frames) {
    voiced += frame.f0_hz > 0;
    speech += frame.speech;
    voicing += frame.voicing;
  }
  const double n = static_cast<double>(f.frames.size());
  EXPECT_LT(voicing / n, 0.35);
  EXPECT_LT(voiced / n, 0.03);
  EXPECT_LT(speech / n, 0.05);
}

TEST(Features, SilenceIsFloorEnergyAndNoSpeech) {
  Features f = compute_features(std::vector<float>(32000, 0.f));
  for (const auto& frame : f.frames) {
    EXPECT_EQ(frame.energy_db, -100.f);
    EXPECT_FALSE(frame.speech);
    EXPECT_EQ(frame.f0_hz, 0.f);
    EXPECT_FLOAT_EQ(frame.log_mel[40], std::log(1e-10f));
  }
}

TEST(Features, VoiceActivityFollowsEspeakSpeech) {
  std::vector<float> speech =
      espeak_speech("Hello there. The quick brown fox jumps over the lazy dog.");
  // One second of silence on both sides.
  std::vector<float> pcm(16000, 0.f);
  pcm.insert(pcm.end(), speech.begin(), speech.end());
  pcm.insert(pcm.end(), 16000, 0.f);
  Features f = compute_features(pcm);
  const size_t speech_begin = 100, speech_end = f.frames.size() - 100;

  for (size_t i = 0; i < 95; ++i) EXPECT_FALSE(f.frames[i].speech) << "frame " << i;
  // Hangover (20 frames) may run into the trailing silence, then it must stop.
  for (size_t i = speech_end + 30; i < f.frames.size(); ++i) EXPECT_FALSE(f.frames[i].speech);
  int active = 0, voiced = 0;
  std::vector<float> f0;
  for (size_t i = speech_begin; i < speech_end; ++i) {
    active += f.frames[i].speech;
    if (f.frames[i].f0_hz > 0) {
      ++voiced;
      f0.push_back(f.frames[i].f0_hz);
    }
  }
  const double n = static_cast<double>(speech_end - speech_begin);
  EXPECT_GT(active / n, 0.75);
  EXPECT_GT(voiced / n, 0.35);
  // espeak-ng's default English voice speaks around 100-200 Hz.
  EXPECT_GT(median(f0), 80.f);
  EXPECT_LT(median(f0), 250.f);
}

TEST(Features, RealRecordingIsMostlySpeech) {
  auto pcm = decode_audio(parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav");
  Features f = compute_features(pcm);
  int active = 0;
  for (const auto& frame : f.frames) active += frame.speech;
  EXPECT_GT(active, static_cast<int>(f.frames.size()) / 2);
}

void expect_same(const Features& a, const Features& b) {
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (size_t i = 0; i < a.frames.size(); ++i) {
    const FeatureFrame& x = a.frames[i];
    const FeatureFrame& y = b.frames[i];
    for (int m = 0; m < kMelBins; ++m) ASSERT_NEAR(x.log_mel[m], y.log_mel[m], 1e-6) << i;
    ASSERT_NEAR(x.energy_db, y.energy_db, 1e-6) << i;
    ASSERT_NEAR(x.f0_hz, y.f0_hz, 1e-6) << i;
    ASSERT_NEAR(x.voicing, y.voicing, 1e-6) << i;
    ASSERT_EQ(x.speech, y.speech) << i;
  }
}

TEST(Features, StreamingEqualsBatchForAnyChunking) {
  std::vector<float> pcm = espeak_speech("Streaming must give the same numbers as batch.");
  std::vector<float> noise = white_noise(pcm.size() / 16000.0, 0.01);
  for (size_t i = 0; i < noise.size(); ++i) pcm[i] += noise[i];
  pcm.resize(pcm.size() + 77, 0.f);  // not a whole number of hops
  const Features batch = compute_features(pcm);
  ASSERT_EQ(batch.frames.size(), (pcm.size() + 159) / 160);

  std::mt19937 rng(42);
  for (int chunking : {1, 17, 160, 4096, -1}) {
    SCOPED_TRACE(chunking);
    FeatureExtractor extractor;
    Features streamed;
    std::uniform_int_distribution<size_t> random_size(0, 3000);
    for (size_t at = 0; at < pcm.size();) {
      size_t n = chunking > 0 ? static_cast<size_t>(chunking) : random_size(rng);
      n = std::min(n, pcm.size() - at);
      extractor.push({pcm.data() + at, n}, streamed);
      at += n;
    }
    extractor.finish(streamed);
    expect_same(streamed, batch);
  }
}

TEST(Features, FinishStartsANewSignal) {
  std::vector<float> a = sine(150, 0.5), b = white_noise(0.7, 0.2);
  FeatureExtractor extractor;
  Features first, second;
  extractor.push(a, first);
  extractor.finish(first);
  extractor.push(b, second);
  extractor.finish(second);
  expect_same(first, compute_features(a));
  expect_same(second, compute_features(b));
}

TEST(Features, RejectsImpossiblePitchRange) {
  EXPECT_THROW(FeatureExtractor({.f0_min_hz = 300, .f0_max_hz = 200}), std::invalid_argument);
}

}  // namespace
}  // namespace parla::audio
