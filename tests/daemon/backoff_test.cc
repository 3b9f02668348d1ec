#include "daemon/backoff.h"

#include <gtest/gtest.h>

namespace vdb::daemon {
namespace {

TEST(BackoffTest, DoublesFromInitialUpToMax) {
  EXPECT_EQ(RestartBackoffMs(0, 100, 5000), 0);
  EXPECT_EQ(RestartBackoffMs(1, 100, 5000), 100);
  EXPECT_EQ(RestartBackoffMs(2, 100, 5000), 200);
  EXPECT_EQ(RestartBackoffMs(3, 100, 5000), 400);
  EXPECT_EQ(RestartBackoffMs(6, 100, 5000), 3200);
  EXPECT_EQ(RestartBackoffMs(7, 100, 5000), 5000);
  EXPECT_EQ(RestartBackoffMs(8, 100, 5000), 5000);
}

TEST(BackoffTest, ManyFailuresNeitherOverflowNorExceedMax) {
  EXPECT_EQ(RestartBackoffMs(1000000, 100, 5000), 5000);
  EXPECT_EQ(RestartBackoffMs(200, 1, 3600000), 3600000);
  EXPECT_EQ(RestartBackoffMs(-3, 100, 5000), 0);
}

TEST(BackoffTest, InitialAboveMaxIsCapped) { EXPECT_EQ(RestartBackoffMs(1, 9000, 5000), 5000); }

}  // namespace
}  // namespace vdb::daemon
