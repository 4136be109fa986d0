// A phone photo stored sideways with an EXIF orientation tag (issue #15): load_image
// turns it upright, so `parla fit` finds the same face as in the upright picture; the
// same JPEG without the tag shows the face sideways (dlib finds none).
#include <gtest/gtest.h>

#include <fstream>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

// `jpeg` with an EXIF APP1 segment holding only Orientation = `orientation`.
std::string with_orientation(const std::string& jpeg, int orientation) {
  std::string ifd = {1, 0,                                   // one entry (little-endian)
                     0x12, 0x01, 3, 0, 1, 0, 0, 0,            // tag 0x0112, SHORT, count 1
                     static_cast<char>(orientation), 0, 0, 0,  // value
                     0, 0, 0, 0};                              // no next IFD
  std::string app1 = std::string("Exif\0\0", 6) + std::string("II*\0\x08\0\0\0", 8) + ifd;
  std::string segment = "\xFF\xE1";
  segment += static_cast<char>((app1.size() + 2) >> 8);
  segment += static_cast<char>((app1.size() + 2) & 0xFF);
  return jpeg.substr(0, 2) + segment + app1 + jpeg.substr(2);
}

TEST(PortraitOrientation, ExifRotatedPhotoIsFittedUpright) {
  ScratchDir dir;
  const fs::path sideways = dir / "sideways.jpg", tagged = dir / "phone.jpg";
  // The sample turned 90 degrees counter-clockwise, as a phone stores a portrait shot;
  // orientation 6 says "rotate 90 degrees clockwise to display".
  parla::testing::ffmpeg("-i " + shell_quote((parla::testing::data_dir() / "sample" / "portrait.png").string()) +
                         " -vf transpose=2 -q:v 2 " + shell_quote(sideways.string()));
  std::ifstream in(sideways, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(tagged, std::ios::binary) << with_orientation(bytes, 6);

  const std::string exe = shell_quote(parla::testing::parla_executable().string());
  auto untagged = parla::testing::run_command(exe + " fit " + shell_quote(sideways.string()) + " -o " +
                                              shell_quote((dir / "a.json").string()));
  EXPECT_EQ(untagged.exit_code, 2) << untagged.output;  // the premise: sideways has no face
  auto upright = parla::testing::run_command(exe + " fit " + shell_quote(tagged.string()) + " -o " +
                                             shell_quote((dir / "b.json").string()));
  ASSERT_EQ(upright.exit_code, 0) << upright.output;
  // The landmarks land where dlib puts them on the upright sample (JPEG noise: a few px).
  std::string fitted = parla::read_text_file(dir / "b.json");
  std::string sample = parla::read_text_file(parla::testing::data_dir() / "sample" / "portrait.landmarks.json");
  auto numbers = [](const std::string& text) {
    std::vector<float> out;
    for (size_t i = text.find("[["); i < text.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '-') {
        size_t used = 0;
        out.push_back(std::stof(text.substr(i, 16), &used));
        i += used;
      }
    }
    return out;
  };
  auto a = numbers(fitted), b = numbers(sample);
  ASSERT_EQ(a.size(), 136u);
  ASSERT_EQ(b.size(), 136u);
  for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 6.f) << "coordinate " << k;
}

}  // namespace
