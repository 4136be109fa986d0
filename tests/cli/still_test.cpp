// `parla render ... --frame T -o still.png` on the real binary: the PNG is the frame the
// video shows at T (same motion, same framing), and misuse is refused before any work.
#include <gtest/gtest.h>

#include "core/core.h"
#include "tests/support/testing.h"
#include "tests/video/image_compare.h"
#include "video/video.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::shell_quote;

class Still : public ::testing::Test {
 protected:
  parla::testing::CommandResult render(const std::string& args) {
    return parla::testing::run_command(shell_quote(parla::testing::parla_executable().string()) + " render " +
                                       shell_quote(portrait.string()) + " " + shell_quote(speech.string()) +
                                       " --size 256 --seed 5 " + args);
  }
  std::string q(const fs::path& p) const { return shell_quote(p.string()); }
  parla::testing::ScratchDir dir;
  fs::path portrait = parla::testing::data_dir() / "sample" / "portrait.png";
  fs::path speech = parla::testing::shared_media_dir() / "speech" / "jfk_en_male.wav";
};

TEST_F(Still, IsTheFrameTheVideoShowsThen) {
  auto video = render("-o " + q(dir / "v.mp4"));
  auto still = render("--frame 4.1 -o " + q(dir / "s.png"));
  auto other = render("--frame 0 -o " + q(dir / "s0.png"));
  ASSERT_EQ(video.exit_code, 0) << video.output;
  ASSERT_EQ(still.exit_code, 0) << still.output;
  ASSERT_EQ(other.exit_code, 0) << other.output;
  parla::Image png = parla::video::load_image(dir / "s.png");
  parla::video::VideoReader reader(dir / "v.mp4");
  parla::Image frame;
  for (int i = 0; i <= 102; ++i) ASSERT_TRUE(reader.read_frame(frame));  // frame 102 = 4.08 s
  ASSERT_EQ(png.width, frame.width);
  ASSERT_EQ(png.height, frame.height);
  EXPECT_GT(parla::testing::psnr(png, frame), 38.0);  // only the H.264 coding differs
  // Another time is another picture.
  EXPECT_LT(parla::testing::psnr(png, parla::video::load_image(dir / "s0.png")), 38.0);
}

TEST_F(Still, MisuseIsRefusedBeforeAnyWork) {
  for (std::string args : {"-o " + q(dir / "s.png"), "--frame 2 -o " + q(dir / "v.mp4"),
                           "--frame 60 -o " + q(dir / "late.png")}) {
    auto r = render(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
  }
  EXPECT_NE(render("--frame 60 -o " + q(dir / "late.png")).output.find("past the end"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
