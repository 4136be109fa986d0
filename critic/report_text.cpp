// ScoreReport → terminal text: one report in detail, several as a ranking table.
#include <cmath>
#include <string>

#include "critic/critic.h"
#include "critic/report_common.h"

namespace parla::critic {
namespace {

std::string score_line(const char* tag, const char* what, double score) {
  return format_string("  %-3s %-20s %6s  %s\n", tag, what, format_fixed(score, 1).c_str(),
                       std::string(band_name(score_band(score))).c_str());
}

std::string detail(const ScoreReport& r) {
  double fps = r.motion.fps > 0 ? r.motion.fps : kMotionFps;
  std::string out = r.name + format_string(" — %s s, face in %s%% of frames\n",
                                           format_fixed(r.seconds, 1).c_str(),
                                           format_fixed(100 * r.face_coverage, 0).c_str());
  out += format_string(
      "scores 0–100 (held-out natural videos ≈ 88 on average, faulty ones ≈ 12; good ≥ %.0f, "
      "poor < %.0f)\n",
      kGoodScore, kPassScore);
  out += score_line("LS", "lip sync", r.ls.score);
  out += score_line("MN", "motion naturalness", r.mn.score);
  out += r.vq ? score_line("VQ", "visual quality", r.vq->score)
              : std::string("  VQ  visual quality          n/a  (no pixels)\n");
  out += format_string("      %-20s %6s\n", "mean", format_fixed(mean_score(r), 1).c_str());

  out += format_string(
      "lip sync: best offset %s, + = audio ahead; confidence LSE-C %s,\n"
      "          min distance LSE-D %s, distance at offset 0 %s\n",
      format_offset(r.ls.offset_frames, fps).c_str(), format_fixed(r.ls.confidence, 2).c_str(),
      format_fixed(r.ls.min_distance, 2).c_str(), format_fixed(r.ls.distance_at_zero, 2).c_str());
  const MnStats& s = r.mn.stats;
  out += format_string(
      "motion: blinks %s /min, head energy %s (rad/s)², head jerk %s rad/s³,\n"
      "        stillness in silence %s (< 1 natural), head–prosody r %s, jaw in silence %s\n",
      format_fixed(s.blinks_per_minute, 1).c_str(), format_fixed(s.head_energy, 4).c_str(),
      format_fixed(s.head_jerk, 2).c_str(), format_fixed(s.stillness_in_silence, 2).c_str(),
      format_fixed(s.head_prosody_correlation, 2).c_str(),
      format_fixed(s.mouth_in_silence, 3).c_str());
  if (r.vq) {
    std::string frames;
    for (int f : r.vq->worst_frames) frames += " " + std::to_string(f);
    out += format_string("visual: flicker %s /255, worst frames%s\n",
                         format_fixed(r.vq->flicker, 2).c_str(),
                         frames.empty() ? " none" : frames.c_str());
  }
  if (!r.worst_seconds.empty()) {
    out += "worst seconds:\n";
    for (int sec : r.worst_seconds) {
      out += format_string(
          "  %3d:%02d  LS %5s  MN %5s  VQ %5s\n", sec / 60, sec % 60,
          format_fixed(value_at(r.ls.per_second_score, sec), 0, "-").c_str(),
          format_fixed(value_at(r.mn.per_second_score, sec), 0, "-").c_str(),
          format_fixed(r.vq ? value_at(r.vq->per_second_score, sec) : std::nan(""), 0, "-")
              .c_str());
    }
  }
  return out;
}

std::string ranking(std::span<const ScoreReport> reports) {
  std::string out =
      format_string("%zu videos, best first (scores 0–100; good ≥ %.0f, poor < %.0f)\n",
                    reports.size(), kGoodScore, kPassScore);
  out += "rank   mean     LS     MN     VQ  offset  LSE-C  seconds  name\n";
  int rank = 0;
  for (size_t i : rank_reports(reports)) {
    const ScoreReport& r = reports[i];
    out += format_string("%4d %6s %6s %6s %6s  %+6d %6s %8s  %s\n", ++rank,
                         format_fixed(mean_score(r), 1, "-").c_str(),
                         format_fixed(r.ls.score, 1, "-").c_str(),
                         format_fixed(r.mn.score, 1, "-").c_str(),
                         format_fixed(r.vq ? r.vq->score : std::nan(""), 1, "-").c_str(),
                         r.ls.offset_frames, format_fixed(r.ls.confidence, 2, "-").c_str(),
                         format_fixed(r.seconds, 1, "-").c_str(), r.name.c_str());
  }
  return out;
}

}  // namespace

std::string report_to_text(std::span<const ScoreReport> reports) {
  if (reports.empty()) return "no videos scored\n";
  if (reports.size() == 1) return detail(reports.front());
  return ranking(reports);
}

}  // namespace parla::critic
