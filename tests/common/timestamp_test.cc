#include "common/timestamp.h"

#include <gtest/gtest.h>

namespace vdb {
namespace {

TEST(TimestampTest, ComposeAndSplit) {
  Timestamp ts = ComposeTimestamp(1700000000123, 42);
  EXPECT_EQ(PhysicalMs(ts), 1700000000123u);
  EXPECT_EQ(Logical(ts), 42u);
  EXPECT_LT(ComposeTimestamp(5, kLogicalMask), ComposeTimestamp(6, 0));
  EXPECT_EQ(SubtractMs(ComposeTimestamp(1000, 7), 10), ComposeTimestamp(990, 0));
  EXPECT_EQ(SubtractMs(ComposeTimestamp(5, 7), 10), 0u);
}

}  // namespace
}  // namespace vdb
