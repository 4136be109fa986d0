// Mouth channels from phones: Cohen & Massaro (1993) dominance blending with
// anticipation, plus hard articulatory constraints for bilabial closure and labiodental
// contact. docs/corpus.md ("Mouth labels") gives the model, its constants and sources.
#include <algorithm>
#include <array>
#include <cmath>

#include "text/text.h"

namespace parla::text {
namespace {

constexpr double kInternalRate = 200.0;  // evaluation rate of the blend, Hz
using MouthVector = std::array<double, kMouthChannelCount>;

enum Ch { kJaw, kClose, kFunnel, kPucker, kStretch, kSmile, kRoll, kTongue };

struct VisemeShape {
  MouthVector target;     // channel targets 0..1
  MouthVector dominance;  // α per channel: how strongly this phone imposes that target
  bool lip_critical;      // lips lead the sound (rounding, closure, labiodental)
};

// Targets after the ARKit blendshape definitions and viseme charts (docs/visemes.md);
// α = 1 on the articulator the sound needs, low elsewhere so neighbours show through.
const VisemeShape& shape(Viseme v) {
  // clang-format off
  static const std::array<VisemeShape, kVisemeCount> shapes{{
      //            jaw   close funnel pucker stretch smile roll tongue
      /*Silence*/ {{0.02, 0.12, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00}, {.5, .5, .5, .5, .5, .5, .5, .5}, false},
      /*Bilabial*/ {{0.05, 1.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00}, {.6, 1, .2, .2, .2, .1, .6, .6}, true},
      /*Labiodent*/ {{0.10, 0.10, 0.00, 0.00, 0.10, 0.00, 0.85, 0.00}, {.5, .6, .3, .3, .2, .1, 1, .6}, true},
      /*Dental*/ {{0.18, 0.00, 0.00, 0.00, 0.10, 0.00, 0.00, 0.60}, {.4, .4, .15, .15, .15, .1, .4, 1}, false},
      /*Lateral*/ {{0.25, 0.00, 0.00, 0.00, 0.10, 0.00, 0.00, 0.25}, {.3, .3, .15, .15, .15, .1, .3, .7}, false},
      /*Alveolar*/ {{0.18, 0.00, 0.00, 0.00, 0.10, 0.00, 0.00, 0.05}, {.3, .3, .15, .15, .15, .1, .3, .4}, false},
      /*Sibilant*/ {{0.06, 0.00, 0.00, 0.00, 0.35, 0.05, 0.00, 0.00}, {.7, .3, .2, .2, .5, .1, .3, .5}, false},
      /*Postalv*/ {{0.10, 0.00, 0.60, 0.25, 0.00, 0.00, 0.00, 0.00}, {.6, .3, 1, .8, .6, .1, .3, .5}, true},
      /*Dorsal*/ {{0.22, 0.00, 0.00, 0.00, 0.05, 0.00, 0.00, 0.00}, {.15, .15, .1, .1, .1, .1, .15, .3}, false},
      /*Rhotic*/ {{0.18, 0.00, 0.30, 0.25, 0.00, 0.00, 0.00, 0.00}, {.3, .3, .5, .5, .3, .1, .3, .4}, false},
      /*LabVelar*/ {{0.08, 0.00, 0.25, 0.85, 0.00, 0.00, 0.00, 0.00}, {.5, .3, 1, 1, .7, .1, .3, .5}, true},
      /*OpenV*/ {{0.72, 0.00, 0.05, 0.00, 0.05, 0.00, 0.00, 0.00}, {1, .8, .5, .5, .5, .2, .8, .5}, false},
      /*MidFrontV*/ {{0.45, 0.00, 0.00, 0.00, 0.30, 0.05, 0.00, 0.00}, {1, .8, .5, .5, .7, .2, .8, .5}, false},
      /*CloseFrV*/ {{0.20, 0.00, 0.00, 0.00, 0.60, 0.12, 0.00, 0.00}, {.9, .8, .6, .6, .9, .3, .8, .5}, false},
      /*MidRoundV*/ {{0.42, 0.00, 0.70, 0.25, 0.00, 0.00, 0.00, 0.00}, {1, .8, 1, .8, .7, .2, .8, .5}, true},
      /*CloseRndV*/ {{0.15, 0.00, 0.35, 0.85, 0.00, 0.00, 0.00, 0.00}, {.9, .8, .9, 1, .7, .2, .8, .5}, true},
      /*CentralV*/ {{0.38, 0.00, 0.05, 0.00, 0.05, 0.00, 0.00, 0.00}, {.8, .8, .4, .4, .4, .2, .8, .5}, false},
  }};
  // clang-format on
  return shapes[static_cast<int>(v)];
}

// Decay rates of dominance outside the phone, per second: anticipatory (before) and
// carry-over (after). Lip-critical gestures spread further ahead (rounding is known to
// start up to ~150–200 ms early: Bell-Berti & Harris 1982).
constexpr double kThetaAnticipation = 1.0 / 0.035;
constexpr double kThetaAnticipationLips = 1.0 / 0.07;
constexpr double kThetaCarryover = 1.0 / 0.045;
// A pause shorter than this barely relaxes the mouth (word-internal or stop closure).
constexpr double kShortPauseSeconds = 0.12;

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
}

// Jaw and tongue lead the sound only slightly; the lips lead by the clip's anticipation.
constexpr double kJawLeadSeconds = 0.02;
bool is_lip_channel(int c) { return c != kJaw && c != kTongue; }

struct Gesture {
  double start_s, end_s;  // acoustic interval of the phone
  double lip_lead_s;      // lip channels' plateau is shifted this much earlier
  double theta_before, theta_after;
  MouthVector target, alpha;
};

// Dominance of gesture `g` at time `t` for a plateau shifted `lead_s` earlier.
double dominance(const Gesture& g, double t, double lead_s) {
  double start = g.start_s - lead_s, end = g.end_s - lead_s;
  double outside = t < start ? (start - t) * g.theta_before
                   : t > end ? (t - end) * g.theta_after
                             : 0.0;
  return std::exp(-outside);
}

std::vector<Gesture> gestures(std::span<const Phone> phones, const MouthStyle& style) {
  std::vector<Gesture> out;
  for (const Phone& p : phones) {
    const VisemeShape& s = shape(p.viseme);
    double start_s = p.start_sample / static_cast<double>(kSampleRate);
    double end_s = p.end_sample / static_cast<double>(kSampleRate);
    double lip_lead_s = style.anticipation_s * (s.lip_critical ? 0.5 : 0.25);
    Gesture g{start_s,         end_s,
              lip_lead_s,      s.lip_critical ? kThetaAnticipationLips : kThetaAnticipation,
              kThetaCarryover, s.target,
              s.dominance};
    if (p.viseme == Viseme::Silence) {
      // Rest arrives late and only in real pauses; the plateau starts after the lips let go.
      g.start_s = start_s + 0.06;
      g.end_s = std::max(g.start_s, end_s - 0.05);
      g.lip_lead_s = kJawLeadSeconds;
      double weight = end_s - start_s < kShortPauseSeconds ? 0.05 : 1.0;
      for (double& a : g.alpha) a *= weight;
    }
    if (is_vowel(p.viseme)) {
      double emphasis = 0.75 + 0.5 * p.prominence;  // stressed vowels open wider
      g.target[kJaw] *= emphasis;
    }
    g.target[kJaw] *= style.jaw_gain;
    for (int c : {kFunnel, kPucker, kStretch}) g.target[c] *= style.lip_gain;
    g.target[kSmile] += style.smile_baseline;
    out.push_back(g);
  }
  return out;
}

// How far a contact gesture gets before the acoustic closure: the lips approach but
// seal only when the sound stops (so lips-shut frames fall on quiet audio).
constexpr double kApproach = 0.85;

// Profile of a hard constraint: 0 → kApproach over `lead_s` before `on_s`, 1 from `on_s`
// to `off_s`, back to 0 over `release_s`.
double contact_profile(double t, double on_s, double off_s, double lead_s, double release_s) {
  if (t < on_s) return kApproach * smoothstep(1.0 - (on_s - t) / lead_s);
  if (t <= off_s) return 1.0;
  return 1.0 - smoothstep((t - off_s) / release_s);
}

}  // namespace

std::array<float, kMouthChannelCount> rest_mouth(float smile) {
  std::array<float, kMouthChannelCount> out{};
  const MouthVector& rest = shape(Viseme::Silence).target;
  for (int c = 0; c < kMouthChannelCount; ++c) out[c] = static_cast<float>(rest[c]);
  out[kSmile] = smile;
  return out;
}

void add_mouth_motion(std::span<const Phone> phones, const MouthStyle& style, MotionTrack& motion) {
  if (motion.frames.empty()) return;
  std::vector<Gesture> gs = gestures(phones, style);
  double duration_s = motion.frame_count() / motion.fps + 0.05;
  auto internal_count = static_cast<size_t>(std::ceil(duration_s * kInternalRate)) + 1;
  std::vector<MouthVector> blend(internal_count);
  size_t first = 0;
  for (size_t n = 0; n < internal_count; ++n) {
    double t = n / kInternalRate;
    while (first < gs.size() && gs[first].end_s < t - 0.5) ++first;
    MouthVector num{}, den{};
    for (size_t i = first; i < gs.size() && gs[i].start_s < t + 0.7; ++i) {
      const Gesture& g = gs[i];
      double d_lips = dominance(g, t, g.lip_lead_s), d_jaw = dominance(g, t, kJawLeadSeconds);
      for (int c = 0; c < kMouthChannelCount; ++c) {
        double d = is_lip_channel(c) ? d_lips : d_jaw;
        num[c] += g.alpha[c] * d * g.target[c];
        den[c] += g.alpha[c] * d;
      }
    }
    const MouthVector& rest = shape(Viseme::Silence).target;
    for (int c = 0; c < kMouthChannelCount; ++c) {
      blend[n][c] = den[c] > 1e-6 ? (num[c] + 1e-6 * rest[c]) / (den[c] + 1e-6) : rest[c];
    }
  }
  // Hard contacts: lips pressed through a bilabial's closure, lower lip tucked for f/v.
  double lead_s = std::clamp(style.anticipation_s, 0.05, 0.15);
  for (const Phone& p : phones) {
    if (p.viseme != Viseme::Bilabial && p.viseme != Viseme::Labiodental) continue;
    double on_s = p.start_sample / static_cast<double>(kSampleRate);
    double end_s = p.end_sample / static_cast<double>(kSampleRate);
    // A stop's closure ends at the release burst, about the last quarter of its segment.
    double off_s = std::max(on_s + 0.5 * (end_s - on_s), end_s - 0.25 * (end_s - on_s));
    size_t lo = static_cast<size_t>(std::max(0.0, (on_s - lead_s) * kInternalRate));
    size_t hi = std::min(internal_count, static_cast<size_t>((off_s + 0.1) * kInternalRate) + 1);
    for (size_t n = lo; n < hi; ++n) {
      double w = contact_profile(n / kInternalRate, on_s, off_s, lead_s, 0.06);
      MouthVector& m = blend[n];
      if (p.viseme == Viseme::Bilabial) {
        m[kClose] = std::max(m[kClose], w);
        m[kJaw] *= 1.0 - 0.8 * w * w;  // the jaw rises late, with the lips nearly shut
        m[kFunnel] *= 1.0 - 0.7 * w;
        m[kStretch] *= 1.0 - 0.5 * w;
        m[kTongue] *= 1.0 - w;
      } else {
        m[kRoll] = std::max(m[kRoll], 0.85 * w);
        m[kJaw] = std::min(m[kJaw], 0.12 + (1.0 - w) * m[kJaw]);
        m[kClose] *= 1.0 - w;
      }
    }
  }
  // Frame k averages ±20 ms around k / fps; mouthClose takes the maximum over ±10 ms so
  // a closure of 20 ms or more always shows in some frame.
  const int half = static_cast<int>(std::lround(0.02 * kInternalRate));
  const int close_half = static_cast<int>(std::lround(0.01 * kInternalRate));
  for (std::int64_t k = 0; k < motion.frame_count(); ++k) {
    auto centre = static_cast<long>(std::lround(k / motion.fps * kInternalRate));
    MouthVector sum{};
    double close_max = 0;
    int count = 0;
    for (long n = centre - half; n <= centre + half; ++n) {
      if (n < 0 || n >= static_cast<long>(internal_count)) continue;
      for (int c = 0; c < kMouthChannelCount; ++c) sum[c] += blend[n][c];
      if (std::abs(n - centre) <= close_half) close_max = std::max(close_max, blend[n][kClose]);
      ++count;
    }
    for (int c = 0; c < kMouthChannelCount; ++c) {
      motion.frames[k][c] =
          static_cast<float>(c == kClose ? close_max : sum[c] / std::max(count, 1));
    }
  }
}

}  // namespace parla::text
