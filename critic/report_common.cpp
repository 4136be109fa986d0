// Ranking, bands and formatting shared by report.cpp, report_text.cpp and report_html.cpp.
#include "critic/report_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace parla::critic {

ScoreBand score_band(double score) {
  if (!std::isfinite(score)) return ScoreBand::Missing;
  if (score >= kGoodScore) return ScoreBand::Good;
  if (score >= kPassScore) return ScoreBand::Fair;
  return ScoreBand::Poor;
}

std::string_view band_name(ScoreBand band) {
  switch (band) {
    case ScoreBand::Poor:
      return "poor";
    case ScoreBand::Fair:
      return "fair";
    case ScoreBand::Good:
      return "good";
    case ScoreBand::Missing:
      break;
  }
  return "n/a";
}

double mean_score(const ScoreReport& report) {
  double sum = 0;
  int count = 0;
  auto add = [&](double v) {
    if (std::isfinite(v)) sum += v, ++count;
  };
  add(report.ls.score);
  add(report.mn.score);
  if (report.vq) add(report.vq->score);
  return count > 0 ? sum / count : std::nan("");
}

std::vector<size_t> rank_reports(std::span<const ScoreReport> reports) {
  std::vector<size_t> order(reports.size());
  std::vector<double> means(reports.size());
  for (size_t i = 0; i < reports.size(); ++i) order[i] = i, means[i] = mean_score(reports[i]);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    bool fa = std::isfinite(means[a]), fb = std::isfinite(means[b]);
    if (fa != fb) return fa;
    return fa && means[a] > means[b];
  });
  return order;
}

double value_at(const std::vector<float>& values, int second) {
  if (second < 0 || second >= static_cast<int>(values.size())) return std::nan("");
  double v = values[second];
  return std::isfinite(v) ? v : std::nan("");
}

std::vector<double> per_second_mean(const ScoreReport& report) {
  size_t n = std::max(report.ls.per_second_score.size(), report.mn.per_second_score.size());
  if (report.vq) n = std::max(n, report.vq->per_second_score.size());
  std::vector<double> out(n, std::nan(""));
  for (size_t s = 0; s < n; ++s) {
    double sum = 0;
    int count = 0;
    for (double v :
         {value_at(report.ls.per_second_score, static_cast<int>(s)),
          value_at(report.mn.per_second_score, static_cast<int>(s)),
          report.vq ? value_at(report.vq->per_second_score, static_cast<int>(s)) : std::nan("")}) {
      if (std::isfinite(v)) sum += v, ++count;
    }
    if (count > 0) out[s] = sum / count;
  }
  return out;
}

std::vector<Blink> find_blinks(const MotionTrack& motion) {
  std::vector<Blink> blinks;
  bool closed = false;
  for (int f = 0; f < static_cast<int>(motion.frames.size()); ++f) {
    const MotionFrame& m = motion.frames[f];
    bool now = m[index(Channel::EyeBlinkLeft)] > kBlinkThreshold ||
               m[index(Channel::EyeBlinkRight)] > kBlinkThreshold;
    if (now && !closed) blinks.push_back({f, f});
    if (now) blinks.back().last_frame = f;
    closed = now;
  }
  return blinks;
}

std::string format_string(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, args);
  va_end(args);
  return out;
}

std::string format_fixed(double value, int decimals, std::string_view missing) {
  if (!std::isfinite(value)) return std::string(missing);
  return format_string("%.*f", decimals, value);
}

std::string format_offset(int offset_frames, double fps) {
  double ms = fps > 0 ? 1000.0 * offset_frames / fps : 0;
  return format_string("%+d frame%s (%+.0f ms)", offset_frames,
                       std::abs(offset_frames) == 1 ? "" : "s", ms);
}

}  // namespace parla::critic
