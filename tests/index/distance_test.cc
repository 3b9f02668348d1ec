#include "index/distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "index/test_data.h"

namespace vdb::index {
namespace {

std::vector<SimdLevel> AvailableLevels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (l <= DetectedSimdLevel()) levels.push_back(l);
  }
  return levels;
}

std::vector<size_t> OddDims() {
  std::vector<size_t> dims;
  for (size_t d = 1; d <= 130; ++d) dims.push_back(d);
  dims.push_back(784);
  return dims;
}

TEST(DistanceTest, ReportsDetectedLevel) {
  SCOPED_TRACE(SimdLevelName(DetectedSimdLevel()));
  EXPECT_EQ(Kernels().level, DetectedSimdLevel());
}

TEST(DistanceTest, FloatKernelsMatchScalarReferenceOnEveryIsa) {
  const uint64_t seed = 42;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const DistanceKernels& ref = KernelsFor(SimdLevel::kScalar);
  for (SimdLevel level : AvailableLevels()) {
    SCOPED_TRACE(SimdLevelName(level));
    const DistanceKernels& k = KernelsFor(level);
    for (size_t d : OddDims()) {
      SCOPED_TRACE("d=" + std::to_string(d));
      const size_t n = 7;  // not a multiple of the 4-row batch
      std::vector<float> x =
          test::RandomVectors(static_cast<int64_t>(n + 1), static_cast<int>(d), seed + d);
      const float* q = x.data() + n * d;
      std::vector<float> l2(n), ip(n);
      k.l2_sqr_batch(q, x.data(), n, d, l2.data());
      k.inner_product_batch(q, x.data(), n, d, ip.data());
      for (size_t i = 0; i < n; ++i) {
        const float* row = x.data() + i * d;
        float want_l2 = ref.l2_sqr(q, row, d);
        float want_ip = ref.inner_product(q, row, d);
        float tol = 1e-5f * static_cast<float>(d) + 1e-5f;
        EXPECT_NEAR(k.l2_sqr(q, row, d), want_l2, tol * std::max(1.0f, want_l2));
        EXPECT_NEAR(k.inner_product(q, row, d), want_ip, tol * std::max(1.0f, std::fabs(want_ip)));
        EXPECT_NEAR(l2[i], want_l2, tol * std::max(1.0f, want_l2));
        EXPECT_NEAR(ip[i], want_ip, tol * std::max(1.0f, std::fabs(want_ip)));
      }
    }
  }
}

TEST(DistanceTest, ScalarReferenceIsExactOnSmallIntegers) {
  const float a[3] = {1, 2, 3}, b[3] = {4, 6, 3};
  const DistanceKernels& ref = KernelsFor(SimdLevel::kScalar);
  EXPECT_EQ(ref.l2_sqr(a, b, 3), 9 + 16);
  EXPECT_EQ(ref.inner_product(a, b, 3), 4 + 12 + 9);
}

TEST(DistanceTest, BinaryKernelsMatchBitByBitReferenceOnEveryIsa) {
  const uint64_t seed = 7;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (SimdLevel level : AvailableLevels()) {
    SCOPED_TRACE(SimdLevelName(level));
    const DistanceKernels& k = KernelsFor(level);
    for (size_t bytes = 0; bytes <= 100; ++bytes) {
      std::vector<uint8_t> a(bytes), b(bytes);
      for (auto& v : a) v = static_cast<uint8_t>(rng());
      for (auto& v : b) v = static_cast<uint8_t>(rng() & rng());
      uint32_t diff = 0, inter = 0, uni = 0;
      for (size_t i = 0; i < bytes * 8; ++i) {
        bool x = (a[i / 8] >> (i % 8)) & 1, y = (b[i / 8] >> (i % 8)) & 1;
        diff += x != y;
        inter += x && y;
        uni += x || y;
      }
      EXPECT_EQ(k.hamming(a.data(), b.data(), bytes), diff) << "bytes=" << bytes;
      float want = uni == 0 ? 0.0f : 1.0f - float(inter) / float(uni);
      EXPECT_FLOAT_EQ(k.jaccard(a.data(), b.data(), bytes), want) << "bytes=" << bytes;
    }
  }
}

TEST(DistanceTest, NormsAndNormalize) {
  std::vector<float> x = {3, 4, 0, 0, 0, 0, 1, 0, 0};
  std::vector<float> norms(3);
  L2Norms(x.data(), 3, 3, norms.data());
  EXPECT_FLOAT_EQ(norms[0], 5.0f);  // {3, 4, 0}
  EXPECT_FLOAT_EQ(norms[1], 0.0f);
  EXPECT_FLOAT_EQ(norms[2], 1.0f);
  NormalizeL2(x.data(), 3, 3);
  EXPECT_FLOAT_EQ(x[0], 0.6f);
  EXPECT_FLOAT_EQ(x[1], 0.8f);
  EXPECT_EQ(x[3], 0.0f);  // the zero row stays zero, no NaN
}

}  // namespace
}  // namespace vdb::index
