// Audio augmentation: additive noise at a target SNR (white, pink, babble), a synthetic
// room (velvet-noise reverb), band limiting, a codec round trip and gain. Every effect
// keeps the clip's length and time alignment, so the labels stay valid unchanged.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "train/codec.h"
#include "train/random.h"
#include "train/train.h"

namespace parla::train {
namespace {

constexpr double kPi = 3.141592653589793;

double mean_power(std::span<const float> x) {
  double sum = 0;
  for (float v : x) sum += static_cast<double>(v) * v;
  return x.empty() ? 0 : sum / x.size();
}

// Pink noise by Paul Kellet's refined filter of white noise (−3 dB/octave within 0.05 dB).
std::vector<float> pink_noise(size_t n, Random& rng) {
  std::vector<float> out(n);
  double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  for (size_t i = 0; i < n; ++i) {
    double w = rng.normal();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.96900 * b2 + w * 0.1538520;
    b3 = 0.86650 * b3 + w * 0.3104856;
    b4 = 0.55000 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.0168980;
    out[i] = static_cast<float>(b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
    b6 = w * 0.115926;
  }
  return out;
}

// Babble: 3–6 other talkers, each from a random offset, looped to length.
std::vector<float> babble(size_t n, std::span<const std::vector<float>> sources, Random& rng) {
  std::vector<float> out(n, 0.f);
  int talkers = 3 + static_cast<int>(rng.below(4));
  for (int k = 0; k < talkers; ++k) {
    const std::vector<float>& src = sources[rng.below(sources.size())];
    if (src.empty()) continue;
    size_t offset = rng.below(src.size());
    double gain = rng.uniform(0.5, 1.0);
    for (size_t i = 0; i < n; ++i)
      out[i] += static_cast<float>(gain * src[(offset + i) % src.size()]);
  }
  return out;
}

// Velvet-noise room response (Välimäki et al. 2013): sparse ±1 taps, ~1500 per second,
// decaying by 60 dB over rt60, after a direct path at lag 0. Sparse convolution keeps
// this cheap without an FFT.
std::vector<float> reverb(std::span<const float> x, double rt60_s, Random& rng) {
  struct Tap {
    size_t lag;
    float gain;
  };
  std::vector<Tap> taps;
  double density = 1500, length_s = std::min(1.2, rt60_s);
  double wet = rng.uniform(0.25, 0.6);  // direct-to-reverberant balance
  double grid = kSampleRate / density;
  for (double slot = rng.uniform(0.003, 0.01) * kSampleRate; slot < length_s * kSampleRate;
       slot += grid) {
    size_t lag = static_cast<size_t>(slot + rng.uniform(0, grid - 1));
    double decay = std::pow(10.0, -3.0 * (lag / static_cast<double>(kSampleRate)) / rt60_s);
    taps.push_back({lag, static_cast<float>((rng.chance(0.5) ? 1 : -1) * decay * wet * 0.12)});
  }
  std::vector<float> y(x.begin(), x.end());
  for (const Tap& t : taps) {
    for (size_t i = t.lag; i < x.size(); ++i) y[i] += t.gain * x[i - t.lag];
  }
  // A gentle one-pole low-pass on the tail stands in for air and wall absorption.
  double state = 0, a = std::exp(-2 * kPi * 5000.0 / kSampleRate);
  for (size_t i = 0; i < y.size(); ++i) {
    double wet_part = y[i] - x[i];
    state = (1 - a) * wet_part + a * state;
    y[i] = static_cast<float>(x[i] + state);
  }
  return y;
}

// RBJ cookbook biquad, applied forward once (phase delay is a fraction of a
// millisecond at these cutoffs, far below a 40 ms label frame).
void biquad(std::vector<float>& x, double f0, bool highpass) {
  double w0 = 2 * kPi * f0 / kSampleRate, alpha = std::sin(w0) / (2 * 0.7071), c = std::cos(w0);
  double b0 = highpass ? (1 + c) / 2 : (1 - c) / 2, b1 = highpass ? -(1 + c) : 1 - c, b2 = b0;
  double a0 = 1 + alpha, a1 = -2 * c, a2 = 1 - alpha;
  double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (float& v : x) {
    double y = (b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    v = static_cast<float>(y);
  }
}

}  // namespace

AugmentParams draw_augmentation(std::uint64_t seed) {
  Random rng(derive_seed(seed, 21));
  AugmentParams p;
  if (rng.chance(0.5)) {
    const char* kinds[] = {"white", "pink", "babble"};
    p.noise = kinds[rng.below(3)];
    p.snr_db = rng.uniform(0, 30);
  }
  if (rng.chance(0.3)) p.reverb_rt60_s = rng.uniform(0.2, 0.9);
  if (rng.chance(0.2)) {
    p.band = rng.chance(0.5) ? "telephone" : "lowpass";
    p.cutoff_hz = rng.uniform(3000, 7000);
  }
  if (rng.chance(0.1)) {
    p.codec = rng.chance(0.5) ? "mp3" : "opus";
    p.bitrate_kbps = p.codec == "mp3" ? 24 + 8 * static_cast<int>(rng.below(5))
                                      : 12 + 4 * static_cast<int>(rng.below(5));
  }
  p.gain_db = rng.uniform(-15, 3);
  return p;
}

std::string describe(const AugmentParams& p) {
  std::string out;
  char buf[64];
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : " ") + s; };
  if (!p.noise.empty()) {
    std::snprintf(buf, sizeof buf, "noise=%s:%.1fdB", p.noise.c_str(), p.snr_db);
    add(buf);
  }
  if (p.reverb_rt60_s > 0) {
    std::snprintf(buf, sizeof buf, "reverb=%.2fs", p.reverb_rt60_s);
    add(buf);
  }
  if (p.band == "telephone") add("band=telephone");
  if (p.band == "lowpass") {
    std::snprintf(buf, sizeof buf, "band=lowpass:%.0fHz", p.cutoff_hz);
    add(buf);
  }
  if (!p.codec.empty()) add(p.codec + ":" + std::to_string(p.bitrate_kbps) + "k");
  if (p.gain_db != 0) {
    std::snprintf(buf, sizeof buf, "gain=%.1fdB", p.gain_db);
    add(buf);
  }
  return out.empty() ? "clean" : out;
}

std::vector<float> augment(std::span<const float> audio, const AugmentParams& p,
                           std::span<const std::vector<float>> babble_sources, std::uint64_t seed) {
  Random rng(derive_seed(seed, 22));
  std::vector<float> y(audio.begin(), audio.end());
  if (!p.noise.empty()) {
    std::vector<float> noise;
    if (p.noise == "white") {
      noise.resize(y.size());
      for (float& v : noise) v = static_cast<float>(rng.normal());
    } else if (p.noise == "babble" && !babble_sources.empty()) {
      noise = babble(y.size(), babble_sources, rng);
    } else {
      noise = pink_noise(y.size(), rng);
    }
    double speech = mean_power(y), noise_power = mean_power(noise);
    if (speech > 0 && noise_power > 0) {
      double scale = std::sqrt(speech / noise_power * std::pow(10.0, -p.snr_db / 10));
      for (size_t i = 0; i < y.size(); ++i) y[i] += static_cast<float>(scale * noise[i]);
    }
  }
  if (p.reverb_rt60_s > 0) y = reverb(y, p.reverb_rt60_s, rng);
  if (p.band == "telephone") {
    biquad(y, 300, /*highpass=*/true);
    biquad(y, 3400, /*highpass=*/false);
  } else if (p.band == "lowpass") {
    biquad(y, p.cutoff_hz, /*highpass=*/false);
  }
  // Normalise the peak before the codec and gain so level comes from gain_db alone.
  float peak = 0;
  for (float v : y) peak = std::max(peak, std::abs(v));
  if (peak > 0) {
    for (float& v : y) v *= 0.9f / peak;
  }
  if (!p.codec.empty()) y = codec_round_trip(y, p.codec, p.bitrate_kbps);
  auto gain = static_cast<float>(std::pow(10.0, p.gain_db / 20));
  for (float& v : y) v = std::clamp(v * gain, -1.f, 1.f);
  return y;
}

}  // namespace parla::train
