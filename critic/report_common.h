// What the three report forms (JSON, HTML, text) share: the mean score and ranking,
// score bands, per-second means, blink detection and number formatting. Private to critic/.
#pragma once

#include <cstdarg>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "critic/critic.h"

namespace parla::critic {

inline constexpr char kReportSchema[] = "parla.score/1";
inline constexpr double kGoodScore = 80;        // at or above: "good" (natural held-out videos ≈ 88)
inline constexpr double kPassScore = 50;        // below: "poor" (midway between natural and faulty)
inline constexpr float kBlinkThreshold = 0.5f;  // eyeBlinkLeft/Right above it: eye closed

enum class ScoreBand { Poor, Fair, Good, Missing };
ScoreBand score_band(double score);          // Missing for a non-finite score
std::string_view band_name(ScoreBand band);  // "poor", "fair", "good", "n/a"

// Mean of the finite scores among LS, MN and VQ (when present); NaN when none is finite.
double mean_score(const ScoreReport& report);
// Report indices, best mean score first; reports without a score last, order kept on ties.
std::vector<size_t> rank_reports(std::span<const ScoreReport> reports);

// Per second: the mean of the finite per-second scores of the heads that have one
// there (NaN where none has); as long as the longest per-second timeline.
std::vector<double> per_second_mean(const ScoreReport& report);
// A per-second value or NaN when the timeline is shorter or the value non-finite.
double value_at(const std::vector<float>& values, int second);

// A closed-eye interval: frames [first_frame, last_frame] of report.motion where
// eyeBlinkLeft or eyeBlinkRight exceeds kBlinkThreshold.
struct Blink {
  int first_frame = 0;
  int last_frame = 0;
};
std::vector<Blink> find_blinks(const MotionTrack& motion);

// printf into a std::string.
std::string format_string(const char* format, ...) __attribute__((format(printf, 1, 2)));
// A number with fixed decimals, or `missing` when non-finite.
std::string format_fixed(double value, int decimals, std::string_view missing = "n/a");
// A signed frame offset with its time: "+2 frames (+80 ms)".
std::string format_offset(int offset_frames, double fps);

}  // namespace parla::critic
