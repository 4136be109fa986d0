// Blinks for every generator. Blinks are brief events that the 2-step DDIM sampler of the
// shipped model smooths into half-closed flutters, and that the classic rules would only
// schedule by the clock; so both generators take their eyelid channels from one blink
// process here, run causally on the same audio features with the same seed. Everything
// else comes from the wrapped generator. The model and its constants are in
// docs/classic_generator.md (row "blinks").
//
// The process (per 10 ms feature frame, causal, so streaming in any chunks gives the
// same blinks and live mode needs no look-ahead):
// - a renewal clock: each blink draws the next interval from Gamma(3) with a per-clip
//   mean of 4.6–5.6 s, truncated to 1.5–5.4 s, so blinks continue through any length
//   and no gap exceeds ~6 s (5.4 s plus a deferral below);
// - pauses: once the voice has been quiet for 200 ms (a phrase end or a breath, not a
//   gap inside a word), a blink comes with p = 0.7 if the last one is 2 s old. Quiet
//   is no voice activity or 22 dB under the recent peak: the activity flag alone calls
//   a noisy recording's floor speech. With both, real speech gets ~19 blinks a minute,
//   42% of them near pauses that fill 24% of the time (tests/fusion/blink_test.cpp);
// - inside speech, a blink that falls due waits (up to 0.6 s) for a dip between words
//   (unvoiced or 10 dB under the recent peak) rather than landing on a loud vowel.
#include <algorithm>
#include <cmath>
#include <deque>
#include <string>

#include "fusion/generators.h"
#include "fusion/random.h"

namespace parla::fusion {
namespace {

constexpr double kDtSeconds = 1.0 / audio::kFeatureRate;           // one feature frame
constexpr int kFeaturesPerMotionFrame = audio::kFeatureRate / 25;  // 4
constexpr std::uint64_t kBlinkStream = 0xB11C5EEDull;  // keeps blinks apart from other draws

constexpr double kMinIntervalSeconds = 1.5, kMaxIntervalSeconds = 5.4;
constexpr double kPauseDelaySeconds = 0.2;     // quiet that makes a pause
constexpr double kQuietDb = 22.0;              // under the recent peak: not speaking
constexpr double kPauseBlinkChance = 0.7;
constexpr double kPauseRefractorySeconds = 2.0;
constexpr double kMaxDeferSeconds = 0.6;       // a due blink waits this long for a word gap
constexpr double kDipDb = 10.0;                // under the recent peak: between words

// Eyelid closure 0..1 at `since_s` after a blink starts: ~70 ms closing, ~40 ms shut,
// ~140 ms opening (scaled per blink by `speed`).
double blink_shape(double since_s, double speed) {
  const double close = 0.07 * speed, hold = 0.04, open = 0.14 * speed;
  if (since_s < 0) return 0;
  if (since_s < close) return std::sin(0.5 * M_PI * since_s / close);
  if (since_s < close + hold) return 1.0;
  if (since_s < close + hold + open) return 0.5 * (1.0 + std::cos(M_PI * (since_s - close - hold) / open));
  return 0.0;
}

// Eyelid channels only (the rest neutral), one motion frame per 4 feature frames.
class BlinkProcess {
 public:
  // `rate_factor` multiplies the blink rate (intervals divided by it, pause blinks more
  // or less likely); 0 = never blink.
  BlinkProcess(std::uint64_t seed, double rate_factor)
      : rng_(seed ^ kBlinkStream), rate_factor_(rate_factor) {
    mean_interval_s_ = rng_.uniform(4.6, 5.6);  // the clock alone: 11–13 per minute
    // The first blink comes like any other, from an imaginary one just before the clip.
    next_due_s_ = rng_.uniform(0.4, 1.0) * draw_interval();
  }

  void push(std::span<const audio::FeatureFrame> frames, std::vector<MotionFrame>& out) {
    for (const auto& f : frames) step(f, out);
  }

 private:
  double draw_interval() {
    if (rate_factor_ <= 0) return 1e300;  // never
    return std::clamp(rng_.gamma(3.0, mean_interval_s_), kMinIntervalSeconds, kMaxIntervalSeconds) /
           rate_factor_;
  }

  void start_blink(double time_s) {
    last_start_s_ = time_s;
    next_due_s_ = time_s + draw_interval();
    right_lag_s_ = rng_.uniform(0.0, 0.012);
    speed_ = rng_.uniform(0.85, 1.2);
  }

  void step(const audio::FeatureFrame& f, std::vector<MotionFrame>& out) {
    double time_s = step_index_ * kDtSeconds;
    peak_db_ = std::max<double>(f.energy_db, peak_db_ - 0.01);  // forgets 1 dB per second
    peak_db_ = std::max(peak_db_, -50.0);
    bool voiced = f.voicing > 0.45f && f.f0_hz > 0.f;
    bool quiet = !f.speech || f.energy_db < peak_db_ - kQuietDb;
    bool word_gap = quiet || !voiced || f.energy_db < peak_db_ - kDipDb;

    if (quiet) {
      silence_s_ += kDtSeconds;
    } else {
      silence_s_ = 0;
      pause_pending_ = true;
    }
    double since_last_s = time_s - last_start_s_;
    if (pause_pending_ && silence_s_ >= kPauseDelaySeconds) {
      pause_pending_ = false;
      if (rate_factor_ > 0 && since_last_s >= kPauseRefractorySeconds / rate_factor_ &&
          rng_.chance(std::min(1.0, kPauseBlinkChance * rate_factor_))) {
        start_blink(time_s);
      }
    } else if (time_s >= next_due_s_ && (word_gap || time_s >= next_due_s_ + kMaxDeferSeconds)) {
      start_blink(time_s);
    }

    if (step_index_ % kFeaturesPerMotionFrame == 0) {
      MotionFrame m = neutral_frame();
      m[index(Channel::EyeBlinkLeft)] = static_cast<float>(blink_shape(time_s - last_start_s_, speed_));
      m[index(Channel::EyeBlinkRight)] =
          static_cast<float>(blink_shape(time_s - last_start_s_ - right_lag_s_, speed_));
      out.push_back(m);
    }
    ++step_index_;
  }

  Random rng_;
  double rate_factor_ = 1;
  double mean_interval_s_ = 3.7;
  std::int64_t step_index_ = 0;  // feature frames stepped so far
  double next_due_s_ = 0, last_start_s_ = -10, right_lag_s_ = 0, speed_ = 1;
  double peak_db_ = -50.0;
  double silence_s_ = 0;        // quiet so far (seconds)
  bool pause_pending_ = false;  // speech seen since the last pause was handled
};

class BlinkOverlay final : public MotionGenerator {
 public:
  BlinkOverlay(std::unique_ptr<MotionGenerator> motion, const GeneratorParams& params)
      : motion_(std::move(motion)),
        blinks_(params.seed, params.blink_rate < 0 ? 1.0 : params.blink_rate / kNaturalBlinkRate),
        style_(params.style) {}

  std::string_view name() const override { return motion_->name(); }
  double lookahead_seconds() const override { return motion_->lookahead_seconds(); }

  void push(std::span<const audio::FeatureFrame> frames, std::vector<MotionFrame>& out) override {
    check_open("push");
    scratch_.clear();
    motion_->push(frames, scratch_);
    motion_frames_.insert(motion_frames_.end(), scratch_.begin(), scratch_.end());
    scratch_.clear();
    blinks_.push(frames, scratch_);
    blink_frames_.insert(blink_frames_.end(), scratch_.begin(), scratch_.end());
    drain(out);
  }

  void finish(std::vector<MotionFrame>& out) override {
    check_open("finish");
    finished_ = true;
    scratch_.clear();
    motion_->finish(scratch_);
    motion_frames_.insert(motion_frames_.end(), scratch_.begin(), scratch_.end());
    drain(out);
  }

 private:
  // A generator's state (time, look-ahead, the previous window, the blink process) runs
  // on from one push to the next: after finish(), more audio would continue the ended
  // stream with that state, not start a new one.
  void check_open(const char* call) const {
    if (finished_) {
      throw Error(std::string("motion generator '") + std::string(motion_->name()) + "': " + call +
                  " after finish(); a generator serves one stream, make a new one for the next");
    }
  }

  // Emits every frame both have produced (the same count in total: the blink process
  // emits at once, the generator after its look-ahead).
  void drain(std::vector<MotionFrame>& out) {
    while (!motion_frames_.empty() && !blink_frames_.empty()) {
      MotionFrame frame = motion_frames_.front();
      for (Channel c : {Channel::EyeBlinkLeft, Channel::EyeBlinkRight}) {
        frame[index(c)] = blink_frames_.front()[index(c)];
      }
      apply_motion_style(frame, style_);
      out.push_back(frame);
      motion_frames_.pop_front();
      blink_frames_.pop_front();
    }
  }

  std::unique_ptr<MotionGenerator> motion_;
  BlinkProcess blinks_;
  MotionStyle style_;
  std::deque<MotionFrame> motion_frames_, blink_frames_;
  std::vector<MotionFrame> scratch_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<MotionGenerator> with_classic_blinks(std::unique_ptr<MotionGenerator> motion,
                                                     GeneratorParams params) {
  return std::make_unique<BlinkOverlay>(std::move(motion), params);
}

}  // namespace parla::fusion
