// The VQ head's training pairs (train/critic_data.cpp VqCollector): training pairs may
// have their open mouth recoloured, and every pair keeps its clean frame once more with
// another mouth colour; validation pairs are the frames as recorded, and evaluation sets
// (every degradation of a frame) have no second samples (docs/critic.md "What VQ rewards
// that it should not").
#include <gtest/gtest.h>

#include "critic/critic.h"
#include "critic/heads.h"  // image_bytes
#include "tests/support/testing.h"
#include "train/critic_data.h"
#include "video/video.h"

namespace parla::train {
namespace {

TEST(VqPairs, TrainingPairsGetOtherMouthColoursValidationPairsNone) {
  const auto path = testing::shared_media_dir() / "portraits" / "obama.jpg";  // teeth between parted lips
  const Image image = video::load_image(path);
  critic::FaceObservation seen;
  seen.found = true;
  seen.landmarks = video::fit_face(image, path.string()).landmarks;
  const torch::Tensor plain_mouth = critic::image_bytes(critic::crop_mouth(image, seen.landmarks));
  const torch::Tensor plain_face = critic::image_bytes(critic::crop_face(image, seen.landmarks));
  auto collect = [&](Split split, bool all_types) {
    VqCollector collector(/*stride=*/1, /*seed=*/7, all_types);
    for (int i = 0; i < 12; ++i) collector.add(image, seen, split, /*real=*/true);
    return collector.finish();
  };
  auto recoloured = [&](const torch::Tensor& mouth) { return !torch::equal(mouth, plain_mouth); };

  const VqData train = collect(Split::Train, false);
  ASSERT_EQ(train.label.size(0), 2 * 11);
  ASSERT_TRUE(train.face_alt.defined() && train.mouth_alt.defined());
  ASSERT_EQ(train.mouth_alt.size(0), 11);
  ASSERT_EQ(train.face_alt.size(0), 11);
  int clean_recoloured = 0;
  for (int64_t i = 0; i < 11; ++i) {
    EXPECT_TRUE(recoloured(train.mouth_alt[i])) << "pair " << i << "'s second clean sample";
    EXPECT_FALSE(torch::equal(train.mouth_alt[i], train.mouth[2 * i])) << "pair " << i;
    clean_recoloured += recoloured(train.mouth[2 * i]);
    // Only the open mouth changes: most of the face crop is the frame as it is.
    const double same = train.face_alt[i].slice(0, 0, 3).eq(plain_face).to(torch::kFloat).mean().item<double>();
    EXPECT_GT(same, 0.95) << "pair " << i;
  }
  EXPECT_GE(clean_recoloured, 6) << "about 80 % of the training pairs";
  EXPECT_LT(clean_recoloured, 11) << "some training pairs keep the mouth as recorded";

  const VqData val = collect(Split::Val, false);
  ASSERT_EQ(val.label.size(0), 2 * 11);
  ASSERT_TRUE(val.mouth_alt.defined());
  for (int64_t i = 0; i < 11; ++i) EXPECT_FALSE(recoloured(val.mouth[2 * i])) << "validation pair " << i;

  const VqData every_kind = collect(Split::Val, true);
  EXPECT_EQ(every_kind.label.size(0), 2 * 11 * critic::kDegradationCount);
  EXPECT_FALSE(every_kind.face_alt.defined());
  for (int64_t i = 0; i < every_kind.label.size(0); i += 2) EXPECT_FALSE(recoloured(every_kind.mouth[i]));
}

}  // namespace
}  // namespace parla::train
