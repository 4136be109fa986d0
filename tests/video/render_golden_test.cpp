// Golden frames of the sample portrait. Regenerate after an intended change with
//   build/tests/video/rig_gallery golden tests/video/golden
// and look at the new PNGs before committing them (docs/rig.md).
#include <gtest/gtest.h>

#include "tests/support/testing.h"
#include "tests/video/image_compare.h"
#include "tests/video/rig_cases.h"
#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace parla {
namespace {
namespace fs = std::filesystem;

TEST(RenderGolden, SamplePortraitFramesMatch) {
  video::Renderer renderer(testing::sample_rig(), {.size = testing::kGoldenSize});
  fs::path golden_dir = fs::path(__FILE__).parent_path() / "golden";
  for (const auto& golden : testing::golden_frames()) {
    SCOPED_TRACE(golden.name);
    Image expected = video::load_image(golden_dir / (std::string(golden.name) + ".png"));
    const Image& actual = renderer.render(golden.motion);
    ASSERT_EQ(actual.width, expected.width);
    ASSERT_EQ(actual.height, expected.height);
    // Bit-exact on one machine; the margin absorbs other compilers' float rounding.
    EXPECT_GE(testing::psnr(actual, expected), 45.0);
  }
}

}  // namespace
}  // namespace parla
