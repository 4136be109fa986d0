// The VQ training negatives (critic/degrade.h) on real portraits: every fault changes the
// face and mouth crops the VQ head sees, leaves the frame away from the face alone, is the
// same for the same seed and follows the face, and looks like what it claims (a tear is a
// cut, a ghost mouth adds lip edges). The contact sheet docs/critic_degradations.png is
// written by the disabled test at the bottom:
//   build/tests/critic/test_critic --gtest_also_run_disabled_tests --gtest_filter='*ContactSheet*'
#include "critic/degrade.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::critic {
namespace {

namespace fs = std::filesystem;

struct Portrait {
  std::string name;
  Image image;
  video::Landmarks landmarks;
};

const std::vector<Portrait>& portraits() {
  static const std::vector<Portrait> all = [] {
    std::vector<Portrait> v;
    for (fs::path path : {testing::data_dir() / "sample" / "portrait.png",
                          testing::shared_media_dir() / "portraits" / "obama.jpg"}) {
      Image image = video::load_image(path);
      video::FaceFit fit = video::fit_face(image, path.string());
      v.push_back({path.stem().string(), std::move(image), fit.landmarks});
    }
    return v;
  }();
  return all;
}

std::vector<Degradation> all_degradations() {
  std::vector<Degradation> v;
  for (int i = 0; i < kDegradationCount; ++i) v.push_back(static_cast<Degradation>(i));
  return v;
}

float interocular(const video::Landmarks& lm) { return video::face_frame(lm).interocular_px; }

// A square box (x0, y0, side) around landmarks [first, last), grown by `grow` of its side.
struct Square {
  float x0, y0, side;
};
Square square_around(const video::Landmarks& lm, int first, int last, float grow) {
  float x_lo = 1e9f, x_hi = -1e9f, y_lo = 1e9f, y_hi = -1e9f;
  for (int i = first; i < last; ++i) {
    x_lo = std::min(x_lo, lm[i].x), x_hi = std::max(x_hi, lm[i].x);
    y_lo = std::min(y_lo, lm[i].y), y_hi = std::max(y_hi, lm[i].y);
  }
  float side = std::max(x_hi - x_lo, y_hi - y_lo) * (1 + grow);
  return {(x_lo + x_hi - side) / 2, (y_lo + y_hi - side) / 2, side};
}

// An area-averaged size² crop of a square (what the VQ head looks at).
Image crop(const Image& img, Square sq, int size) {
  Image out(size, size);
  float step = sq.side / size;
  int taps = std::max(1, static_cast<int>(std::ceil(step)));
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      float acc[3] = {0, 0, 0};
      for (int j = 0; j < taps; ++j) {
        for (int i = 0; i < taps; ++i) {
          int sx = std::clamp(static_cast<int>(sq.x0 + (x + (i + 0.5f) / taps) * step), 0,
                              img.width - 1);
          int sy = std::clamp(static_cast<int>(sq.y0 + (y + (j + 0.5f) / taps) * step), 0,
                              img.height - 1);
          for (int c = 0; c < 3; ++c) acc[c] += img.pixel(sx, sy)[c];
        }
      }
      for (int c = 0; c < 3; ++c)
        out.pixel(x, y)[c] = static_cast<std::uint8_t>(acc[c] / (taps * taps) + 0.5f);
    }
  }
  return out;
}
Image face_crop(const Image& img, const video::Landmarks& lm) {
  return crop(img, square_around(lm, 0, 68, 0.1f), 64);
}
Image mouth_crop(const Image& img, const video::Landmarks& lm) {
  return crop(img, square_around(lm, 48, 60, 0.3f), 32);
}

double psnr(const Image& a, const Image& b) {
  double se = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    double d = double(a.rgb[i]) - b.rgb[i];
    se += d * d;
  }
  double mse = se / a.rgb.size();
  return mse == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

float luma(const Image& img, int x, int y) {
  const std::uint8_t* p = img.pixel(x, y);
  return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
}

// The most PSNR (dB) each fault may leave on the 64² face crop and the 32² mouth crop at
// strength 0.5 (clearly visible): the faults that sit near the mouth change the mouth crop
// most, the whole-face ones the face crop.
struct Bound {
  Degradation d;
  double face_db;
  double mouth_db;
};
constexpr Bound kBounds[] = {
    {Degradation::Blur, 30.5, 30.5},     {Degradation::Blocking, 32, 31.5},
    {Degradation::Noise, 32.5, 32.5},    {Degradation::Tear, 19, 21},
    {Degradation::Fold, 29, 26.5},       {Degradation::Hole, 35.5, 31.5},
    {Degradation::Smear, 32.5, 27.5},    {Degradation::GhostMouth, 37.5, 32.5},
    {Degradation::ColorShift, 25, 24.5},
};

TEST(Degrade, EveryFaultChangesTheFaceAndMouthCrops) {
  for (const Portrait& p : portraits()) {
    Image face0 = face_crop(p.image, p.landmarks), mouth0 = mouth_crop(p.image, p.landmarks);
    for (const Bound& b : kBounds) {
      for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
        double prev_face = 1e9;
        for (float strength : {0.5f, 1.f}) {
          Image out = degrade_frame(p.image, p.landmarks, b.d, strength, seed, nullptr);
          double face_db = psnr(face0, face_crop(out, p.landmarks));
          double mouth_db = psnr(mouth0, mouth_crop(out, p.landmarks));
          SCOPED_TRACE(p.name + " " + std::string(degradation_name(b.d)) + " seed " +
                       std::to_string(seed) + " strength " + std::to_string(strength));
          if (strength == 0.5f) {
            std::printf("%-8s %-12s seed %d: face %.1f dB, mouth %.1f dB\n", p.name.c_str(),
                        std::string(degradation_name(b.d)).c_str(), int(seed), face_db, mouth_db);
          }
          EXPECT_LT(face_db, b.face_db);
          EXPECT_LT(mouth_db, b.mouth_db);
          // Stronger is not milder (a little slack: a longer drag can land on similar skin).
          EXPECT_LT(face_db, prev_face + 1.0);
          prev_face = face_db;
        }
      }
    }
  }
}

TEST(Degrade, PixelsFarFromTheFaceAreUntouched) {
  for (const Portrait& p : portraits()) {
    Square face = square_around(p.landmarks, 0, 68, 0.f);
    float margin = 1.3f * interocular(p.landmarks);
    for (Degradation d : all_degradations()) {
      if (d == Degradation::Frozen) continue;
      Image out = degrade_frame(p.image, p.landmarks, d, 1.f, 9, nullptr);
      int changed_far = 0;
      for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
          bool far = x < face.x0 - margin || x > face.x0 + face.side + margin ||
                     y < face.y0 - 1.5f * margin || y > face.y0 + face.side + margin;
          if (far && !std::equal(out.pixel(x, y), out.pixel(x, y) + 3, p.image.pixel(x, y))) {
            ++changed_far;
          }
        }
      }
      EXPECT_EQ(changed_far, 0) << p.name << " " << degradation_name(d);
    }
  }
}

TEST(Degrade, SameSeedSameFaultOtherSeedElsewhere) {
  const Portrait& p = portraits()[0];
  for (Degradation d : all_degradations()) {
    Image a = degrade_frame(p.image, p.landmarks, d, 0.75f, 5, nullptr);
    Image b = degrade_frame(p.image, p.landmarks, d, 0.75f, 5, nullptr);
    EXPECT_EQ(a.rgb, b.rgb) << degradation_name(d);
    bool placed = d == Degradation::Tear || d == Degradation::Fold || d == Degradation::Hole ||
                  d == Degradation::Smear || d == Degradation::GhostMouth ||
                  d == Degradation::ColorShift || d == Degradation::Noise;
    if (placed) {
      Image c = degrade_frame(p.image, p.landmarks, d, 0.75f, 6, nullptr);
      EXPECT_NE(a.rgb, c.rgb) << degradation_name(d);
    }
  }
}

// The same seed on a later frame where the face has moved puts the same fault on the same
// part of the face (the codec grid stays put, so the face moves by whole 32-px blocks).
TEST(Degrade, TheFaultFollowsTheFace) {
  const Portrait& p = portraits()[0];
  constexpr int kShift = 32;
  Image canvas(p.image.width + kShift, p.image.height + kShift);
  Image moved = canvas;
  for (int y = 0; y < p.image.height; ++y) {
    std::copy_n(p.image.pixel(0, y), 3 * p.image.width, canvas.pixel(0, y));
    std::copy_n(p.image.pixel(0, y), 3 * p.image.width, moved.pixel(kShift, y + kShift));
  }
  video::Landmarks shifted = p.landmarks;
  for (auto& pt : shifted) pt.x += kShift, pt.y += kShift;
  for (Degradation d : all_degradations()) {
    if (d == Degradation::Frozen || d == Degradation::Noise) continue;
    Image a = degrade_frame(canvas, p.landmarks, d, 0.75f, 11, nullptr);
    Image b = degrade_frame(moved, shifted, d, 0.75f, 11, nullptr);
    double diff = 0;
    int n = 0;
    for (int y = 0; y < p.image.height; ++y) {
      for (int x = 0; x < p.image.width; ++x) {
        for (int c = 0; c < 3; ++c)
          diff += std::abs(a.pixel(x, y)[c] - b.pixel(x + kShift, y + kShift)[c]);
        n += 3;
      }
    }
    EXPECT_LT(diff / n, 0.05) << degradation_name(d);
  }
  // Noise: new grain on the moved frame, in the same place.
  Image a = degrade_frame(canvas, p.landmarks, Degradation::Noise, 0.75f, 11, nullptr);
  Image b = degrade_frame(moved, shifted, Degradation::Noise, 0.75f, 11, nullptr);
  int only_one = 0, both = 0;
  for (int y = 0; y < p.image.height; ++y) {
    for (int x = 0; x < p.image.width; ++x) {
      bool ca = !std::equal(a.pixel(x, y), a.pixel(x, y) + 3, canvas.pixel(x, y));
      bool cb = !std::equal(b.pixel(x + kShift, y + kShift), b.pixel(x + kShift, y + kShift) + 3,
                            moved.pixel(x + kShift, y + kShift));
      both += ca && cb;
      only_one += ca != cb;
    }
  }
  EXPECT_GT(both, 10000);
  EXPECT_LT(only_one, both / 20);
}

TEST(Degrade, FrozenRepeatsThePreviousFrame) {
  const Portrait& p = portraits()[0];
  Image previous = degrade_frame(p.image, p.landmarks, Degradation::Blur, 1.f, 0, nullptr);
  Image out = degrade_frame(p.image, p.landmarks, Degradation::Frozen, 0.5f, 3, &previous);
  EXPECT_EQ(out.rgb, previous.rgb);
  EXPECT_EQ(degrade_frame(p.image, p.landmarks, Degradation::Frozen, 0.5f, 3, nullptr).rgb,
            p.image.rgb);
}

// Columns of the face where an unchanged pixel sits right above a strongly changed one: a
// cut. A tear has one across the face; smooth faults (blur, smear) ramp in instead.
int cut_columns(const Image& before, const Image& after, const video::Landmarks& lm) {
  Square face = square_around(lm, 0, 68, 0.f);
  auto diff = [&](int x, int y) { return std::abs(luma(before, x, y) - luma(after, x, y)); };
  int columns = 0;
  for (int x = std::max(0, int(face.x0)); x < std::min(before.width, int(face.x0 + face.side));
       ++x) {
    for (int y = std::max(2, int(face.y0));
         y + 2 < std::min(before.height, int(face.y0 + face.side)); ++y) {
      bool still = diff(x, y) <= 1.f && diff(x, y - 1) <= 1.f;
      if (still && diff(x, y + 1) >= 25.f && diff(x, y + 2) >= 25.f) {
        ++columns;
        break;
      }
    }
  }
  return columns;
}

TEST(Degrade, TearIsACutAcrossTheFace) {
  for (const Portrait& p : portraits()) {
    float iod = interocular(p.landmarks);
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      Image tear = degrade_frame(p.image, p.landmarks, Degradation::Tear, 0.5f, seed, nullptr);
      EXPECT_GT(cut_columns(p.image, tear, p.landmarks), 1.0f * iod) << p.name << " seed " << seed;
    }
    Image blur = degrade_frame(p.image, p.landmarks, Degradation::Blur, 1.f, 1, nullptr);
    Image smear = degrade_frame(p.image, p.landmarks, Degradation::Smear, 1.f, 1, nullptr);
    EXPECT_LT(cut_columns(p.image, blur, p.landmarks), 0.2f * iod) << p.name;
    EXPECT_LT(cut_columns(p.image, smear, p.landmarks), 0.2f * iod) << p.name;
  }
}

// How much of the change a fault made near the mouth is explained by blending in a shifted
// copy of the frame, `out ≈ I + α (I(p − s) − I(p))`, at the best shift s: (explained
// fraction, |s| in pixels, α). A ghosted mouth is exactly that; other faults are not.
struct GhostFit {
  double explained = 0, shift_px = 0, alpha = 0;
};
GhostFit fit_shifted_copy(const Image& before, const Image& after, const video::Landmarks& lm) {
  Square m = square_around(lm, 48, 60, 0.f);
  float iod = interocular(lm);
  int reach = static_cast<int>(0.7f * iod);
  int x0 = std::max(reach, int(m.x0 - reach)),
      x1 = std::min(before.width - reach, int(m.x0 + m.side + reach));
  int y0 = std::max(reach, int(m.y0 - reach)),
      y1 = std::min(before.height - reach, int(m.y0 + m.side + reach));
  std::vector<std::array<int, 2>> changed;
  double total = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      float d = luma(after, x, y) - luma(before, x, y);
      if (std::abs(d) > 1.f) changed.push_back({x, y}), total += d * d;
    }
  }
  GhostFit best;
  if (total == 0) return best;
  for (int sy = -reach; sy <= reach; ++sy) {
    for (int sx = -reach; sx <= reach; ++sx) {
      if (sx * sx + sy * sy < 9) continue;
      double dg = 0, gg = 0;
      for (auto [x, y] : changed) {
        float g = luma(before, x - sx, y - sy) - luma(before, x, y);
        dg += (luma(after, x, y) - luma(before, x, y)) * g, gg += g * g;
      }
      if (gg == 0) continue;
      double explained = dg * dg / gg / total;  // 1 − residual / total at the best α
      if (explained > best.explained) best = {explained, std::hypot(sx, sy), dg / gg};
    }
  }
  return best;
}

TEST(Degrade, GhostMouthIsAShiftedHalfTransparentMouth) {
  for (const Portrait& p : portraits()) {
    float iod = interocular(p.landmarks);
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      Image out = degrade_frame(p.image, p.landmarks, Degradation::GhostMouth, 0.5f, seed, nullptr);
      GhostFit fit = fit_shifted_copy(p.image, out, p.landmarks);
      SCOPED_TRACE(p.name + " seed " + std::to_string(seed));
      std::printf("%s ghost seed %d: explained %.2f, shift %.0f px, alpha %.2f\n", p.name.c_str(),
                  int(seed), fit.explained, fit.shift_px, fit.alpha);
      EXPECT_GT(fit.explained, 0.7);
      EXPECT_GT(fit.shift_px, 0.25f * iod);
      EXPECT_GT(fit.alpha, 0.25);
      EXPECT_LT(fit.alpha, 0.9);
    }
    Image smear = degrade_frame(p.image, p.landmarks, Degradation::Smear, 0.5f, 1, nullptr);
    EXPECT_LT(fit_shifted_copy(p.image, smear, p.landmarks).explained, 0.65) << p.name;
  }
}

// A 1280×720 video frame with the face off-centre: faults land on the face only.
TEST(Degrade, WorksOnAWideVideoFrame) {
  const Portrait& p = portraits()[1];
  Image frame(1280, 720);
  std::fill(frame.rgb.begin(), frame.rgb.end(), 40);
  int ox = 700, oy = -150;  // where the portrait's (0, 0) lands
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      int sx = x - ox, sy = y - oy;
      if (sx >= 0 && sy >= 0 && sx < p.image.width && sy < p.image.height) {
        std::copy_n(p.image.pixel(sx, sy), 3, frame.pixel(x, y));
      }
    }
  }
  video::Landmarks lm = p.landmarks;
  for (auto& pt : lm) pt.x += ox, pt.y += oy;
  Image face0 = face_crop(frame, lm);
  for (Degradation d : all_degradations()) {
    if (d == Degradation::Frozen) continue;
    Image out = degrade_frame(frame, lm, d, 0.75f, 2, nullptr);
    EXPECT_LT(psnr(face0, face_crop(out, lm)), 35.0) << degradation_name(d);
    for (int y = 0; y < frame.height; y += 7) {  // the left half holds no face
      for (int x = 0; x < 500; x += 7) {
        ASSERT_TRUE(std::equal(out.pixel(x, y), out.pixel(x, y) + 3, frame.pixel(x, y)))
            << degradation_name(d);
      }
    }
  }
}

TEST(Degrade, IsFastEnoughForTrainingData) {
  const Portrait& p = portraits()[0];  // 512²
  for (Degradation d : all_degradations()) {
    constexpr int kRuns = 20;
    auto start = std::chrono::steady_clock::now();
    std::size_t sink = 0;
    for (int i = 0; i < kRuns; ++i) {
      sink += degrade_frame(p.image, p.landmarks, d, 0.75f, i, nullptr).rgb[0];
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count() /
                kRuns;
    std::printf("%-12s %.2f ms per 512^2 frame (%zu)\n", std::string(degradation_name(d)).c_str(),
                ms, sink % 2);
    EXPECT_LT(ms, 10.0) << degradation_name(d);  // ~2 ms on a quiet core; slack for a busy box
  }
}

// The VQ training's mouth jitter (train/critic_data.cpp) changes the open mouth and
// nothing else: on Obama's smile (teeth between parted lips) the inside of dlib's inner-lip
// polygon goes grey at saturation 0 and to half its light at gain 0.5; every pixel outside
// it stays as it was, and saturation 1, gain 1 changes nothing.
TEST(Degrade, RecolourMouthChangesOnlyTheOpenMouth) {
  const Portrait& p = portraits()[1];
  ASSERT_EQ(p.name, "obama");
  std::vector<char> inside(static_cast<size_t>(p.image.width) * p.image.height, 0);
  int count = 0;
  video::for_each_inner_lip_pixel(p.image.width, p.image.height, p.landmarks, [&](int x, int y) {
    inside[static_cast<size_t>(y) * p.image.width + x] = 1;
    ++count;
  });
  EXPECT_GT(count, 200) << "Obama's teeth between his lips";
  Image same = p.image;
  recolour_mouth(same, p.landmarks, 1.f, 1.f);
  EXPECT_EQ(same.rgb, p.image.rgb);
  Image grey = p.image, dark = p.image;
  recolour_mouth(grey, p.landmarks, 0.f, 1.f);
  recolour_mouth(dark, p.landmarks, 1.f, 0.5f);
  int greyed = 0;
  for (int y = 0; y < p.image.height; ++y) {
    for (int x = 0; x < p.image.width; ++x) {
      const std::uint8_t *a = p.image.pixel(x, y), *g = grey.pixel(x, y), *d = dark.pixel(x, y);
      if (!inside[static_cast<size_t>(y) * p.image.width + x]) {
        ASSERT_TRUE(std::equal(a, a + 3, g) && std::equal(a, a + 3, d)) << "outside the mouth at " << x << ", " << y;
        continue;
      }
      EXPECT_LE(std::max({g[0], g[1], g[2]}) - std::min({g[0], g[1], g[2]}), 1) << x << ", " << y;
      for (int k = 0; k < 3; ++k) EXPECT_NEAR(d[k], a[k] * 0.5f, 0.51f) << x << ", " << y;
      greyed += std::max({a[0], a[1], a[2]}) - std::min({a[0], a[1], a[2]}) > 8;
    }
  }
  EXPECT_GT(greyed, count / 4) << "the mouth had colour to lose";
}

// Grain is no fault: luma noise of the asked strength, the same on R, G and B, a pattern
// fixed by its seed (a frozen frame's copy gets the same grain) and another for another.
TEST(Degrade, GrainIsLumaNoiseOfItsStrengthAndSeed) {
  const Image& plain = portraits()[0].image;
  Image a = plain, again = plain, other = plain;
  add_grain(a, 3.f, 11);
  add_grain(again, 3.f, 11);
  add_grain(other, 3.f, 12);
  EXPECT_EQ(a.rgb, again.rgb);
  double sum = 0, sum_sq = 0, cross = 0, other_sq = 0;
  int n = 0;
  for (size_t i = 0; i + 2 < plain.rgb.size(); i += 3) {
    const auto lo = std::min({plain.rgb[i], plain.rgb[i + 1], plain.rgb[i + 2]});
    const auto hi = std::max({plain.rgb[i], plain.rgb[i + 1], plain.rgb[i + 2]});
    if (lo < 16 || hi > 239) continue;  // no clipping at 0 or 255
    const int d = a.rgb[i] - plain.rgb[i], e = other.rgb[i] - plain.rgb[i];
    for (int k = 1; k < 3; ++k) ASSERT_LE(std::abs((a.rgb[i + k] - plain.rgb[i + k]) - d), 1) << "pixel " << i / 3;
    sum += d, sum_sq += d * d, cross += d * e, other_sq += e * e;
    ++n;
  }
  ASSERT_GT(n, 100000);
  const double mean = sum / n, sigma = std::sqrt(sum_sq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.05);
  EXPECT_NEAR(sigma, 3.0, 0.15);
  EXPECT_LT(std::abs(cross / std::sqrt(sum_sq * other_sq)), 0.02) << "another seed, another pattern";
}

TEST(Degrade, NamesAreDistinct) {
  std::vector<std::string> names;
  for (Degradation d : all_degradations()) names.emplace_back(degradation_name(d));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
  EXPECT_EQ(degradation_name(Degradation::GhostMouth), "ghost_mouth");
}

// docs/critic_degradations.png: rows = the sample portrait then obama; columns = the
// original then every fault in enum order at strength 0.75, as 128² face crops.
TEST(Degrade, DISABLED_ContactSheet) {
  constexpr int kCell = 128, kGap = 4;
  int columns = kDegradationCount + 1;
  int rows = static_cast<int>(portraits().size());
  Image sheet(columns * (kCell + kGap) + kGap, rows * (kCell + kGap) + kGap);
  std::fill(sheet.rgb.begin(), sheet.rgb.end(), 255);
  for (int r = 0; r < rows; ++r) {
    const Portrait& p = portraits()[r];
    std::printf("%s: %dx%d, inter-ocular %.0f px\n", p.name.c_str(), p.image.width, p.image.height,
                interocular(p.landmarks));
    for (int c = 0; c < columns; ++c) {
      Image out = c == 0
                      ? p.image
                      : degrade_frame(p.image, p.landmarks, static_cast<Degradation>(c - 1), 0.75f,
                                      /*seed=*/r + 1, &p.image);
      Image cell = crop(out, square_around(p.landmarks, 0, 68, 0.1f), kCell);
      for (int y = 0; y < kCell; ++y) {
        std::copy_n(cell.pixel(0, y), 3 * kCell,
                    sheet.pixel(kGap + c * (kCell + kGap), kGap + r * (kCell + kGap) + y));
      }
    }
  }
  fs::path out = testing::data_dir().parent_path() / "docs" / "critic_degradations.png";
  video::save_png(sheet, out);
  std::printf("wrote %s\n", out.string().c_str());
}

}  // namespace
}  // namespace parla::critic
