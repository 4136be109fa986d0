// Private to video/: the rig's data layout and the stages that build and pose it.
// Everything here is immutable after Rig construction unless a comment says otherwise.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "video/video.h"

namespace parla::video {

// Which side of the lip cut a vertex belongs to: mesh vertices on the cut exist twice.
enum class LipSide : std::uint8_t { Auto, Upper, Lower };

// Expression bases: per-vertex displacement fields (face units) mixed linearly by
// coefficients derived from the MotionFrame (see expression_coefficients).
enum Basis : int {
  kJaw, kCloseJaw, kClose, kFunnel, kPucker, kStretch, kSmile, kRollLower, kBrowInnerUp,
  kBrowDown, kBasisCount
};
using Coefficients = std::array<float, kBasisCount>;
Coefficients expression_coefficients(const MotionFrame& motion);

// Face measurements in face units (FaceFrame), from the landmarks.
struct FaceGeometry {
  Point mouth_centre;                  // mean of the outer lip points
  float mouth_half_width = 0.45f;      // half the distance between the outer corners
  std::array<Point, 5> lip_line;       // inner-lip midline, corner to corner (x ascending;
                                       // corners: open_lip_corners)
  std::array<float, 5> lip_half_gap{}; // half the portrait's own lip opening at those points
  // Where the rig cuts the lips apart at those points, as a fraction of the half gap
  // below the midline: 0 on the midline; where the portrait's upper teeth run on below it,
  // their lower edge (the bite, build_mouth), so the jaw opens below the upper teeth
  // instead of splitting them.
  std::array<float, 5> lip_cut_ratio{};
  // The share of the portrait's own lip opening that is its jaw's, 0..1 (a frame taken
  // mid-word, MouthModel::own_jaw: the dark mouth's height over the lips' gap): mouthClose
  // closes that share as a jaw closes, the lower lip and the chin rising with their
  // thickness kept and the lips meeting that far above the midline, and brings the lips
  // together over the rest (closure_shift). 0 for every other portrait.
  float jaw_share = 0.f;
  float upper_lip_top = 0.f;           // y of the upper lip's outer edge (landmark 51)
  float lower_lip_bottom = 0.f;        // y of the lower lip's outer edge (landmark 57)
  float chin_y = 1.9f;                 // landmark 8
  float jaw_half_width = 1.1f;         // half of |landmark 16 - landmark 0|
  float eye_top_y = -0.1f;             // mean y of the upper eyelid points
  float brow_y = -0.45f;               // mean y of the brows
  Point nose_tip;                      // landmark 30
  // The portrait's lips are apart (lips_apart, set by open_lip_corners): the midline and
  // the opening are curves through the five points (monotone cubics), not straight
  // segments, because mouthClose draws the shut line along them and a real mouth's
  // line has no corner under each landmark. Where the lips are shut in the picture the
  // cut stays on dlib's points, along the picture's own line.
  bool curved_lips = false;
  float lip_line_y(float x) const;     // the midline at x, constant beyond the corners
  float half_gap(float x) const;       // lip_half_gap at x, 0 beyond the corners
  float widest_half_gap() const;       // the largest of lip_half_gap (half_gap never exceeds it)
  float cut_y(float x) const;          // the cut at x: the midline, or the bite below it
  float along_lip_line(const std::array<float, 5>& values, float x) const;
  // The portrait's lips are apart (it shows teeth or an open mouth between them): the
  // widest half opening is over 0.15 of a mesh cell (RigParams), so the mesh gets its
  // teeth band and the lip line's ends may follow the dark opening (open_lip_corners).
  bool lips_apart(const RigParams& params) const;
  // How far mouthClose moves a point `distance` face units above (upper lip) or below
  // (lower lip) the midline at x towards it: the portrait's own lip opening (a smile
  // showing teeth) closes completely, the lip beyond follows, fading out within 0.3 units.
  // On a mid-word portrait (jaw_share > 0) expression_basis closes the jaw's share of the
  // opening on top of it; the teeth copies' sampling (rig_mesh.cpp) follows this alone.
  float closure_shift(float x, float distance) const;
};
FaceGeometry face_geometry(const Landmarks& face_units);

// The displacement of every basis at a point (face units) on a given side of the lip cut.
std::array<Point, kBasisCount> expression_basis(const FaceGeometry& geometry, Point p,
                                                LipSide side);
// Template depth (face units towards the camera, rotation centre at 0) and head weight.
float template_depth(const FaceGeometry& geometry, Point p);
float head_weight(const FaceGeometry& geometry, Point p);

// The portrait's face + hair + neck against its background (video/rig_silhouette.cpp):
// a signed distance to the silhouette on a grid in face units, estimated once per rig.
// The head weight falls to 0 over kSilhouetteBand inside it (the face within its
// landmark outline excepted), so the background stays still and the band absorbs the
// stretch; an unreliable estimate (background colours
// like the hair's, or too little background in the picture) leaves the weight as it was.
inline constexpr float kSilhouetteBand = 0.5f;  // face units
struct Silhouette {
  float x0 = 0.f, y0 = 0.f, step = 1.f;  // face units of sample (0, 0), sample spacing
  int width = 0, height = 0;             // samples
  std::vector<float> distance;           // face units, + inside the foreground
  std::vector<float> factor;             // head-weight factor 0..1 (see head_factor)
  float confidence = 0.f;                // 0..1: colour separation at the silhouette
  float seeds_kept = 0.f;                // 0..1: share of background seeds left background
  float crown_kept = 0.f;                // 0..1: share of the head above the brows left foreground
  bool reliable = false;                 // the head weight uses it
  float signed_distance(Point face) const;  // bilinear; 1000 when there is no estimate
  // The head weight's factor: 0 outside the silhouette, 1 deeper than kSilhouetteBand
  // inside it and on the face within its landmark outline (1 when not reliable).
  float head_factor(Point face) const;
  float sample(const std::vector<float>& grid, Point face) const;  // bilinear, clamped
};
Silhouette estimate_silhouette(const Image& portrait, const FaceFrame& frame,
                               const FaceGeometry& geometry, const Landmarks& face_units);

// Per-eye model in portrait pixels: an axis from the outer to the inner corner, lid
// contours as smooth curves over u in [0, 1], and the iris.
struct EyeModel {
  Point corner;            // u = 0 (outer corner for both eyes, landmarks 36 / 45)
  Point axis;              // unit vector along the eye, corner to corner
  Point normal;            // unit vector perpendicular, pointing down the face
  float width_px = 0.f;    // corner to corner
  // upper(u) = u(1-u)(a + b u), likewise lower; v offsets along `normal` in pixels.
  float upper_a = 0.f, upper_b = 0.f, lower_a = 0.f, lower_b = 0.f;
  float lid_band_px = 0.f; // height of lid skin above the eye that slides with a blink
  float lash_px = 1.f;     // thickness of the upper lash line, kept unstretched
  std::array<float, 3> lid_skin{};  // RGB 0..255, the lid's skin without its shadows
  Point iris;              // iris centre, portrait pixels
  float iris_radius_px = 0.f;
  std::array<float, 3> sclera{};  // RGB 0..255
  std::array<float, 3> iris_rgb{};
  std::array<float, 4> bounds_px{};  // x0, y0, x1, y1 holding every pixel shade_eye changes
  float upper(float u) const { return u * (1 - u) * (upper_a + upper_b * u); }
  float lower(float u) const { return u * (1 - u) * (lower_a + lower_b * u); }
};
EyeModel build_eye(const Image& portrait, const Landmarks& landmarks, bool subject_left);

// Per-frame eye state: lid closure 0..1 and iris offset in portrait pixels.
struct EyePose {
  float blink = 0.f;
  Point gaze_px;
  bool active() const { return blink > 0.f || gaze_px.x != 0.f || gaze_px.y != 0.f; }
};
EyePose eye_pose(const EyeModel& eye, const MotionFrame& motion, bool subject_left);
// The colour at portrait point `p` after the blink and gaze of `pose`; returns false when
// `p` is outside the eye's influence (the caller samples the portrait as usual) and
// otherwise writes the colour and returns true.
bool shade_eye(const EyeModel& eye, const EyePose& pose, const Image& portrait, Point p,
               std::array<float, 3>& rgb);

// The mean colour of the (2 radius + 1)² pixels about each of `centres` (image pixels,
// truncated), those inside the image; mid-grey if none is.
std::array<float, 3> mean_patch(const Image& image, std::initializer_list<Point> centres, int radius);
// Mouth interior colours from the portrait.
struct MouthModel {
  std::array<float, 3> cavity{};  // RGB 0..255
  std::array<float, 3> teeth{};
  std::array<float, 3> tongue{};
  std::array<float, 3> lip{};
  std::array<float, 3> skin{};  // the cheeks beside the mouth and nose
  // How much of each row of teeth to paint below the cut (face units, at a wide opening):
  // a natural row's visible height minus what the portrait already shows, none where the
  // portrait shows that row's edge above the cut or a gap without teeth.
  float upper_teeth_units = 0.f;
  float lower_teeth_units = 0.f;
  // 0..1: the portrait's upper / lower teeth run into the cut, so the interior's top /
  // bottom edge continues teeth, not a lip.
  float teeth_edge = 0.f;
  float lower_teeth_edge = 0.f;
  // The portrait's upper teeth that run into the cut span face-unit x teeth_edge_x[0] ..
  // teeth_edge_x[1] (build_mouth), which is 0 .. teeth_edge_reach of the way from the
  // mouth's centre to its corners once the lip line's ends are final (set_teeth_edge_reach):
  // beyond it the interior's top edge is a lip, not the teeth's edge.
  std::array<float, 2> teeth_edge_x{};
  float teeth_edge_reach = 0.f;
  // The portrait's own jaw opening in jawOpen units: the dark mouth it shows between its
  // lips (or teeth) over the jaw's opening per unit of jawOpen; 0 where the picture shows
  // no dark opening (lips together, or a smile's teeth together). A frame taken mid-word
  // has one; the rig reads the track's jawOpen relative to it (rig_motion).
  float own_jaw = 0.f;
};
// From the portrait, its landmarks (portrait pixels) and its face frame.
// Also finds the bite the rig cuts at (FaceGeometry::lip_cut_ratio).
MouthModel build_mouth(const Image& portrait, const Landmarks& landmarks, const FaceFrame& frame,
                       FaceGeometry& geometry);

// Interior colour at (u across the mouth 0..1, v from upper lip 0 to lower lip 1) for a
// gap of `gap_units` face units, with the tongue raised by `tongue_out` 0..1 and
// `teeth_shown` 0..1 of the painted rows in view (teeth_in_view); `px_per_unit` (pixels
// per face unit of the finest detail drawn: mouth_detail_px) sets the anti-aliasing width.
std::array<float, 3> shade_mouth(const MouthModel& mouth, float u, float v, float gap_units,
                                 float tongue_out, float teeth_shown, float px_per_unit);
// Output pixels per pixel of detail in the painted interior: 1, or the portrait's
// enlargement where it is enlarged (`scale` output pixels per portrait pixel), so the
// interior's edges are no sharper than the picture around them.
inline float mouth_detail_px(float scale) { return scale > 1.f ? scale : 1.f; }

inline float luma(float r, float g, float b) { return 0.299f * r + 0.587f * g + 0.114f * b; }
inline float luma(const std::array<float, 3>& rgb) { return luma(rgb[0], rgb[1], rgb[2]); }
inline float luma(const std::uint8_t* rgb) { return luma(rgb[0], rgb[1], rgb[2]); }

// Triangle materials.
// Lip: the lip rows either side of where the lips meet, which darken along that line
// as they press together (lip_seam), and the portrait's teeth between them.
enum class Material : std::uint8_t { Skin, Eye, Mouth, Lip };

struct Rig::Impl {
  Image portrait;
  Landmarks landmarks;
  FaceFrame frame;
  FaceGeometry geometry;
  // Mesh, rest state. Vertex positions in portrait pixels and in face units.
  std::vector<Point> rest_px;
  std::vector<Point> rest_face;
  std::vector<std::array<int, 3>> triangles;
  std::vector<Material> materials;     // per triangle
  std::vector<float> rest_area;        // per triangle, twice the signed area in face units²
  std::vector<float> depth;            // per vertex, face units
  std::vector<float> weight;           // per vertex, head weight 0..1
  std::vector<float> mouth_u;          // per vertex on the lip cut: 0..1 corner to corner
  std::vector<std::uint8_t> lip_side;  // per vertex: LipSide of cut vertices, Auto else
  std::vector<std::array<Point, kBasisCount>> basis;  // per vertex, face units
  std::vector<std::array<int, 2>> cut_pairs;           // (upper, lower) copies on the lip cut
  // Lip order guards, nearest the cut first: `vertex` stays on its side of `anchor` (its
  // neighbour toward the cut in the same column; side +1 below the cut, -1 above), at
  // least `keep` of their rest distance apart. Expressions never push a vertex past it.
  struct LipGuard {
    int vertex, anchor, side;
    float keep;
  };
  std::vector<LipGuard> lip_guards;
  // The portrait's own teeth (between its inner lip contours and the cut) are drawn by
  // their own triangles, whose lip-edge corners are copies of the lip-edge vertices:
  // posed like them, but their source slides by mouthClose x slide_y (face units) so the
  // closing lips cover the teeth instead of squashing them. (lip-edge vertex, copy).
  std::vector<std::array<int, 2>> teeth_pairs;
  // Lips closing over an open jaw cover the teeth before they meet, as a mouth's do: the
  // teeth stay with the jaws while each lip slides over its row, and the last of the
  // opening is the dark gap between the rows. The rig closes lips, teeth and gap alike,
  // so each strip of teeth (between a lip edge and the cut) takes the picture of its lip
  // instead as the lip would have passed over it (source_vertices). Per teeth-band
  // column and side: a teeth copy or cut vertex, its side's lip-edge vertex, whether it
  // is the teeth copy (covered, it samples where that lip edge does; the cut half the
  // lip-edge slide further into the lip: the lip's inner band, mirrored), and the jaw's
  // opening per unit of jawOpen over the portrait's own opening between the lip edges.
  struct TeethCover {
    int vertex, lip_edge;
    bool at_edge;
    float ratio;
  };
  std::vector<TeethCover> teeth_covers;
  std::vector<float> slide_y;          // per vertex; non-zero on teeth copies and lip edges
  std::vector<int> slid;               // the vertices whose slide_y is not zero
  // Where the lips meet when they close: per column across the mouth, plus the corner
  // column beyond each end (one vertex: upper = lower, no line), the upper and lower
  // lip-edge vertices that meet at mouthClose 1. seam_column: per vertex of a Lip
  // triangle, its index here (-1 else).
  std::vector<std::array<int, 2>> seam_pairs;
  std::vector<int> seam_column;
  // Per vertex: 1 on the portrait's teeth between the lip edges (the teeth copies and the
  // cut), whose Lip cells are the contact line's core throughout: as the lips close, the
  // whole strip takes the line's colour, not only its middle rows.
  std::vector<std::uint8_t> seam_core;
  float seam_own_dip = 0.f;  // lip_line_dip of the portrait
  // The colour the contact line's core takes (lip_seam_colour): the lips', as dark as
  // the portrait's own line where its lips touch (a drawn line stays as dark).
  std::array<float, 3> seam_lip{};
  std::array<EyeModel, 2> eyes;        // [0] subject's right (image left), [1] left
  MouthModel mouth;
  Silhouette silhouette;
};

// The motion as this portrait's rig takes it. A portrait that shows its own jaw opening
// (MouthModel::own_jaw: a frame taken mid-word) looks as it is at jawOpen = own_jaw;
// below that its lips close over the opening as mouthClose closes them (shut at
// jawOpen 0, a relaxed mouth), above it the jaw opens on from the portrait's opening.
// Every other portrait's motion is unchanged. The renderer, Rig::posed_vertices and the
// player's GL view pose and shade with this frame; the internal functions below take it.
MotionFrame rig_motion(const Rig::Impl& rig, const MotionFrame& motion);

// Builds the grid mesh (vertices, triangles, materials, lip cut) into `rig`.
void build_mesh(Rig::Impl& rig, const RigParams& params);
// Vertex positions in portrait pixels for one frame of motion.
void pose_vertices(const Rig::Impl& rig, const MotionFrame& motion, std::vector<Point>& out_px);
// Where each vertex samples the portrait for one frame of motion: its rest position,
// except the teeth copies and the lips' inner edges, which slide with mouthClose (slide_y).
void source_vertices(const Rig::Impl& rig, const MotionFrame& motion, std::vector<Point>& out_px);

// dlib's inner lip corners (60, 64) may sit inside the picture's own opening: on a wide
// smile its dark mouth runs on towards the outer corners (48, 54), where shut lips would
// leave it as dark wedges. On a portrait whose lips are apart, each end of the lip line
// moves out along the line to the outer corner for as long as the picture stays darker
// than 3/4 of the lips' luma across it (mouth.cpp); the cut, the closure and the jaw's
// lip profile then reach the real corners.
void open_lip_corners(const Image& portrait, const FaceFrame& frame, const Landmarks& face_units,
                      const MouthModel& mouth, const RigParams& params, FaceGeometry& geometry);
// MouthModel::teeth_edge_reach from teeth_edge_x and the lip line's final ends.
void set_teeth_edge_reach(MouthModel& mouth, const FaceGeometry& geometry);
// How much darker the portrait's own line between its lips is than the lips (0..1),
// along the mesh's seam columns (build_mesh first): where the lips touch in the picture,
// what the contact line stands in for as their inner bands slide away (mouth.cpp).
float lip_line_dip(const Rig::Impl& rig);
// The lips' contact line for one frame, from the posed vertices in output pixels: per
// seam column (Rig::Impl::seam_pairs), the output row where the lips meet, how strongly
// the line shows (0 apart or as the portrait has them .. 1 pressed shut) and how much
// its core takes the lips' colour (blend: where the lips touch, brought together by the
// rig or shut with their inner bands slid away, their textures meet sampled apart).
struct SeamColumn {
  float row = 0.f, strength = 0.f, blend = 0.f;
};
void lip_seam(const Rig::Impl& rig, const std::vector<Point>& dest_px, float px_per_unit, float close,
              std::vector<SeamColumn>& out);
// A Lip triangle's vertex attributes for lip_seam_colour (renderer and GL alike): output
// pixels below the contact line of its column (0 in the line's core, seam_core), the
// line's strength and blend.
inline std::array<float, 3> lip_seam_attributes(const Rig::Impl& rig, const std::vector<SeamColumn>& seam,
                                                const std::vector<Point>& dest_px, int v) {
  const SeamColumn& s = seam[static_cast<size_t>(rig.seam_column[v])];
  return {rig.seam_core[v] ? 0.f : dest_px[v].y - s.row, s.strength, s.blend};
}
// A hairline gap between lips that are apart in the portrait shows the lips' colour this
// much darker (the contact line's shade; player/rig_shaders.cpp mirrors it) as they shut.
inline constexpr float kHairlineLipShade = 0.65f;
// How much of that shade a hairline gap shows for this frame: where the portrait's lips
// are apart (the cut runs through its teeth or its open mouth: its texture there is not
// lip), in step with mouthClose shutting the lips over it; otherwise the gap shows the
// portrait along the cut (its own lip line, or its teeth while they show).
float hairline_lip_share(const Rig::Impl& rig, float mouth_close);
// How much of the painted rows of teeth a frame shows, 0..1: lips that round and push
// forward (mouthFunnel, mouthPucker) cover them, as in "oo" and "w".
float teeth_in_view(const MotionFrame& motion);
// The contact line's half-width in output pixels: 0.016 face units, and no sharper than
// the portrait itself (1.2 of its pixels, `scale` output pixels each).
inline float lip_seam_width(float px_per_unit, float scale) {
  return std::max({1.f, 0.016f * px_per_unit, 1.2f * scale});
}
// A Lip pixel `below_px` output pixels below the contact line: its core drawn by
// `blend` towards the lips' colour (`lip`: Rig::Impl::seam_lip) where it is lighter than
// that colour (fully from kSeamPullLevels / 2 luma levels lighter, not at all from as
// much darker: a lip darker than the two lips' mean, such as a dark upper lip over a
// pink lower one, keeps its own colour), then darkened by up to 35 % of `strength`,
// with Gaussians about the line. The two lips' textures meet there sampled apart (their
// inner bands slide away; a blurred picture's lip edges lie where dlib put them), and
// meet along one soft line instead of a stepped edge (player/rig_shaders.cpp mirrors it).
inline constexpr float kSeamPullLevels = 16.f;
inline void lip_seam_colour(float rgb[3], const std::array<float, 3>& lip, float below_px, float strength,
                            float blend, float width_px) {
  const float g = std::exp(-(below_px * below_px) / (width_px * width_px));
  const float lighter = std::clamp((luma(rgb[0], rgb[1], rgb[2]) - luma(lip)) / kSeamPullLevels + 0.5f, 0.f, 1.f);
  const float shade = 1.f - 0.35f * strength * g, pull = blend * g * g * lighter;
  for (int k = 0; k < 3; ++k) rgb[k] = (rgb[k] + (lip[k] - rgb[k]) * pull) * shade;
}

// A pool of worker threads running index ranges; run() blocks until all are done.
// One caller at a time.
class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Calls task(i) for i in [0, count), spread over the workers and the caller.
  void run(int count, const std::function<void(int)>& task);

 private:
  struct Shared;
  std::unique_ptr<Shared> shared_;
  std::vector<std::thread> workers_;
};

// A channel's value clamped to its range; NaN reads as 0 (neutral).
inline float channel_value(const MotionFrame& motion, Channel c) {
  const ChannelInfo& info = channel_info(c);
  float v = motion[index(c)];
  if (!(v == v)) return 0.f;
  return v < info.min ? info.min : (v > info.max ? info.max : v);
}

// Round half away from zero without a libm call (per-triangle setup is hot).
inline std::int64_t round_to_int(double v) {
  return static_cast<std::int64_t>(v < 0.0 ? v - 0.5 : v + 0.5);
}

inline float clamp01(float v) { return v < 0.f ? 0.f : (v > 1.f ? 1.f : v); }
inline float smoothstep(float edge0, float edge1, float x) {
  float t = clamp01((x - edge0) / (edge1 - edge0));
  return t * t * (3.f - 2.f * t);
}
// Bilinear sample at portrait point p (pixel centres at +0.5), clamped to the edges.
inline void sample_bilinear(const Image& image, float x, float y, float* rgb) {
  x -= 0.5f;
  y -= 0.5f;
  x = x < 0.f ? 0.f : (x > image.width - 1.001f ? image.width - 1.001f : x);
  y = y < 0.f ? 0.f : (y > image.height - 1.001f ? image.height - 1.001f : y);
  int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  float fx = x - x0, fy = y - y0;
  const std::uint8_t* a = image.pixel(x0, y0);
  const std::uint8_t* b = a + (x0 + 1 < image.width ? 3 : 0);
  const std::uint8_t* c = y0 + 1 < image.height ? a + 3 * image.width : a;
  const std::uint8_t* d = c + (b - a);
  for (int k = 0; k < 3; ++k) {
    float top = a[k] + (b[k] - a[k]) * fx;
    float bottom = c[k] + (d[k] - c[k]) * fx;
    rgb[k] = top + (bottom - top) * fy;
  }
}

}  // namespace parla::video

namespace parla::video {

// Exact triangle coverage: vertices snapped to 1/16 pixel, integer edge functions and
// a consistent tie rule, so triangles sharing an edge cover every pixel exactly once.
struct TriangleEdges {
  std::array<std::int64_t, 3> dx{}, dy{}, origin_x{}, origin_y{};  // 1/16 pixel
  std::array<double, 3> inverse{};  // 1 / (16 |dy|), 0 for horizontal edges
  std::array<bool, 3> inclusive{};
  int y_min = 0, y_max = -1;  // pixel rows whose centres may be covered (inclusive)
  bool empty = true;
};
TriangleEdges triangle_edges(Point a, Point b, Point c);
// Pixel columns [x_begin, x_end) covered in row y (centres at +0.5); false when none.
bool triangle_span(const TriangleEdges& edges, int y, int& x_begin, int& x_end);

// The same spans row after row without divisions: each edge's bound is tracked as an
// exact quotient and remainder (a DDA), so walking a triangle costs a few adds per row.
class SpanWalker {
 public:
  SpanWalker(const TriangleEdges& edges, int first_row);
  // Spans of the current row, then advances to the next row.
  bool next(int& x_begin, int& x_end);

 private:
  struct Bound {
    int kind = 0;                  // 0: horizontal edge, +1: upper bound, -1: lower bound
    std::int64_t q = 0, r = 0;     // floor(N / d) and N mod d of the edge's numerator N
    std::int64_t d = 1;            // divisor, > 0
    std::int64_t step_q = 0, step_r = 0;  // N grows by 16 dx per row
    std::int64_t c = 0, step_c = 0;       // horizontal edges: E value and its row step
    std::int64_t bias = 0;
  };
  std::array<Bound, 3> bounds_;
};

// Inline: called once per row of every moving triangle.
inline bool SpanWalker::next(int& x_begin, int& x_end) {
  std::int64_t lo = std::numeric_limits<std::int32_t>::min();
  std::int64_t hi = std::numeric_limits<std::int32_t>::max();
  bool any = true;
  for (Bound& b : bounds_) {
    if (b.kind == 0) {
      if (b.c < b.bias) any = false;
      b.c += b.step_c;
      continue;
    }
    if (b.kind > 0) hi = std::min(hi, b.q + 1);
    else lo = std::max(lo, -b.q);
    b.q += b.step_q;
    b.r += b.step_r;
    if (b.r >= b.d) b.r -= b.d, b.q += 1;
  }
  if (!any || hi <= lo) return false;
  x_begin = static_cast<int>(lo);
  x_end = static_cast<int>(hi);
  return true;
}

}  // namespace parla::video
