// Augmentation keeps length and time alignment (noise, reverb, band limits, codecs),
// and hits the requested signal-to-noise ratio.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/train/support.h"

namespace {
using namespace parla::train;

const std::vector<float>& speech() {
  static const std::vector<float> audio =
      parla::train::testing::speak(
          "espeak-ng", "en-us+m3", "en",
          "Every augmentation must keep the words where the labels say they are.")
          .audio;
  return audio;
}

// Lag in samples (in ±max_lag) maximising the correlation of b against a.
int best_lag(const std::vector<float>& a, const std::vector<float>& b, int max_lag) {
  double best = -1e300;
  int best_lag = 0;
  for (int lag = -max_lag; lag <= max_lag; ++lag) {
    double sum = 0;
    for (size_t i = static_cast<size_t>(std::max(0, -lag)); i < a.size() && i + lag < b.size();
         ++i) {
      sum += static_cast<double>(a[i]) * b[i + lag];
    }
    if (sum > best) {
      best = sum;
      best_lag = lag;
    }
  }
  return best_lag;
}

TEST(Augment, CodecRoundTripsKeepLengthAndAlignment) {
  for (const char* codec : {"mp3", "opus"}) {
    AugmentParams p;
    p.codec = codec;
    p.bitrate_kbps = 32;
    std::vector<float> out = augment(speech(), p, {}, 1);
    ASSERT_EQ(out.size(), speech().size()) << codec;
    EXPECT_NEAR(best_lag(speech(), out, 400), 0, 2) << codec;
  }
}

TEST(Augment, ReverbAndBandLimitsKeepAlignment) {
  for (int k = 0; k < 3; ++k) {
    AugmentParams p;
    p.reverb_rt60_s = k == 0 ? 0.8 : 0;
    p.band = k == 1 ? "telephone" : k == 2 ? "lowpass" : "";
    p.cutoff_hz = 3500;
    std::vector<float> out = augment(speech(), p, {}, 2);
    ASSERT_EQ(out.size(), speech().size());
    EXPECT_NEAR(best_lag(speech(), out, 400), 0, 3) << describe(p);
  }
}

TEST(Augment, NoiseMeetsTheRequestedSnr) {
  for (const char* kind : {"white", "pink", "babble"}) {
    for (double snr : {0.0, 10.0, 25.0}) {
      AugmentParams p;
      p.noise = kind;
      p.snr_db = snr;
      std::vector<std::vector<float>> others{
          parla::train::testing::speak("espeak-ng", "de+f1", "de",
                                       "Ganz andere Worte aus einem anderen Mund, bitte.")
              .audio};
      std::vector<float> out = augment(speech(), p, others, 3);
      // Project out the clean signal; what is left is the noise.
      const auto& x = speech();
      double xy = 0, xx = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        xy += static_cast<double>(x[i]) * out[i];
        xx += static_cast<double>(x[i]) * x[i];
      }
      double a = xy / xx, signal = 0, noise = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        signal += a * x[i] * a * x[i];
        noise += (out[i] - a * x[i]) * (out[i] - a * x[i]);
      }
      EXPECT_NEAR(10 * std::log10(signal / noise), snr, 1.0) << kind << " at " << snr;
    }
  }
}

TEST(Augment, DrawsVaryAndDescribeThemselves) {
  int noisy = 0, clean = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    AugmentParams p = draw_augmentation(seed);
    noisy += !p.noise.empty();
    clean += describe(p).find("noise") == std::string::npos;
    EXPECT_EQ(describe(p), describe(draw_augmentation(seed)));
  }
  EXPECT_GT(noisy, 60);
  EXPECT_GT(clean, 60);
}

}  // namespace
