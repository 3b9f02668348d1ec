#include "index/brute_force.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "index/distance.h"
#include "index/test_data.h"

namespace vdb::index {
namespace {

struct Case {
  Metric metric;
  int threads;
};

class BruteForceTest : public ::testing::TestWithParam<Case> {};

TEST_P(BruteForceTest, MatchesNaiveReference) {
  const uint64_t seed = 1234;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int64_t n = 3000, nq = 20;
  const int d = 37, k = 10;
  std::vector<float> x = test::RandomVectors(n, d, seed);
  std::vector<float> q = test::RandomVectors(nq, d, seed + 1);
  RowBitset bits(n);
  std::mt19937_64 rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    if (rng() % 3 != 0) bits.Set(static_cast<size_t>(i));
  }
  RowFilter filter = bits.filter();
  const RowFilter* filters[] = {nullptr, &filter};
  for (const RowFilter* f : filters) {
    SearchResults out;
    BruteForceParams params{GetParam().metric, k, f, GetParam().threads};
    ASSERT_TRUE(BruteForceSearch({x.data(), n, d, nullptr}, nq, q.data(), params, &out).ok());
    ASSERT_EQ(out.rows.size(), static_cast<size_t>(nq * k));
    for (int64_t qi = 0; qi < nq; ++qi) {
      auto want = test::NaiveTopK(x.data(), n, d, q.data() + qi * d, k, GetParam().metric,
                                  [&](int64_t r) { return f == nullptr || f->Allows(r); });
      for (int i = 0; i < k; ++i) {
        int64_t row = out.rows_of(qi)[i];
        EXPECT_EQ(row, want[static_cast<size_t>(i)]) << "query " << qi << " rank " << i;
        double score =
            test::NaiveScore(q.data() + qi * d, x.data() + row * d, d, GetParam().metric);
        double reported =
            HigherIsBetter(GetParam().metric) ? -out.distances_of(qi)[i] : out.distances_of(qi)[i];
        EXPECT_NEAR(reported, score, 1e-4 * std::max(1.0, std::fabs(score)));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, BruteForceTest,
                         ::testing::Values(Case{Metric::kL2, 1}, Case{Metric::kInnerProduct, 1},
                                           Case{Metric::kCosine, 1}, Case{Metric::kL2, 3},
                                           Case{Metric::kCosine, 2}),
                         [](const auto& info) {
                           return std::string(MetricName(info.param.metric)) + "_threads" +
                                  std::to_string(info.param.threads);
                         });

TEST(BruteForceSearchTest, PadsWhenFewerRowsAllowedThanK) {
  std::vector<float> x = test::RandomVectors(100, 4, 9);
  RowBitset bits(100);
  bits.Set(17);
  bits.Set(80);
  RowFilter filter = bits.filter();
  SearchResults out;
  ASSERT_TRUE(
      BruteForceSearch({x.data(), 100, 4, nullptr}, 1, x.data(), {Metric::kL2, 5, &filter, 1}, &out)
          .ok());
  EXPECT_TRUE(out.rows_of(0)[0] == 17 || out.rows_of(0)[0] == 80);
  EXPECT_EQ(out.rows_of(0)[0] + out.rows_of(0)[1], 97);
  for (int i = 2; i < 5; ++i) {
    EXPECT_EQ(out.rows_of(0)[i], -1);
    EXPECT_TRUE(std::isnan(out.distances_of(0)[i]));
  }
}

TEST(BruteForceSearchTest, ManyQueriesOnThreadsMatchOneThread) {
  const int64_t n = 5000, nq = 64;
  const int d = 16;
  std::vector<float> x = test::RandomVectors(n, d, 3), q = test::RandomVectors(nq, d, 4);
  SearchResults one, many;
  ASSERT_TRUE(BruteForceSearch({x.data(), n, d, nullptr}, nq, q.data(),
                               {Metric::kInnerProduct, 7, nullptr, 1}, &one)
                  .ok());
  ASSERT_TRUE(BruteForceSearch({x.data(), n, d, nullptr}, nq, q.data(),
                               {Metric::kInnerProduct, 7, nullptr, 4}, &many)
                  .ok());
  EXPECT_EQ(one.rows, many.rows);
}

TEST(BruteForceSearchTest, RejectsBadArguments) {
  std::vector<float> x(8);
  SearchResults out;
  EXPECT_EQ(
      BruteForceSearch({x.data(), 2, 4, nullptr}, 1, x.data(), {Metric::kL2, 0, nullptr, 1}, &out)
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(BruteForceSearch({x.data(), 2, 4, nullptr}, 1, x.data(),
                             {Metric::kHamming, 1, nullptr, 1}, &out)
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(BruteForceSearchTest, BinaryHammingAndJaccard) {
  const uint64_t seed = 5;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int64_t n = 500;
  const int d = 100;  // 13 bytes per row
  const size_t bytes = 13;
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> x(n * bytes), q(bytes);
  for (auto& v : x) v = static_cast<uint8_t>(rng());
  for (auto& v : q) v = static_cast<uint8_t>(rng());
  for (Metric metric : {Metric::kHamming, Metric::kJaccard}) {
    SearchResults out;
    ASSERT_TRUE(
        BruteForceSearchBinary({x.data(), n, d}, 1, q.data(), {metric, 5, nullptr, 2}, &out).ok());
    std::vector<std::pair<float, int64_t>> all;
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* row = x.data() + i * bytes;
      float s = metric == Metric::kHamming ? float(Hamming(q.data(), row, bytes))
                                           : Jaccard(q.data(), row, bytes);
      all.emplace_back(s, i);
    }
    std::sort(all.begin(), all.end());
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(out.rows_of(0)[i], all[static_cast<size_t>(i)].second) << MetricName(metric);
      EXPECT_EQ(out.distances_of(0)[i], all[static_cast<size_t>(i)].first);
    }
  }
}

}  // namespace
}  // namespace vdb::index
