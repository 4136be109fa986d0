#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace parla::cli {

Progress::Progress(std::string label, std::int64_t total, bool enabled, double per_shown_unit,
                   std::string unit)
    : label_(std::move(label)),
      total_(std::max<std::int64_t>(total, 1)),
      enabled_(enabled && ::isatty(STDERR_FILENO)),
      per_shown_unit_(per_shown_unit),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

void Progress::update(std::int64_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  draw(done);
}

void Progress::draw(std::int64_t done) {
  constexpr int kWidth = 30;
  double fraction = std::clamp(static_cast<double>(done) / total_, 0.0, 1.0);
  int filled = static_cast<int>(fraction * kWidth);
  double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double eta_s = fraction > 0.01 ? elapsed_s * (1.0 - fraction) / fraction : 0.0;
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  char counts[64];
  if (unit_.empty()) {
    std::snprintf(counts, sizeof counts, "%lld/%lld", static_cast<long long>(done),
                  static_cast<long long>(total_));
  } else {
    std::snprintf(counts, sizeof counts, "%.1f/%.1f %s", done / per_shown_unit_,
                  total_ / per_shown_unit_, unit_.c_str());
  }
  std::fprintf(stderr, "\r\033[K%s [%s] %3d%%  %s  eta %.0fs", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), counts, eta_s);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish(const std::string& summary) {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
  if (!summary.empty()) std::fprintf(stderr, "%s\n", summary.c_str());
}

}  // namespace parla::cli
