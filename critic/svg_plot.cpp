// Inline SVG line plots: a legend row on top, the plot area (series clipped by a nested
// <svg>), numbered ticks on the left, bottom and optional right axis, axis labels.
#include "critic/svg_plot.h"

#include <algorithm>
#include <cmath>

#include "critic/report_common.h"

namespace parla::critic::svg {
namespace {

constexpr double kLegendRowHeight = 22;  // viewBox units
constexpr double kCharWidth = 7.4;       // mean width of a 13-unit glyph, for legend layout

std::string num(double v) { return format_string("%.1f", v); }

int tick_decimals(const std::vector<double>& ticks) {
  if (ticks.size() < 2) return 1;
  double step = std::abs(ticks[1] - ticks[0]);
  return std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 4);
}

std::string tick_label(double v, int decimals) {
  std::string s = format_string("%.*f", decimals, v);
  if (s.find_first_not_of("-0.") == std::string::npos) s = format_string("%.*f", decimals, 0.0);
  return s;
}

struct LegendItem {
  enum Kind { Line, Block } kind = Line;
  std::string label, colour;
  bool dashed = false;
};

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double min, double max, int max_count) {
  std::vector<double> ticks;
  if (!std::isfinite(min) || !std::isfinite(max) || max <= min || max_count < 2) return ticks;
  double raw = (max - min) / (max_count - 1);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  for (double v = std::ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) {
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

Axis nice_range(double min, double max, std::string label) {
  if (!std::isfinite(min) || !std::isfinite(max)) min = 0, max = 1;
  if (max - min < 1e-9) min -= 0.5, max += 0.5;
  double pad = 0.05 * (max - min);
  std::vector<double> ticks = nice_ticks(min - pad, max + pad, 6);
  double step = ticks.size() >= 2 ? ticks[1] - ticks[0] : (max - min);
  return {std::floor((min - pad) / step) * step, std::ceil((max + pad) / step) * step,
          std::move(label)};
}

std::string render_plot(const Plot& p) {
  const double w = p.width, h = p.height;
  const double left = 60, right = p.y_right ? w - 62 : w - 16;

  std::vector<LegendItem> legend;
  for (const Series& s : p.series) {
    if (!s.label.empty()) legend.push_back({LegendItem::Line, s.label, s.colour, s.dashed});
  }
  for (const VLine& v : p.vlines) {
    if (!v.label.empty()) legend.push_back({LegendItem::Line, v.label, v.colour, v.dashed});
  }
  for (const HLine& l : p.hlines) {
    if (!l.label.empty()) legend.push_back({LegendItem::Line, l.label, l.colour, l.dashed});
  }
  for (const Ticks& t : p.ticks) {
    if (!t.label.empty()) legend.push_back({LegendItem::Block, t.label, t.colour, false});
  }
  // Lay the legend out in rows that fit the width.
  std::string legend_svg;
  double lx = left, ly = 14;
  for (const LegendItem& item : legend) {
    double item_width = 26 + kCharWidth * static_cast<double>(item.label.size()) + 18;
    if (lx + item_width > w - 8 && lx > left) lx = left, ly += kLegendRowHeight;
    if (item.kind == LegendItem::Line) {
      legend_svg += "<line x1=\"" + num(lx) + "\" y1=\"" + num(ly) + "\" x2=\"" + num(lx + 20) +
                    "\" y2=\"" + num(ly) + "\" stroke=\"" + escape_xml(item.colour) +
                    "\" stroke-width=\"3\"" + (item.dashed ? " stroke-dasharray=\"5 3\"" : "") +
                    "/>";
    } else {
      legend_svg += "<rect x=\"" + num(lx + 6) + "\" y=\"" + num(ly - 6) +
                    "\" width=\"8\" height=\"12\" fill=\"" + escape_xml(item.colour) + "\"/>";
    }
    legend_svg += "<text x=\"" + num(lx + 26) + "\" y=\"" + num(ly + 4) + "\">" +
                  escape_xml(item.label) + "</text>";
    lx += item_width;
  }
  const double top = legend.empty() ? 12 : ly + 16, bottom = h - 46;
  const double pw = right - left, ph = bottom - top;
  auto sx = [&](double x) { return (x - p.x.min) / (p.x.max - p.x.min) * pw; };
  auto sy = [&](double y, const Axis& a) { return ph - (y - a.min) / (a.max - a.min) * ph; };

  std::string out = "<svg class=\"plot\" viewBox=\"0 0 " + num(w) + " " + num(h) +
                    "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>" +
                    escape_xml(p.title) + "</title>";
  out += legend_svg;

  // Plot area: everything inside is clipped by the nested <svg>.
  out += "<svg x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" +
         num(ph) + "\" overflow=\"hidden\">";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  for (const Shade& s : p.shades) {
    double y0 = sy(std::max(s.y0, s.y1), p.y), y1 = sy(std::min(s.y0, s.y1), p.y);
    out += "<rect x=\"0\" y=\"" + num(y0) + "\" width=\"" + num(pw) + "\" height=\"" +
           num(y1 - y0) + "\" fill=\"" + escape_xml(s.colour) + "\"/>";
  }
  std::vector<double> yt = nice_ticks(p.y.min, p.y.max, 6), xt = nice_ticks(p.x.min, p.x.max, 9);
  for (double v : yt) {
    out += "<line class=\"grid\" x1=\"0\" x2=\"" + num(pw) + "\" y1=\"" + num(sy(v, p.y)) +
           "\" y2=\"" + num(sy(v, p.y)) + "\"/>";
  }
  for (double v : xt) {
    out += "<line class=\"grid\" y1=\"0\" y2=\"" + num(ph) + "\" x1=\"" + num(sx(v)) + "\" x2=\"" +
           num(sx(v)) + "\"/>";
  }
  for (const HLine& l : p.hlines) {
    out += "<line x1=\"0\" x2=\"" + num(pw) + "\" y1=\"" + num(sy(l.y, p.y)) + "\" y2=\"" +
           num(sy(l.y, p.y)) + "\" stroke=\"" + escape_xml(l.colour) + "\" stroke-width=\"1.5\"" +
           (l.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
  }
  for (const VLine& v : p.vlines) {
    out += "<line y1=\"0\" y2=\"" + num(ph) + "\" x1=\"" + num(sx(v.x)) + "\" x2=\"" +
           num(sx(v.x)) + "\" stroke=\"" + escape_xml(v.colour) + "\" stroke-width=\"2\"" +
           (v.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
  }
  for (const Ticks& t : p.ticks) {
    for (size_t i = 0; i < t.x0.size() && i < t.x1.size(); ++i) {
      double x0 = sx(t.x0[i]), x1 = std::max(sx(t.x1[i]), x0 + 3);
      out += "<rect x=\"" + num(x0) + "\" y=\"0\" width=\"" + num(x1 - x0) +
             "\" height=\"12\" fill=\"" + escape_xml(t.colour) + "\"/>";
    }
  }
  for (const Series& s : p.series) {
    const Axis& a = s.right_axis && p.y_right ? *p.y_right : p.y;
    std::string d, dots;
    bool pen_down = false;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        pen_down = false;
        continue;
      }
      std::string px = num(sx(s.x[i])), py = num(sy(s.y[i], a));
      d += (pen_down ? "L" : "M") + px + " " + py;
      pen_down = true;
      if (s.dots) {
        dots += "<circle cx=\"" + px + "\" cy=\"" + py + "\" r=\"3\" fill=\"" +
                escape_xml(s.colour) + "\"/>";
      }
    }
    if (!d.empty()) {
      out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + escape_xml(s.colour) +
             "\" stroke-width=\"" + num(s.width) + "\" stroke-linejoin=\"round\"" +
             (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
    }
    out += dots;
  }
  out += "</svg>";
  out += "<rect class=\"frame\" x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) +
         "\" height=\"" + num(ph) + "\"/>";

  // Tick labels and axis labels.
  int yd = tick_decimals(yt), xd = tick_decimals(xt);
  for (double v : yt) {
    out += "<text class=\"tick\" x=\"" + num(left - 6) + "\" y=\"" + num(top + sy(v, p.y)) +
           "\" dy=\"0.35em\" text-anchor=\"end\">" + tick_label(v, yd) + "</text>";
  }
  for (double v : xt) {
    out += "<text class=\"tick\" x=\"" + num(left + sx(v)) + "\" y=\"" + num(bottom + 16) +
           "\" text-anchor=\"middle\">" + tick_label(v, xd) + "</text>";
  }
  if (p.y_right) {
    std::vector<double> rt = nice_ticks(p.y_right->min, p.y_right->max, 6);
    int rd = tick_decimals(rt);
    for (double v : rt) {
      out += "<text class=\"tick\" x=\"" + num(right + 6) + "\" y=\"" +
             num(top + sy(v, *p.y_right)) + "\" dy=\"0.35em\">" + tick_label(v, rd) + "</text>";
    }
    out += "<text class=\"axis\" transform=\"translate(" + num(w - 10) + " " + num(top + ph / 2) +
           ") rotate(90)\" text-anchor=\"middle\">" + escape_xml(p.y_right->label) + "</text>";
  }
  out += "<text class=\"axis\" x=\"" + num(left + pw / 2) + "\" y=\"" + num(h - 8) +
         "\" text-anchor=\"middle\">" + escape_xml(p.x.label) + "</text>";
  out += "<text class=\"axis\" transform=\"translate(14 " + num(top + ph / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape_xml(p.y.label) + "</text>";
  out += "</svg>";
  return out;
}

}  // namespace parla::critic::svg
