// Alignment of two recordings of the same words: cepstra of the log-mel features,
// normalised per recording, matched by dynamic time warping in two passes (FastDTW's
// idea, Salvador & Chan 2007): a coarse 25 Hz pass in a band around the diagonal, then
// a 100 Hz pass in a narrow band around the coarse path. Only each signal's speech span
// takes part; frames outside it map linearly onto the other's silence.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "audio/audio.h"
#include "text/text.h"

namespace parla::text {
namespace {

constexpr int kCepstra = 13;            // c0..c12
constexpr int kDims = 2 * kCepstra;     // cepstra and their deltas
constexpr int kCoarseFactor = 4;        // 100 Hz → 25 Hz
constexpr float kSpanBelowPeakDb = 40;  // speech span: frames within this of the loud end
constexpr int kSpanPadFrames = 10;      // 100 ms of context on each side
constexpr int kLocalHalfFrames = 5;     // local quality smoothing, ±50 ms
using Vec = std::array<float, kDims>;

struct Cepstra {
  std::vector<Vec> frames;  // the speech span only
  std::int64_t first = 0;   // its first frame in the whole signal
  std::int64_t total = 0;   // frames of the whole signal
};

// Cepstra (DCT-II of the log-mel) and their deltas over the speech span, each dimension
// normalised to zero mean and unit variance over the span.
Cepstra cepstra(std::span<const float> pcm) {
  audio::Features f = audio::compute_features(pcm);
  Cepstra out;
  out.total = static_cast<std::int64_t>(f.frames.size());
  if (f.frames.empty()) return out;
  std::vector<float> energy;
  for (const auto& fr : f.frames) energy.push_back(fr.energy_db);
  std::vector<float> sorted = energy;
  std::sort(sorted.begin(), sorted.end());
  const float loud = sorted[static_cast<size_t>(0.98 * (sorted.size() - 1))];
  std::int64_t first = -1, last = -1;
  for (std::int64_t i = 0; i < out.total; ++i) {
    if (energy[i] >= loud - kSpanBelowPeakDb && energy[i] > -70.f) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return out;
  first = std::max<std::int64_t>(0, first - kSpanPadFrames);
  last = std::min<std::int64_t>(out.total - 1, last + kSpanPadFrames);
  out.first = first;
  static const auto basis = [] {
    std::array<std::array<float, audio::kMelBins>, kCepstra> b{};
    for (int k = 0; k < kCepstra; ++k)
      for (int n = 0; n < audio::kMelBins; ++n)
        b[k][n] = static_cast<float>(std::cos(M_PI * k * (n + 0.5) / audio::kMelBins));
    return b;
  }();
  std::vector<std::array<float, kCepstra>> c;
  for (std::int64_t i = first; i <= last; ++i) {
    std::array<float, kCepstra> v{};
    const auto& mel = f.frames[i].log_mel;
    for (int k = 0; k < kCepstra; ++k) {
      double sum = 0;
      for (int n = 0; n < audio::kMelBins; ++n) sum += basis[k][n] * std::max(mel[n], -16.f);
      v[k] = static_cast<float>(sum / audio::kMelBins);
    }
    c.push_back(v);
  }
  const auto n = static_cast<std::int64_t>(c.size());
  out.frames.resize(c.size());
  for (std::int64_t i = 0; i < n; ++i) {
    // Regression delta over ±2 frames.
    auto at = [&](std::int64_t j) { return c[std::clamp<std::int64_t>(j, 0, n - 1)]; };
    for (int k = 0; k < kCepstra; ++k) {
      out.frames[i][k] = c[i][k];
      out.frames[i][kCepstra + k] =
          ((at(i + 1)[k] - at(i - 1)[k]) + 2 * (at(i + 2)[k] - at(i - 2)[k])) / 10.f;
    }
  }
  for (int d = 0; d < kDims; ++d) {
    double mean = 0, sq = 0;
    for (const Vec& v : out.frames) mean += v[d], sq += v[d] * v[d];
    mean /= n;
    double sd = std::sqrt(std::max(sq / n - mean * mean, 1e-8));
    for (Vec& v : out.frames) v[d] = static_cast<float>((v[d] - mean) / sd);
  }
  return out;
}

float distance(const Vec& a, const Vec& b) {
  float sum = 0;
  for (int d = 0; d < kDims; ++d) sum += (a[d] - b[d]) * (a[d] - b[d]);
  return std::sqrt(sum / kDims);
}

std::vector<Vec> downsample(const std::vector<Vec>& frames) {
  std::vector<Vec> out((frames.size() + kCoarseFactor - 1) / kCoarseFactor, Vec{});
  std::vector<int> count(out.size(), 0);
  for (size_t i = 0; i < frames.size(); ++i) {
    for (int d = 0; d < kDims; ++d) out[i / kCoarseFactor][d] += frames[i][d];
    ++count[i / kCoarseFactor];
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (float& v : out[i]) v /= count[i];
  return out;
}

struct Window {
  std::int64_t lo, hi;  // columns [lo, hi) of one row
};

struct Path {
  std::vector<std::pair<std::int64_t, std::int64_t>> cells;  // (row, column), in order
  std::vector<float> cost;                                    // distance at each cell
};

// Windows must be non-decreasing in lo and hi, overlap from row to row, start at column
// 0 and end at the last column. Back pointers take one byte per cell of the band.
Path dtw(const std::vector<Vec>& a, const std::vector<Vec>& b, std::vector<Window> windows) {
  const auto n = static_cast<std::int64_t>(a.size()), m = static_cast<std::int64_t>(b.size());
  for (std::int64_t i = n - 2; i >= 0; --i)
    windows[i].lo = std::min(windows[i].lo, windows[i + 1].lo);
  for (std::int64_t i = 1; i < n; ++i) windows[i].hi = std::max(windows[i].hi, windows[i - 1].hi);
  windows[0].lo = 0;
  windows[n - 1].hi = m;
  for (std::int64_t i = 1; i < n; ++i)  // rows must connect
    windows[i].lo = std::min(windows[i].lo, windows[i - 1].hi - 1);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  std::vector<std::int64_t> offset(n + 1, 0);
  for (std::int64_t i = 0; i < n; ++i) offset[i + 1] = offset[i] + windows[i].hi - windows[i].lo;
  std::vector<std::uint8_t> back(static_cast<size_t>(offset[n]));  // 0 diagonal, 1 up, 2 left
  std::vector<double> prev, cur;
  for (std::int64_t i = 0; i < n; ++i) {
    const Window w = windows[i];
    cur.assign(static_cast<size_t>(w.hi - w.lo), kInf);
    const Window pw = i > 0 ? windows[i - 1] : Window{0, 0};
    auto prev_at = [&](std::int64_t j) -> double {
      return i > 0 && j >= pw.lo && j < pw.hi ? prev[j - pw.lo] : kInf;
    };
    for (std::int64_t j = w.lo; j < w.hi; ++j) {
      const double c = distance(a[i], b[j]);
      double best = kInf;
      std::uint8_t from = 0;
      if (i == 0 && j == 0) {
        best = 0;
      } else {
        double diag = j > 0 ? prev_at(j - 1) : kInf, up = prev_at(j);
        double left = j > w.lo ? cur[j - 1 - w.lo] : kInf;
        best = diag, from = 0;
        if (up < best) best = up, from = 1;
        if (left < best) best = left, from = 2;
      }
      cur[j - w.lo] = best + c;
      back[offset[i] + j - w.lo] = from;
    }
    prev.swap(cur);
  }
  Path path;
  std::int64_t i = n - 1, j = m - 1;
  for (;;) {
    path.cells.emplace_back(i, j);
    path.cost.push_back(distance(a[i], b[j]));
    if (i == 0 && j == 0) break;
    std::uint8_t from = back[offset[i] + j - windows[i].lo];
    if (i == 0) from = 2;  // only left moves remain on the first row
    if (from == 0) --i, --j;
    else if (from == 1) --i;
    else --j;
  }
  std::reverse(path.cells.begin(), path.cells.end());
  std::reverse(path.cost.begin(), path.cost.end());
  return path;
}

// Mean distance between frames of the two signals paired at random (deterministic).
double pair_cost(const std::vector<Vec>& a, const std::vector<Vec>& b) {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&](size_t size) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>((state >> 33) % size);
  };
  double sum = 0;
  constexpr int kPairs = 4000;
  for (int k = 0; k < kPairs; ++k) sum += distance(a[next(a.size())], b[next(b.size())]);
  return sum / kPairs;
}

}  // namespace

Alignment align_speech(std::span<const float> reference, std::span<const float> target,
                       const AlignParams& params) {
  Alignment out;
  Cepstra ref = cepstra(reference), tgt = cepstra(target);
  if (ref.frames.size() < 2 || tgt.frames.size() < 2) return out;
  const auto n = static_cast<std::int64_t>(ref.frames.size());
  const auto m = static_cast<std::int64_t>(tgt.frames.size());

  // Coarse pass: a band of ± coarse_band_s around the straight line between the corners.
  std::vector<Vec> ca = downsample(ref.frames), cb = downsample(tgt.frames);
  const auto cn = static_cast<std::int64_t>(ca.size()), cm = static_cast<std::int64_t>(cb.size());
  const double band = std::max(2.0, params.coarse_band_s * audio::kFeatureRate / kCoarseFactor);
  std::vector<Window> coarse_windows(cn);
  for (std::int64_t i = 0; i < cn; ++i) {
    double line = cn > 1 ? static_cast<double>(i) * (cm - 1) / (cn - 1) : 0.0;
    coarse_windows[i] = {std::max<std::int64_t>(0, static_cast<std::int64_t>(line - band)),
                         std::min<std::int64_t>(cm, static_cast<std::int64_t>(line + band) + 1)};
  }
  Path coarse = dtw(ca, cb, coarse_windows);

  // Fine pass: ± fine_radius_s around the coarse path's columns of each row.
  std::vector<std::int64_t> cmin(cn, cm), cmax(cn, -1);
  for (auto [i, j] : coarse.cells) cmin[i] = std::min(cmin[i], j), cmax[i] = std::max(cmax[i], j);
  const auto radius = static_cast<std::int64_t>(
      std::ceil(params.fine_radius_s * audio::kFeatureRate));
  std::vector<Window> fine_windows(n);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t ci = i / kCoarseFactor;
    fine_windows[i] = {std::max<std::int64_t>(0, cmin[ci] * kCoarseFactor - radius),
                       std::min<std::int64_t>(m, (cmax[ci] + 1) * kCoarseFactor + radius)};
  }
  Path fine = dtw(ref.frames, tgt.frames, fine_windows);

  // The first target frame matched to each reference frame, in whole-signal frames.
  std::vector<std::int64_t> first_match(n, -1);
  std::vector<double> row_cost(n, 0.0);
  std::vector<int> row_cells(n, 0);
  double total = 0;
  for (size_t k = 0; k < fine.cells.size(); ++k) {
    auto [i, j] = fine.cells[k];
    if (first_match[i] < 0) first_match[i] = j;
    row_cost[i] += fine.cost[k];
    ++row_cells[i];
    total += fine.cost[k];
  }
  out.mean_path_cost = total / static_cast<double>(fine.cells.size());
  out.mean_pair_cost = pair_cost(ref.frames, tgt.frames);
  out.quality = out.mean_pair_cost > 0 ? 1.0 - out.mean_path_cost / out.mean_pair_cost : 0.0;
  out.reference_speech_s = static_cast<double>(n) / audio::kFeatureRate;
  out.target_speech_s = static_cast<double>(m) / audio::kFeatureRate;

  out.target_frame.resize(static_cast<size_t>(ref.total));
  out.local_quality.assign(static_cast<size_t>(ref.total), 0.f);
  for (std::int64_t r = 0; r < ref.total; ++r) {
    std::int64_t i = r - ref.first;
    std::int64_t t = i < 0    ? tgt.first + i                           // before the speech
                     : i >= n ? tgt.first + m - 1 + (i - n + 1)         // after it
                              : tgt.first + first_match[i];
    out.target_frame[r] = std::clamp<std::int64_t>(t, 0, std::max<std::int64_t>(0, tgt.total - 1));
    if (i < 0 || i >= n) continue;
    double sum = 0;
    int cells = 0;
    for (std::int64_t q = std::max<std::int64_t>(0, i - kLocalHalfFrames);
         q <= std::min(n - 1, i + kLocalHalfFrames); ++q) {
      sum += row_cost[q], cells += row_cells[q];
    }
    out.local_quality[r] =
        static_cast<float>(1.0 - sum / std::max(cells, 1) / std::max(out.mean_pair_cost, 1e-9));
  }
  for (std::int64_t r = 1; r < ref.total; ++r)  // monotone even where the clamps met
    out.target_frame[r] = std::max(out.target_frame[r], out.target_frame[r - 1]);
  return out;
}

std::vector<Phone> map_phones(std::span<const Phone> phones, const Alignment& alignment,
                              std::int64_t target_samples, std::vector<size_t>* source) {
  std::vector<Phone> out;
  if (source) source->clear();
  if (alignment.target_frame.empty() || phones.empty()) return out;
  const auto frames = static_cast<std::int64_t>(alignment.target_frame.size());
  // A reference sample → target sample, interpolating between frame centres.
  auto map = [&](std::int64_t sample) {
    double position = static_cast<double>(sample) / audio::kHopSamples;
    auto lower = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(position)), 0,
                                          frames - 1);
    std::int64_t upper = std::min(lower + 1, frames - 1);
    double frac = std::clamp(position - static_cast<double>(lower), 0.0, 1.0);
    double t = alignment.target_frame[lower] * (1 - frac) + alignment.target_frame[upper] * frac;
    return std::clamp<std::int64_t>(std::llround(t * audio::kHopSamples), 0, target_samples);
  };
  std::int64_t cursor = 0;
  for (size_t k = 0; k < phones.size(); ++k) {
    std::int64_t end = k + 1 < phones.size() ? std::max(cursor, map(phones[k + 1].start_sample))
                                             : target_samples;
    if (end <= cursor) continue;  // squeezed to nothing
    Phone p = phones[k];
    p.start_sample = cursor;
    p.end_sample = end;
    if (!out.empty() && p.viseme == Viseme::Silence && out.back().viseme == Viseme::Silence) {
      out.back().end_sample = end;
    } else {
      out.push_back(std::move(p));
      if (source) source->push_back(k);
    }
    cursor = end;
  }
  if (!out.empty()) out.back().end_sample = target_samples;
  return out;
}

}  // namespace parla::text
