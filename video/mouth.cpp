// The mouth interior drawn in the gap between the lips: a shaded cavity, upper and
// lower teeth and the tongue, all tinted from the portrait's own lip and skin colours
// so that they sit in its lighting.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

Point mid(Point a, Point b) { return {(a.x + b.x) / 2, (a.y + b.y) / 2}; }

// The portrait's luma at a point in face units.
float luma_at(const Image& portrait, const FaceFrame& frame, Point face) {
  const Point p = frame.to_image(face);
  float rgb[3];
  sample_bilinear(portrait, p.x, p.y, rgb);
  return luma(rgb[0], rgb[1], rgb[2]);
}

std::array<float, 3> mix(const std::array<float, 3>& a, const std::array<float, 3>& b, float t) {
  return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

std::array<float, 3> scaled(const std::array<float, 3>& a, float s) {
  return {a[0] * s, a[1] * s, a[2] * s};
}

// What the portrait shows between its lips, read down from the upper inner lip and up
// from the lower one to the midline (the rig's cut) in columns across the mouth: whether
// it shows teeth there, and whether they reach the cut (the teeth go on behind the other
// lip's copy, so painting more of them below the cut continues them) or end above it,
// their edge and the dark mouth behind it already in the picture.
struct TeethRun {
  bool found = false;        // teeth between the lip and the cut
  bool reaches_cut = false;  // ... running into the cut
  bool dark_beyond_cut = false;  // the mouth's dark interior just past the cut
  std::array<float, 3> rgb_sum{};  // of the tooth samples, for the teeth's colour
  int samples = 0;
};

// A sample coloured like teeth: brighter than the lips and most of the skin, nearly grey.
bool tooth_coloured(const float rgb[3], float lip_luma, float skin_luma) {
  const float hi = std::max({rgb[0], rgb[1], rgb[2]}), lo = std::min({rgb[0], rgb[1], rgb[2]});
  return luma(rgb[0], rgb[1], rgb[2]) > std::max(lip_luma + 25.f, 0.8f * skin_luma) && hi - lo < 0.4f * hi;
}

TeethRun teeth_run(const Image& portrait, Point from, Point to, float lip_luma, float skin_luma) {
  const float length = std::hypot(to.x - from.x, to.y - from.y);
  TeethRun run;
  if (length < 1.5f) return run;
  const int steps = static_cast<int>(std::ceil(length * 2.f));
  int first = -1, last = -1;
  for (int i = 0; i <= steps; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(steps);
    float rgb[3];
    sample_bilinear(portrait, from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, rgb);
    const bool tooth = tooth_coloured(rgb, lip_luma, skin_luma);
    if (tooth && first < 0 && t <= 0.5f) first = i;  // the lip's blurred edge comes first
    if (first >= 0 && last >= 0 && last < i - 1) continue;  // the run has ended
    if (first >= 0) {
      if (!tooth) continue;
      last = i;
      for (int k = 0; k < 3; ++k) run.rgb_sum[k] += rgb[k];
      ++run.samples;
    }
  }
  // Just past the cut, in the other lip's half: the dark mouth there puts this row's
  // edge at the cut.
  float beyond[3];
  const float past = 1.f + 1.5f / length;
  sample_bilinear(portrait, from.x + (to.x - from.x) * past, from.y + (to.y - from.y) * past, beyond);
  run.dark_beyond_cut = luma(beyond[0], beyond[1], beyond[2]) < 0.6f * lip_luma;
  run.found = first >= 0;
  run.reaches_cut = run.found && length * (1.f - static_cast<float>(last) / static_cast<float>(steps)) < 1.f;
  return run;
}

// The longest run of samples darker than `dark` on the way from `from` to `to`, pixels.
float dark_run(const Image& portrait, Point from, Point to, float dark) {
  const float length = std::hypot(to.x - from.x, to.y - from.y);
  const int steps = static_cast<int>(std::ceil(length * 2.f));
  int run = 0, longest = 0;
  for (int i = 0; i <= steps && steps > 0; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(steps);
    float rgb[3];
    sample_bilinear(portrait, from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, rgb);
    run = luma(rgb[0], rgb[1], rgb[2]) < dark ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return steps > 0 ? length * static_cast<float>(longest) / static_cast<float>(steps) : 0.f;
}

// Where the upper teeth end between the lips, 0 .. 1 from the upper inner lip point
// `from` to the lower one `to` (0: no upper teeth there): just past the end of the
// longest run of tooth samples that begins in the upper half (each sample the brightest
// of three across, so the dark gaps between teeth do not break it).
float bite_along(const Image& portrait, Point from, Point to, float lip_luma, float skin_luma) {
  const float length = std::hypot(to.x - from.x, to.y - from.y);
  if (length < 3.f) return 0.f;
  const Point across = {-(to.y - from.y) / length, (to.x - from.x) / length};
  const int steps = static_cast<int>(std::ceil(length * 2.f));
  std::vector<char> tooth(static_cast<size_t>(steps) + 1, 0);
  for (int i = 0; i <= steps; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(steps);
    for (float side : {-1.f, 0.f, 1.f}) {
      float rgb[3];
      sample_bilinear(portrait, from.x + (to.x - from.x) * t + side * across.x,
                      from.y + (to.y - from.y) * t + side * across.y, rgb);
      if (tooth_coloured(rgb, lip_luma, skin_luma)) tooth[static_cast<size_t>(i)] = 1;
    }
  }
  auto is_tooth = [&](int i) { return i <= steps && tooth[static_cast<size_t>(i)] != 0; };
  int first = -1, last = -1;  // one sample's gap allowed within a run
  for (int start = 0; start <= steps / 2; ++start) {
    if (!is_tooth(start) || (start > 0 && is_tooth(start - 1))) continue;
    int end = start;
    for (int i = start + 1; is_tooth(i) || is_tooth(i + 1); ++i) {
      if (is_tooth(i)) end = i;
    }
    if (end - start > last - first) first = start, last = end;
  }
  if (first < 0) return 0.f;
  return std::min(1.f, (static_cast<float>(last) + 1.5f) / static_cast<float>(steps));
}

// The lips' colour without make-up, which the tongue takes a share of (a tongue is not
// lipstick-red). Bare lips are only a little redder than the skin: over the realtalk
// clips' frames at 0.5 s, (R - G) / (R + G + B) of the lips is -0.06 to +0.16 above the
// skin's (median 0.11; lip / skin per channel about 0.84 / 0.62 / 0.76 on GRID s1);
// hdtf_katiehill's lipstick is 0.25-0.29 above it. Lips over 0.18 above the skin turn,
// by 0.24, into the skin at those ratios (docs/rig.md, 44th session).
std::array<float, 3> bare_lip_colour(const std::array<float, 3>& lip,
                                     const std::array<float, 3>& skin) {
  auto redness = [](const std::array<float, 3>& c) {
    return (c[0] - c[1]) / std::max(1.f, c[0] + c[1] + c[2]);
  };
  const float make_up = smoothstep(0.18f, 0.24f, redness(lip) - redness(skin));
  return mix(lip, {0.84f * skin[0], 0.62f * skin[1], 0.76f * skin[2]}, make_up);
}

}  // namespace

std::array<float, 3> mean_patch(const Image& image, std::initializer_list<Point> centres, int radius) {
  std::array<float, 3> sum{};
  int n = 0;
  for (const Point& c : centres) {
    for (int dy = -radius; dy <= radius; ++dy) {
      for (int dx = -radius; dx <= radius; ++dx) {
        int x = static_cast<int>(c.x) + dx, y = static_cast<int>(c.y) + dy;
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
        for (int k = 0; k < 3; ++k) sum[k] += image.pixel(x, y)[k];
        ++n;
      }
    }
  }
  for (float& v : sum) v = n > 0 ? v / n : 128.f;
  return sum;
}

MouthModel build_mouth(const Image& portrait, const Landmarks& l, const FaceFrame& frame, FaceGeometry& g) {
  MouthModel m;
  int radius = std::max(0, static_cast<int>(frame.interocular_px / 40.f));
  m.lip = mean_patch(portrait, {mid(l[50], l[61]), mid(l[51], l[62]), mid(l[52], l[63]),
                                mid(l[56], l[65]), mid(l[57], l[66]), mid(l[58], l[67])}, radius);
  m.skin = mean_patch(portrait,
                      {mid(l[41], l[48]), mid(l[46], l[54]), mid(l[31], l[3]), mid(l[35], l[13])},
                      radius + 1);
  const std::array<float, 3>& skin = m.skin;
  float skin_luma = luma(skin);
  // Teeth are lit like the skin around them: in the open, brighter than it, with much
  // of its hue (ivory on a warm or sepia picture, cooler under cool light), never paper
  // white; the mouth's shade (kTeethInShade below) brings them to about the skin's luma.
  // The skin's share: the brightest tenth of the realtalk speakers' open mouths is warmer
  // than their renders' ((R - B) / (R + G + B), medians: training speakers 0.164 against
  // 0.091 at a share of 0.35, 0.116 at 0.6; held-out 0.146 against 0.089 / 0.124), and
  // the critic's VQ does not move (docs/rig.md "Teeth take the face's warmth").
  constexpr float kTeethSkinShare = 0.6f;
  float light = std::clamp(skin_luma / 165.f, 0.5f, 1.1f);
  std::array<float, 3> grey_lit = scaled({226.f, 222.f, 212.f}, light);
  m.teeth = mix(grey_lit, scaled(skin, std::min(1.35f, 215.f * light / std::max(1.f, skin_luma))), kTeethSkinShare);
  for (float& v : m.teeth) v = std::min(v, 245.f);
  m.cavity = {m.lip[0] * 0.26f + 6.f, m.lip[1] * 0.11f + 4.f, m.lip[2] * 0.11f + 4.f};
  // A natural row's visible height in face units: upper incisors below the upper lip,
  // lower ones above the lower lip when the jaw is open.
  constexpr float kUpperTeethUnits = 0.10f, kLowerTeethUnits = 0.06f;
  constexpr float kThinGapUnits = 0.04f;  // half a lip gap, face units
  constexpr int kColumns = 7;
  const float lip_luma = luma(m.lip);
  // The bite: where the upper teeth the portrait shows between its lips end, read down
  // from the upper inner lip to the lower one (61-67, 62-66, 63-65). Where they run on
  // below the midline the rig cuts nearer their edge, so the jaw opens under most of the
  // upper teeth instead of splitting them in half; at most kMaxCutRatio of the half gap
  // below the midline: a cut at the very edge (0.9) kept them whole but opened an empty
  // black crescent under them where the portrait hides its lower row (the critic's VQ of
  // the sample's render 91.7 -> 83.0), and where it shows both rows without a dark line
  // between them, the run does not tell where one ends.
  constexpr float kMaxCutRatio = 0.35f;
  std::array<float, 3> bite{};
  for (int i = 0; i < 3; ++i) {
    bite[i] = std::clamp(2.f * bite_along(portrait, l[61 + i], l[67 - i], lip_luma, skin_luma) - 1.f, 0.f, kMaxCutRatio);
  }
  // Along the whole lip line (FaceGeometry's order, x ascending), its ends as their
  // neighbours.
  const bool mirrored = frame.to_face(l[60]).x > frame.to_face(l[64]).x;  // as face_geometry
  for (int i = 0; i < 5; ++i) g.lip_cut_ratio[mirrored ? 4 - i : i] = bite[std::clamp(i - 1, 0, 2)];
  // The cut's ratio `s` along 61-62-63 (0 .. 2), and the cut between an upper and a
  // lower inner-lip point there.
  auto ratio_at = [&](float s) {
    const int k = std::clamp(static_cast<int>(s), 0, 1);
    return bite[k] + std::clamp(s - static_cast<float>(k), 0.f, 1.f) * (bite[k + 1] - bite[k]);
  };
  auto cut_between = [&](Point upper, Point lower, float s) {
    const float ratio = ratio_at(s);
    return Point{0.5f * (upper.x + lower.x) + 0.5f * ratio * (lower.x - upper.x),
                 0.5f * (upper.y + lower.y) + 0.5f * ratio * (lower.y - upper.y)};
  };
  std::array<float, 3> shown_sum{};
  int shown_samples = 0;
  std::array<float, 3> middle_dark_units{};  // columns 2, 3, 4: the mouth's middle
  // Teeth already shown by the portrait move with their lips; paint only the rest (never
  // below a tooth edge the picture already shows: that would be a second row).
  for (int c = 0; c < kColumns; ++c) {
    // Along the inner contours 61-62-63 (upper) and 67-66-65 (lower), 10 %..90 % across;
    // the midline between them is the rig's cut (FaceGeometry::lip_line).
    const float s = 2.f * (0.1f + 0.8f * static_cast<float>(c) / (kColumns - 1));
    const int k = std::min(1, static_cast<int>(s));
    const float f = s - static_cast<float>(k);
    auto along = [&](int a, int b) { return Point{l[a].x + (l[b].x - l[a].x) * f, l[a].y + (l[b].y - l[a].y) * f}; };
    const Point upper = along(61 + k, 62 + k), lower = along(67 - k, 66 - k);
    const Point cut = cut_between(upper, lower, s);
    const float half_gap_units = std::hypot(cut.x - upper.x, cut.y - upper.y) / frame.interocular_px;
    const float lower_gap_units = std::hypot(lower.x - cut.x, lower.y - cut.y) / frame.interocular_px;
    const bool cut_at_bite = ratio_at(s) > 0.02f;
    const TeethRun up = teeth_run(portrait, upper, cut, lip_luma, skin_luma);
    const TeethRun down = teeth_run(portrait, lower, cut, lip_luma, skin_luma);
    // A row whose teeth the portrait does not show is behind its lip and comes out from
    // behind it: the upper row's edge a natural height below the upper lip's inner edge
    // (the painted part begins at the cut, half the portrait's gap further down; across a
    // wide dark gap it shows below the gap's dark line, as under a raised lip); the lower
    // row rises into view with the jaw, the gap hiding little of it, but only across a
    // thin gap (above a wide one it would float over the picture's dark mouth). A row
    // whose teeth run into the cut continues behind the other lip's copy, unless the dark
    // mouth lies just past the cut or the other row's teeth meet it there (a closed
    // bite): then, as when its teeth end before the cut, the portrait shows its edge.
    // Where the rig cuts at the bite, the upper teeth's own edge is the cut.
    const bool closed_bite = up.reaches_cut && down.reaches_cut;
    if (!up.found || (up.reaches_cut && !up.dark_beyond_cut && !closed_bite && !cut_at_bite)) {
      m.upper_teeth_units += std::max(0.f, kUpperTeethUnits - half_gap_units);
    }
    if ((!down.found && lower_gap_units < kThinGapUnits) || (down.reaches_cut && !down.dark_beyond_cut && !closed_bite)) {
      m.lower_teeth_units += std::max(0.f, kLowerTeethUnits - 0.1f * lower_gap_units);
    }
    if (c >= 2 && c <= 4) {
      middle_dark_units[static_cast<size_t>(c - 2)] = dark_run(portrait, upper, lower, 0.6f * lip_luma) / frame.interocular_px;
    }
    m.teeth_edge += up.reaches_cut ? 1.f : 0.f;
    m.lower_teeth_edge += down.reaches_cut ? 1.f : 0.f;
    for (const TeethRun& run : {up, down}) {
      for (int j = 0; j < 3; ++j) shown_sum[j] += run.rgb_sum[j];
      shown_samples += run.samples;
    }
  }
  // How far towards the corners the upper teeth run into the cut: along the inner
  // contours 60-61-62-63-64 and 60-67-66-65-64 from the middle outwards, as long as the
  // teeth reach the cut (one sample's tooth gap allowed).
  if (m.teeth_edge > 0.f) {
    constexpr int kSamples = 24;
    auto polyline = [&](std::array<int, 5> ids, float t) {
      const float s = 4.f * t;
      const int k = std::min(3, static_cast<int>(s));
      const float f = s - static_cast<float>(k);
      return Point{l[ids[k]].x + (l[ids[k + 1]].x - l[ids[k]].x) * f, l[ids[k]].y + (l[ids[k + 1]].y - l[ids[k]].y) * f};
    };
    auto reaches = [&](int i) {
      const float t = static_cast<float>(i) / kSamples;
      const Point upper = polyline({60, 61, 62, 63, 64}, t), lower = polyline({60, 67, 66, 65, 64}, t);
      return teeth_run(portrait, upper, cut_between(upper, lower, 4.f * t - 1.f), lip_luma, skin_luma).reaches_cut;
    };
    std::array<int, 2> ends = {kSamples / 2, kSamples / 2};
    for (int direction : {-1, 1}) {
      int& end = ends[direction > 0 ? 1 : 0];
      for (int i = end + direction; i >= 0 && i <= kSamples; i += direction) {
        if (reaches(i)) end = i;
        else if (std::abs(i - end) > 1) break;
      }
    }
    for (int e = 0; e < 2; ++e) {
      const float t = static_cast<float>(ends[e]) / kSamples;
      m.teeth_edge_x[e] =
          frame.to_face(cut_between(polyline({60, 61, 62, 63, 64}, t), polyline({60, 67, 66, 65, 64}, t), 4.f * t - 1.f)).x;
    }
    if (m.teeth_edge_x[0] > m.teeth_edge_x[1]) std::swap(m.teeth_edge_x[0], m.teeth_edge_x[1]);
  }
  // Painted teeth take the colour of the teeth the portrait shows, when it shows enough.
  if (shown_samples >= 8) {
    m.teeth = mix(m.teeth, scaled(shown_sum, 1.f / static_cast<float>(shown_samples)),
                  std::min(1.f, static_cast<float>(shown_samples) / 40.f));
  }
  // ... in the shade of the open mouth. Over the realtalk clips' frames open 0.15-0.25 of
  // the mouth's width, the brightest tenth of the opening is 0.77 of the cheeks' luma
  // (training speakers; held-out 0.91); the renders of them painted it 0.99 (1.13), and
  // 0.84 (0.93) with the teeth at this share (`rig_gallery mouthlight`, docs/rig.md).
  constexpr float kTeethInShade = 0.8f;
  m.teeth = scaled(m.teeth, kTeethInShade);
  // The jaw's opening: the dark mouth's height in the middle three columns (their
  // median, so one dark tooth gap or a dark lip corner does not count), over what one
  // unit of jawOpen opens there (rig_deformers.cpp: the lower lip 0.30, the upper 0.035).
  // Under kMinDarkUnits it is a smile's dark line between its teeth or a lip crease.
  constexpr float kJawOpeningPerUnit = 0.335f, kMinDarkUnits = 0.04f;
  std::sort(middle_dark_units.begin(), middle_dark_units.end());
  if (middle_dark_units[1] >= kMinDarkUnits) {
    m.own_jaw = middle_dark_units[1] / kJawOpeningPerUnit;
    // That much of the lips' gap closes as the jaw does (FaceGeometry::jaw_share).
    const float gap = 2.f * g.widest_half_gap();
    g.jaw_share = gap > 0.f ? std::clamp(middle_dark_units[1] / gap, 0.f, 1.f) : 0.f;
  }
  m.upper_teeth_units /= kColumns;
  m.lower_teeth_units /= kColumns;
  m.teeth_edge /= kColumns;
  m.lower_teeth_edge /= kColumns;
  m.tongue = mix(bare_lip_colour(m.lip, skin), scaled({215.f, 100.f, 105.f}, light), 0.6f);
  return m;
}

void set_teeth_edge_reach(MouthModel& m, const FaceGeometry& g) {
  const float left = g.lip_line.front().x, right = g.lip_line.back().x;
  const float centre = 0.5f * (left + right), half = std::max(1e-3f, 0.5f * (right - left));
  m.teeth_edge_reach = m.teeth_edge > 0.f ? clamp01(std::max(std::abs(m.teeth_edge_x[0] - centre),
                                                             std::abs(m.teeth_edge_x[1] - centre)) / half)
                                          : 0.f;
}

void open_lip_corners(const Image& portrait, const FaceFrame& frame, const Landmarks& face_units,
                      const MouthModel& mouth, const RigParams& params, FaceGeometry& g) {
  if (!g.lips_apart(params)) return;
  g.curved_lips = true;
  const float dark = 0.75f * luma(mouth.lip);
  // The darkest sample across the line within 0.02 face units of it.
  auto darkest = [&](Point p) {
    float least = 255.f;
    for (int k = -4; k <= 4; ++k) {
      least = std::min(least, luma_at(portrait, frame, {p.x, p.y + 0.005f * static_cast<float>(k)}));
    }
    return least;
  };
  const Point left_outer = face_units[48].x < face_units[54].x ? face_units[48] : face_units[54];
  const Point right_outer = face_units[48].x < face_units[54].x ? face_units[54] : face_units[48];
  for (auto [corner, outer] : {std::pair{&g.lip_line.front(), left_outer}, std::pair{&g.lip_line.back(), right_outer}}) {
    const Point inner = *corner;
    const float length_px = std::hypot(outer.x - inner.x, outer.y - inner.y) * frame.interocular_px;
    // Only outwards (a fit whose outer corner lies inside its inner one keeps dlib's).
    const bool outwards = corner == &g.lip_line.front() ? outer.x < inner.x : outer.x > inner.x;
    if (!outwards || length_px < 1.f || darkest(inner) >= dark) continue;
    const int steps = static_cast<int>(std::ceil(2.f * length_px));
    float reach = 0.f;
    for (int i = 1; i <= steps; ++i) {
      const float t = static_cast<float>(i) / static_cast<float>(steps);
      if (darkest({inner.x + (outer.x - inner.x) * t, inner.y + (outer.y - inner.y) * t}) >= dark) break;
      reach = t;
    }
    *corner = {inner.x + (outer.x - inner.x) * reach, inner.y + (outer.y - inner.y) * reach};
  }
}

float lip_line_dip(const Rig::Impl& rig) {
  // Per cut column: the darkest sample within 0.015 face units of the lip line against
  // the lips 0.03-0.05 units above and below it, 1 - line / lips, averaged.
  auto luma_at_xy = [&](float x, float y) { return luma_at(rig.portrait, rig.frame, {x, y}); };
  float sum = 0.f;
  int columns = 0;
  for (const auto& [upper, lower] : rig.seam_pairs) {
    if (upper == lower) continue;  // a corner column
    const float x = rig.rest_face[upper].x, y = rig.geometry.lip_line_y(x);
    float line = 255.f, above = 0.f, below = 0.f;
    for (int k = -3; k <= 3; ++k) line = std::min(line, luma_at_xy(x, y + 0.005f * static_cast<float>(k)));
    for (int k = 6; k <= 10; ++k) {
      above += luma_at_xy(x, y - 0.005f * static_cast<float>(k)) / 5.f;
      below += luma_at_xy(x, y + 0.005f * static_cast<float>(k)) / 5.f;
    }
    sum += clamp01(1.f - line / std::max(1.f, std::min(above, below)));
    ++columns;
  }
  return columns > 0 ? sum / static_cast<float>(columns) : 0.f;
}

float teeth_in_view(const MotionFrame& motion) {
  // The lips cover the rows twice as fast as mouthFunnel rises (it pushes them furthest
  // forward) and as fast as mouthPucker does: a strong "oo" (funnel 0.5) or "w" (pucker
  // 1) shows none. Before, rounded frames showed a band of painted teeth in a small round
  // opening (docs/rig.md "Rounded lips cover the teeth").
  constexpr float kHiddenPerFunnel = 2.f, kHiddenPerPucker = 1.f;
  return clamp01(1.f - kHiddenPerFunnel * channel_value(motion, Channel::MouthFunnel) -
                 kHiddenPerPucker * channel_value(motion, Channel::MouthPucker));
}

std::array<float, 3> shade_mouth(const MouthModel& m, float u, float v, float gap_units,
                                 float tongue_out, float teeth_shown, float px_per_unit) {
  const float x = 2.f * u - 1.f;  // -1 .. 1 corner to corner
  const float ax = std::abs(x);
  const float y = v * gap_units;                      // face units below the upper lip
  const float above = gap_units - y;                  // face units above the lower lip
  const float aa = 1.f / std::max(1.f, px_per_unit);  // one output pixel in face units
  const float side = 1.f - 0.6f * x * x;              // light falls off towards the corners
  // Cavity: the throat at the centre of the opening is darkest; its walls near the lips
  // catch light and take the lips' colour, so thin gaps and the corners taper into the
  // lip line instead of ending in black points.
  const float cy = 2.f * v - 1.f;
  const float back = clamp01(1.f - x * x - cy * cy);
  const float corner = smoothstep(0.7f, 1.f, ax);
  // Where a lip's inner edge is the portrait's own teeth instead, it is dark behind them.
  // ... only as far towards the corners as the portrait's teeth reach the cut.
  const float teeth_edge = m.teeth_edge * clamp01((m.teeth_edge_reach + 0.1f - ax) / 0.2f);
  const float wall_width = 0.015f + 0.2f * gap_units;
  const float wall = std::max({corner, (1.f - teeth_edge) * (1.f - smoothstep(0.f, wall_width, y)),
                               (1.f - m.lower_teeth_edge) * (1.f - smoothstep(0.f, wall_width, above))});
  std::array<float, 3> rgb =
      mix(scaled(m.cavity, 1.f - 0.55f * back), scaled(m.lip, 0.3f + 0.2f * v + 0.25f * corner),
          0.85f * wall * wall);
  // Teeth the portrait shows end in a rounded edge that turns into shadow, not a cut;
  // a slit below them stays dark (no grey line through a thin gap).
  const float under_teeth = (1.f - smoothstep(0.f, 0.025f + aa, y)) * teeth_edge *
                            clamp01((0.8f - ax) / 0.2f) * smoothstep(0.02f, 0.06f, gap_units);
  rgb = mix(rgb, scaled(mix(m.teeth, m.lip, 0.4f), 0.5f * side), 0.8f * under_teeth);
  // Tongue: a hump low in the mouth that rises into view as the jaw drops and with
  // tongueOut; its top edge is soft (rounded, in shadow) and its front catches light.
  const float open = smoothstep(0.05f, 0.25f, gap_units);
  const float tongue_top =
      gap_units * (1.f - (0.45f * open + 0.45f * tongue_out) * (1.f - 0.9f * x * x));
  const float tongue_alpha =
      clamp01((y - tongue_top) / (0.02f + 2.f * aa)) * clamp01((0.8f - ax) / 0.3f);
  // Lower teeth: a row behind the lower lip that shows its edges as the jaw opens,
  // minus what the portrait's own lower lip copy already shows; it is in shadow.
  const float lower_h = m.lower_teeth_units * teeth_shown * open * (1.f - 0.45f * x * x);
  const float lower_alpha = clamp01((lower_h - above) / aa + 0.5f) * clamp01((0.68f - ax) / 0.2f);
  if (tongue_alpha > 0.f) {
    const float lit = (0.6f + 0.35f * clamp01((y - tongue_top) / (0.1f + 0.3f * gap_units))) * side;
    rgb = mix(rgb, scaled(m.tongue, lit * (0.8f + 0.3f * tongue_out)),
              tongue_alpha * (1.f - lower_alpha * (1.f - tongue_out)));
  }
  if (lower_alpha > 0.f && tongue_out < 1.f) {
    // Tooth boundaries on the narrower lower teeth, darker towards the gum.
    const float edge = std::min(
        {std::abs(ax - 0.14f), std::abs(ax - 0.27f), std::abs(ax - 0.4f), std::abs(ax - 0.53f)});
    const float shade = side * (0.62f - 0.17f * clamp01((lower_h - above) / (lower_h + aa))) *
                        (1.f - 0.1f * (1.f - smoothstep(0.f, 0.015f + 1.5f * aa, edge)));
    rgb = mix(rgb, scaled(mix(m.teeth, m.lip, 0.2f), shade), lower_alpha * (1.f - tongue_out));
  }
  // Upper teeth: hang from the upper lip, edge slightly curved; gaps between teeth.
  const float upper_units = m.upper_teeth_units * teeth_shown;
  const float upper_bottom = upper_units * (1.f - 0.35f * x * x);
  const float upper_alpha = clamp01((upper_bottom - y) / aa + 0.5f) *
                            clamp01((0.82f - ax) / 0.15f) * smoothstep(0.f, 0.01f, upper_units);
  if (upper_alpha > 0.f) {
    // The lip's shadow at the top, unless they continue the portrait's own teeth there.
    float shade = side * (1.f - 0.28f * (1.f - teeth_edge) * (1.f - smoothstep(0.f, 0.03f, y)));
    // Tooth boundaries every ~0.17 of the half-width from the middle outwards.
    const float edge = std::min({ax, std::abs(ax - 0.19f), std::abs(ax - 0.35f),
                                 std::abs(ax - 0.5f), std::abs(ax - 0.64f)});
    shade *= 1.f - 0.08f * (1.f - smoothstep(0.f, 0.02f + 1.5f * aa, edge));
    rgb = mix(rgb, scaled(m.teeth, shade), upper_alpha);
  }
  // Contact shadows: each lip darkens what lies just behind its edge (teeth, tongue,
  // walls), softly, reaching further as the mouth opens; none in thin gaps, which the
  // wall colour already tapers into the lip line, nor where the interior's top continues
  // the portrait's own teeth.
  const float contact = smoothstep(0.02f, 0.1f, gap_units) *
                        (0.3f * (1.f - teeth_edge) * (1.f - smoothstep(0.f, 0.02f + 0.08f * gap_units + aa, y)) +
                         0.1f * (1.f - m.lower_teeth_edge) * (1.f - smoothstep(0.f, 0.015f + 0.05f * gap_units + aa, above)));
  return scaled(rgb, 1.f - contact);
}

}  // namespace parla::video
