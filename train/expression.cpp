// Head, brows, blinks and gaze from the phone sequence: a prosody-driven stochastic
// model (docs/corpus.md "Head, brows, blinks, gaze" gives the statistics and sources).
// Events — nods, turns, brow raises, blinks, saccades — are placed on prominent
// syllables, phrase edges and pauses; slow Ornstein–Uhlenbeck drift runs underneath,
// calmer in silence. Evaluated at 100 Hz, sampled at the track's frame times.
#include <algorithm>
#include <cmath>

#include "train/random.h"
#include "train/train.h"

namespace parla::train {
namespace {

constexpr double kRate = 100.0;  // internal evaluation rate, Hz
constexpr double kDt = 1.0 / kRate;
constexpr double kPhrasePause = 0.15;  // a pause at least this long ends a phrase, s
constexpr double kPi = 3.141592653589793;

struct Phrase {
  double start_s, end_s;
  double peak_s = -1;  // centre of the most prominent vowel
  double peak_prominence = 0;
};

double seconds(std::int64_t samples) { return samples / static_cast<double>(kSampleRate); }

std::vector<Phrase> phrases_of(std::span<const Phone> phones) {
  std::vector<Phrase> out;
  bool open = false;
  for (const Phone& p : phones) {
    bool pause = p.viseme == Viseme::Silence;
    double len = seconds(p.end_sample - p.start_sample);
    if (pause && len >= kPhrasePause) {
      open = false;
      continue;
    }
    if (pause) continue;
    if (!open) out.push_back({seconds(p.start_sample), seconds(p.end_sample)});
    open = true;
    Phrase& ph = out.back();
    ph.end_s = seconds(p.end_sample);
    if (is_vowel(p.viseme) && p.prominence > ph.peak_prominence) {
      ph.peak_prominence = p.prominence;
      ph.peak_s = seconds(p.start_sample + p.end_sample) / 2;
    }
  }
  return out;
}

// Raised-cosine bump of height 1 over [start, start + width].
void add_bump(std::vector<double>& x, double start_s, double width_s, double height) {
  auto lo = static_cast<long>(std::max(0.0, std::floor(start_s * kRate)));
  auto hi = std::min(static_cast<long>(x.size()),
                     static_cast<long>(std::ceil((start_s + width_s) * kRate)));
  for (long n = lo; n < hi; ++n) {
    double phase = (n * kDt - start_s) / width_s;
    if (phase >= 0 && phase <= 1) x[n] += height * 0.5 * (1 - std::cos(2 * kPi * phase));
  }
}

// Asymmetric pulse: smooth rise over `rise_s`, hold, smooth fall over `fall_s`.
void add_pulse(std::vector<double>& x, double start_s, double rise_s, double hold_s, double fall_s,
               double height) {
  auto lo = static_cast<long>(std::max(0.0, std::floor(start_s * kRate)));
  auto hi = std::min(static_cast<long>(x.size()),
                     static_cast<long>(std::ceil((start_s + rise_s + hold_s + fall_s) * kRate)));
  for (long n = lo; n < hi; ++n) {
    double t = n * kDt - start_s;
    double v = t < rise_s ? 0.5 * (1 - std::cos(kPi * t / rise_s))
               : t < rise_s + hold_s
                   ? 1.0
                   : 0.5 * (1 + std::cos(kPi * std::min(1.0, (t - rise_s - hold_s) / fall_s)));
    if (t >= 0) x[n] = std::max(x[n], height * v);
  }
}

// Ornstein–Uhlenbeck drift with a time-varying stationary deviation `sd[n]`.
std::vector<double> drift(Random& rng, size_t count, const std::vector<double>& activity, double sd,
                          double tau_s) {
  std::vector<double> x(count);
  double v = sd * 0.5 * rng.normal();
  for (size_t n = 0; n < count; ++n) {
    v += -v / tau_s * kDt + sd * activity[n] * std::sqrt(2 * kDt / tau_s) * rng.normal();
    x[n] = v;
  }
  return x;
}

// Critically damped follower of a piecewise-constant target (2nd order, `hz`).
std::vector<double> follow(const std::vector<double>& target, double hz) {
  std::vector<double> out(target.size());
  double omega = 2 * kPi * hz, value = 0, velocity = 0;
  for (size_t n = 0; n < target.size(); ++n) {
    double accel = omega * omega * (target[n] - value) - 2 * omega * velocity;
    velocity += accel * kDt;
    value += velocity * kDt;
    out[n] = value;
  }
  return out;
}

// One blink's lid closure (Evinger et al. 1991; VanderWerf et al. 2003): fast close,
// brief full closure, slower reopening.
void add_blink(std::vector<double>& lid, double start_s, double amplitude, Random& rng) {
  add_pulse(lid, start_s, rng.uniform(0.07, 0.10), rng.uniform(0.02, 0.05), rng.uniform(0.13, 0.22),
            amplitude);
}

}  // namespace

ExpressionStyle draw_expression_style(std::uint64_t seed) {
  Random rng(derive_seed(seed, 12));
  ExpressionStyle s;
  s.head_gain = rng.uniform(0.6, 1.4);
  s.nod_probability = rng.uniform(0.25, 0.6);
  s.blinks_per_minute = rng.uniform(8, 12);
  s.brow_probability = rng.uniform(0.2, 0.6);
  s.gaze_aversion = rng.uniform(0.2, 0.5);
  return s;
}

void add_expressive_motion(std::span<const Phone> phones, bool question,
                           const ExpressionStyle& style, std::uint64_t seed, MotionTrack& motion) {
  if (motion.frames.empty()) return;
  Random rng(derive_seed(seed, 13));
  double duration_s = motion.frame_count() / motion.fps;
  size_t count = static_cast<size_t>(std::ceil(duration_s * kRate)) + 2;
  std::vector<Phrase> phrases = phrases_of(phones);

  // Speaking activity: 1 in phrases, 0.4 in silence, smoothed (calmer in silence).
  std::vector<double> speaking(count, 0.4);
  for (const Phrase& p : phrases) {
    for (long n = static_cast<long>(p.start_s * kRate);
         n < static_cast<long>(p.end_s * kRate) && n < static_cast<long>(count); ++n) {
      speaking[n] = 1.0;
    }
  }
  std::vector<double> activity = follow(speaking, 0.7);
  for (double& a : activity) a = std::clamp(a, 0.3, 1.1);
  double g = style.head_gain;

  // Head: drift + turns at phrase starts + nods on prominent syllables.
  std::vector<double> yaw_target(count, 0), pitch(count, 0), brow_up(count, 0), brow_down(count, 0);
  double current_yaw = rng.uniform(-0.1, 0.1) * g;
  size_t next_phrase = 0;
  for (size_t n = 0; n < count; ++n) {
    double t = n * kDt;
    while (next_phrase < phrases.size() && phrases[next_phrase].start_s - 0.15 <= t) {
      current_yaw = std::clamp(0.55 * current_yaw + rng.uniform(-0.16, 0.16) * g, -0.35, 0.35);
      ++next_phrase;
    }
    yaw_target[n] = current_yaw;
  }
  for (const Phone& p : phones) {
    if (!is_vowel(p.viseme) || p.prominence < 0.55 || !rng.chance(style.nod_probability)) continue;
    double centre_s = seconds(p.start_sample + p.end_sample) / 2;
    double width_s = rng.uniform(0.3, 0.55);
    double amp = rng.uniform(0.012, 0.04) * g * (0.6 + p.prominence);
    if (rng.chance(0.25)) amp = -0.7 * amp;  // an upward head raise instead of a nod
    add_bump(pitch, centre_s - 0.45 * width_s, width_s, amp);
  }
  for (const Phrase& ph : phrases) {
    if (rng.chance(0.5))
      add_bump(pitch, ph.end_s - 0.2, 0.5, rng.uniform(0.01, 0.03) * g);  // final lowering
    // Brows: raised on the phrase's peak syllable, sometimes a brief frown instead.
    if (ph.peak_s > 0 && rng.chance(style.brow_probability)) {
      add_pulse(brow_up, ph.peak_s - rng.uniform(0.15, 0.3), 0.15, rng.uniform(0.1, 0.3),
                rng.uniform(0.3, 0.5), rng.uniform(0.25, 0.7));
    } else if (ph.peak_s > 0 && rng.chance(0.1)) {
      add_pulse(brow_down, ph.peak_s - 0.2, 0.15, 0.2, 0.4, rng.uniform(0.15, 0.4));
    }
  }
  if (question && !phrases.empty()) {
    const Phrase& last = phrases.back();
    add_pulse(brow_up, last.end_s - 0.5, 0.2, 0.3, 0.4, rng.uniform(0.4, 0.8));
  }
  std::vector<double> yaw = follow(yaw_target, 0.9);
  auto yaw_drift = drift(rng, count, activity, 0.045 * g, 1.8);
  auto pitch_drift = drift(rng, count, activity, 0.03 * g, 1.2);
  auto roll_drift = drift(rng, count, activity, 0.025 * g, 2.5);
  auto x_drift = drift(rng, count, activity, 0.012 * g, 3.0);
  auto y_drift = drift(rng, count, activity, 0.010 * g, 3.0);
  auto scale_drift = drift(rng, count, activity, 0.018 * g, 4.0);
  double brow_base = rng.uniform(0.0, 0.12), frown_base = rng.uniform(0.0, 0.06);
  double roll_bias = rng.uniform(-0.04, 0.04);

  // Blinks: a gamma renewal process plus blinks at pause onsets and large saccades.
  std::vector<double> lid_left(count, 0), lid_right(count, 0);
  std::vector<double> blink_times;
  double mean_interval_s = 60.0 / style.blinks_per_minute;
  for (double t = rng.uniform(0.0, mean_interval_s); t < duration_s;
       t += std::max(0.35, rng.gamma(2.5, mean_interval_s))) {
    blink_times.push_back(t);
  }
  for (const Phone& p : phones) {
    double len_s = seconds(p.end_sample - p.start_sample);
    if (p.viseme != Viseme::Silence || len_s < 0.25 || p.start_sample == 0 || !rng.chance(0.35))
      continue;
    blink_times.push_back(seconds(p.start_sample) + rng.uniform(0.0, 0.15));
  }

  // Gaze: fixations (log-normal durations) joined by saccades; speakers look away more
  // at phrase starts (Kendon 1967) and back at the listener towards phrase ends.
  std::vector<double> gaze_x(count, 0), gaze_y(count, 0);
  double gx = rng.normal() * 0.05, gy = rng.normal() * 0.04;
  double next_fixation_s = 0;
  double saccade_from_x = gx, saccade_from_y = gy, saccade_start_s = -1, saccade_len_s = 0.04;
  double target_x = gx, target_y = gy;
  size_t phrase_index = 0;
  for (size_t n = 0; n < count; ++n) {
    double t = n * kDt;
    if (t >= next_fixation_s) {
      while (phrase_index < phrases.size() && phrases[phrase_index].end_s < t) ++phrase_index;
      bool phrase_start =
          phrase_index < phrases.size() && std::abs(phrases[phrase_index].start_s - t) < 0.4;
      double aversion = phrase_start ? std::min(0.8, style.gaze_aversion * 2) : style.gaze_aversion;
      double nx, ny;
      if (rng.chance(aversion)) {
        nx = (rng.chance(0.5) ? 1 : -1) * rng.uniform(0.2, 0.6);
        ny = rng.uniform(-0.45, 0.15);
      } else {
        nx = 0.06 * rng.normal();
        ny = 0.05 * rng.normal();
      }
      double jump = std::hypot(nx - target_x, ny - target_y);
      saccade_from_x = gx;
      saccade_from_y = gy;
      target_x = nx;
      target_y = ny;
      saccade_start_s = t;
      saccade_len_s = 0.025 + 0.06 * jump;  // main sequence: bigger saccades last longer
      if (jump > 0.3 && rng.chance(0.2)) blink_times.push_back(t);
      next_fixation_s = t + rng.lognormal(activity[n] > 0.8 ? 0.8 : 1.4, 0.5);
    }
    double phase =
        saccade_len_s > 0 ? std::clamp((t - saccade_start_s) / saccade_len_s, 0.0, 1.0) : 1.0;
    double s = phase * phase * (3 - 2 * phase);
    gx = saccade_from_x + (target_x - saccade_from_x) * s;
    gy = saccade_from_y + (target_y - saccade_from_y) * s;
    gaze_x[n] = gx;
    gaze_y[n] = gy;
  }
  std::sort(blink_times.begin(), blink_times.end());
  double last_blink_s = -10;
  for (double t : blink_times) {
    if (t - last_blink_s < 0.6) continue;  // refractory: no double blinks from two triggers
    last_blink_s = t;
    double amp = rng.chance(0.12) ? rng.uniform(0.5, 0.85) : 1.0;  // some blinks are incomplete
    Random eye_rng(rng.next_u64());
    Random eye_rng2 = eye_rng;
    add_blink(lid_left, t, amp, eye_rng);
    add_blink(lid_right, t + rng.uniform(0.0, 0.012), amp * rng.uniform(0.93, 1.0), eye_rng2);
  }
  auto fixational_x = drift(rng, count, std::vector<double>(count, 1.0), 0.012, 0.3);
  auto fixational_y = drift(rng, count, std::vector<double>(count, 1.0), 0.008, 0.3);

  for (std::int64_t k = 0; k < motion.frame_count(); ++k) {
    size_t n = std::min(count - 1, static_cast<size_t>(std::lround(k / motion.fps * kRate)));
    MotionFrame& f = motion.frames[k];
    double head_yaw = yaw[n] + yaw_drift[n];
    double head_pitch = pitch[n] + pitch_drift[n];
    f[index(Channel::EyeBlinkLeft)] = static_cast<float>(lid_left[n]);
    f[index(Channel::EyeBlinkRight)] = static_cast<float>(lid_right[n]);
    f[index(Channel::EyeLookX)] = static_cast<float>(gaze_x[n] + fixational_x[n]);
    f[index(Channel::EyeLookY)] =
        static_cast<float>(gaze_y[n] - 0.12 * lid_left[n] + fixational_y[n]);
    f[index(Channel::BrowInnerUp)] = static_cast<float>(brow_base + brow_up[n]);
    f[index(Channel::BrowDown)] = static_cast<float>(frown_base + brow_down[n]);
    f[index(Channel::HeadYaw)] = static_cast<float>(head_yaw);
    f[index(Channel::HeadPitch)] = static_cast<float>(head_pitch);
    f[index(Channel::HeadRoll)] = static_cast<float>(roll_bias + roll_drift[n] + 0.2 * yaw[n]);
    f[index(Channel::HeadX)] = static_cast<float>(0.3 * head_yaw + x_drift[n]);
    f[index(Channel::HeadY)] = static_cast<float>(-0.25 * head_pitch + y_drift[n]);
    f[index(Channel::HeadScale)] = static_cast<float>(scale_drift[n] + 0.03 * brow_up[n]);
  }
}

MotionTrack label_motion(std::span<const Phone> phones, std::int64_t samples, bool question,
                         std::uint64_t seed) {
  MotionTrack track;
  track.frames.assign(static_cast<size_t>(motion_frames_for(samples)), neutral_frame());
  add_mouth_motion(phones, draw_mouth_style(seed), track);
  add_expressive_motion(phones, question, draw_expression_style(seed), seed, track);
  track.clamp_to_ranges();
  return track;
}

void assign_prominence(std::span<const float> audio, std::span<const int> stress,
                       std::span<Phone> phones) {
  std::vector<size_t> vowels;
  std::vector<double> durations, energies;
  for (size_t i = 0; i < phones.size(); ++i) {
    phones[i].prominence = 0;
    if (!is_vowel(phones[i].viseme)) continue;
    auto lo =
        static_cast<size_t>(std::clamp<std::int64_t>(phones[i].start_sample, 0, audio.size()));
    auto hi = static_cast<size_t>(std::clamp<std::int64_t>(phones[i].end_sample, 0, audio.size()));
    double power = 1e-10;
    for (size_t s = lo; s < hi; ++s) power += audio[s] * audio[s] / std::max<size_t>(1, hi - lo);
    vowels.push_back(i);
    durations.push_back(std::log(std::max(1.0, static_cast<double>(hi - lo))));
    energies.push_back(10 * std::log10(power));
  }
  auto zscores = [](std::vector<double>& v) {
    double mean = 0, var = 0;
    for (double x : v) mean += x / v.size();
    for (double x : v) var += (x - mean) * (x - mean) / v.size();
    double sd = std::sqrt(var) + 1e-6;
    for (double& x : v) x = (x - mean) / sd;
  };
  if (vowels.empty()) return;
  zscores(durations);
  zscores(energies);
  for (size_t j = 0; j < vowels.size(); ++j) {
    int st = vowels[j] < stress.size() ? stress[vowels[j]] : -1;
    double score = 0.9 * durations[j] + 0.6 * energies[j] + (st == 1 ? 1.0 : st == 0 ? -0.6 : 0.0);
    phones[vowels[j]].prominence = static_cast<float>(1.0 / (1.0 + std::exp(-1.6 * (score - 0.3))));
  }
}

}  // namespace parla::train
