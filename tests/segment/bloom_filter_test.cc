#include "segment/bloom_filter.h"

#include <gtest/gtest.h>

#include <random>

namespace vdb::segment {
namespace {

TEST(BloomFilterTest, NoFalseNegativesAndFalsePositiveRateNearTarget) {
  const uint32_t seed = 42;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (double target : {0.01, 0.001}) {
    const int n = 20000;
    BloomFilter f(n, target);
    std::vector<int64_t> keys;
    for (int i = 0; i < n; ++i) keys.push_back(static_cast<int64_t>(rng() >> 1));
    for (int64_t k : keys) f.AddInt64(k);
    for (int64_t k : keys) ASSERT_TRUE(f.MayContainInt64(k)) << k;
    // Keys with the top bit set were never added.
    int fp = 0;
    const int probes = 200000;
    for (int i = 0; i < probes; ++i)
      fp += f.MayContainInt64(static_cast<int64_t>(rng() | (1ull << 63)));
    double rate = static_cast<double>(fp) / probes;
    EXPECT_LT(rate, target * 1.5) << "target " << target;
    EXPECT_GT(rate, target * 0.5) << "target " << target;  // sized, not oversized
  }
}

TEST(BloomFilterTest, StringKeysAndSequentialIntKeys) {
  BloomFilter f(5000, 0.01);
  for (int i = 0; i < 5000; ++i) f.AddString("key-" + std::to_string(i));
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(f.MayContainString("key-" + std::to_string(i)));
  int fp = 0;
  for (int i = 5000; i < 55000; ++i) fp += f.MayContainString("key-" + std::to_string(i));
  EXPECT_LT(fp, 50000 * 0.02);
  BloomFilter g(5000, 0.01);
  for (int64_t i = 0; i < 5000; ++i) g.Add(PrimaryKey(i));
  int gfp = 0;
  for (int64_t i = 5000; i < 55000; ++i) gfp += g.MayContain(PrimaryKey(i));
  EXPECT_LT(gfp, 50000 * 0.02);
  EXPECT_TRUE(g.MayContain(PrimaryKey(int64_t{17})));
  EXPECT_FALSE(BloomFilter().MayContainInt64(1));
  EXPECT_NE(BloomFilter::HashString("a"), BloomFilter::HashString(std::string("a\0", 2)));
}

TEST(BloomFilterTest, SerializeRoundTripAndRejectsDamage) {
  BloomFilter f(100, 0.01);
  for (int64_t i = 0; i < 100; ++i) f.AddInt64(i * 7);
  std::string bytes = f.Serialize();
  auto back = BloomFilter::Deserialize(bytes, "test");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, f);
  EXPECT_TRUE(
      BloomFilter::Deserialize(bytes.substr(0, bytes.size() - 1), "x").status().IsCorruption());
  EXPECT_TRUE(BloomFilter::Deserialize("", "x").status().IsCorruption());
  std::string zero_hashes = bytes;
  zero_hashes[0] = zero_hashes[1] = zero_hashes[2] = zero_hashes[3] = 0;
  EXPECT_TRUE(BloomFilter::Deserialize(zero_hashes, "x").status().IsCorruption());
}

}  // namespace
}  // namespace vdb::segment
