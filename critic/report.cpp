// ScoreReport → JSON in the "parla.score/1" schema (docs/critic.md "Report JSON schema").
// Non-finite numbers become null, so the output is always valid JSON.
#include <cmath>
#include <nlohmann/json.hpp>

#include "critic/critic.h"
#include "critic/report_common.h"

namespace parla::critic {
namespace {

using nlohmann::json;

// A finite number as is (rounded to `decimals` when given), anything else as null.
json number(double value, int decimals = -1) {
  if (!std::isfinite(value)) return nullptr;
  if (decimals >= 0) {
    double scale = std::pow(10.0, decimals);
    value = std::round(value * scale) / scale;
  }
  return value;
}

template <typename T>
json numbers(const std::vector<T>& values, int decimals = -1) {
  json out = json::array();
  for (T v : values) out.push_back(number(static_cast<double>(v), decimals));
  return out;
}

json ls_json(const LsResult& ls, double fps) {
  json curve_offsets = json::array();
  int n = static_cast<int>(ls.offset_curve.size());
  for (int i = 0; i < n; ++i) curve_offsets.push_back(i - (n - 1) / 2);
  return {
      {"score", number(ls.score)},
      {"offset_frames", ls.offset_frames},
      {"offset_seconds", number(ls.offset_frames / fps, 4)},
      {"confidence", number(ls.confidence)},
      {"min_distance", number(ls.min_distance)},
      {"distance_at_zero", number(ls.distance_at_zero)},
      {"offset_curve", {{"offset_frames", curve_offsets}, {"distance", numbers(ls.offset_curve)}}},
  };
}

json mn_json(const MnResult& mn) {
  const MnStats& s = mn.stats;
  return {
      {"score", number(mn.score)},
      {"stats",
       {{"blinks_per_minute", number(s.blinks_per_minute)},
        {"head_energy", number(s.head_energy)},
        {"head_jerk", number(s.head_jerk)},
        {"stillness_in_silence", number(s.stillness_in_silence)},
        {"head_prosody_correlation", number(s.head_prosody_correlation)},
        {"mouth_in_silence", number(s.mouth_in_silence)}}},
  };
}

json vq_json(const std::optional<VqResult>& vq) {
  if (!vq) return nullptr;
  return {{"score", number(vq->score)},
          {"flicker", number(vq->flicker)},
          {"worst_frames", vq->worst_frames}};
}

json timeline_json(const ScoreReport& r) {
  return {
      {"ls", numbers(r.ls.per_second_score, 2)},
      {"ls_confidence", numbers(r.ls.per_second_confidence, 3)},
      {"ls_offset_frames", r.ls.per_second_offset},
      {"mn", numbers(r.mn.per_second_score, 2)},
      {"vq", r.vq ? numbers(r.vq->per_second_score, 2) : json(nullptr)},
      {"mean", numbers(per_second_mean(r), 2)},
  };
}

json motion_json(const ScoreReport& r) {
  json jaw = json::array(), blink = json::array(), blinks = json::array();
  for (const MotionFrame& f : r.motion.frames) {
    jaw.push_back(number(f[index(Channel::JawOpen)], 3));
    blink.push_back(
        number(std::max(f[index(Channel::EyeBlinkLeft)], f[index(Channel::EyeBlinkRight)]), 3));
  }
  for (const Blink& b : find_blinks(r.motion)) blinks.push_back({b.first_frame, b.last_frame});
  return {
      {"fps", number(r.motion.fps)},
      {"frames", r.motion.frames.size()},
      {"jaw_open", jaw},
      {"eye_blink", blink},
      {"blinks", blinks},
      {"energy_db", numbers(r.energy_db, 1)},
  };
}

json report_object(const ScoreReport& r) {
  json thumbnails = json::array();
  for (const auto& [frame, image] : r.thumbnails) thumbnails.push_back(frame);
  double fps = r.motion.fps > 0 ? r.motion.fps : kMotionFps;
  return {
      {"schema", kReportSchema},
      {"name", r.name},
      {"seconds", number(r.seconds, 3)},
      {"face_coverage", number(r.face_coverage, 4)},
      {"scores",
       {{"ls", number(r.ls.score)},
        {"mn", number(r.mn.score)},
        {"vq", r.vq ? number(r.vq->score) : json(nullptr)},
        {"mean", number(mean_score(r))}}},
      {"ls", ls_json(r.ls, fps)},
      {"mn", mn_json(r.mn)},
      {"vq", vq_json(r.vq)},
      {"timeline", timeline_json(r)},
      {"worst_seconds", r.worst_seconds},
      {"thumbnail_frames", thumbnails},
      {"motion", motion_json(r)},
  };
}

}  // namespace

std::string report_to_json(std::span<const ScoreReport> reports) {
  json out;
  if (reports.size() == 1) {
    out = report_object(reports.front());
  } else {
    json videos = json::array(), ranking = json::array();
    for (const ScoreReport& r : reports) videos.push_back(report_object(r));
    for (size_t i : rank_reports(reports)) ranking.push_back(reports[i].name);
    out = {{"schema", kReportSchema}, {"videos", videos}, {"ranking", ranking}};
  }
  // Compact (the motion arrays are long; `jq .` pretty-prints). File names need not be
  // UTF-8: bad bytes are replaced rather than thrown on.
  return out.dump(/*indent=*/-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace) +
         "\n";
}

}  // namespace parla::critic
