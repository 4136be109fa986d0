// Private to cli: a one-line progress bar on stderr for long work, drawn only when
// stderr is a terminal (logs and pipes stay clean), throttled to ~10 updates/s.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace parla::cli {

class Progress {
 public:
  // `total` units of work (e.g. frames); `label` prefixes the bar. The counts are shown
  // divided by `per_shown_unit` and followed by `unit` when given ("12.5/60.0 s" for
  // 16 kHz samples with per_shown_unit 16000, unit "s").
  Progress(std::string label, std::int64_t total, bool enabled, double per_shown_unit = 1,
           std::string unit = "");
  ~Progress();
  void update(std::int64_t done);
  // Clears the bar and prints a summary line ("rendered 208 frames in 1.2 s (170 fps)").
  void finish(const std::string& summary);

 private:
  void draw(std::int64_t done);
  std::string label_;
  std::int64_t total_;
  bool enabled_;
  double per_shown_unit_;
  std::string unit_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace parla::cli
