// The critic's reports: JSON (parsed back with nlohmann, every figure round-trips, NaN →
// null), the terminal text, and the HTML page opened in headless Chromium (no console
// errors, no broken image, a screenshot that is not blank). Reports are built in code:
// a few seconds of motion with speech-like jaw motion and blinks, small face thumbnails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "critic/critic.h"
#include "critic/png_encode.h"
#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::critic {
namespace {

using nlohmann::json;
using testing::ScratchDir;
namespace fs = std::filesystem;

constexpr double kPi = 3.14159265358979323846;

// A 64² cartoon face crop: skin disc, eyes, a mouth opened by `mouth_open` (0..1).
Image make_face_crop(double mouth_open, std::uint8_t shade) {
  Image image(kFaceCropSize, kFaceCropSize);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      std::uint8_t* p = image.pixel(x, y);
      double dx = (x - 32) / 24.0, dy = (y - 34) / 29.0;
      bool skin = dx * dx + dy * dy < 1;
      bool eye = (std::hypot(x - 23, y - 27) < 3.5) || (std::hypot(x - 41, y - 27) < 3.5);
      bool mouth = std::abs(x - 32) < 9 && std::abs(y - 46) < 1 + 6 * mouth_open;
      if (eye)
        p[0] = 30, p[1] = 30, p[2] = 40;
      else if (mouth)
        p[0] = 120, p[1] = 30, p[2] = 40;
      else if (skin)
        p[0] = shade, p[1] = static_cast<std::uint8_t>(shade * 0.75), p[2] = 120;
      else
        p[0] = 60, p[1] = 90, p[2] = 130;
    }
  }
  return image;
}

// 8 s: speech 0–3 s and 4.5–8 s (jaw at syllable rate, energy −25 dB), silence between
// (jaw resting, energy −70 dB, one frame of −inf); blinks at 1.2 s, 3.8 s and 6.4 s.
ScoreReport make_report(const std::string& name, float ls, float mn, float vq) {
  ScoreReport r;
  r.name = name;
  r.seconds = 8;
  r.face_coverage = 0.975;
  const int frames = 200;
  r.motion.frames.assign(frames, neutral_frame());
  for (int f = 0; f < frames; ++f) {
    double seconds = f / kMotionFps;
    bool speech = seconds < 3 || seconds >= 4.5;
    MotionFrame& m = r.motion.frames[f];
    m[index(Channel::JawOpen)] = static_cast<float>(
        0.05 + (speech ? 0.4 * std::max(0.0, std::sin(2 * kPi * 4 * seconds)) : 0.0));
    m[index(Channel::HeadYaw)] = static_cast<float>(0.08 * std::sin(2 * kPi * 0.3 * seconds));
    r.energy_db.push_back(
        static_cast<float>(speech ? -25 + 8 * std::sin(2 * kPi * 4 * seconds) : -70));
  }
  r.energy_db[100] = -INFINITY;
  for (int start : {30, 95, 160}) {
    const float lid[] = {0.4f, 0.9f, 1.0f, 0.8f, 0.3f};
    for (int i = 0; i < 5; ++i) {
      r.motion.frames[start + i][index(Channel::EyeBlinkLeft)] = lid[i];
      r.motion.frames[start + i][index(Channel::EyeBlinkRight)] = lid[i] * 0.95f;
    }
  }
  r.ls.score = ls;
  r.ls.offset_frames = 1;
  for (int o = -kMaxOffsetFrames; o <= kMaxOffsetFrames; ++o) {
    r.ls.offset_curve.push_back(
        static_cast<float>(13.9 - 7.1 * std::exp(-(o - 1) * (o - 1) / 6.0) + 0.1 * std::sin(o)));
  }
  r.ls.min_distance = *std::min_element(r.ls.offset_curve.begin(), r.ls.offset_curve.end());
  r.ls.distance_at_zero = r.ls.offset_curve[kMaxOffsetFrames];
  r.ls.confidence = 13.9f - r.ls.min_distance;
  r.ls.per_second_score = {ls + 3, ls + 5, ls - 2, ls - 30, ls + 1, ls - 9, ls + 4, ls + 2};
  r.ls.per_second_confidence = {7.4f, 7.9f, 6.8f, 1.2f, 7.1f, 5.3f, 7.6f, 7.5f};
  r.ls.per_second_offset = {1, 1, 0, 6, 1, 2, 1, 1};
  r.mn.score = mn;
  r.mn.per_second_score = {mn, mn + 4, mn - 3, mn - 12, mn + 2, mn - 18, mn + 5, mn + 3};
  r.mn.stats = {.blinks_per_minute = 22.5,
                .head_energy = 0.0123,
                .head_jerk = 1.87,
                .stillness_in_silence = 0.42,
                .head_prosody_correlation = 0.31,
                .mouth_in_silence = 0.05};
  r.vq = VqResult{.score = vq,
                  .per_second_score = {vq, vq - 2, vq + 1, vq - 4, vq, vq - 25, vq + 2, vq},
                  .flicker = 1.75f,
                  .worst_frames = {130, 80, 140}};
  for (int i = 0; i < 3; ++i) {
    r.thumbnails.emplace_back(
        r.vq->worst_frames[i],
        make_face_crop(0.2 + 0.3 * i, static_cast<std::uint8_t>(200 + 20 * i)));
  }
  r.worst_seconds = {5, 3, 2};
  return r;
}

json parse(const std::string& text) {
  json j = json::parse(text);  // throws (fails the test) on invalid JSON
  return j;
}

TEST(ReportJson, HoldsEveryFigureOfOneReport) {
  ScoreReport r = make_report("talk.mp4", 82.4f, 71.0f, 88.25f);
  json j = parse(report_to_json({&r, 1}));
  EXPECT_EQ(j["schema"], "parla.score/1");
  EXPECT_EQ(j["name"], "talk.mp4");
  EXPECT_DOUBLE_EQ(j["seconds"].get<double>(), 8);
  EXPECT_DOUBLE_EQ(j["face_coverage"].get<double>(), 0.975);
  EXPECT_FLOAT_EQ(j["scores"]["ls"].get<float>(), 82.4f);
  EXPECT_FLOAT_EQ(j["scores"]["mn"].get<float>(), 71.0f);
  EXPECT_FLOAT_EQ(j["scores"]["vq"].get<float>(), 88.25f);
  EXPECT_NEAR(j["scores"]["mean"].get<double>(), (82.4 + 71.0 + 88.25) / 3, 1e-4);

  const json& ls = j["ls"];
  EXPECT_EQ(ls["offset_frames"], 1);
  EXPECT_DOUBLE_EQ(ls["offset_seconds"].get<double>(), 0.04);
  EXPECT_FLOAT_EQ(ls["confidence"].get<float>(), r.ls.confidence);
  EXPECT_FLOAT_EQ(ls["min_distance"].get<float>(), r.ls.min_distance);
  EXPECT_FLOAT_EQ(ls["distance_at_zero"].get<float>(), r.ls.distance_at_zero);
  ASSERT_EQ(ls["offset_curve"]["offset_frames"].size(), 31u);
  ASSERT_EQ(ls["offset_curve"]["distance"].size(), 31u);
  for (int i = 0; i < 31; ++i) {
    EXPECT_EQ(ls["offset_curve"]["offset_frames"][i], i - 15);
    EXPECT_FLOAT_EQ(ls["offset_curve"]["distance"][i].get<float>(), r.ls.offset_curve[i]);
  }

  const json& t = j["timeline"];
  ASSERT_EQ(t["ls"].size(), 8u);
  ASSERT_EQ(t["mn"].size(), 8u);
  ASSERT_EQ(t["vq"].size(), 8u);
  ASSERT_EQ(t["mean"].size(), 8u);
  for (int s = 0; s < 8; ++s) {
    EXPECT_NEAR(t["ls"][s].get<double>(), r.ls.per_second_score[s], 0.005);
    EXPECT_NEAR(t["mn"][s].get<double>(), r.mn.per_second_score[s], 0.005);
    EXPECT_NEAR(t["vq"][s].get<double>(), r.vq->per_second_score[s], 0.005);
    EXPECT_NEAR(t["ls_confidence"][s].get<double>(), r.ls.per_second_confidence[s], 0.0005);
    EXPECT_EQ(t["ls_offset_frames"][s], r.ls.per_second_offset[s]);
    double mean =
        (r.ls.per_second_score[s] + r.mn.per_second_score[s] + r.vq->per_second_score[s]) / 3.0;
    EXPECT_NEAR(t["mean"][s].get<double>(), mean, 0.005);
  }

  const json& stats = j["mn"]["stats"];
  EXPECT_FLOAT_EQ(j["mn"]["score"].get<float>(), 71.0f);
  EXPECT_DOUBLE_EQ(stats["blinks_per_minute"].get<double>(), 22.5);
  EXPECT_DOUBLE_EQ(stats["head_energy"].get<double>(), 0.0123);
  EXPECT_DOUBLE_EQ(stats["head_jerk"].get<double>(), 1.87);
  EXPECT_DOUBLE_EQ(stats["stillness_in_silence"].get<double>(), 0.42);
  EXPECT_DOUBLE_EQ(stats["head_prosody_correlation"].get<double>(), 0.31);
  EXPECT_DOUBLE_EQ(stats["mouth_in_silence"].get<double>(), 0.05);
  EXPECT_FLOAT_EQ(j["vq"]["flicker"].get<float>(), 1.75f);
  EXPECT_EQ(j["vq"]["worst_frames"], json({130, 80, 140}));
  EXPECT_EQ(j["worst_seconds"], json({5, 3, 2}));
  EXPECT_EQ(j["thumbnail_frames"], json({130, 80, 140}));

  // Motion: only the compact jawOpen / blink timeline and the energy, never 20 channels.
  const json& m = j["motion"];
  EXPECT_DOUBLE_EQ(m["fps"].get<double>(), 25);
  EXPECT_EQ(m["frames"], 200);
  ASSERT_EQ(m["jaw_open"].size(), 200u);
  ASSERT_EQ(m["eye_blink"].size(), 200u);
  ASSERT_EQ(m["energy_db"].size(), 200u);
  for (int f = 0; f < 200; f += 7) {
    EXPECT_NEAR(m["jaw_open"][f].get<double>(), r.motion.frames[f][0], 0.0005);
  }
  EXPECT_NEAR(m["eye_blink"][32].get<double>(), 1.0, 1e-9);
  EXPECT_EQ(m["blinks"], json({{31, 33}, {96, 98}, {161, 163}}));  // lid > 0.5
  EXPECT_TRUE(m["energy_db"][100].is_null());                      // −inf
  EXPECT_NEAR(m["energy_db"][90].get<double>(), -70, 0.05);
  EXPECT_FALSE(m.contains("channels"));
}

TEST(ReportJson, WritesNullForNonFiniteNumbers) {
  ScoreReport r = make_report("odd_figures.mp4", 80, 70, 60);
  r.ls.score = NAN;
  r.ls.confidence = INFINITY;
  r.ls.offset_curve[3] = NAN;
  r.mn.stats.head_prosody_correlation = NAN;
  r.mn.per_second_score[2] = -INFINITY;
  r.motion.frames[10][0] = NAN;
  r.vq.reset();
  std::string text = report_to_json({&r, 1});
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);
  json j = parse(text);
  EXPECT_TRUE(j["scores"]["ls"].is_null());
  EXPECT_TRUE(j["ls"]["confidence"].is_null());
  EXPECT_TRUE(j["ls"]["offset_curve"]["distance"][3].is_null());
  EXPECT_FLOAT_EQ(j["ls"]["offset_curve"]["distance"][4].get<float>(), r.ls.offset_curve[4]);
  EXPECT_TRUE(j["mn"]["stats"]["head_prosody_correlation"].is_null());
  EXPECT_TRUE(j["timeline"]["mn"][2].is_null());
  EXPECT_TRUE(j["motion"]["jaw_open"][10].is_null());
  EXPECT_TRUE(j["vq"].is_null());
  EXPECT_TRUE(j["scores"]["vq"].is_null());
  EXPECT_TRUE(j["timeline"]["vq"].is_null());
  EXPECT_FLOAT_EQ(j["scores"]["mean"].get<float>(), 70.0f);  // MN alone is finite
}

TEST(ReportJson, SeveralReportsAreRankedByMeanScore) {
  std::vector<ScoreReport> reports = {make_report("middle.mp4", 70, 70, 70),
                                      make_report("best.mp4", 90, 85, 95),
                                      make_report("worst.mp4", 30, 40, 50)};
  json j = parse(report_to_json(reports));
  EXPECT_EQ(j["schema"], "parla.score/1");
  ASSERT_EQ(j["videos"].size(), 3u);
  EXPECT_EQ(j["videos"][0]["name"], "middle.mp4");
  EXPECT_EQ(j["videos"][1]["schema"], "parla.score/1");
  EXPECT_EQ(j["ranking"], json({"best.mp4", "middle.mp4", "worst.mp4"}));
}

TEST(ReportJson, NamesThatAreNotUtf8StillGiveValidJson) {
  ScoreReport r = make_report("caf\xe9 \"quoted\".mp4", 80, 70, 60);
  json j = parse(report_to_json({&r, 1}));
  EXPECT_NE(j["name"].get<std::string>().find("\"quoted\""), std::string::npos);
}

TEST(ReportText, OneReportNamesTheScoresAndFigures) {
  ScoreReport r = make_report("talk.mp4", 82.4f, 71.0f, 45.0f);
  std::string text = report_to_text({&r, 1});
  for (const char* expected : {"talk.mp4",
                               "LS",
                               "lip sync",
                               "82.4",
                               "good",
                               "MN",
                               "motion naturalness",
                               "71.0",
                               "fair",
                               "VQ",
                               "visual quality",
                               "45.0",
                               "poor",
                               "0–100",
                               "+1 frame (+40 ms)",
                               "LSE-C",
                               "LSE-D",
                               "22.5 /min",
                               "stillness in silence 0.42",
                               "worst seconds",
                               "0:05"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing '" << expected << "' in\n"
                                                      << text;
  }
}

TEST(ReportText, SeveralReportsGiveARankingTable) {
  std::vector<ScoreReport> reports = {make_report("b.mp4", 70, 70, 70),
                                      make_report("a.mp4", 90, 85, 95)};
  reports[0].vq.reset();
  std::string text = report_to_text(reports);
  size_t a = text.find("a.mp4"), b = text.find("b.mp4");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(a, b) << text;
  EXPECT_NE(text.find("rank"), std::string::npos);
  EXPECT_NE(text.find("90.0"), std::string::npos) << text;
}

TEST(ReportPng, ThumbnailsDecodeBackToTheSamePixels) {
  ScratchDir dir;
  Image image = make_face_crop(0.5, 210);
  image.pixel(5, 7)[1] = 255;
  std::string png = encode_png(image);
  std::ofstream(dir / "t.png", std::ios::binary) << png;
  Image back = video::load_image(dir / "t.png");
  ASSERT_EQ(back.width, image.width);
  ASSERT_EQ(back.height, image.height);
  EXPECT_EQ(back.rgb, image.rgb);
  EXPECT_EQ(base64_encode("Man"), "TWFu");
  EXPECT_EQ(base64_encode("Ma"), "TWE=");
  EXPECT_EQ(base64_encode("M"), "TQ==");
  EXPECT_TRUE(encode_png(Image()).empty());
}

TEST(ReportHtml, IsSelfContainedAndEscapesNames) {
  ScoreReport r = make_report("<script>alert('x')</script> & \"q\".mp4", 82, 71, 88);
  std::string html = report_to_html({&r, 1});
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;.mp4"),
            std::string::npos);
  for (const char* remote : {"src=\"http", "href=\"http", "@import", "url(", "<link"}) {
    EXPECT_EQ(html.find(remote), std::string::npos) << remote;
  }
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<svg class=\"plot\""), 3u);  // timeline, offset curve, jaw vs energy
  EXPECT_EQ(count("src=\"data:image/png;base64,"), 3u);
  EXPECT_EQ(count("<section"), 1u);

  std::vector<ScoreReport> several = {r, make_report("second.mp4", 40, 50, 60)};
  several[1].vq.reset();
  several[1].thumbnails.clear();
  std::string page = report_to_html(several);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_LT(page.find("Ranking"), page.find("id=\"video-1\""));
  EXPECT_NE(page.find("href=\"#video-2\""), std::string::npos);
}

// ---------------------------------------------------------------------------------
// Headless Chromium: the page loads with no console message (no script error, no
// failed resource), every <img> decodes, and the screenshot shows the page.

std::string chromium_binary() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    auto r = testing::run_command(std::string("command -v ") + name);
    if (r.exit_code == 0) return name;
  }
  return {};
}

// Injected before anything else in <head>: reports resource errors and undecodable
// images through console.error, then one "PARLA_CHECK loaded" line that proves it ran.
constexpr char kHarness[] = R"js(<script>(function(){
window.addEventListener('error',function(e){var t=e.target;if(t&&t!==window&&t.tagName){
console.error('PARLA_CHECK resource error '+t.tagName);}},true);
window.addEventListener('load',function(){var imgs=document.images,broken=0;
for(var i=0;i<imgs.length;i++){if(!(imgs[i].complete&&imgs[i].naturalWidth>0)){broken++;
console.error('PARLA_CHECK broken image '+(imgs[i].alt||i));}}
var plots=document.querySelectorAll('svg.plot'),small=0;
for(var j=0;j<plots.length;j++){var b=plots[j].getBoundingClientRect();if(b.width<200||b.height<80)small++;}
console.log('PARLA_CHECK loaded images='+imgs.length+' broken='+broken+' plots='+plots.length+' small='+small);});
})();</script>)js";

struct PageCheck {
  bool loaded = false;              // the harness's load line was seen
  std::vector<std::string> errors;  // console lines other than the harness's load line
  std::string summary;              // the harness's load line
  Image screenshot;                 // empty when Chromium wrote none
  std::string log;                  // everything Chromium printed
};

PageCheck open_in_chromium(const std::string& html, const ScratchDir& dir,
                           const std::string& stem) {
  std::string checked = html;
  size_t head = checked.find("<head>");
  checked.insert(head == std::string::npos ? 0 : head + 6, kHarness);
  fs::path page = dir / (stem + ".html"), shot = dir / (stem + ".png");
  std::ofstream(page, std::ios::binary) << checked;
  fs::create_directories(dir / "home");
  std::string command = "HOME=" + testing::shell_quote((dir / "home").string()) + " timeout 120 " +
                        chromium_binary() +
                        " --headless --no-sandbox --disable-gpu --hide-scrollbars"
                        " --no-first-run --user-data-dir=" +
                        testing::shell_quote((dir / "profile").string()) +
                        " --window-size=1280,900 --enable-logging=stderr --v=0 --screenshot=" +
                        testing::shell_quote(shot.string()) + " " +
                        testing::shell_quote("file://" + page.string());
  PageCheck result;
  result.log = testing::run_command(command).output;
  std::istringstream lines(result.log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("CONSOLE") == std::string::npos) continue;
    if (line.find("PARLA_CHECK loaded") != std::string::npos) {
      result.loaded = true;
      result.summary = line;
    } else {
      result.errors.push_back(line);
    }
  }
  if (fs::exists(shot)) result.screenshot = video::load_image(shot);
  if (const char* keep = std::getenv("PARLA_REPORT_KEEP")) {  // for looking at the page
    fs::copy_file(page, fs::path(keep) / page.filename(), fs::copy_options::overwrite_existing);
    if (fs::exists(shot)) {
      fs::copy_file(shot, fs::path(keep) / shot.filename(), fs::copy_options::overwrite_existing);
    }
  }
  return result;
}

// Pixels far from the most common colour (the page background), as a fraction.
double non_background_fraction(const Image& image) {
  std::map<std::uint32_t, size_t> counts;
  for (size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    ++counts[(image.rgb[i] << 16) | (image.rgb[i + 1] << 8) | image.rgb[i + 2]];
  }
  if (counts.empty()) return 0;
  std::uint32_t bg = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                       return a.second < b.second;
                     })->first;
  size_t far = 0;
  for (size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    int d = std::abs(image.rgb[i] - static_cast<int>(bg >> 16)) +
            std::abs(image.rgb[i + 1] - static_cast<int>((bg >> 8) & 255)) +
            std::abs(image.rgb[i + 2] - static_cast<int>(bg & 255));
    if (d > 60) ++far;
  }
  return static_cast<double>(far) / (image.rgb.size() / 3);
}

// Pixels within `tolerance` (sum of channel differences) of a colour.
size_t pixels_near(const Image& image, int r, int g, int b, int tolerance = 30) {
  size_t n = 0;
  for (size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    if (std::abs(image.rgb[i] - r) + std::abs(image.rgb[i + 1] - g) +
            std::abs(image.rgb[i + 2] - b) <=
        tolerance) {
      ++n;
    }
  }
  return n;
}

// Distinct colours after quantising each channel to 16 levels.
size_t colour_variety(const Image& image) {
  std::set<int> seen;
  for (size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    seen.insert(((image.rgb[i] >> 4) << 8) | ((image.rgb[i + 1] >> 4) << 4) |
                (image.rgb[i + 2] >> 4));
  }
  return seen.size();
}

#define REQUIRE_CHROMIUM()                                                      \
  if (chromium_binary().empty()) {                                              \
    GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)"; \
  }

TEST(ReportHtml, LoadsInHeadlessChromiumWithoutErrorsAndIsNotBlank) {
  REQUIRE_CHROMIUM();
  ScratchDir dir;
  ScoreReport r = make_report("talk <1>.mp4", 86.5f, 64.0f, 41.0f);  // one tile per band
  PageCheck page = open_in_chromium(report_to_html({&r, 1}), dir, "report");
  ASSERT_TRUE(page.loaded) << page.log;
  EXPECT_TRUE(page.errors.empty()) << page.errors.front();
  EXPECT_NE(page.summary.find("images=3 broken=0 plots=3 small=0"), std::string::npos)
      << page.summary;
  ASSERT_EQ(page.screenshot.width, 1280);
  EXPECT_GT(non_background_fraction(page.screenshot), 0.15);
  EXPECT_GT(colour_variety(page.screenshot), 40u);
  EXPECT_GT(pixels_near(page.screenshot, 0x15, 0x80, 0x3d), 5000u);  // the green "good" tile
  EXPECT_GT(pixels_near(page.screenshot, 0xb4, 0x53, 0x09), 5000u);  // the amber "fair" tile
  EXPECT_GT(pixels_near(page.screenshot, 0xb9, 0x1c, 0x1c), 5000u);  // the red "poor" tile
}

TEST(ReportHtml, SeveralReportsLoadInHeadlessChromium) {
  REQUIRE_CHROMIUM();
  ScratchDir dir;
  std::vector<ScoreReport> reports = {make_report("render_a.mp4", 72, 70, 75),
                                      make_report("real & true.mp4", 91, 88, 93),
                                      make_report("motion_only.json", 35, 52, 0)};
  reports[2].vq.reset();
  reports[2].thumbnails.clear();
  PageCheck page = open_in_chromium(report_to_html(reports), dir, "ranking");
  ASSERT_TRUE(page.loaded) << page.log;
  EXPECT_TRUE(page.errors.empty()) << page.errors.front();
  EXPECT_NE(page.summary.find("images=6 broken=0 plots=9 small=0"), std::string::npos)
      << page.summary;
  EXPECT_GT(non_background_fraction(page.screenshot), 0.10);
}

// The check above must fail on a broken page: a script error, an undecodable image and
// a blank page are each caught.
TEST(ReportHtml, ChromiumCheckCatchesBrokenPages) {
  REQUIRE_CHROMIUM();
  ScratchDir dir;
  std::string head = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>";
  PageCheck script = open_in_chromium(
      head + "<h1>x</h1><script>document.body.appendChild(undefinedThing);</script></body></html>",
      dir, "script");
  ASSERT_TRUE(script.loaded) << script.log;
  ASSERT_FALSE(script.errors.empty());
  EXPECT_NE(script.errors.front().find("undefinedThing"), std::string::npos)
      << script.errors.front();

  PageCheck image = open_in_chromium(
      head + "<img alt=\"bad\" src=\"data:image/png;base64,iVBORw0KGgoAAAAA\"></body></html>", dir,
      "image");
  ASSERT_TRUE(image.loaded) << image.log;
  ASSERT_FALSE(image.errors.empty());
  EXPECT_NE(image.summary.find("broken=1"), std::string::npos) << image.summary;

  PageCheck blank = open_in_chromium(head + "</body></html>", dir, "blank");
  ASSERT_TRUE(blank.loaded) << blank.log;
  EXPECT_TRUE(blank.errors.empty());
  EXPECT_LT(non_background_fraction(blank.screenshot), 0.01);
  EXPECT_LT(colour_variety(blank.screenshot), 5u);
}

}  // namespace
}  // namespace parla::critic
