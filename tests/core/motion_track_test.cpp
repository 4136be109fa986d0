#include <gtest/gtest.h>

#include "core/core.h"

TEST(ChannelTable, HasTwentyChannelsInContractOrder) {
  EXPECT_EQ(parla::channel_table().size(), 20u);
  EXPECT_EQ(parla::channel_index("jawOpen"), 0);
  EXPECT_EQ(parla::channel_index("headScale"), 19);
  EXPECT_EQ(parla::channel_index("nope"), -1);
}
