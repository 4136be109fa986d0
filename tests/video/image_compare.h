// Picture comparisons for the video tests: PSNR and per-pixel change masks.
#pragma once

#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "core/core.h"

namespace parla::testing {

// PSNR in dB over the rectangle [x0, x1) x [y0, y1) (whole image by default);
// infinity for identical pictures.
inline double psnr(const Image& a, const Image& b, int x0 = 0, int y0 = 0, int x1 = -1, int y1 = -1) {
  if (x1 < 0) x1 = a.width;
  if (y1 < 0) y1 = a.height;
  double sum = 0.0;
  long n = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      for (int k = 0; k < 3; ++k) {
        double d = double(a.pixel(x, y)[k]) - b.pixel(x, y)[k];
        sum += d * d;
        ++n;
      }
    }
  }
  if (sum == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / (sum / n));
}

// True per pixel where any channel differs by more than `threshold`.
inline std::vector<bool> changed_pixels(const Image& a, const Image& b, int threshold) {
  std::vector<bool> mask(static_cast<size_t>(a.width) * a.height, false);
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      for (int k = 0; k < 3; ++k) {
        if (std::abs(int(a.pixel(x, y)[k]) - int(b.pixel(x, y)[k])) > threshold) {
          mask[static_cast<size_t>(y) * a.width + x] = true;
        }
      }
    }
  }
  return mask;
}

}  // namespace parla::testing
