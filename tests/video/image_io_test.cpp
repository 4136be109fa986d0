// load_image / save_png / resize through the real FFmpeg decoders and encoders.
#include <gtest/gtest.h>

#include "tests/support/testing.h"
#include "tests/video/image_compare.h"
#include "video/video.h"

namespace parla {
namespace {

using video::load_image;

TEST(ImageIo, LoadsTheBundledPng) {
  Image image = load_image(testing::data_dir() / "sample" / "portrait.png");
  EXPECT_EQ(image.width, 512);
  EXPECT_EQ(image.height, 512);
  // The astronaut's orange suit fills the lower left: red dominates there.
  const std::uint8_t* p = image.pixel(150, 450);
  EXPECT_GT(p[0], p[2] + 60);
}

TEST(ImageIo, LoadsJpegAtItsSize) {
  Image image = load_image(testing::shared_media_dir() / "portraits" / "obama.jpg");
  EXPECT_EQ(image.width, 910);
  EXPECT_EQ(image.height, 1137);
}

TEST(ImageIo, PngRoundTripIsExact) {
  testing::ScratchDir dir;
  Image image(37, 21);
  for (size_t i = 0; i < image.rgb.size(); ++i) image.rgb[i] = static_cast<std::uint8_t>(i * 7);
  video::save_png(image, dir / "x.png");
  Image back = load_image(dir / "x.png");
  ASSERT_EQ(back.width, 37);
  ASSERT_EQ(back.height, 21);
  EXPECT_EQ(back.rgb, image.rgb);
}

TEST(ImageIo, LoadsWebpAndJpegMadeByFfmpeg) {
  testing::ScratchDir dir;
  testing::ffmpeg("-f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 " + testing::shell_quote((dir / "t.jpg").string()));
  testing::ffmpeg("-f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 " + testing::shell_quote((dir / "t.webp").string()));
  EXPECT_EQ(load_image(dir / "t.jpg").width, 64);
  EXPECT_EQ(load_image(dir / "t.webp").height, 48);
}

TEST(ImageIo, NotAnImageIsAnInputErrorNamingTheFile) {
  testing::ScratchDir dir;
  write_text_file(dir / "notes.png", "this is text, not a picture\n");
  try {
    load_image(dir / "notes.png");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("notes.png"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_image(dir / "missing.png"), InputError);
}

TEST(ImageIo, ResizeKeepsFlatColourAndSize) {
  Image image(10, 10);
  std::fill(image.rgb.begin(), image.rgb.end(), 77);
  Image out = video::resize(image, 23, 5);
  EXPECT_EQ(out.width, 23);
  EXPECT_EQ(out.height, 5);
  for (std::uint8_t v : out.rgb) EXPECT_EQ(v, 77);
}

}  // namespace
}  // namespace parla
