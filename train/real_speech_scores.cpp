// The real-speech metric: a generated jawOpen against the one tracked on real video
// (docs/real_speakers.md), and the audio-energy baseline it is compared with.
#include <algorithm>
#include <cmath>

#include "audio/audio.h"
#include "train/train.h"

namespace parla::train {
namespace {

// Pearson r and the spread of paired values, from running sums.
struct Correlation {
  double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  void add(double x, double y) {
    n += 1, sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  double var_x() const { return sxx - sx * sx / n; }  // times n
  double var_y() const { return syy - sy * sy / n; }
  // 0 when either side is constant.
  double r() const {
    if (n < 2) return 0;
    const double cov = sxy - sx * sy / n, vx = var_x(), vy = var_y();
    return vx > 1e-12 && vy > 1e-12 ? cov / std::sqrt(vx * vy) : 0.0;
  }
  // Standard deviation of x over that of y; 0 when y is constant.
  double spread() const {
    if (n < 2) return 0;
    const double vy = var_y();
    return vy > 1e-12 ? std::sqrt(std::max(var_x(), 0.0) / vy) : 0.0;
  }
};

}  // namespace

void RealSpeechScorer::add(const RealLabels& clip, std::span<const float> jaw) {
  const size_t n = std::min<size_t>(clip.jaw.size(), jaw.size());
  labels_.emplace_back(clip.jaw.begin(), clip.jaw.begin() + static_cast<std::ptrdiff_t>(n));
  predicted_.emplace_back(jaw.begin(), jaw.begin() + static_cast<std::ptrdiff_t>(n));
  std::vector<std::uint8_t> confident(n);
  for (size_t k = 0; k < n; ++k) confident[k] = clip.confidence[k] >= kRealMinConfidence;
  confident_.push_back(std::move(confident));
}

RealSpeechScores RealSpeechScorer::scores() const {
  RealSpeechScores s;
  s.clips = static_cast<int>(labels_.size());
  s.clip_best_lag.assign(labels_.size(), 0);
  s.clip_best_lag_r.assign(labels_.size(), 0.0);
  for (int lag = -kRealMaxLagFrames; lag <= kRealMaxLagFrames; ++lag) {
    Correlation pooled;
    for (size_t c = 0; c < labels_.size(); ++c) {
      Correlation clip;
      const auto n = static_cast<std::int64_t>(labels_[c].size());
      for (std::int64_t k = 0; k < n; ++k) {
        const std::int64_t g = k + lag;  // the generated frame compared with video frame k
        if (g < 0 || g >= n || !confident_[c][static_cast<size_t>(k)]) continue;
        pooled.add(predicted_[c][static_cast<size_t>(g)], labels_[c][static_cast<size_t>(k)]);
        clip.add(predicted_[c][static_cast<size_t>(g)], labels_[c][static_cast<size_t>(k)]);
      }
      if (lag == 0) s.clip_r.push_back(clip.r());
      if (lag == -kRealMaxLagFrames || clip.r() > s.clip_best_lag_r[c]) {
        s.clip_best_lag_r[c] = clip.r();
        s.clip_best_lag[c] = lag;
      }
    }
    s.lag_r.push_back(pooled.r());
    if (lag == 0) {
      s.pooled_r = pooled.r(), s.spread = pooled.spread();
      s.frames = static_cast<std::int64_t>(pooled.n);
    }
    if (lag == -kRealMaxLagFrames || pooled.r() > s.best_lag_r) {
      s.best_lag_r = pooled.r();
      s.best_lag_frames = lag;
    }
  }
  if (!s.clip_r.empty()) {
    std::vector<double> sorted = s.clip_r;
    std::sort(sorted.begin(), sorted.end());
    const size_t m = sorted.size() / 2;
    s.median_clip_r = sorted.size() % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
  return s;
}

std::vector<float> energy_jaw(const std::vector<float>& pcm) {
  audio::Features f = audio::compute_features(pcm);
  const auto frames = static_cast<size_t>(motion_frames_for(static_cast<std::int64_t>(pcm.size())));
  std::vector<float> db(frames, -100.f);
  for (size_t k = 0; k < frames; ++k) {
    double power = 0;  // mean power of the frame's 10 ms windows
    int count = 0;
    for (size_t i = 4 * k; i < 4 * k + 4 && i < f.frames.size(); ++i, ++count)
      power += std::pow(10.0, f.frames[i].energy_db / 10);
    if (count) db[k] = static_cast<float>(10 * std::log10(std::max(power / count, 1e-10)));
  }
  std::vector<float> smooth(frames);
  for (size_t k = 0; k < frames; ++k) {
    const size_t a = k > 0 ? k - 1 : k, b = std::min(k + 1, frames - 1);
    smooth[k] = (db[a] + db[k] + db[b]) / 3;
  }
  std::vector<float> sorted = smooth;
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) return smooth;
  const float lo = sorted[static_cast<size_t>(0.10 * (sorted.size() - 1))];
  const float hi = sorted[static_cast<size_t>(0.95 * (sorted.size() - 1))];
  for (float& v : smooth) v = std::clamp((v - lo) / std::max(hi - lo, 1.f), 0.f, 1.f);
  return smooth;
}

}  // namespace parla::train
