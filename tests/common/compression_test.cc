#include "common/compression.h"

#include <gtest/gtest.h>

namespace vdb {
namespace {

TEST(CompressionTest, RoundTrip) {
  std::string input;
  for (int i = 0; i < 10000; ++i) input += "row " + std::to_string(i % 97) + ";";
  std::string frame = ZstdCompress(input);
  EXPECT_LT(frame.size(), input.size() / 4);
  auto out = ZstdDecompress(frame, input.size(), "test block");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, input);
}

TEST(CompressionTest, EmptyInput) {
  std::string frame = ZstdCompress("");
  auto out = ZstdDecompress(frame, 0, "empty");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

TEST(CompressionTest, CorruptFramesAreReportedWithName) {
  std::string input(5000, 'x');
  std::string frame = ZstdCompress(input);
  auto wrong_size = ZstdDecompress(frame, 4999, "col.bin block 3");
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_TRUE(wrong_size.status().IsCorruption());
  EXPECT_NE(wrong_size.status().message().find("col.bin block 3"), std::string::npos);
  for (size_t i = 0; i < frame.size(); ++i) {
    std::string bad = frame;
    bad[i] ^= 0x5a;
    auto r = ZstdDecompress(bad, input.size(), "flip");
    if (r.ok()) {
      EXPECT_EQ(r->size(), input.size());  // zstd frames carry no checksum by default
    }
  }
  auto garbage = ZstdDecompress("not zstd at all", 10, "garbage");
  EXPECT_TRUE(garbage.status().IsCorruption());
}

}  // namespace
}  // namespace vdb
