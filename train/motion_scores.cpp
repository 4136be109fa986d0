// Motion evaluation: per-channel Pearson r and MAE, viseme-class accuracy and bilabial
// closure detection against the corpus labels.
#include <algorithm>
#include <cmath>

#include "train/train.h"

namespace parla::train {
namespace {

constexpr double kClosureToleranceSeconds = 0.040;
constexpr float kClosedThreshold = 0.5f;  // mouthClose at or above: lips pressed

struct Run {
  double start_s, end_s;  // frame times of the first and last frame of the run
};

std::vector<Run> closure_runs(const MotionTrack& track, std::int64_t frames) {
  std::vector<Run> runs;
  std::int64_t begin = -1;
  for (std::int64_t k = 0; k <= frames; ++k) {
    bool closed = k < frames && track.frames[k][index(Channel::MouthClose)] >= kClosedThreshold;
    if (closed && begin < 0) begin = k;
    if (!closed && begin >= 0) {
      runs.push_back({begin / track.fps, (k - 1) / track.fps});
      begin = -1;
    }
  }
  return runs;
}

bool overlaps(const Run& run, double start_s, double end_s) {
  return run.start_s <= end_s + kClosureToleranceSeconds &&
         run.end_s >= start_s - kClosureToleranceSeconds;
}

}  // namespace

void MotionScorer::add(const Clip& clip, const MotionTrack& predicted) {
  const std::int64_t frames = std::min(clip.motion.frame_count(), predicted.frame_count());
  size_t phone = 0;
  for (std::int64_t k = 0; k < frames; ++k) {
    std::int64_t sample = k * kSamplesPerMotionFrame;
    while (phone + 1 < clip.phones.size() && clip.phones[phone].end_sample <= sample) ++phone;
    Frame f;
    for (int c = 0; c < kMouthChannelCount; ++c) {
      f.label[c] = clip.motion.frames[k][c];
      f.predicted[c] = predicted.frames[k][c];
    }
    f.viseme = clip.phones.empty() ? 0 : static_cast<int>(clip.phones[phone].viseme);
    frames_.push_back(f);
  }
  std::vector<Run> runs = closure_runs(predicted, frames);
  std::vector<bool> run_matched(runs.size(), false);
  for (const Phone& p : clip.phones) {
    if (p.viseme != Viseme::Bilabial) continue;
    double start_s = static_cast<double>(p.start_sample) / kSampleRate;
    double end_s = static_cast<double>(p.end_sample) / kSampleRate;
    ++closures_;
    bool found = false;
    for (size_t r = 0; r < runs.size(); ++r) {
      if (overlaps(runs[r], start_s, end_s)) found = run_matched[r] = true;
    }
    closures_found_ += found;
  }
  predicted_closures_ += static_cast<int>(runs.size());
  predicted_closures_matched_ +=
      static_cast<int>(std::count(run_matched.begin(), run_matched.end(), true));
}

MotionScores MotionScorer::scores() const {
  MotionScores s;
  s.frames = static_cast<std::int64_t>(frames_.size());
  if (frames_.empty()) return s;
  for (int c = 0; c < kMouthChannelCount; ++c) {
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, abs_err = 0;
    for (const Frame& f : frames_) {
      double x = f.predicted[c], y = f.label[c];
      sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, abs_err += std::abs(x - y);
    }
    double n = static_cast<double>(frames_.size());
    double cov = sxy / n - sx / n * sy / n;
    double vx = sxx / n - sx / n * sx / n, vy = syy / n - sy / n * sy / n;
    s.pearson[c] = vx > 1e-12 && vy > 1e-12 ? cov / std::sqrt(vx * vy) : 0.0;
    s.mae[c] = abs_err / n;
  }
  // Viseme centroids from the labels, then nearest-centroid classes of the predictions.
  std::vector<std::array<double, kMouthChannelCount>> centroid(kVisemeCount);
  std::vector<int> count(kVisemeCount, 0);
  for (const Frame& f : frames_) {
    for (int c = 0; c < kMouthChannelCount; ++c) centroid[f.viseme][c] += f.label[c];
    ++count[f.viseme];
  }
  for (int v = 0; v < kVisemeCount; ++v) {
    for (int c = 0; c < kMouthChannelCount; ++c) centroid[v][c] /= std::max(1, count[v]);
  }
  std::int64_t correct = 0;
  for (const Frame& f : frames_) {
    int best = 0;
    double best_d = 1e300;
    for (int v = 0; v < kVisemeCount; ++v) {
      if (count[v] == 0) continue;
      double d = 0;
      for (int c = 0; c < kMouthChannelCount; ++c)
        d += (f.predicted[c] - centroid[v][c]) * (f.predicted[c] - centroid[v][c]);
      if (d < best_d) best_d = d, best = v;
    }
    correct += best == f.viseme;
  }
  s.viseme_accuracy = static_cast<double>(correct) / static_cast<double>(frames_.size());
  s.closures = closures_;
  s.closure_recall = closures_ ? static_cast<double>(closures_found_) / closures_ : 0.0;
  s.closure_precision = predicted_closures_
                            ? static_cast<double>(predicted_closures_matched_) / predicted_closures_
                            : 0.0;
  s.closure_f1 =
      s.closure_precision + s.closure_recall > 0
          ? 2 * s.closure_precision * s.closure_recall / (s.closure_precision + s.closure_recall)
          : 0.0;
  return s;
}

}  // namespace parla::train
