// Small line plots as inline SVG for the HTML report: axes with numbered ticks and
// labels, a legend, line series (NaN breaks a line), vertical and horizontal markers,
// shaded horizontal bands and event ticks. Scales with its container (viewBox,
// width 100%). Private to critic/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parla::critic::svg {

struct Axis {
  double min = 0;
  double max = 1;
  std::string label;  // with its unit, e.g. "time (s)"
};

struct Series {
  std::string label;         // legend text; empty = not in the legend
  std::string colour;        // CSS colour
  std::vector<double> x, y;  // same length; a non-finite y breaks the line
  bool right_axis = false;   // y against Plot::y_right
  bool dashed = false;
  bool dots = false;  // a dot at every point as well
  double width = 2;   // stroke width, viewBox units
};

struct VLine {  // a vertical marker at x
  double x = 0;
  std::string colour;
  std::string label;  // legend text
  bool dashed = true;
};

struct HLine {  // a horizontal marker at y (left axis)
  double y = 0;
  std::string colour;
  std::string label;  // legend text
  bool dashed = true;
};

struct Shade {  // a band between y0 and y1 (left axis), behind everything
  double y0 = 0, y1 = 0;
  std::string colour;  // a light CSS colour
};

struct Ticks {        // short marks along the top of the plot area, one per event
  std::string label;  // legend text
  std::string colour;
  std::vector<double> x0, x1;  // event spans; x1 == x0 for a point event
};

struct Plot {
  std::string title;              // for screen readers (<title>)
  int width = 560, height = 250;  // viewBox size; the SVG scales to its container
  Axis x, y;
  std::optional<Axis> y_right;
  std::vector<Shade> shades;
  std::vector<HLine> hlines;
  std::vector<VLine> vlines;
  std::vector<Ticks> ticks;
  std::vector<Series> series;
};

std::string render_plot(const Plot& plot);

// About `max_count` round tick values (1, 2, 5 × 10^k steps) within [min, max].
std::vector<double> nice_ticks(double min, double max, int max_count);
// [min, max] widened to round numbers with a little headroom; a flat range is widened.
Axis nice_range(double min, double max, std::string label);
// & < > " ' escaped for text and attribute values in HTML and SVG.
std::string escape_xml(std::string_view text);

}  // namespace parla::critic::svg
