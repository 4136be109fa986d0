// loss.csv → loss.png: a small line plot encoded by critic's in-memory PNG writer, so
// training needs no image library.
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "critic/png_encode.h"
#include "train/train.h"

namespace parla::train {
namespace {

void draw_line(Image& img, double x0, double y0, double x1, double y1,
               std::array<std::uint8_t, 3> rgb) {
  int n = static_cast<int>(std::max(std::abs(x1 - x0), std::abs(y1 - y0))) + 1;
  for (int i = 0; i <= n; ++i) {
    int x = static_cast<int>(std::lround(x0 + (x1 - x0) * i / n));
    int y = static_cast<int>(std::lround(y0 + (y1 - y0) * i / n));
    for (int dy = 0; dy < 2; ++dy) {
      if (x >= 0 && x < img.width && y + dy >= 0 && y + dy < img.height) {
        std::copy(rgb.begin(), rgb.end(), img.pixel(x, y + dy));
      }
    }
  }
}

}  // namespace

void plot_loss_csv(const std::filesystem::path& csv, const std::filesystem::path& png) {
  // Columns: step, train_loss, val_loss, ...; log10 y axis, steps on x.
  std::ifstream in(csv);
  if (!in) throw InputError("cannot read " + quoted(csv));
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::array<double, 3>> rows;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::array<double, 3> r{};
    char comma;
    if (ss >> r[0] >> comma >> r[1] >> comma >> r[2]) rows.push_back(r);
  }
  const int width = 640, height = 400, margin = 30;
  Image img(width, height);
  std::fill(img.rgb.begin(), img.rgb.end(), 255);
  draw_line(img, margin, height - margin, width - margin, height - margin, {0, 0, 0});
  draw_line(img, margin, margin, margin, height - margin, {0, 0, 0});
  if (!rows.empty()) {
    double max_step = std::max(1.0, rows.back()[0]);
    double lo = 1e9, hi = -1e9;
    for (const auto& r : rows) {
      for (int c = 1; c <= 2; ++c) {
        if (r[c] > 0) lo = std::min(lo, std::log10(r[c])), hi = std::max(hi, std::log10(r[c]));
      }
    }
    if (hi <= lo) hi = lo + 1;
    // Decade grid lines.
    for (double d = std::ceil(lo); d <= hi; d += 1) {
      double y = height - margin - (d - lo) / (hi - lo) * (height - 2 * margin);
      draw_line(img, margin, y, width - margin, y, {210, 210, 210});
    }
    auto px = [&](const std::array<double, 3>& r, int c) {
      return std::array<double, 2>{
          margin + r[0] / max_step * (width - 2 * margin),
          height - margin -
              (std::log10(std::max(r[c], 1e-12)) - lo) / (hi - lo) * (height - 2 * margin)};
    };
    const std::array<std::uint8_t, 3> colours[] = {{30, 90, 200},
                                                   {220, 60, 30}};  // train blue, val red
    for (int c = 1; c <= 2; ++c) {
      for (size_t i = 1; i < rows.size(); ++i) {
        auto a = px(rows[i - 1], c), b = px(rows[i], c);
        draw_line(img, a[0], a[1], b[0], b[1], colours[c - 1]);
      }
    }
  }
  OutputFile out(png);
  write_text_file(out.temp_path(), critic::encode_png(img));
  out.commit();
}

}  // namespace parla::train
