// The rig shaders. Colours are computed in 0..255 like the CPU renderer and divided
// by 255 on output; keep each function in step with its CPU twin named above it.
#include "player/rig_shaders.h"

namespace parla::player {

const char* const kRigVertexShader = R"(#version 330 core
layout(location = 0) in vec2 dest_px;     // output pixels, y down
layout(location = 1) in vec2 source_px;   // portrait pixels
layout(location = 2) in vec3 mouth;       // u across the mouth, px below the upper lip,
                                          // px above the lower lip
uniform vec2 output_size;
out vec2 source;
out vec3 mouth_uvg;
void main() {
  source = source_px;
  mouth_uvg = mouth;
  // Row 0 of the target is the picture's top row, like an uploaded image.
  gl_Position = vec4(dest_px / output_size * 2.0 - 1.0, 0.0, 1.0);
}
)";

namespace {
const char* const kRigFragmentBody = R"(
in vec2 source;
in vec3 mouth_uvg;
out vec4 color;

uniform sampler2D portrait;
uniform vec2 portrait_size;
uniform float px_per_unit;   // output pixels per face unit
uniform float detail_px;     // video/rig_internal.h mouth_detail_px
uniform float hairline_lip;  // video/rig_internal.h hairline_lip_share, per frame
uniform float tongue_out;
uniform float teeth_shown;   // video/rig_internal.h teeth_in_view, per frame
uniform float seam_width_px;  // video/rig_internal.h lip_seam_width
uniform vec3 seam_lip;        // video/rig_internal.h Rig::Impl::seam_lip

struct Mouth {
  vec3 cavity, teeth, tongue, lip;
  float upper_teeth_units, lower_teeth_units, teeth_edge, lower_teeth_edge, teeth_edge_reach;
};
uniform Mouth mouth;

struct Eye {
  vec2 corner, axis, normal;
  float width_px;
  float upper_a, upper_b, lower_a, lower_b;
  float lid_band_px, lash_px;
  vec3 lid_skin;
  vec2 iris;
  float iris_radius_px;
  vec3 sclera, iris_rgb;
  vec4 bounds_px;
  float blink;
  vec2 gaze_px;
};
uniform Eye eyes[2];

float clamp01(float v) { return clamp(v, 0.0, 1.0); }
float smooth_step(float e0, float e1, float x) {
  float t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3.0 - 2.0 * t);
}

// video/rig_internal.h sample_bilinear: pixel centres at +0.5, clamped to the edges.
vec3 sample_bilinear(vec2 p) {
  p -= 0.5;
  p = clamp(p, vec2(0.0), portrait_size - 1.001);
  ivec2 i0 = ivec2(p);
  vec2 f = p - vec2(i0);
  ivec2 last = ivec2(portrait_size) - 1;
  ivec2 i1 = min(i0 + 1, last);
  vec3 a = texelFetch(portrait, i0, 0).rgb;
  vec3 b = texelFetch(portrait, ivec2(i1.x, i0.y), 0).rgb;
  vec3 c = texelFetch(portrait, ivec2(i0.x, i1.y), 0).rgb;
  vec3 d = texelFetch(portrait, i1, 0).rgb;
  vec3 top = a + (b - a) * f.x;
  vec3 bottom = c + (d - c) * f.x;
  return (top + (bottom - top) * f.y) * 255.0;
}

// video/mouth.cpp shade_mouth.
vec3 shade_mouth(float u, float v, float gap_units) {
  float x = 2.0 * u - 1.0;
  float ax = abs(x);
  float y = v * gap_units;
  float above = gap_units - y;
  float aa = 1.0 / max(1.0, px_per_unit / detail_px);
  float side = 1.0 - 0.6 * x * x;
  float cy = 2.0 * v - 1.0;
  float back = clamp01(1.0 - x * x - cy * cy);
  float corner = smooth_step(0.7, 1.0, ax);
  float teeth_edge = mouth.teeth_edge * clamp01((mouth.teeth_edge_reach + 0.1 - ax) / 0.2);
  float wall_width = 0.015 + 0.2 * gap_units;
  float wall = max(corner, max((1.0 - teeth_edge) * (1.0 - smooth_step(0.0, wall_width, y)),
                               (1.0 - mouth.lower_teeth_edge) * (1.0 - smooth_step(0.0, wall_width, above))));
  vec3 rgb = mix(mouth.cavity * (1.0 - 0.55 * back), mouth.lip * (0.3 + 0.2 * v + 0.25 * corner),
                 0.85 * wall * wall);
  float under_teeth = (1.0 - smooth_step(0.0, 0.025 + aa, y)) * teeth_edge * clamp01((0.8 - ax) / 0.2) *
                      smooth_step(0.02, 0.06, gap_units);
  rgb = mix(rgb, mix(mouth.teeth, mouth.lip, 0.4) * (0.5 * side), 0.8 * under_teeth);
  float open = smooth_step(0.05, 0.25, gap_units);
  float tongue_top = gap_units * (1.0 - (0.45 * open + 0.45 * tongue_out) * (1.0 - 0.9 * x * x));
  float tongue_alpha = clamp01((y - tongue_top) / (0.02 + 2.0 * aa)) * clamp01((0.8 - ax) / 0.3);
  float lower_h = mouth.lower_teeth_units * teeth_shown * open * (1.0 - 0.45 * x * x);
  float lower_alpha = clamp01((lower_h - above) / aa + 0.5) * clamp01((0.68 - ax) / 0.2);
  if (tongue_alpha > 0.0) {
    float lit = (0.6 + 0.35 * clamp01((y - tongue_top) / (0.1 + 0.3 * gap_units))) * side;
    rgb = mix(rgb, mouth.tongue * (lit * (0.8 + 0.3 * tongue_out)),
              tongue_alpha * (1.0 - lower_alpha * (1.0 - tongue_out)));
  }
  if (lower_alpha > 0.0 && tongue_out < 1.0) {
    float edge = min(min(abs(ax - 0.14), abs(ax - 0.27)), min(abs(ax - 0.4), abs(ax - 0.53)));
    float shade = side * (0.62 - 0.17 * clamp01((lower_h - above) / (lower_h + aa))) *
                  (1.0 - 0.1 * (1.0 - smooth_step(0.0, 0.015 + 1.5 * aa, edge)));
    rgb = mix(rgb, mix(mouth.teeth, mouth.lip, 0.2) * shade, lower_alpha * (1.0 - tongue_out));
  }
  float upper_units = mouth.upper_teeth_units * teeth_shown;
  float upper_bottom = upper_units * (1.0 - 0.35 * x * x);
  float upper_alpha = clamp01((upper_bottom - y) / aa + 0.5) * clamp01((0.82 - ax) / 0.15) *
                      smooth_step(0.0, 0.01, upper_units);
  if (upper_alpha > 0.0) {
    float shade = side * (1.0 - 0.28 * (1.0 - teeth_edge) * (1.0 - smooth_step(0.0, 0.03, y)));
    float edge = min(min(ax, abs(ax - 0.19)), min(min(abs(ax - 0.35), abs(ax - 0.5)), abs(ax - 0.64)));
    shade *= 1.0 - 0.08 * (1.0 - smooth_step(0.0, 0.02 + 1.5 * aa, edge));
    rgb = mix(rgb, mouth.teeth * shade, upper_alpha);
  }
  float contact = smooth_step(0.02, 0.1, gap_units) *
                  (0.3 * (1.0 - teeth_edge) * (1.0 - smooth_step(0.0, 0.02 + 0.08 * gap_units + aa, y)) +
                   0.1 * (1.0 - mouth.lower_teeth_edge) * (1.0 - smooth_step(0.0, 0.015 + 0.05 * gap_units + aa, above)));
  return rgb * (1.0 - contact);
}

// video/eyes.cpp eye_coords / eye_point / EyeModel::upper / lower.
vec2 eye_coords(Eye e, vec2 p) {
  vec2 d = p - e.corner;
  return vec2(dot(d, e.axis) / e.width_px, dot(d, e.normal));
}
vec2 eye_point(Eye e, float u, float v) { return e.corner + e.axis * (u * e.width_px) + e.normal * v; }
float eye_upper(Eye e, float u) { return u * (1.0 - u) * (e.upper_a + e.upper_b * u); }
float eye_lower(Eye e, float u) { return u * (1.0 - u) * (e.lower_a + e.lower_b * u); }
bool eye_active(Eye e) { return e.blink > 0.0 || e.gaze_px.x != 0.0 || e.gaze_px.y != 0.0; }

// video/eyes.cpp shade_eye; false when p is outside the eye's influence.
bool shade_eye(Eye e, vec2 p, out vec3 rgb) {
  rgb = vec3(0.0);
  vec2 c = eye_coords(e, p);
  if (c.x <= 0.0 || c.x >= 1.0) return false;
  float upper = eye_upper(e, c.x), lower = eye_lower(e, c.x);
  float top = upper - e.lid_band_px;
  if (c.y < top || c.y > lower) return false;
  // Right at the corners the lid eases in, so the skin just beyond them never shears.
  float taper = smooth_step(0.0, 0.1, c.x) * smooth_step(0.0, 0.1, 1.0 - c.x);
  float lid = upper + e.blink * (lower - upper) * (taper + (1.0 - taper) * e.blink * e.blink);
  if (c.y < lid) {
    float lash = e.lash_px;
    if (c.y >= lid - lash) {
      rgb = sample_bilinear(eye_point(e, c.x, upper - (lid - c.y)));
      return true;
    }
    float source_v = top + (c.y - top) * (upper - lash - top) / max(1e-3, lid - lash - top);
    rgb = sample_bilinear(eye_point(e, c.x, source_v));
    float covering = clamp01((c.y - (upper - lash)) / max(1.0, lid - upper));
    float even = 0.6 * e.blink * covering * taper;
    float shade = 0.9 + 0.1 * (1.0 - covering);
    rgb += (e.lid_skin * shade - rgb) * even;
    return true;
  }
  rgb = sample_bilinear(p);
  if (e.gaze_px.x != 0.0 || e.gaze_px.y != 0.0) {
    float r = e.iris_radius_px;
    float a_old = clamp01(1.1 * r - distance(p, e.iris) + 0.5);
    if (a_old > 0.0) {
      float shade = 0.9 + 0.1 * sqrt(clamp01(4.0 * c.x * (1.0 - c.x)));
      rgb += (e.sclera * shade - rgb) * a_old;
    }
    vec2 moved = e.iris + e.gaze_px;
    float a_new = clamp01(r - distance(p, moved) + 0.5);
    if (a_new > 0.0) {
      vec2 s = p - e.gaze_px;
      vec2 sc = eye_coords(e, s);
      vec3 iris = e.iris_rgb;
      if (sc.x > 0.0 && sc.x < 1.0 && sc.y > eye_upper(e, sc.x) + 0.5 && sc.y < eye_lower(e, sc.x) - 0.5) {
        iris = sample_bilinear(s);
      }
      rgb += (iris - rgb) * a_new;
    }
  }
  if (e.blink > 0.0) {
    rgb *= 1.0 - 0.3 * e.blink * exp(-(c.y - lid) / max(0.6, 0.25 * (lower - upper)));
  }
  return true;
}

void main() {
  vec3 rgb;
#if MATERIAL == 1
  {
    bool shaded = false;
    for (int k = 0; k < 2 && !shaded; ++k) {
      vec4 b = eyes[k].bounds_px;
      if (eye_active(eyes[k]) && source.x >= b.x && source.x <= b.z && source.y >= b.y && source.y <= b.w) {
        shaded = shade_eye(eyes[k], source, rgb);
      }
    }
    if (!shaded) rgb = sample_bilinear(source);
  }
#elif MATERIAL == 2
  {
    // video/renderer.cpp: the interior blended into the lips over the edge pixel.
    float below_upper = max(0.0, mouth_uvg.y), above_lower = max(0.0, mouth_uvg.z);
    float g = below_upper + above_lower;
    float vv = g > 0.0 ? below_upper / g : 0.0;
    vec3 interior = shade_mouth(clamp01(mouth_uvg.x), vv, g / px_per_unit);
    float edge = min(below_upper, above_lower);
    float opening = smooth_step(0.0, 0.02, g / px_per_unit);
    float alpha = clamp01(edge / detail_px + 0.25) * opening;
    vec3 base = sample_bilinear(source);
    base += (0.65 * mouth.lip - base) * hairline_lip * (1.0 - opening);  // kHairlineLipShade
    rgb = base + (interior - base) * alpha;
  }
#elif MATERIAL == 3
  {
    // video/rig_internal.h lip_seam_colour: the line where the lips meet takes their
    // colour at its core where it is lighter than them (kSeamPullLevels 16) and darkens.
    float below = mouth_uvg.x, strength = mouth_uvg.y, blend = max(0.0, mouth_uvg.z);
    rgb = sample_bilinear(source);
    if (strength > 0.0) {
      float g = exp(-(below * below) / (seam_width_px * seam_width_px));
      float lighter = clamp01(dot(rgb - seam_lip, vec3(0.299, 0.587, 0.114)) / 16.0 + 0.5);
      rgb = (rgb + (seam_lip - rgb) * (blend * g * g * lighter)) * (1.0 - 0.35 * strength * g);
    }
  }
#else
  rgb = sample_bilinear(source);
#endif
  color = vec4(clamp(rgb, 0.0, 255.0) / 255.0, 1.0);
}
)";
}  // namespace

std::string rig_fragment_shader(int material) {
  return "#version 330 core\n#define MATERIAL " + std::to_string(material) + "\n" +
         kRigFragmentBody;
}

}  // namespace parla::player
