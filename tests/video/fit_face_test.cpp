// Face fitting with the real dlib models on the sample and the shared real portraits,
// clean failures, and the --landmarks JSON override.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/testing.h"
#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace parla {
namespace {

namespace fs = std::filesystem;

video::FaceFit fit_file(const fs::path& path) {
  return video::fit_face(video::load_image(path), path.string());
}

void expect_plausible_face(const video::FaceFit& fit, const Image& image) {
  const video::Landmarks& l = fit.landmarks;
  video::FaceFrame frame = video::face_frame(l);
  // Subject's right eye (36-41) is on the image left; the nose between the eyes and
  // the mouth; the chin lowest of the centre line.
  EXPECT_LT(l[36].x, l[45].x);
  EXPECT_GT(l[30].y, l[27].y);
  EXPECT_GT(l[57].y, l[33].y);
  EXPECT_GT(l[8].y, l[57].y);
  EXPECT_GT(frame.interocular_px, video::kMinInterocularPx);
  EXPECT_LT(std::abs(frame.angle_rad), 0.5f);
  for (const video::Point& p : l) {
    EXPECT_GE(p.x, 0.f);
    EXPECT_LE(p.x, image.width);
  }
}

TEST(FitFace, SamplePortrait) {
  fs::path path = testing::data_dir() / "sample" / "portrait.png";
  Image image = video::load_image(path);
  video::FaceFit fit = fit_file(path);
  EXPECT_EQ(fit.faces_found, 1);
  EXPECT_TRUE(fit.warning.empty());
  expect_plausible_face(fit, image);
  // The sample's face is small: ~88 px wide, ~35-45 px between the eyes.
  float iod = video::face_frame(fit.landmarks).interocular_px;
  EXPECT_GT(iod, 28.f);
  EXPECT_LT(iod, 50.f);
  // The checked-in landmarks the other video tests use are this fit.
  video::FaceFit stored = video::read_landmarks_file(testing::sample_landmarks_path(), 512, 512);
  for (int i = 0; i < video::kLandmarkCount; ++i) {
    EXPECT_NEAR(stored.landmarks[i].x, fit.landmarks[i].x, 0.6f) << "landmark " << i;
    EXPECT_NEAR(stored.landmarks[i].y, fit.landmarks[i].y, 0.6f) << "landmark " << i;
  }
}

TEST(FitFace, NoFaceFailsCleanlyNamingTheFileAndTheOverride) {
  testing::ScratchDir dir;
  fs::path path = dir / "pattern.png";
  testing::ffmpeg("-f lavfi -i testsrc=size=320x240:rate=1 -frames:v 1 " + testing::shell_quote(path.string()));
  try {
    fit_file(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("pattern.png"), std::string::npos) << what;
    EXPECT_NE(what.find("--landmarks"), std::string::npos) << what;
  }
}

TEST(FitFace, LargestOfSeveralFacesWinsWithAWarning) {
  // The sample beside a 70% copy of itself: two faces, the left one larger.
  Image sample = video::load_image(testing::data_dir() / "sample" / "portrait.png");
  Image small = video::resize(sample, 358, 358);
  Image both(512 + 358, 512);
  for (int y = 0; y < 512; ++y) {
    std::copy_n(sample.pixel(0, y), 3 * 512, both.pixel(0, y));
    if (y < 358) std::copy_n(small.pixel(0, y), 3 * 358, both.pixel(512, y));
  }
  video::FaceFit fit = video::fit_face(both, "pair.png");
  EXPECT_GE(fit.faces_found, 2);
  EXPECT_NE(fit.warning.find("largest"), std::string::npos) << fit.warning;
  EXPECT_LT(fit.landmarks[30].x, 512.f);  // the nose of the full-size face
}

TEST(FitFace, TooSmallFaceSaysTheMinimum) {
  Image image = video::load_image(testing::data_dir() / "sample" / "portrait.png");
  Image small = video::resize(image, 256, 256);  // ~19 px between the eyes
  try {
    video::fit_face(small, "small.png");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("small.png"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(int(video::kMinInterocularPx)) + " px"), std::string::npos) << what;
  }
}

TEST(LandmarksJson, RoundTripAndOverride) {
  testing::ScratchDir dir;
  video::FaceFit fit = video::read_landmarks_file(testing::sample_landmarks_path(), 512, 512);
  write_text_file(dir / "l.json", video::landmarks_to_json(fit.landmarks));
  video::FaceFit back = video::read_landmarks_file(dir / "l.json", 512, 512);
  for (int i = 0; i < video::kLandmarkCount; ++i) {
    EXPECT_NEAR(back.landmarks[i].x, fit.landmarks[i].x, 0.01f);
    EXPECT_NEAR(back.landmarks[i].y, fit.landmarks[i].y, 0.01f);
  }
  // A bare array of pairs is accepted too.
  std::string bare = "[";
  for (int i = 0; i < video::kLandmarkCount; ++i) {
    bare += (i ? "," : "") + std::string("[") + std::to_string(fit.landmarks[i].x) + "," +
            std::to_string(fit.landmarks[i].y) + "]";
  }
  EXPECT_NO_THROW(video::landmarks_from_json(bare + "]", "bare.json"));
}

TEST(LandmarksJson, BadFilesNameTheFileAndTheProblem) {
  testing::ScratchDir dir;
  auto expect_error = [&](const std::string& text, const std::string& needle) {
    write_text_file(dir / "bad.json", text);
    try {
      video::read_landmarks_file(dir / "bad.json", 512, 512);
      ADD_FAILURE() << "expected InputError for " << text;
    } catch (const InputError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find("bad.json"), std::string::npos) << what;
      EXPECT_NE(what.find(needle), std::string::npos) << what;
    }
  };
  expect_error("{", "not valid JSON");
  expect_error("{\"landmarks\": [[1, 2]]}", "68");
  std::string far = "{\"landmarks\": [";
  for (int i = 0; i < 68; ++i) far += std::string(i ? "," : "") + "[900, 10]";
  expect_error(far + "]}", "outside");
}

}  // namespace
}  // namespace parla
