// The motion faults of the MN training negatives (critic/perturb.h). Each is strong enough
// that a viewer calls the result unnatural at a glance, but stays within what a broken
// generator or tracker really produces (no values outside the channel ranges, no
// teleporting heads). The strengths are in the comments and in docs/critic.md.
#include "critic/perturb.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

namespace parla::critic {
namespace {

constexpr int kJaw = index(Channel::JawOpen);
constexpr int kBlinkL = index(Channel::EyeBlinkLeft);
constexpr int kBlinkR = index(Channel::EyeBlinkRight);
constexpr int kBrowUp = index(Channel::BrowInnerUp);
constexpr int kHeadFirst = index(Channel::HeadYaw);

bool is_blink(int c) { return c == kBlinkL || c == kBlinkR; }
int frames_of(double seconds, double fps) {
  return std::max(1, static_cast<int>(std::lround(seconds * fps)));
}

// Jitter: independent Gaussian noise on every frame — mouth σ 0.07, blinks 0.04, gaze 0.10,
// brows 0.08, head rotations 0.03 rad (1.7°), headX/Y 0.015 face widths, headScale 0.012.
// Natural frame-to-frame steps are several times smaller, so the face visibly shakes.
void jitter(MotionTrack& t, Random& rng) {
  std::array<float, kChannelCount> sigma{};
  for (int c = 0; c < kChannelCount; ++c) {
    if (c < kMouthChannelCount)
      sigma[c] = 0.07f;
    else if (is_blink(c))
      sigma[c] = 0.04f;
    else if (c < kBrowUp)
      sigma[c] = 0.10f;
    else if (c < kHeadFirst)
      sigma[c] = 0.08f;
    else if (c < index(Channel::HeadX))
      sigma[c] = 0.03f;
    else if (c < index(Channel::HeadScale))
      sigma[c] = 0.015f;
    else
      sigma[c] = 0.012f;
  }
  for (auto& f : t.frames) {
    for (int c = 0; c < kChannelCount; ++c) f[c] += static_cast<float>(rng.normal()) * sigma[c];
  }
}

// Freeze: every channel holds one frame for 1.0..2.0 s; one such stretch per started 6 s of
// track (a short track freezes whole).
void freeze(MotionTrack& t, Random& rng) {
  int n = static_cast<int>(t.frames.size());
  int stretches = std::max(1, static_cast<int>(std::ceil(n / (6.0 * t.fps))));
  int slot = n / stretches;
  for (int s = 0; s < stretches; ++s) {
    int length = std::min(n, static_cast<int>(rng.uniform(1.0, 2.0) * t.fps));
    int lo = s * slot, span = std::max(0, std::min(slot, n - lo) - length);
    int start = std::min(lo + static_cast<int>(rng.below(span + 1)), n - length);
    for (int i = start + 1; i < start + length; ++i) t.frames[i] = t.frames[start];
  }
}

// Gaussian low-pass of one channel (σ in frames), edges reflected.
void smooth_channel(MotionTrack& t, int c, double sigma) {
  int n = static_cast<int>(t.frames.size()), r = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> kernel(2 * r + 1);
  double total = 0;
  for (int k = -r; k <= r; ++k) total += kernel[k + r] = std::exp(-k * k / (2 * sigma * sigma));
  std::vector<float> src(n);
  for (int i = 0; i < n; ++i) src[i] = t.frames[i][c];
  for (int i = 0; i < n; ++i) {
    double acc = 0;
    for (int k = -r; k <= r; ++k) {
      int j = i + k;
      while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;  // reflect (n ≥ 2)
      acc += kernel[k + r] * src[j];
    }
    t.frames[i][c] = static_cast<float>(acc / total);
  }
}

// Over-smoothing: Gaussian σ = 4..6 frames (160..240 ms) on mouth and head, 3 frames on gaze
// and brows; blinks untouched. Syllables blur into one slow mouth wave and the head floats.
void over_smooth(MotionTrack& t, Random& rng) {
  if (t.frames.size() < 2) return;
  double sigma = rng.uniform(4.0, 6.0);
  for (int c = 0; c < kChannelCount; ++c) {
    if (is_blink(c)) continue;
    bool strong = c < kMouthChannelCount || c >= kHeadFirst;
    smooth_channel(t, c, strong ? sigma : 3.0);
  }
}

// Loop: a 0.4..0.8 s stretch played over and over (jumping back at each repeat) for 3..6 s
// (or to the end of the track).
void loop(MotionTrack& t, Random& rng) {
  int n = static_cast<int>(t.frames.size());
  int period = std::min(n, frames_of(rng.uniform(0.4, 0.8), t.fps));
  int length = std::min(n, frames_of(rng.uniform(3.0, 6.0), t.fps));
  int start = static_cast<int>(rng.below(n - length + 1));
  std::vector<MotionFrame> piece(t.frames.begin() + start, t.frames.begin() + start + period);
  for (int i = start; i < start + length; ++i) t.frames[i] = piece[(i - start) % period];
}

// Every channel but the blinks scaled about its clip mean by `gain`.
void scale_about_mean(MotionTrack& t, float gain) {
  int n = static_cast<int>(t.frames.size());
  if (n == 0) return;
  for (int c = 0; c < kChannelCount; ++c) {
    if (is_blink(c)) continue;
    double mean = 0;
    for (const auto& f : t.frames) mean += f[c];
    mean /= n;
    for (auto& f : t.frames) f[c] = static_cast<float>(mean + gain * (f[c] - mean));
  }
}

// Swap: another clip's motion — a random window of it, or it repeated forwards and
// backwards when shorter. Without one: this clip reversed and shifted by 1/3..2/3 of its
// length, which keeps its statistics and loses its timing.
void swap(MotionTrack& t, const MotionTrack* other, Random& rng) {
  int n = static_cast<int>(t.frames.size());
  if (other != nullptr && !other->frames.empty()) {
    MotionTrack o = other->fps == t.fps ? *other : other->resampled(t.fps);
    int m = static_cast<int>(o.frames.size());
    if (m >= n) {
      int start = static_cast<int>(rng.below(m - n + 1));
      std::copy_n(o.frames.begin() + start, n, t.frames.begin());
    } else {
      int period = std::max(1, 2 * m - 2);
      for (int i = 0; i < n; ++i) {
        int k = m == 1 ? 0 : i % period;
        t.frames[i] = o.frames[k < m ? k : period - k];
      }
    }
    return;
  }
  std::reverse(t.frames.begin(), t.frames.end());
  int shift = n / 3 + static_cast<int>(rng.below(n / 3 + 1));
  std::rotate(t.frames.begin(), t.frames.begin() + shift % std::max(n, 1), t.frames.end());
}

// Mouth in silence: through the non-speech frames the mouth keeps "talking" — syllables of
// 3..6 Hz with jaw peaks 0.25..0.5 (and mouthClose released, funnel/stretch varying per
// syllable), faded in and out over 2 frames at each pause's edges. Frames past the end of
// `speech` count as speech. With no non-speech frame at all, a 2 s stretch of the track
// gets the syllables (the result must still differ).
void mouth_in_silence(MotionTrack& t, std::span<const bool> speech, Random& rng) {
  int n = static_cast<int>(t.frames.size());
  std::vector<float> gate(n, 0.f);
  for (int i = 0; i < n && i < static_cast<int>(speech.size()); ++i)
    gate[i] = speech[i] ? 0.f : 1.f;
  if (std::none_of(gate.begin(), gate.end(), [](float g) { return g > 0; })) {
    int length = std::min(n, frames_of(2.0, t.fps));
    int start = static_cast<int>(rng.below(n - length + 1));
    std::fill_n(gate.begin() + start, length, 1.f);
  }
  // Fade over two frames inside each silent run.
  std::vector<float> fade = gate;
  for (int i = 0; i < n; ++i) {
    if (gate[i] == 0) continue;
    int edge = 3;
    for (int k = 1; k <= 2; ++k) {
      if ((i - k >= 0 && gate[i - k] == 0) || (i + k < n && gate[i + k] == 0)) {
        edge = std::min(edge, k);
      }
    }
    fade[i] = edge >= 3 ? 1.f : edge / 3.f;
  }
  // One syllable after another through the whole track; only the gated frames show them.
  double phase = 0, period = t.fps / rng.uniform(3.0, 6.0);
  float peak = static_cast<float>(rng.uniform(0.25, 0.5));
  float funnel = 0, stretch = 0;
  for (int i = 0; i < n; ++i) {
    if (phase >= period) {
      phase -= period;
      period = t.fps / rng.uniform(3.0, 6.0);
      peak = static_cast<float>(rng.uniform(0.25, 0.5));
      funnel = static_cast<float>(rng.uniform(0.0, 0.3));
      stretch = static_cast<float>(rng.uniform(0.0, 0.3));
    }
    float open = static_cast<float>(std::pow(std::sin(std::numbers::pi * phase / period), 2));
    phase += 1.0;
    float w = fade[i];
    if (w <= 0) continue;
    auto& f = t.frames[i];
    f[kJaw] += w * peak * open;
    f[index(Channel::MouthClose)] *= 1.f - w * open;
    f[index(Channel::MouthFunnel)] += w * funnel * open;
    f[index(Channel::MouthStretch)] += w * stretch * open;
  }
}

// The lids' open level: the blink channel's 20th percentile, at most 0.15.
float open_level(const MotionTrack& t, int c) {
  std::vector<float> v;
  v.reserve(t.frames.size());
  for (const auto& f : t.frames) v.push_back(f[c]);
  if (v.empty()) return 0.f;
  auto at = v.begin() + v.size() / 5;
  std::nth_element(v.begin(), at, v.end());
  return std::min(*at, 0.15f);
}

// No blinks: both lids held at their open level (values above it cut to it).
void no_blinks(MotionTrack& t) {
  for (int c : {kBlinkL, kBlinkR}) {
    float open = open_level(t, c);
    for (auto& f : t.frames) f[c] = std::min(f[c], open);
  }
}

// Blink storm: the clip's own blinks removed, then both eyes blink every 0.5..0.8 s
// (75..120 blinks a minute, natural is 10..30), each 7 frames (280 ms) closing to 0.9..1.
void blink_storm(MotionTrack& t, Random& rng) {
  no_blinks(t);
  static constexpr std::array<float, 7> kShape = {0.3f, 0.8f, 1.f, 0.85f, 0.55f, 0.3f, 0.1f};
  int n = static_cast<int>(t.frames.size());
  double at = rng.uniform(0.1, 0.5) * t.fps;
  while (at < n) {
    int start = static_cast<int>(at);
    float depth = static_cast<float>(rng.uniform(0.9, 1.0));
    for (int k = 0; k < static_cast<int>(kShape.size()) && start + k < n; ++k) {
      for (int c : {kBlinkL, kBlinkR}) {
        auto& v = t.frames[start + k][c];
        v = std::max(v, depth * kShape[k]);
      }
    }
    at += rng.uniform(0.5, 0.8) * t.fps;
  }
}

}  // namespace

std::string_view perturbation_name(Perturbation p) {
  switch (p) {
    case Perturbation::Jitter:
      return "jitter";
    case Perturbation::Freeze:
      return "freeze";
    case Perturbation::OverSmooth:
      return "over_smooth";
    case Perturbation::Loop:
      return "loop";
    case Perturbation::Amplify:
      return "amplify";
    case Perturbation::Dampen:
      return "dampen";
    case Perturbation::Reverse:
      return "reverse";
    case Perturbation::Swap:
      return "swap";
    case Perturbation::MouthInSilence:
      return "mouth_in_silence";
    case Perturbation::NoBlinks:
      return "no_blinks";
    case Perturbation::BlinkStorm:
      return "blink_storm";
  }
  return "unknown";
}

MotionTrack perturb_motion(const MotionTrack& track, Perturbation p, std::span<const bool> speech,
                           const MotionTrack* other, std::uint64_t seed) {
  MotionTrack out = track;
  if (out.frames.empty()) return out;
  Random rng(mix_seed(seed) ^
             static_cast<std::uint64_t>(static_cast<int>(p) + 1) * 0x2545F4914F6CDD1Dull);
  switch (p) {
    case Perturbation::Jitter:
      jitter(out, rng);
      break;
    case Perturbation::Freeze:
      freeze(out, rng);
      break;
    case Perturbation::OverSmooth:
      over_smooth(out, rng);
      break;
    case Perturbation::Loop:
      loop(out, rng);
      break;
    // Amplify: deviations from the clip mean ×2..3 (blinks kept), so head swings and mouth
    // openings are two to three times too big; clamping cuts the extremes.
    case Perturbation::Amplify:
      scale_about_mean(out, static_cast<float>(rng.uniform(2.0, 3.0)));
      break;
    // Dampen: deviations from the clip mean ×0.2..0.4 (blinks kept): a near-still face.
    case Perturbation::Dampen:
      scale_about_mean(out, static_cast<float>(rng.uniform(0.2, 0.4)));
      break;
    // Reverse: the frames in reverse order (motion runs against the audio).
    case Perturbation::Reverse:
      std::reverse(out.frames.begin(), out.frames.end());
      break;
    case Perturbation::Swap:
      swap(out, other, rng);
      break;
    case Perturbation::MouthInSilence:
      mouth_in_silence(out, speech, rng);
      break;
    case Perturbation::NoBlinks:
      no_blinks(out);
      break;
    case Perturbation::BlinkStorm:
      blink_storm(out, rng);
      break;
  }
  out.clamp_to_ranges();
  return out;
}

}  // namespace parla::critic
