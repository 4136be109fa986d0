// ScoreReport → one self-contained HTML page: no scripts, no fonts, no network; plots
// are inline SVG (critic/svg_plot.h), thumbnails inline PNG data URIs. Several reports:
// a ranking table first, then one section per video.
#include <algorithm>
#include <cmath>
#include <string>

#include "critic/critic.h"
#include "critic/png_encode.h"
#include "critic/report_common.h"
#include "critic/svg_plot.h"

namespace parla::critic {
namespace {

using svg::escape_xml;

constexpr char kLsColour[] = "#2563eb";
constexpr char kMnColour[] = "#c2410c";
constexpr char kVqColour[] = "#0f766e";
constexpr char kMeanColour[] = "#6b7280";

constexpr char kStyle[] = R"css(
:root{--good:#15803d;--fair:#b45309;--poor:#b91c1c;--na:#6b7280}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 color:#1f2328;background:#f3f4f6}
main{max-width:1240px;margin:0 auto;padding:14px 20px 40px}
header h1{font-size:22px;margin:4px 0 2px}
p.scale{margin:0 0 8px;color:#57606a;font-size:14px}
section{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:14px 20px 18px;
 margin:14px 0}
section h2{font-size:20px;margin:0 0 2px;overflow-wrap:anywhere}
p.meta{margin:0 0 10px;color:#57606a}
.scores{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:12px}
.tile{border-radius:10px;padding:10px 16px;color:#fff}
.tile .label{font-size:15px;font-weight:600;opacity:.95}
.tile .value{font-size:46px;font-weight:700;line-height:1.05;font-variant-numeric:tabular-nums}
.tile .value small{font-size:18px;font-weight:600;opacity:.85}
.tile .sub{font-size:13.5px;opacity:.95}
.good{background:var(--good)}.fair{background:var(--fair)}.poor{background:var(--poor)}
.na{background:var(--na)}
.t-good{color:var(--good);font-weight:600}.t-fair{color:var(--fair);font-weight:600}
.t-poor{color:var(--poor);font-weight:600}.t-na{color:var(--na)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:14px;margin-top:14px}
.card{border:1px solid #e1e4e8;border-radius:8px;padding:10px 12px;min-width:0}
.card.wide{grid-column:1/-1}
.card h3{font-size:16px;margin:0 0 2px}
.card p.note{font-size:13.5px;color:#57606a;margin:0 0 6px}
svg.plot{width:100%;height:auto;display:block;font-size:13px}
svg.plot text{fill:#1f2328}
svg.plot .tick{fill:#57606a}
svg.plot .axis{font-size:14px}
svg.plot .grid{stroke:#e5e7eb;stroke-width:1}
svg.plot .frame{fill:none;stroke:#8c959f}
table{border-collapse:collapse;font-size:14px;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{font-weight:600;color:#57606a;font-size:13px}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.why{color:#57606a;font-size:13px}
td.unit{white-space:nowrap}
.thumbs{display:flex;flex-wrap:wrap;gap:12px;margin:6px 0 10px}
.thumbs figure{margin:0;text-align:center;font-size:13px;color:#57606a}
.thumbs img{width:128px;height:128px;image-rendering:pixelated;border-radius:4px;
 border:1px solid #d0d7de;display:block}
a{color:#0969da}
.badge{display:inline-block;min-width:3.2em;text-align:center;padding:1px 8px;border-radius:10px;
 color:#fff;font-weight:600;font-variant-numeric:tabular-nums}
@media (max-width:760px){.scores{grid-template-columns:1fr}.grid{grid-template-columns:1fr}}
)css";

// CSS class of a score's band: good, fair, poor or na.
std::string band_class(double score) {
  ScoreBand band = score_band(score);
  return band == ScoreBand::Missing ? "na" : std::string(band_name(band));
}

// A score as coloured text for tables.
std::string score_cell(double score) {
  return "<td class=\"num t-" + band_class(score) + "\">" + format_fixed(score, 1, "–") + "</td>";
}

// A big score tile coloured by band; a missing score reads "n/a" with `sub` saying why.
std::string tile(const std::string& label, double score, const std::string& sub) {
  bool missing = score_band(score) == ScoreBand::Missing;
  std::string value = missing ? "n/a" : format_fixed(score, 1) + " <small>/ 100</small>";
  std::string line = missing ? sub : std::string(band_name(score_band(score))) + " · " + sub;
  return "<div class=\"tile " + band_class(score) + "\"><div class=\"label\">" + label +
         "</div><div class=\"value\">" + value + "</div><div class=\"sub\">" + line +
         "</div></div>";
}

std::string timeline_card(const ScoreReport& r) {
  svg::Plot p;
  p.title = "Scores per second";
  size_t n = std::max(r.ls.per_second_score.size(), r.mn.per_second_score.size());
  if (r.vq) n = std::max(n, r.vq->per_second_score.size());
  double end = std::max({r.seconds, static_cast<double>(n), 1.0});
  p.x = {0, std::ceil(end), "time (s)"};
  p.y = {0, 100, "score (0–100)"};
  p.shades = {{0, kPassScore, "#fdecec"}, {kGoodScore, 100, "#e7f4ea"}};
  auto series = [&](const char* label, const char* colour, const std::vector<float>& v) {
    svg::Series s{label, colour};
    for (size_t i = 0; i < v.size(); ++i) s.x.push_back(i + 0.5), s.y.push_back(v[i]);
    s.dots = v.size() <= 40;
    p.series.push_back(std::move(s));
  };
  series("LS lip sync", kLsColour, r.ls.per_second_score);
  series("MN motion", kMnColour, r.mn.per_second_score);
  if (r.vq) series("VQ visual", kVqColour, r.vq->per_second_score);
  if (!r.worst_seconds.empty()) {
    svg::Ticks worst{"worst seconds", "#9ca3af"};
    for (int s : r.worst_seconds) worst.x0.push_back(s), worst.x1.push_back(s + 1);
    p.ticks.push_back(std::move(worst));
  }
  return "<div class=\"card\"><h3>Scores per second</h3><p class=\"note\">Shaded: poor (&lt; " +
         format_fixed(kPassScore, 0) + ") and good (≥ " + format_fixed(kGoodScore, 0) +
         ") bands; grey marks on top: the worst seconds.</p>" + svg::render_plot(p) + "</div>";
}

std::string offset_card(const ScoreReport& r) {
  const LsResult& ls = r.ls;
  double fps = r.motion.fps > 0 ? r.motion.fps : kMotionFps;
  int n = static_cast<int>(ls.offset_curve.size());
  svg::Plot p;
  p.title = "Lip-sync offset curve";
  int half = std::max((n - 1) / 2, 1);
  p.x = {static_cast<double>(-half), static_cast<double>(half),
         "audio offset (frames; + = audio ahead of the picture)"};
  double lo = INFINITY, hi = -INFINITY;
  std::vector<double> finite;
  svg::Series curve{"mean distance", kLsColour};
  curve.dots = true;
  for (int i = 0; i < n; ++i) {
    double d = ls.offset_curve[i];
    curve.x.push_back(i - (n - 1) / 2);
    curve.y.push_back(d);
    if (std::isfinite(d)) lo = std::min(lo, d), hi = std::max(hi, d), finite.push_back(d);
  }
  p.y = svg::nice_range(lo, hi, "mean distance (lower = in sync)");
  p.vlines.push_back({0, "#6b7280", "offset 0", /*dashed=*/true});
  p.vlines.push_back({static_cast<double>(ls.offset_frames), "#b91c1c",
                      "best " + format_string("%+d", ls.offset_frames), /*dashed=*/false});
  if (!finite.empty()) {
    std::nth_element(finite.begin(), finite.begin() + finite.size() / 2, finite.end());
    p.hlines.push_back({finite[finite.size() / 2], "#9ca3af", "median", /*dashed=*/true});
  }
  p.series.push_back(std::move(curve));
  return "<div class=\"card\"><h3>Lip-sync offset</h3><p class=\"note\">Best offset " +
         format_offset(ls.offset_frames, fps) +
         "; confidence LSE-C = median − min = " + format_fixed(ls.confidence, 2) +
         "; min distance LSE-D " + format_fixed(ls.min_distance, 2) +
         "; distance at 0: " + format_fixed(ls.distance_at_zero, 2) + ".</p>" +
         svg::render_plot(p) + "</div>";
}

std::string mouth_card(const ScoreReport& r) {
  double fps = r.motion.fps > 0 ? r.motion.fps : kMotionFps;
  svg::Plot p;
  p.title = "jawOpen against audio energy, with blinks";
  p.width = 1160;
  p.height = 270;
  double end = std::max({r.motion.duration_seconds(), r.energy_db.size() / fps, 1.0});
  p.x = {0, end, "time (s)"};
  p.y = {0, 1, "jawOpen (0–1)"};
  double lo = INFINITY, hi = -INFINITY;
  svg::Series energy{"audio energy (dBFS, right axis)", "#a3a3a3"};
  energy.right_axis = true;
  energy.width = 1.5;
  for (size_t i = 0; i < r.energy_db.size(); ++i) {
    double e = std::max<double>(r.energy_db[i], -90);  // silence is often -inf: floor it
    energy.x.push_back(i / fps);
    energy.y.push_back(std::isnan(r.energy_db[i]) ? NAN : e);
    if (std::isfinite(energy.y.back())) lo = std::min(lo, e), hi = std::max(hi, e);
  }
  p.y_right = svg::nice_range(lo, hi, "energy (dBFS)");
  svg::Series jaw{"jawOpen", kLsColour};
  for (size_t f = 0; f < r.motion.frames.size(); ++f) {
    jaw.x.push_back(f / fps);
    jaw.y.push_back(r.motion.frames[f][index(Channel::JawOpen)]);
  }
  std::vector<Blink> blinks = find_blinks(r.motion);
  svg::Ticks marks{format_string("blinks (%zu)", blinks.size()), "#7c3aed"};
  for (const Blink& b : blinks)
    marks.x0.push_back(b.first_frame / fps), marks.x1.push_back((b.last_frame + 1) / fps);
  p.series.push_back(std::move(energy));
  p.series.push_back(std::move(jaw));
  p.ticks.push_back(std::move(marks));
  return "<div class=\"card wide\"><h3>Mouth and voice</h3><p class=\"note\">The jaw should "
         "open with the voice and rest in silence; purple marks on top: blinks (eyeBlinkLeft or "
         "eyeBlinkRight &gt; " +
         format_fixed(kBlinkThreshold, 1) + ").</p>" + svg::render_plot(p) + "</div>";
}

std::string stats_card(const ScoreReport& r) {
  const MnStats& s = r.mn.stats;
  auto row = [](const char* what, double v, int decimals, const char* unit, const char* why) {
    return std::string("<tr><td>") + what + "</td><td class=\"num\">" +
           format_fixed(v, decimals, "–") + "</td><td class=\"unit\">" + unit +
           "</td><td class=\"why\">" + why + "</td></tr>";
  };
  std::string out =
      "<div class=\"card\"><h3>Motion statistics</h3><p class=\"note\">Readable figures behind "
      "the MN score (" +
      format_fixed(r.mn.score, 1) +
      ").</p><table><tr><th>statistic</th><th class=\"num\">value</th><th>unit</th><th>natural "
      "speech</th></tr>";
  out += row("blink rate", s.blinks_per_minute, 1, "per min", "about 15–20");
  out += row("head motion energy", s.head_energy, 4, "(rad/s)²", "mean squared angular speed");
  out += row("head jerk", s.head_jerk, 2, "rad/s³", "RMS 3rd derivative; lower is smoother");
  out += row("stillness in silence", s.stillness_in_silence, 2, "ratio",
             "head speed in silence ÷ in speech; below 1");
  out += row("head–prosody correlation", s.head_prosody_correlation, 2, "Pearson r",
             "head speed vs. voice energy; positive");
  out += row("jaw open in silence", s.mouth_in_silence, 3, "0–1", "near the resting mouth");
  if (r.vq) {
    out += row("face flicker (VQ)", r.vq->flicker, 2, "of 255", "mean face-crop change per frame");
  }
  out += row("face coverage", 100 * r.face_coverage, 0, "% frames", "a face tracked in each");
  return out + "</table></div>";
}

std::string worst_card(const ScoreReport& r) {
  std::string out = "<div class=\"card\"><h3>Worst moments</h3>";
  if (!r.thumbnails.empty()) {
    out +=
        "<p class=\"note\">Face crops of the worst frames (VQ), enlarged.</p><div "
        "class=\"thumbs\">";
    for (const auto& [frame, image] : r.thumbnails) {
      std::string uri = png_data_uri(image);
      if (uri.empty()) continue;
      std::string caption = "frame " + std::to_string(frame);
      out += "<figure><img src=\"" + uri + "\" alt=\"" + caption +
             "\" width=\"128\" height=\"128\">"
             "<figcaption>" +
             caption + "</figcaption></figure>";
    }
    out += "</div>";
  }
  std::vector<double> mean = per_second_mean(r);
  out += "<table><tr><th>second</th>" + std::string("<th class=\"num\">LS</th>") +
         "<th class=\"num\">MN</th><th class=\"num\">VQ</th><th class=\"num\">mean</th>"
         "<th class=\"num\">LS offset</th></tr>";
  for (int s : r.worst_seconds) {
    double m = s >= 0 && s < static_cast<int>(mean.size()) ? mean[s] : NAN;
    std::string offset = s >= 0 && s < static_cast<int>(r.ls.per_second_offset.size())
                             ? format_string("%+d", r.ls.per_second_offset[s])
                             : "–";
    out +=
        format_string("<tr><td>%d:%02d–%d:%02d</td>", s / 60, s % 60, (s + 1) / 60, (s + 1) % 60) +
        score_cell(value_at(r.ls.per_second_score, s)) +
        score_cell(value_at(r.mn.per_second_score, s)) +
        score_cell(r.vq ? value_at(r.vq->per_second_score, s) : NAN) + score_cell(m) +
        "<td class=\"num\">" + offset + "</td></tr>";
  }
  if (r.worst_seconds.empty()) out += "<tr><td colspan=\"6\">no per-second scores</td></tr>";
  return out + "</table></div>";
}

std::string video_section(const ScoreReport& r, size_t number, bool several) {
  std::string out = "<section id=\"video-" + std::to_string(number) + "\"><h2>" +
                    (several ? std::to_string(number) + ". " : "") + escape_xml(r.name) + "</h2>";
  out += "<p class=\"meta\">" + format_fixed(r.seconds, 1) + " s · face in " +
         format_fixed(100 * r.face_coverage, 0) + "% of frames · mean score <span class=\"t-" +
         band_class(mean_score(r)) + "\">" + format_fixed(mean_score(r), 1) + "</span></p>";
  out += "<div class=\"scores\">";
  out +=
      tile("Lip sync · LS", r.ls.score,
           "offset " + format_string("%+d", r.ls.offset_frames) + " fr · LSE-C " +
               format_fixed(r.ls.confidence, 2) + " · LSE-D " + format_fixed(r.ls.min_distance, 2));
  out += tile("Motion naturalness · MN", r.mn.score,
              format_fixed(r.mn.stats.blinks_per_minute, 1) + " blinks/min · jerk " +
                  format_fixed(r.mn.stats.head_jerk, 2) + " rad/s³");
  out += r.vq ? tile("Visual quality · VQ", r.vq->score,
                     "flicker " + format_fixed(r.vq->flicker, 2) + " / 255")
              : tile("Visual quality · VQ", NAN, "no pixels (a motion track)");
  out += "</div><div class=\"grid\">";
  out += timeline_card(r) + offset_card(r) + mouth_card(r) + stats_card(r) + worst_card(r);
  return out + "</div></section>";
}

std::string ranking_section(std::span<const ScoreReport> reports) {
  std::string out =
      "<section><h2>Ranking</h2><p class=\"meta\">Best mean score first.</p><table><tr>"
      "<th class=\"num\">rank</th><th>video</th><th class=\"num\">mean</th><th class=\"num\">LS"
      "</th><th class=\"num\">MN</th><th class=\"num\">VQ</th><th class=\"num\">offset</th>"
      "<th class=\"num\">LSE-C</th><th class=\"num\">seconds</th></tr>";
  int rank = 0;
  for (size_t i : rank_reports(reports)) {
    const ScoreReport& r = reports[i];
    double mean = mean_score(r);
    out += "<tr><td class=\"num\">" + std::to_string(++rank) + "</td><td><a href=\"#video-" +
           std::to_string(i + 1) + "\">" + escape_xml(r.name) +
           "</a></td><td class=\"num\"><span class=\"badge " + band_class(mean) + "\">" +
           format_fixed(mean, 1, "–") + "</span></td>" + score_cell(r.ls.score) +
           score_cell(r.mn.score) + score_cell(r.vq ? r.vq->score : NAN) + "<td class=\"num\">" +
           format_string("%+d", r.ls.offset_frames) + "</td><td class=\"num\">" +
           format_fixed(r.ls.confidence, 2, "–") + "</td><td class=\"num\">" +
           format_fixed(r.seconds, 1, "–") + "</td></tr>";
  }
  return out + "</table></section>";
}

}  // namespace

std::string report_to_html(std::span<const ScoreReport> reports) {
  bool several = reports.size() > 1;
  std::string title = reports.size() == 1
                          ? "Parla critic: " + escape_xml(reports[0].name)
                          : "Parla critic: " + std::to_string(reports.size()) + " videos";
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      title + "</title><style>" + kStyle + "</style></head><body><main>";
  out += "<header><h1>" + title +
         "</h1><p class=\"scale\">Scores 0–100, calibrated on held-out real and rendered "
         "videos: the average natural one scores about 88, the average faulty one about 12. "
         "<span class=\"t-good\">good</span> ≥ " +
         format_fixed(kGoodScore, 0) + ", <span class=\"t-fair\">fair</span> " +
         format_fixed(kPassScore, 0) + "–" + format_fixed(kGoodScore, 0) +
         ", <span class=\"t-poor\">poor</span> &lt; " + format_fixed(kPassScore, 0) +
         ".</p></header>";
  if (reports.empty()) out += "<section><p>No videos scored.</p></section>";
  if (several) out += ranking_section(reports);
  for (size_t i = 0; i < reports.size(); ++i) out += video_section(reports[i], i + 1, several);
  return out + "</main></body></html>\n";
}

}  // namespace parla::critic
