// The rig's mesh: a grid in the face frame (columns twice as dense across the mouth)
// covering the head and its falloff,
// with one row snapped onto the lip line and cut there (every cut vertex exists twice,
// once per lip) so the lips part; the strip between the two copies is the mouth
// interior. The triangulation is fixed by construction, so nothing can fold at rest.
#include <algorithm>
#include <cmath>

#include "video/rig_internal.h"

namespace parla::video {
namespace {

// Grid extent (face units) that holds every non-zero head weight plus one cell.
struct Extent {
  float left, right, top, bottom;
};

Extent grid_extent(const FaceGeometry& g, float cell) {
  // Matches head_weight(): the weight is 0 beyond 1.7x its ellipse.
  float ax = g.jaw_half_width * 1.25f * 1.7f;
  float top = -0.1f - 2.3f * 1.7f;
  float ay = (g.chin_y + 0.1f) * 1.05f;
  float bottom = -0.1f + ay * std::max(1.7f, 1.f + 0.9f / ay);
  return {-ax - cell, ax + cell, top - cell, bottom + cell};
}

bool cell_touches_eye(const Rig::Impl& rig, const std::array<Point, 4>& corners_px) {
  float x0 = corners_px[0].x, x1 = x0, y0 = corners_px[0].y, y1 = y0;
  for (const Point& p : corners_px) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  for (const EyeModel& eye : rig.eyes) {
    const auto& b = eye.bounds_px;
    if (x1 >= b[0] && x0 <= b[2] && y1 >= b[1] && y0 <= b[3]) return true;
  }
  return false;
}

}  // namespace

void build_mesh(Rig::Impl& rig, const RigParams& params) {
  const FaceGeometry& g = rig.geometry;
  const float cell = 1.f / std::max(4.f, params.grid_cells_per_unit);
  const Extent extent = grid_extent(g, cell);
  // Align a column and a row with the mouth centre so the cut row starts on the lips.
  const float x_origin = g.mouth_centre.x;
  const float y_origin = g.lip_line_y(x_origin);
  // Columns: twice as dense across the mouth, so the lip cut and the mouth opening are
  // smooth curves, easing back to the base spacing beyond the corners.
  const float fine_reach = 1.25f * g.mouth_half_width;
  auto step_at = [&](float x) {
    float beyond = std::abs(x - x_origin) - fine_reach;
    return beyond <= 0.f ? 0.5f * cell : std::min(cell, 0.5f * cell + 0.5f * beyond);
  };
  std::vector<float> xs = {x_origin};
  while (xs.front() > extent.left) xs.insert(xs.begin(), xs.front() - step_at(xs.front() - 0.5f * cell));
  while (xs.back() < extent.right) xs.push_back(xs.back() + step_at(xs.back() + 0.5f * cell));
  // At least one row above and below the cut row, whatever the geometry: the cut row
  // (and its lip sides and guards) must be a row of the grid. A lip line outside the
  // head's extent (a mirrored fit) once put it past the end of the vertex arrays.
  const int j_min = std::min(-1, -static_cast<int>(std::ceil((y_origin - extent.top) / cell)));
  const int j_max = std::max(1, static_cast<int>(std::ceil((extent.bottom - y_origin) / cell)));
  const int columns = static_cast<int>(xs.size());
  const int rows = j_max - j_min + 1;
  if (static_cast<double>(columns) * rows > 4e6) {
    throw Error("the rig's mesh would have " + std::to_string(columns) + "x" +
                std::to_string(rows) + " vertices: the face geometry is not a face's");
  }
  const int cut_row = -j_min;
  const float corner_left = g.lip_line.front().x, corner_right = g.lip_line.back().x;

  auto grid_x = [&](int column) { return xs[column]; };
  auto grid_y = [&](int row) { return y_origin + (row + j_min) * cell; };
  auto id = [&](int column, int row) { return row * columns + column; };

  rig.rest_face.assign(static_cast<size_t>(columns) * rows, Point{});
  rig.cut_pairs.clear();
  rig.lip_side.assign(rig.rest_face.size(), static_cast<std::uint8_t>(LipSide::Auto));
  rig.mouth_u.assign(rig.rest_face.size(), 0.f);
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      rig.rest_face[id(column, row)] = {grid_x(column), grid_y(row)};
    }
  }
  // The cut: columns strictly between the inner lip corners, plus the first column
  // beyond each corner, which lies on the line but is not split.
  int first_cut = columns, last_cut = -1;
  for (int column = 0; column < columns; ++column) {
    float x = grid_x(column);
    if (x > corner_left && x < corner_right) {
      first_cut = std::min(first_cut, column);
      last_cut = std::max(last_cut, column);
    }
  }
  // Bend the columns so the cut row follows the (curved, possibly tilted) lip line
  // exactly; the bend fades over kBendRows rows and a few columns beyond the corners,
  // moving each vertex less than a cell per row, so no cell inverts.
  constexpr int kBendRows = 5;
  for (int column = 0; column < columns; ++column) {
    float x = grid_x(column);
    float beyond = std::max({0.f, corner_left - x, x - corner_right});
    float fade = 1.f - smoothstep(cell, 4.f * cell, beyond);
    float bend = (g.lip_line_y(std::clamp(x, corner_left, corner_right)) - y_origin) * fade;
    for (int row = std::max(0, cut_row - kBendRows); row <= std::min(rows - 1, cut_row + kBendRows); ++row) {
      float share = 1.f - static_cast<float>(std::abs(row - cut_row)) / kBendRows;
      rig.rest_face[id(column, row)].y += bend * share;
    }
  }
  // A portrait whose lips are apart (teeth showing): the rows next to the cut follow its
  // inner lip contours across the mouth, so the teeth lie exactly between them and the
  // cut and mouthClose can cover them (teeth copies below). Never closer to the cut than
  // a quarter cell (the corners, where the opening tapers to nothing), never past the
  // rows beyond.
  const bool teeth_band = g.lips_apart(params) && cut_row >= 2 && cut_row + 2 < rows;
  if (teeth_band) {
    for (int column = first_cut; column <= last_cut; ++column) {
      float x = grid_x(column);
      float h = std::clamp(g.half_gap(x), 0.25f * cell, 1.6f * cell);
      rig.rest_face[id(column, cut_row - 1)].y = g.lip_line_y(x) - h;
      rig.rest_face[id(column, cut_row + 1)].y = g.lip_line_y(x) + h;
      // The cut itself at the bite, where the portrait's upper teeth run on below the
      // midline (FaceGeometry::cut_y), kept within the band (capped at 1.6 cells).
      rig.rest_face[id(column, cut_row)].y = std::min(g.cut_y(x), g.lip_line_y(x) + 0.75f * h);
    }
  }
  // Lip sides follow the topology: rows below the cut take the lower lip's fields.
  for (int row = cut_row + 1; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      rig.lip_side[id(column, row)] = static_cast<std::uint8_t>(LipSide::Lower);
    }
  }
  for (int row = 0; row <= cut_row; ++row) {
    for (int column = 0; column < columns; ++column) {
      rig.lip_side[id(column, row)] = static_cast<std::uint8_t>(LipSide::Upper);
    }
  }
  std::vector<int> lower_copy(columns, -1);
  const float span = std::max(1e-3f, corner_right - corner_left);
  if (last_cut >= first_cut) {
    for (int column = std::max(0, first_cut - 1); column <= std::min(columns - 1, last_cut + 1);
         ++column) {
      Point& p = rig.rest_face[id(column, cut_row)];
      float u = clamp01((p.x - corner_left) / span);
      rig.mouth_u[id(column, cut_row)] = u;
      if (column < first_cut || column > last_cut) continue;
      rig.lip_side[id(column, cut_row)] = static_cast<std::uint8_t>(LipSide::Upper);
      lower_copy[column] = static_cast<int>(rig.rest_face.size());
      rig.cut_pairs.push_back({id(column, cut_row), lower_copy[column]});
      rig.rest_face.push_back(p);
      rig.lip_side.push_back(static_cast<std::uint8_t>(LipSide::Lower));
      rig.mouth_u.push_back(u);
    }
  }

  // Teeth copies: the lip-edge rows' vertices again, for the triangles between them and
  // the cut (what the portrait shows between its lips).
  std::vector<int> upper_teeth(columns, -1), lower_teeth(columns, -1);
  rig.teeth_pairs.clear();
  if (teeth_band) {
    for (int column = first_cut; column <= last_cut; ++column) {
      for (int row : {cut_row - 1, cut_row + 1}) {
        const int original = id(column, row);
        (row < cut_row ? upper_teeth : lower_teeth)[column] = static_cast<int>(rig.rest_face.size());
        rig.teeth_pairs.push_back({original, static_cast<int>(rig.rest_face.size())});
        rig.rest_face.push_back(rig.rest_face[original]);
        rig.lip_side.push_back(rig.lip_side[original]);
        rig.mouth_u.push_back(0.f);
      }
    }
  }

  // Lip order guards for the columns around the mouth, nearest the cut first.
  rig.lip_guards.clear();
  if (last_cut >= first_cut) {
    for (int step = 1; step <= kBendRows + 2; ++step) {
      for (int column = std::max(0, first_cut - 1); column <= std::min(columns - 1, last_cut + 1); ++column) {
        int below = cut_row + step, above = cut_row - step;
        // The lip edges over the portrait's teeth close onto the cut completely (the
        // hidden teeth triangles collapse to nothing, so no sliver of teeth shows between
        // shut lips); the rest keep 30 % of their rest distance.
        const bool closes = step == 1 && upper_teeth[column] >= 0;
        const float keep = closes ? 0.0f : 0.3f;
        if (below < rows) {
          int anchor = step == 1 && lower_copy[column] >= 0 ? lower_copy[column] : id(column, below - 1);
          rig.lip_guards.push_back({id(column, below), anchor, 1, keep});
        }
        if (above >= 0) rig.lip_guards.push_back({id(column, above), id(column, above + 1), -1, keep});
      }
    }
  }

  // Per-vertex fields.
  const size_t count = rig.rest_face.size();
  rig.rest_px.resize(count);
  rig.depth.resize(count);
  rig.weight.resize(count);

  rig.basis.resize(count);

  for (size_t v = 0; v < count; ++v) {
    const Point p = rig.rest_face[v];
    rig.rest_px[v] = rig.frame.to_image(p);
    rig.depth[v] = template_depth(g, p);
    rig.weight[v] = head_weight(g, p) * rig.silhouette.head_factor(p);
    rig.basis[v] = expression_basis(g, p, static_cast<LipSide>(rig.lip_side[v]));
    // Far-field values below 1/10000 face unit are exactly zero, so the renderer can
    // tell static triangles by their vertices.
    for (Point& d : rig.basis[v]) {
      if (std::abs(d.x) < 1e-4f) d.x = 0.f;
      if (std::abs(d.y) < 1e-4f) d.y = 0.f;
    }
    if (rig.weight[v] < 1e-4f) rig.weight[v] = 0.f;
  }
  // Teeth copies sample the portrait where their lip edge has moved by mouthClose's
  // closure, so the visible teeth keep their size while the lips cover them.
  rig.slide_y.assign(count, 0.f);
  for (const auto& [original, copy] : rig.teeth_pairs) {
    const Point p = rig.rest_face[copy];
    const float distance = std::abs(p.y - g.lip_line_y(p.x));
    const float shift = g.closure_shift(p.x, distance);
    rig.slide_y[copy] = rig.lip_side[copy] == static_cast<std::uint8_t>(LipSide::Lower) ? -shift : shift;
  }
  // A cut at the bite rises to the midline as the lips shut; its copies sample the
  // portrait where they have moved, so the teeth stay in place and the lips close over
  // them from both sides.
  if (teeth_band) {
    for (const auto& [upper, lower] : rig.cut_pairs) {
      const Point p = rig.rest_face[upper];
      rig.slide_y[upper] = rig.slide_y[lower] = -g.closure_shift(p.x, std::max(0.f, p.y - g.lip_line_y(p.x)));
    }
  }
  // The lips' innermost band slides out of view as they shut: the vertices on the lips'
  // inner edges (the lip-edge rows over the portrait's teeth, else the cut itself)
  // sample the portrait kLipEdgeSlide of the lip's thickness further into the lip at
  // mouthClose 1, tapering to nothing at the corners. Where dlib laid the inner contour
  // on one lip (small or blurred faces), the teeth it left outside lie in that band;
  // elsewhere the lips' inner edges hide, as lips pressed together do.
  constexpr float kLipEdgeSlide = 0.3f;
  if (last_cut >= first_cut) {
    const float centre = 0.5f * (corner_left + corner_right), half = std::max(1e-3f, 0.5f * (corner_right - corner_left));
    for (int column = first_cut; column <= last_cut; ++column) {
      const int upper = teeth_band ? id(column, cut_row - 1) : id(column, cut_row);
      const int lower = teeth_band ? id(column, cut_row + 1) : lower_copy[column];
      const float x = rig.rest_face[upper].x;
      const float a = (x - centre) / half;
      const float taper = std::sqrt(std::max(0.f, 1.f - a * a));
      // The lip's thickness from its inner edge as meshed (the lip-edge row on the inner
      // contour, else the cut), not from the midline: over a smile's teeth the midline
      // lies half the opening further in, and a slide measured from it took 60-80 % of a
      // thin smiling lip out of view, leaving a pale sliver where the lipstick was.
      rig.slide_y[upper] = -kLipEdgeSlide * taper * std::max(0.f, rig.rest_face[upper].y - g.upper_lip_top);
      if (lower >= 0) {
        rig.slide_y[lower] = kLipEdgeSlide * taper * std::max(0.f, g.lower_lip_bottom - rig.rest_face[lower].y);
      }
    }
  }
  rig.teeth_covers.clear();
  if (teeth_band) {
    for (int column = first_cut; column <= last_cut; ++column) {
      const int upper_edge = id(column, cut_row - 1), lower_edge = id(column, cut_row + 1);
      const int cut = id(column, cut_row), lower_cut = lower_copy[column];
      const float own = rig.rest_face[lower_edge].y - rig.rest_face[upper_edge].y;
      const float opening = rig.basis[lower_cut][kJaw].y - rig.basis[cut][kJaw].y;
      if (own <= 0.f || opening <= 0.f) continue;
      const float ratio = opening / own;
      rig.teeth_covers.push_back({upper_teeth[column], upper_edge, true, ratio});
      rig.teeth_covers.push_back({cut, upper_edge, false, ratio});
      rig.teeth_covers.push_back({lower_cut, lower_edge, false, ratio});
      rig.teeth_covers.push_back({lower_teeth[column], lower_edge, true, ratio});
    }
  }
  rig.slid.clear();
  for (size_t v = 0; v < count; ++v) {
    if (rig.slide_y[v] != 0.f) rig.slid.push_back(static_cast<int>(v));
  }
  // The grid's border never moves: the warped grid then tiles the same region.
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      if (row == 0 || column == 0 || row == rows - 1 || column == columns - 1) {
        rig.weight[id(column, row)] = 0.f;
        rig.basis[id(column, row)] = {};
      }
    }
  }

  // Where the lips meet when shut: the lip-edge rows over the portrait's teeth, else the
  // cut itself; the corner column beyond each end of the cut (one vertex, upper = lower)
  // closes the line.
  rig.seam_pairs.clear();
  rig.seam_column.assign(rig.rest_face.size(), -1);
  rig.seam_core.assign(rig.rest_face.size(), 0);
  const int seam_first = first_cut - 1, seam_last = last_cut + 1;
  const bool seam = last_cut >= first_cut && seam_first >= 0 && seam_last < columns;
  if (seam) {
    for (int column = seam_first; column <= seam_last; ++column) {
      const bool cut = column >= first_cut && column <= last_cut;
      const int upper = cut && teeth_band ? id(column, cut_row - 1) : id(column, cut_row);
      const int lower = !cut ? upper : teeth_band ? id(column, cut_row + 1) : lower_copy[column];
      rig.seam_pairs.push_back({upper, lower});
    }
  }
  // The lip rows either side of the seam: the cells between each lip edge and the row
  // beyond it, and the portrait's teeth between the lip edges, which the closing lips
  // squeeze into a strip a pixel or two high: there it takes the contact line's colour
  // rather than showing as a dotted white line of triangle slivers.
  const int upper_lip_row = teeth_band ? cut_row - 2 : cut_row - 1;
  const int lower_lip_row = teeth_band ? cut_row + 1 : cut_row;
  auto seam_row = [&](int row) {
    return row == upper_lip_row || row == lower_lip_row || (teeth_band && (row == cut_row - 1 || row == cut_row));
  };

  // Triangles: two per cell, cells below the cut use the lower copies.
  rig.triangles.clear();
  rig.materials.clear();
  for (int row = 0; row + 1 < rows; ++row) {
    for (int column = 0; column + 1 < columns; ++column) {
      int v00 = id(column, row), v10 = id(column + 1, row);
      int v01 = id(column, row + 1), v11 = id(column + 1, row + 1);
      if (row == cut_row) {
        if (lower_copy[column] >= 0) v00 = lower_copy[column];
        if (lower_copy[column + 1] >= 0) v10 = lower_copy[column + 1];
        if (lower_teeth[column] >= 0) v01 = lower_teeth[column];
        if (lower_teeth[column + 1] >= 0) v11 = lower_teeth[column + 1];
      }
      if (row == cut_row - 1) {
        if (upper_teeth[column] >= 0) v00 = upper_teeth[column];
        if (upper_teeth[column + 1] >= 0) v10 = upper_teeth[column + 1];
      }
      std::array<Point, 4> corners = {rig.rest_px[v00], rig.rest_px[v10], rig.rest_px[v01],
                                      rig.rest_px[v11]};
      Material material = cell_touches_eye(rig, corners) ? Material::Eye : Material::Skin;
      if (seam && seam_row(row) && column >= seam_first && column < seam_last) {
        material = Material::Lip;
        rig.seam_column[v00] = rig.seam_column[v01] = column - seam_first;
        rig.seam_column[v10] = rig.seam_column[v11] = column + 1 - seam_first;
        if (teeth_band && (row == cut_row - 1 || row == cut_row)) {
          // The teeth copies and the cut; not the corner columns' lip-edge vertices,
          // which the lip rows share.
          for (int v : {v00, v01, v10, v11}) {
            if (v >= columns * rows || v / columns == cut_row) rig.seam_core[v] = 1;
          }
        }
      }
      rig.triangles.push_back({v00, v10, v11});
      rig.triangles.push_back({v00, v11, v01});
      rig.materials.push_back(material);
      rig.materials.push_back(material);
    }
  }
  rig.rest_area.clear();
  for (const auto& t : rig.triangles) {
    const Point a = rig.rest_face[t[0]], b = rig.rest_face[t[1]], c = rig.rest_face[t[2]];
    rig.rest_area.push_back((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
  }
  // The mouth interior strip between the upper and lower copies (zero rest area).
  if (last_cut >= first_cut) {
    for (int column = std::max(0, first_cut - 1); column <= last_cut && column + 1 < columns;
         ++column) {
      int upper_a = id(column, cut_row), upper_b = id(column + 1, cut_row);
      int lower_a = lower_copy[column] >= 0 ? lower_copy[column] : upper_a;
      int lower_b = lower_copy[column + 1] >= 0 ? lower_copy[column + 1] : upper_b;
      if (upper_b != lower_b) {
        rig.triangles.push_back({upper_a, upper_b, lower_b});
        rig.materials.push_back(Material::Mouth);
      }
      if (upper_a != lower_a) {
        rig.triangles.push_back({upper_a, lower_b, lower_a});
        rig.materials.push_back(Material::Mouth);
      }
      rig.rest_area.resize(rig.triangles.size(), 0.f);
    }
  }
}

}  // namespace parla::video
