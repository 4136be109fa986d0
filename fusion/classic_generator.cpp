// The classic generator: hand-written rules from energy, voicing, pitch and spectral
// shape, no learning. It stays as `--generator classic`, the baseline every learned
// model must beat. The model and its constants are documented in docs/classic_generator.md.
#include <algorithm>
#include <cmath>
#include <deque>

#include "fusion/generators.h"
#include "fusion/random.h"

namespace parla::fusion {
namespace {

constexpr double kDtSeconds = 1.0 / audio::kFeatureRate;               // one feature frame
constexpr int kFeaturesPerMotionFrame = audio::kFeatureRate / 25;      // 4
// Mouth targets read the audio this far ahead: lips move before the sound.
constexpr int kLookaheadFeatures = 8;                                  // 80 ms
constexpr int kClosureMemoryFeatures = 15;                             // 150 ms of past peaks

float clamp01(double v) { return static_cast<float>(std::clamp(v, 0.0, 1.0)); }

// Spectral centroid of a log-mel frame as a fraction of the mel axis (0 = lowest bin).
double mel_centroid(const audio::FeatureFrame& f) {
  double sum = 0.0, weighted = 0.0;
  for (int b = 0; b < audio::kMelBins; ++b) {
    double power = std::exp(static_cast<double>(f.log_mel[b]));
    sum += power;
    weighted += power * b;
  }
  return sum > 0.0 ? weighted / sum / (audio::kMelBins - 1) : 0.0;
}

// Per-clip character drawn from the seed: how animated this speaker is.
struct Character {
  double head_amplitude;   // scales all head motion
  double smile_baseline;   // resting smile 0..1
  double jaw_gain;         // how wide the mouth opens on loud vowels
};

class ClassicGenerator final : public MotionGenerator {
 public:
  explicit ClassicGenerator(GeneratorParams params) : rng_(params.seed) {
    character_.head_amplitude = rng_.uniform(0.8, 1.25);
    character_.smile_baseline = rng_.uniform(0.08, 0.22);
    character_.jaw_gain = rng_.uniform(0.85, 1.0);
    next_fixation_s_ = rng_.uniform(0.5, 2.0);
  }

  std::string_view name() const override { return "classic"; }
  double lookahead_seconds() const override { return kLookaheadFeatures * kDtSeconds; }

  void push(std::span<const audio::FeatureFrame> frames, std::vector<MotionFrame>& out) override {
    for (const auto& f : frames) {
      window_.push_back(Analysed{f, mel_centroid(f)});
      if (static_cast<int>(window_.size()) > kLookaheadFeatures) step(out);
    }
  }

  void finish(std::vector<MotionFrame>& out) override {
    // The tail has no future audio: pad with silence so every input frame is stepped.
    audio::FeatureFrame silence{};
    silence.log_mel.fill(std::log(1e-10f));
    int remaining = static_cast<int>(window_.size());
    for (int k = 0; k < remaining; ++k) {
      window_.push_back(Analysed{silence, 0.0});
      step(out);
    }
  }

 private:
  struct Analysed {
    audio::FeatureFrame f;
    double centroid;  // 0..1 of the mel axis
  };

  // Advances one feature frame (10 ms): window_.front() is "now", window_.back() is the
  // look-ahead frame the mouth targets come from.
  void step(std::vector<MotionFrame>& out) {
    const Analysed& now = window_.front();
    const Analysed& ahead = window_.back();
    double time_s = step_index_ * kDtSeconds;

    track_level(ahead.f);
    bool speaking_now = update_speech_state(now.f, time_s);
    update_mouth(ahead);
    update_gaze(time_s);
    update_brows(ahead.f);
    update_head(now.f, speaking_now);

    if (step_index_ % kFeaturesPerMotionFrame == 0) out.push_back(current_frame());
    window_.pop_front();
    ++step_index_;
  }

  // Loudness relative to the speaker's recent peak, 0..1 (causal).
  void track_level(const audio::FeatureFrame& f) {
    peak_db_ = std::max<double>(f.energy_db, peak_db_ - 0.02);  // forgets 2 dB per second
    peak_db_ = std::max(peak_db_, -50.0);
    level_ahead_ = clamp01((f.energy_db - (peak_db_ - 30.0)) / 30.0);
    recent_levels_.push_back(level_ahead_);
    if (recent_levels_.size() > kClosureMemoryFeatures) recent_levels_.pop_front();
  }

  bool update_speech_state(const audio::FeatureFrame& f, double time_s) {
    bool speaking = f.speech;
    if (speaking && !was_speaking_) {
      // Phrase start: the head takes up a new position.
      if (time_s - speech_end_s_ > 0.25) yaw_offset_ = 0.08 * rng_.normal() * character_.head_amplitude;
    }
    if (!speaking && was_speaking_) speech_end_s_ = time_s;
    was_speaking_ = speaking;
    return speaking;
  }

  void update_mouth(const Analysed& a) {
    const auto& f = a.f;
    double jaw = 0, close = 0, funnel = 0, pucker = 0, stretch = 0, roll = 0;
    double level = level_ahead_;
    bool voiced = f.voicing > 0.45f && f.f0_hz > 0.f;
    if (f.speech) {
      double recent_peak = *std::max_element(recent_levels_.begin(), recent_levels_.end());
      bool closure = recent_peak - level > 0.45 && level < 0.25;
      if (closure) {
        close = 1.0;  // a sudden dip inside speech: lips pressed (M, B, P)
      } else if (voiced) {
        jaw = character_.jaw_gain * (0.06 + 0.44 * std::pow(level, 1.3));
        // Spread (EE) vs rounded (OO) vowels, judged against this speaker's own
        // average spectral balance: absolute centroids vary too much across voices.
        centroid_reference_ += (a.centroid - centroid_reference_) * 0.005;  // ~2 s memory
        double brightness = (a.centroid - centroid_reference_) / 0.05;
        stretch = 0.45 * clamp01(brightness) * level;
        double roundness = clamp01(-brightness);
        funnel = 0.4 * roundness * level;
        pucker = 0.4 * roundness * (1.0 - level);
      } else {
        // Fricatives and plosive bursts: teeth nearly together.
        jaw = 0.08 + 0.12 * level;
        bool labiodental_like = a.centroid > 0.3 && a.centroid < 0.5 && level < 0.6;
        roll = labiodental_like ? 0.35 : 0.0;
        stretch = 0.25 * clamp01((a.centroid - 0.45) / 0.2);
      }
    }
    jaw_.step(jaw, kDtSeconds);
    close_.step(close, kDtSeconds);
    funnel_.step(funnel, kDtSeconds);
    pucker_.step(pucker, kDtSeconds);
    stretch_.step(stretch, kDtSeconds);
    roll_lower_.step(roll, kDtSeconds);
    smile_drift_.step(rng_, kDtSeconds, 0.05, 4.0);
  }

  // Gaze: fixations of 0.5–3 s joined by fast saccades; mostly back to the camera.
  void update_gaze(double time_s) {
    if (time_s >= next_fixation_s_) {
      bool to_camera = rng_.uniform() < 0.55;
      gaze_target_x_ = to_camera ? 0.05 * rng_.normal() : std::clamp(0.3 * rng_.normal(), -0.6, 0.6);
      gaze_target_y_ = to_camera ? 0.04 * rng_.normal() : std::clamp(0.15 * rng_.normal(), -0.4, 0.4);
      next_fixation_s_ = time_s + 0.5 + rng_.exponential(1.2);
    }
    gaze_x_.step(gaze_target_x_, kDtSeconds);
    gaze_y_.step(gaze_target_y_, kDtSeconds);
  }

  // Inner brows rise on emphasis: loud, voiced, pitch well above the running median.
  void update_brows(const audio::FeatureFrame& f) {
    bool voiced = f.voicing > 0.45f && f.f0_hz > 0.f;
    if (voiced) {
      double semitones = 12.0 * std::log2(f.f0_hz / f0_reference_hz_);
      f0_reference_hz_ *= std::pow(2.0, std::clamp(semitones, -1.0, 1.0) / 12.0 * 0.02);
      emphasis_semitones_ = semitones;
      if (semitones > 2.0 && level_ahead_ > 0.6 && brow_hold_s_ <= -0.6) {
        brow_target_ = std::min(0.7, 0.25 + 0.08 * semitones) * character_.head_amplitude;
        brow_hold_s_ = 0.3;
      }
    } else {
      emphasis_semitones_ *= 0.95;
    }
    brow_hold_s_ -= kDtSeconds;
    if (brow_hold_s_ <= 0) brow_target_ = 0.0;
    brow_up_.step(brow_target_, kDtSeconds);
    brow_down_drift_.step(rng_, kDtSeconds, 0.04, 3.0);
  }

  // Head: slow bounded drift, new positions at phrase starts, nods on stressed
  // syllables (sharp rises of loudness), a little pitch-following; calmer in silence.
  void update_head(const audio::FeatureFrame& f, bool speaking) {
    double amp = character_.head_amplitude * (speaking ? 1.0 : 0.45);
    double level_now = recent_levels_.empty() ? 0.0 : recent_levels_.front();
    nod_cooldown_s_ -= kDtSeconds;
    if (speaking && level_now - min_recent_level_ > 0.45 && nod_cooldown_s_ <= 0) {
      nod_target_ = 0.05 * character_.head_amplitude * (0.6 + 0.4 * level_now);
      nod_hold_s_ = 0.15;
      nod_cooldown_s_ = 0.35;
    }
    min_recent_level_ = std::min(level_now, min_recent_level_ + 0.02);
    nod_hold_s_ -= kDtSeconds;
    if (nod_hold_s_ <= 0) nod_target_ = 0.0;
    nod_.step(nod_target_, kDtSeconds);

    double yaw_target = yaw_offset_ + yaw_drift_.step(rng_, kDtSeconds, 0.05 * amp, 1.5);
    double pitch_target = pitch_drift_.step(rng_, kDtSeconds, 0.02 * amp, 2.0) -
                          0.006 * std::clamp(emphasis_semitones_, -4.0, 6.0) * (f.speech ? 1.0 : 0.0);
    double roll_target = roll_drift_.step(rng_, kDtSeconds, 0.03 * amp, 2.5);
    yaw_offset_ *= speaking ? 0.9995 : 0.998;
    yaw_.step(yaw_target, kDtSeconds);
    pitch_.step(pitch_target, kDtSeconds);
    roll_.step(roll_target, kDtSeconds);
    x_drift_.step(rng_, kDtSeconds, 0.012 * amp, 3.0);
    y_drift_.step(rng_, kDtSeconds, 0.008 * amp, 3.0);
    scale_drift_.step(rng_, kDtSeconds, 0.012 * amp, 4.0);
  }

  MotionFrame current_frame() const {
    MotionFrame m = neutral_frame();
    auto set = [&m](Channel c, double v) { m[index(c)] = static_cast<float>(v); };
    set(Channel::JawOpen, clamp01(jaw_.value()));
    set(Channel::MouthClose, clamp01(close_.value()));
    set(Channel::MouthFunnel, clamp01(funnel_.value()));
    set(Channel::MouthPucker, clamp01(pucker_.value()));
    set(Channel::MouthStretch, clamp01(stretch_.value()));
    set(Channel::MouthSmile, clamp01(character_.smile_baseline + smile_drift_.value()));
    set(Channel::MouthRollLower, clamp01(roll_lower_.value()));
    set(Channel::TongueOut, 0.0);  // not observable from these features
    // eyeBlinkLeft/Right stay 0: make_generator overlays the blink process (blink_overlay.cpp).
    set(Channel::EyeLookX, std::clamp(gaze_x_.value(), -1.0, 1.0));
    set(Channel::EyeLookY, std::clamp(gaze_y_.value(), -1.0, 1.0));
    set(Channel::BrowInnerUp, clamp01(brow_up_.value()));
    set(Channel::BrowDown, clamp01(std::max(0.0, brow_down_drift_.value())));
    double yaw = yaw_.value(), pitch = pitch_.value() + nod_.value();
    set(Channel::HeadYaw, std::clamp(yaw, -0.5, 0.5));
    set(Channel::HeadPitch, std::clamp(pitch, -0.4, 0.4));
    set(Channel::HeadRoll, std::clamp(roll_.value(), -0.3, 0.3));
    set(Channel::HeadX, std::clamp(0.25 * yaw + x_drift_.value(), -0.2, 0.2));
    set(Channel::HeadY, std::clamp(-0.15 * pitch + y_drift_.value(), -0.2, 0.2));  // + = up: a nod lowers the head
    set(Channel::HeadScale, std::clamp(scale_drift_.value(), -0.1, 0.1));
    return m;
  }

  Random rng_;
  Character character_{};
  std::deque<Analysed> window_;  // now .. now + look-ahead
  std::int64_t step_index_ = 0;  // feature frames stepped so far

  double peak_db_ = -20.0;
  double centroid_reference_ = 0.15;  // running mean mel centroid of voiced frames
  double level_ahead_ = 0.0;
  std::deque<double> recent_levels_;
  bool was_speaking_ = false;
  double speech_end_s_ = -10.0;

  Spring jaw_{9.0}, close_{12.0}, funnel_{7.0}, pucker_{6.0}, stretch_{7.0}, roll_lower_{8.0};
  Drift smile_drift_;

  double next_fixation_s_ = 0, gaze_target_x_ = 0, gaze_target_y_ = 0;
  Spring gaze_x_{14.0}, gaze_y_{14.0};

  double f0_reference_hz_ = 160.0, emphasis_semitones_ = 0.0;
  double brow_target_ = 0, brow_hold_s_ = -1.0;
  Spring brow_up_{4.0};
  Drift brow_down_drift_;

  double nod_target_ = 0, nod_hold_s_ = 0, nod_cooldown_s_ = 0, min_recent_level_ = 0;
  double yaw_offset_ = 0;
  Spring nod_{3.5}, yaw_{1.2}, pitch_{1.5}, roll_{1.2};
  Drift yaw_drift_, pitch_drift_, roll_drift_, x_drift_, y_drift_, scale_drift_;
};

}  // namespace

std::unique_ptr<MotionGenerator> make_classic_generator(GeneratorParams params) {
  return std::make_unique<ClassicGenerator>(params);
}

}  // namespace parla::fusion
