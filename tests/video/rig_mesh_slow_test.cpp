// No folds over extreme channel combinations on the real portraits in
// ../shared/media (live dlib fits; the sample runs in rig_mesh_test.cpp).
#include <gtest/gtest.h>

#include "tests/video/rig_fixtures.h"
#include "tests/video/rig_folds.h"

namespace parla {
namespace {

class RigMeshReal : public ::testing::TestWithParam<const char*> {};

TEST_P(RigMeshReal, NoTriangleFoldsAtExtremeCombinations) {
  testing::expect_no_folds(testing::fitted_rig(testing::shared_media_dir() / "portraits" / GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Portraits, RigMeshReal,
                         ::testing::Values("obama.jpg", "mona_lisa.jpg", "illustration.png"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace parla
