// The VQ head's training pairs (train/critic_data.cpp VqCollector): training pairs may
// have their open mouth recoloured and fresh grain on their crops, and every pair keeps
// its clean frame once more with another mouth colour and grain; validation pairs are the
// frames as recorded, and evaluation sets (every degradation of a frame) have no second
// samples (docs/critic.md "What VQ rewards that it should not").
#include <gtest/gtest.h>

#include "critic/critic.h"
#include "critic/heads.h"  // image_bytes
#include "tests/support/testing.h"
#include "train/critic_data.h"
#include "video/video.h"

namespace parla::train {
namespace {

TEST(VqPairs, TrainingPairsGetOtherMouthColoursAndGrainValidationPairsNone) {
  const auto path = testing::shared_media_dir() / "portraits" / "obama.jpg";  // teeth between parted lips
  const Image image = video::load_image(path);
  critic::FaceObservation seen;
  seen.found = true;
  seen.landmarks = video::fit_face(image, path.string()).landmarks;
  const torch::Tensor plain_mouth = critic::image_bytes(critic::crop_mouth(image, seen.landmarks));
  const torch::Tensor plain_face = critic::image_bytes(critic::crop_face(image, seen.landmarks));
  auto collect = [&](Split split, bool all_types, int frames) {
    VqCollector collector(/*stride=*/1, /*seed=*/7, all_types);
    for (int i = 0; i < frames; ++i) collector.add(image, seen, split, /*real=*/true);
    return collector.finish();
  };
  // Grain is luma only (the same on R, G and B), so a mouth crop's chroma changes only
  // where it was recoloured; and it covers the whole crop, so the face crop's top quarter
  // (forehead and eyes, far from the mouth) changes only where it was grained.
  auto chroma = [](const torch::Tensor& rgb) {
    const torch::Tensor c = rgb.to(torch::kInt32);
    return torch::stack({c[0] - c[1], c[2] - c[1]});
  };
  auto recoloured = [&](const torch::Tensor& mouth) {
    return (chroma(mouth) - chroma(plain_mouth)).abs().max().item<int>() > 2;
  };
  const int64_t top = critic::kFaceCropSize / 4;
  auto grained = [&](const torch::Tensor& face) {  // [6, 64, 64]: now, before
    return !torch::equal(face.slice(0, 0, 3).slice(1, 0, top), plain_face.slice(1, 0, top));
  };

  constexpr int64_t kPairs = 40;
  const VqData train = collect(Split::Train, false, kPairs + 1);
  ASSERT_EQ(train.label.size(0), 2 * kPairs);
  ASSERT_TRUE(train.face_alt.defined() && train.mouth_alt.defined());
  ASSERT_EQ(train.mouth_alt.size(0), kPairs);
  ASSERT_EQ(train.face_alt.size(0), kPairs);
  int clean_recoloured = 0, clean_grained = 0, alt_recoloured = 0, frozen = 0;
  for (int64_t i = 0; i < kPairs; ++i) {
    const torch::Tensor clean = train.face[2 * i], degraded = train.face[2 * i + 1];
    clean_recoloured += recoloured(train.mouth[2 * i]);
    clean_grained += grained(clean);
    // The second clean sample: another mouth colour (rarely one that leaves the chroma
    // as it was) and always grain, a little on every pixel, never more than its 4 levels'
    // worth (the hashed normal is bounded at 3.5 sigma).
    alt_recoloured += recoloured(train.mouth_alt[i]);
    EXPECT_TRUE(grained(train.face_alt[i])) << "pair " << i << "'s second clean sample";
    const torch::Tensor alt_top = train.face_alt[i].slice(0, 0, 3).slice(1, 0, top).to(torch::kInt32);
    EXPECT_LE((alt_top - plain_face.slice(1, 0, top).to(torch::kInt32)).abs().max().item<int>(), 15) << "pair " << i;
    // A frozen frame is the frame before again, its grain included.
    if (train.type[2 * i + 1].item<int64_t>() == static_cast<int64_t>(critic::Degradation::Frozen)) {
      ++frozen;
      EXPECT_TRUE(torch::equal(degraded.slice(0, 0, 3), degraded.slice(0, 3, 6))) << "frozen pair " << i;
      EXPECT_TRUE(torch::equal(degraded.slice(0, 3, 6), clean.slice(0, 3, 6))) << "frozen pair " << i;
    } else if (grained(clean)) {
      // Otherwise the degraded sample carries the same grain as the clean one.
      EXPECT_TRUE(grained(degraded)) << "pair " << i;
    }
  }
  EXPECT_GE(clean_recoloured, 24) << "about 80 % of the training pairs recoloured";
  EXPECT_LE(clean_recoloured, 38) << "some training pairs keep the mouth as recorded";
  EXPECT_GE(clean_grained, 20) << "about 70 % of the training pairs grained";
  EXPECT_LE(clean_grained, 36) << "some training pairs keep the frame's own grain only";
  EXPECT_GE(alt_recoloured, kPairs - 5);
  EXPECT_GE(frozen, 1) << "no frozen pair among " << kPairs << ": pick another seed";

  const VqData val = collect(Split::Val, false, 12);
  ASSERT_EQ(val.label.size(0), 2 * 11);
  ASSERT_TRUE(val.mouth_alt.defined());
  for (int64_t i = 0; i < 11; ++i) {
    EXPECT_TRUE(torch::equal(val.mouth[2 * i], plain_mouth)) << "validation pair " << i;
    EXPECT_TRUE(torch::equal(val.face[2 * i].slice(0, 0, 3), plain_face)) << "validation pair " << i;
  }

  const VqData every_kind = collect(Split::Val, true, 12);
  EXPECT_EQ(every_kind.label.size(0), 2 * 11 * critic::kDegradationCount);
  EXPECT_FALSE(every_kind.face_alt.defined());
  for (int64_t i = 0; i < every_kind.label.size(0); i += 2) {
    EXPECT_TRUE(torch::equal(every_kind.mouth[i], plain_mouth));
    EXPECT_TRUE(torch::equal(every_kind.face[i].slice(0, 0, 3), plain_face));
  }
}

}  // namespace
}  // namespace parla::train
