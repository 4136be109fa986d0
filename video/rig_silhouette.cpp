// The portrait's foreground (face, hair, neck) against its background, estimated once
// per rig in the face frame, in the spirit of GrabCut: colour models (smoothed RGB
// histograms) seeded from the face (foreground) and from the picture beyond the head's
// reach (background), refined over a few rounds, each with a mean-field smoothness step
// and a connectivity clean-up, then turned into a signed distance to the silhouette.
// The head weight falls to 0 at the silhouette, so the background stays still (#16).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

constexpr int kBins = 16;            // per RGB channel
constexpr float kStep = 1.f / 20.f;  // sample spacing, face units
// Log-odds of the spatial prior: foreground inside the old falloff, background beyond.
constexpr float kPriorLogOdds = 1.f;
// Mean-field pull of each of the 4 neighbours (half log-odds): below the 0.25 at which
// whole regions lock into one label whatever their colours, strong enough to smooth.
constexpr float kCoupling = 0.2f;
// The face keeps its full head weight up to its landmark outline, easing off over this
// much beyond it (face units); the weight still reaches 0 at the silhouette over at least
// kEdgeRamp.
constexpr float kFaceReach = 0.3f;
constexpr float kEdgeRamp = 0.12f;
// Reliability gates (measured on the shared portraits, the sample and the gallery's
// video frames; docs/rig.md): colour separation at the silhouette, the share of the
// background seeds the estimate keeps as background, the head above the brows kept as
// foreground, and enough background to learn from.
constexpr float kMinConfidence = 0.8f;
constexpr float kMinSeedsKept = 0.8f;
constexpr int kMinBackgroundSeeds = 200;
// Above the brows the head goes on for at least ~1.2 face units (forehead, then hair or
// scalp) whatever the hairstyle: an estimate that calls that background (dark hair on a
// dark background) has found the face, not the head.
constexpr float kMinCrownKept = 0.97f;

using Histogram = std::vector<float>;

int bin_of(const std::array<float, 3>& rgb) {
  auto b = [](float v) { return std::clamp(static_cast<int>(v) * kBins / 256, 0, kBins - 1); };
  return (b(rgb[0]) * kBins + b(rgb[1])) * kBins + b(rgb[2]);
}

// Counts -> probabilities, blurred by [1 2 1] along each colour axis (neighbouring
// shades share evidence), with a floor so unseen colours stay undecided.
Histogram normalised(const Histogram& counts) {
  Histogram h = counts, tmp(h.size());
  const int strides[3] = {kBins * kBins, kBins, 1};
  for (int stride : strides) {
    for (int i = 0; i < static_cast<int>(h.size()); ++i) {
      const int c = (i / stride) % kBins;
      float sum = 2.f * h[i];
      sum += c > 0 ? h[i - stride] : h[i];
      sum += c + 1 < kBins ? h[i + stride] : h[i];
      tmp[i] = 0.25f * sum;
    }
    h.swap(tmp);
  }
  float total = 0.f;
  for (float v : h) total += v;
  const float floor = 1e-3f / static_cast<float>(h.size());
  for (float& v : h) v = (total > 0.f ? v / total : 0.f) + floor;
  return h;
}

// Two-pass chamfer distance (samples) from every sample to the nearest one with
// `target` set; samples with `target` get 0.
std::vector<float> chamfer(const std::vector<std::uint8_t>& target, int width, int height) {
  const float big = 1e6f, diagonal = std::sqrt(2.f);
  std::vector<float> d(target.size());
  for (size_t i = 0; i < d.size(); ++i) d[i] = target[i] ? 0.f : big;
  auto relax = [&](int x, int y, int dx, int dy, float cost) {
    const int nx = x + dx, ny = y + dy;
    if (nx < 0 || ny < 0 || nx >= width || ny >= height) return;
    float& here = d[static_cast<size_t>(y) * width + x];
    here = std::min(here, d[static_cast<size_t>(ny) * width + nx] + cost);
  };
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      relax(x, y, -1, 0, 1.f), relax(x, y, 0, -1, 1.f);
      relax(x, y, -1, -1, diagonal), relax(x, y, 1, -1, diagonal);
    }
  for (int y = height - 1; y >= 0; --y)
    for (int x = width - 1; x >= 0; --x) {
      relax(x, y, 1, 0, 1.f), relax(x, y, 0, 1, 1.f);
      relax(x, y, 1, 1, diagonal), relax(x, y, -1, 1, diagonal);
    }
  return d;
}

// Marks the 4-connected region of `label == value` samples reachable from `seeds`.
std::vector<std::uint8_t> flood(const std::vector<std::uint8_t>& label, std::uint8_t value,
                                const std::vector<int>& seeds, int width, int height) {
  std::vector<std::uint8_t> reached(label.size(), 0);
  std::deque<int> queue;
  for (int s : seeds) {
    if (label[s] == value && !reached[s]) reached[s] = 1, queue.push_back(s);
  }
  while (!queue.empty()) {
    const int i = queue.front();
    queue.pop_front();
    const int x = i % width, y = i / width;
    const int neighbours[4] = {x > 0 ? i - 1 : -1, x + 1 < width ? i + 1 : -1,
                               y > 0 ? i - width : -1, y + 1 < height ? i + width : -1};
    for (int n : neighbours) {
      if (n >= 0 && label[n] == value && !reached[n]) reached[n] = 1, queue.push_back(n);
    }
  }
  return reached;
}

}  // namespace

float Silhouette::sample(const std::vector<float>& grid, Point face) const {
  float fx = std::clamp((face.x - x0) / step, 0.f, width - 1.001f);
  float fy = std::clamp((face.y - y0) / step, 0.f, height - 1.001f);
  const int x = static_cast<int>(fx), y = static_cast<int>(fy);
  fx -= x, fy -= y;
  const float* row = &grid[static_cast<size_t>(y) * width + x];
  const float top = row[0] + (row[1] - row[0]) * fx;
  const float bottom = row[width] + (row[width + 1] - row[width]) * fx;
  return top + (bottom - top) * fy;
}

float Silhouette::signed_distance(Point face) const {
  return distance.empty() ? 1e3f : sample(distance, face);
}

float Silhouette::head_factor(Point face) const {
  return reliable ? sample(factor, face) : 1.f;
}

Silhouette estimate_silhouette(const Image& portrait, const FaceFrame& frame, const FaceGeometry& g,
                               const Landmarks& face_units) {
  Silhouette s;
  s.step = kStep;
  // The domain holds the head weight's reach (grid_extent in rig_mesh.cpp) and a margin.
  const float reach_x = g.jaw_half_width * 1.25f * 1.7f + 0.6f;
  const float ay = (g.chin_y + 0.1f) * 1.05f;
  const float top = -0.1f - 2.3f * 1.7f - 0.6f;
  const float bottom = -0.1f + ay * std::max(1.7f, 1.f + 0.9f / ay) + 0.6f;
  s.x0 = -reach_x;
  s.y0 = top;
  s.width = static_cast<int>(std::ceil(2.f * reach_x / kStep)) + 1;
  s.height = static_cast<int>(std::ceil((bottom - top) / kStep)) + 1;
  const int n = s.width * s.height;

  // Colours (2x2 supersampled, clamped at the picture's edges) and seed regions.
  std::vector<std::array<float, 3>> rgb(n);
  std::vector<std::uint8_t> in_image(n), sure_fg(n), in_face(n), bg_seed(n), in_head(n);
  std::vector<float> prior(n);
  std::vector<Point> face_polygon;
  for (int i = 0; i <= 16; ++i) face_polygon.push_back(face_units[i]);
  for (int i = 26; i >= 17; --i) face_polygon.push_back({face_units[i].x, face_units[i].y - 0.35f});
  const Point chin = face_units[8];
  for (int y = 0; y < s.height; ++y) {
    for (int x = 0; x < s.width; ++x) {
      const int i = y * s.width + x;
      const Point p = {s.x0 + x * kStep, s.y0 + y * kStep};
      std::array<float, 3> sum{};
      for (float oy : {-0.25f, 0.25f})
        for (float ox : {-0.25f, 0.25f}) {
          const Point q = frame.to_image({p.x + ox * kStep, p.y + oy * kStep});
          float c[3];
          sample_bilinear(portrait, q.x, q.y, c);
          for (int k = 0; k < 3; ++k) sum[k] += 0.25f * c[k];
        }
      rgb[i] = sum;
      const Point q = frame.to_image(p);
      in_image[i] = q.x >= 0.f && q.y >= 0.f && q.x < portrait.width && q.y < portrait.height;
      const float weight = head_weight(g, p);
      // Where the head usually is: +1 inside the falloff (weight 1), -1 beyond it.
      prior[i] = kPriorLogOdds * (2.f * weight - 1.f);
      in_head[i] = weight == 1.f;
      in_face[i] = inside_polygon(face_polygon, p);
      sure_fg[i] = in_face[i] ||
                   (std::abs(p.x - chin.x) < 0.4f && p.y > chin.y - 0.1f && p.y < chin.y + 0.5f);
      bg_seed[i] = in_image[i] && weight == 0.f && p.y < g.chin_y;
    }
  }
  int seeds = 0;
  for (int i = 0; i < n; ++i) seeds += bg_seed[i];
  if (seeds < kMinBackgroundSeeds) return s;  // a close crop: nothing to learn the background from

  std::vector<std::uint8_t> fg(n);
  std::vector<float> colour_odds(n), log_odds(n), field(n), next(n);
  std::vector<int> face_seeds;
  for (int i = 0; i < n; ++i)
    if (sure_fg[i]) face_seeds.push_back(i);
  std::vector<int> border;
  for (int x = 0; x < s.width; ++x)
    border.push_back(x), border.push_back((s.height - 1) * s.width + x);
  for (int y = 0; y < s.height; ++y)
    border.push_back(y * s.width), border.push_back(y * s.width + s.width - 1);

  for (int round = 0; round < 3; ++round) {
    // Colour models: the seeds first, then the previous round's labels near the head.
    Histogram fg_counts(kBins * kBins * kBins, 0.f), bg_counts(fg_counts.size(), 0.f);
    for (int i = 0; i < n; ++i) {
      if (!in_image[i]) continue;
      const bool is_fg = round == 0 ? sure_fg[i] : (fg[i] && in_head[i]);
      const bool is_bg = round == 0 ? bg_seed[i] : !fg[i];
      if (is_fg) fg_counts[bin_of(rgb[i])] += 1.f;
      if (is_bg) bg_counts[bin_of(rgb[i])] += 1.f;
    }
    const Histogram pf = normalised(fg_counts), pb = normalised(bg_counts);
    for (int i = 0; i < n; ++i) {
      const int b = bin_of(rgb[i]);
      colour_odds[i] = std::clamp(std::log(pf[b] / pb[b]), -4.f, 4.f);
      log_odds[i] = colour_odds[i] + prior[i];
    }
    // Mean field: each sample leans towards its neighbours' labels, seeds are fixed.
    for (int i = 0; i < n; ++i) field[i] = std::tanh(0.5f * log_odds[i]);
    for (int iteration = 0; iteration < 8; ++iteration) {
      for (int y = 0; y < s.height; ++y) {
        for (int x = 0; x < s.width; ++x) {
          const int i = y * s.width + x;
          if (sure_fg[i]) {
            next[i] = 1.f;
            continue;
          }
          float sum = 0.f;
          sum += field[x > 0 ? i - 1 : i] + field[x + 1 < s.width ? i + 1 : i];
          sum += field[y > 0 ? i - s.width : i] + field[y + 1 < s.height ? i + s.width : i];
          next[i] = std::tanh(0.5f * log_odds[i] + kCoupling * sum);
        }
      }
      field.swap(next);
    }
    for (int i = 0; i < n; ++i) fg[i] = field[i] > 0.f;
    // The head is one piece joined to the face: other foreground is background, and
    // background pockets enclosed by the head (not reaching the border) are head.
    fg = flood(fg, 1, face_seeds, s.width, s.height);
    std::vector<std::uint8_t> outside = flood(fg, 0, border, s.width, s.height);
    for (int i = 0; i < n; ++i) fg[i] = !outside[i];
  }

  // Signed distance to the silhouette (face units), the boundary midway between samples.
  std::vector<std::uint8_t> bg(n);
  for (int i = 0; i < n; ++i) bg[i] = !fg[i];
  const std::vector<float> to_bg = chamfer(bg, s.width, s.height);
  const std::vector<float> to_fg = chamfer(fg, s.width, s.height);
  s.distance.resize(n);
  for (int i = 0; i < n; ++i) {
    s.distance[i] = fg[i] ? (to_bg[i] - 0.5f) * kStep : -(to_fg[i] - 0.5f) * kStep;
  }

  // The head-weight factor: 0 outside, rising over kSilhouetteBand inside; the face
  // within its landmark outline stays whole (1, easing off over kFaceReach beyond the
  // outline), so jaw, mouth and eyes turn as one, the ramp then squeezed towards the
  // silhouette but never shorter than kEdgeRamp.
  const std::vector<float> to_face = chamfer(in_face, s.width, s.height);
  s.factor.resize(n);
  for (int i = 0; i < n; ++i) {
    const float d = s.distance[i];
    const float core = clamp01(1.f - to_face[i] * kStep / kFaceReach);
    s.factor[i] = d <= 0.f ? 0.f : std::max(clamp01(d / kSilhouetteBand), core) * clamp01(d / kEdgeRamp);
  }

  // Confidence: how surely the colours alone tell the two sides of the silhouette apart
  // within kSilhouetteBand of it (mean posterior of the side each sample is on).
  double fg_sure = 0.0, bg_sure = 0.0;
  int fg_count = 0, bg_count = 0, kept = 0, crown = 0, crown_fg = 0;
  for (int i = 0; i < n; ++i) {
    if (bg_seed[i] && !fg[i]) ++kept;
    const float cx = s.x0 + (i % s.width) * kStep, cy = s.y0 + (i / s.width) * kStep;
    if (std::abs(cx) < 0.6f && cy > g.brow_y - 1.2f && cy < g.brow_y - 0.4f)
      ++crown, crown_fg += fg[i];
    const float d = s.distance[i];
    if (!in_image[i] || std::abs(d) > kSilhouetteBand) continue;
    const float p = 1.f / (1.f + std::exp(-colour_odds[i]));
    if (d > 0.f)
      fg_sure += p, ++fg_count;
    else
      bg_sure += 1.f - p, ++bg_count;
  }
  s.seeds_kept = static_cast<float>(kept) / static_cast<float>(seeds);
  s.confidence = fg_count > 0 && bg_count > 0
                     ? static_cast<float>(0.5 * (fg_sure / fg_count + bg_sure / bg_count))
                     : 0.f;
  s.crown_kept = crown > 0 ? static_cast<float>(crown_fg) / static_cast<float>(crown) : 0.f;
  s.reliable = s.confidence >= kMinConfidence && s.seeds_kept >= kMinSeedsKept &&
               s.crown_kept >= kMinCrownKept;
  return s;
}

}  // namespace parla::video
