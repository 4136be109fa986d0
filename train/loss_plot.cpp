// loss.csv → loss.png: a small line plot written with zlib, so training needs no
// image library.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "train/train.h"

namespace parla::train {
namespace {

void put_u32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void put_chunk(std::string& png, const char* type, const std::string& data) {
  put_u32(png, static_cast<std::uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  put_u32(png, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                                static_cast<uInt>(body.size()))));
}

std::string encode_png(const Image& image) {
  std::string raw;
  for (int y = 0; y < image.height; ++y) {
    raw.push_back('\0');  // filter: none
    raw.append(reinterpret_cast<const char*>(image.pixel(0, y)),
               static_cast<size_t>(image.width) * 3);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(size, '\0');
  compress2(reinterpret_cast<Bytef*>(packed.data()), &size,
            reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 6);
  packed.resize(size);
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  put_u32(header, static_cast<std::uint32_t>(image.width));
  put_u32(header, static_cast<std::uint32_t>(image.height));
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  return png;
}

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
  write_text_file(out.temp_path(), encode_png(img));
  out.commit();
}

}  // namespace parla::train
