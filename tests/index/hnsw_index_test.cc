// HNSW index: recall against exact search, filtered search, metrics.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "index/test_data.h"
#include "index/vector_index.h"

namespace vdb::index {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int64_t kRows = 3000;  // sanitizers are ~10x slower; keep the test under seconds
#else
constexpr int64_t kRows = 20000;
#endif
constexpr int kDim = 64;
constexpr int64_t kQueries = 100;
constexpr int kK = 10;
constexpr uint64_t kSeed = 2024;

std::unique_ptr<VectorIndex> BuildHnsw(Metric metric, const std::vector<float>& x, int64_t n) {
  IndexOptions options;
  options.spec = "HNSW16";
  options.metric = metric;
  options.d = kDim;
  options.ef_construction = 100;
  options.num_threads = 2;
  auto index = VectorIndex::Create(options);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_TRUE((*index)->Build(n, x.data()).ok());
  return std::move(index).value();
}

// Mean share of the exact top-k found, over all queries.
template <typename Allowed>
double Recall(const SearchResults& got, const std::vector<float>& x, int64_t n,
              const std::vector<float>& q, Metric metric, Allowed allowed) {
  double hits = 0, total = 0;
  for (int64_t qi = 0; qi < got.nq; ++qi) {
    auto want = test::NaiveTopK(x.data(), n, kDim, q.data() + qi * kDim, got.k, metric, allowed);
    std::set<int64_t> found(got.rows_of(qi), got.rows_of(qi) + got.k);
    for (int64_t row : want) hits += found.count(row);
    total += static_cast<double>(want.size());
  }
  return total == 0 ? 1.0 : hits / total;
}

class HnswRecallTest : public ::testing::TestWithParam<Metric> {};

TEST_P(HnswRecallTest, RecallAt10AboveBoundVsBruteForce) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  const Metric metric = GetParam();
  std::vector<float> x = test::EmbeddingLikeVectors(kRows, kDim, kSeed);
  std::vector<float> q = test::EmbeddingLikeVectors(kQueries, kDim, kSeed + 100);
  auto index = BuildHnsw(metric, x, kRows);
  ASSERT_EQ(index->size(), kRows);
  SearchResults got;
  SearchParams params;
  params.ef = 64;
  ASSERT_TRUE(index->Search(kQueries, q.data(), kK, params, nullptr, &got).ok());
  double recall = Recall(got, x, kRows, q, metric, [](int64_t) { return true; });
  EXPECT_GE(recall, 0.95) << MetricName(metric);
  // Distances are reported best first in the metric's own direction.
  for (int64_t qi = 0; qi < kQueries; ++qi) {
    for (int i = 1; i < kK; ++i) {
      if (HigherIsBetter(metric)) {
        EXPECT_GE(got.distances_of(qi)[i - 1], got.distances_of(qi)[i]);
      } else {
        EXPECT_LE(got.distances_of(qi)[i - 1], got.distances_of(qi)[i]);
      }
    }
    if (metric == Metric::kCosine) {
      EXPECT_LE(got.distances_of(qi)[0], 1.0001f);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, HnswRecallTest,
                         ::testing::Values(Metric::kL2, Metric::kInnerProduct, Metric::kCosine),
                         [](const auto& info) { return std::string(MetricName(info.param)); });

TEST(HnswIndexTest, FilteredSearchReturnsKAllowedRows) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  const int64_t n = kRows / 2;
  std::vector<float> x = test::EmbeddingLikeVectors(n, kDim, kSeed);
  std::vector<float> q = test::EmbeddingLikeVectors(20, kDim, kSeed + 7);
  auto index = BuildHnsw(Metric::kL2, x, n);
  for (double share : {0.001, 0.1, 1.0}) {
    SCOPED_TRACE("share " + std::to_string(share));
    // At least 2k allowed rows even when the share of a small (sanitizer) dataset is below that.
    std::vector<int64_t> rows(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
    std::shuffle(rows.begin(), rows.end(), std::mt19937_64(kSeed));
    const int64_t allowed = std::max<int64_t>(2 * kK, static_cast<int64_t>(share * n));
    RowBitset bits(static_cast<size_t>(n));
    for (int64_t i = 0; i < allowed; ++i)
      bits.Set(static_cast<size_t>(rows[static_cast<size_t>(i)]));
    ASSERT_GE(allowed, kK);
    RowFilter filter = bits.filter();
    SearchResults got;
    ASSERT_TRUE(index->Search(20, q.data(), kK, SearchParams{}, &filter, &got).ok());
    for (int64_t row : got.rows) {
      ASSERT_NE(row, -1) << "fewer than k results though " << allowed << " rows are allowed";
      EXPECT_TRUE(filter.Allows(row)) << row;
    }
    double recall = Recall(got, x, n, q, Metric::kL2, [&](int64_t r) { return filter.Allows(r); });
    EXPECT_GE(recall, 0.9);
  }
}

TEST(HnswIndexTest, FilterWithFewerThanKRowsReturnsThemAll) {
  std::vector<float> x = test::EmbeddingLikeVectors(2000, kDim, 5);
  auto index = BuildHnsw(Metric::kL2, x, 2000);
  RowBitset bits(2000);
  bits.Set(3);
  bits.Set(1999);
  RowFilter filter = bits.filter();
  SearchResults got;
  ASSERT_TRUE(index->Search(1, x.data(), kK, SearchParams{}, &filter, &got).ok());
  EXPECT_EQ(got.rows_of(0)[0], 3);  // the query is row 3 itself
  EXPECT_EQ(got.rows_of(0)[1], 1999);
  EXPECT_EQ(got.rows_of(0)[2], -1);
}

TEST(HnswIndexTest, IncrementalAddsAndEmptyIndex) {
  std::vector<float> x = test::EmbeddingLikeVectors(3000, kDim, 11);
  IndexOptions options;
  options.spec = "HNSW8";
  options.d = kDim;
  auto index = VectorIndex::Create(options);
  ASSERT_TRUE(index.ok());
  SearchResults got;
  ASSERT_TRUE((*index)->Search(1, x.data(), 3, SearchParams{}, nullptr, &got).ok());
  EXPECT_EQ(got.rows_of(0)[0], -1);
  for (int64_t start = 0; start < 3000; start += 1000) {
    ASSERT_TRUE((*index)->Add(1000, x.data() + start * kDim).ok());
  }
  ASSERT_EQ((*index)->size(), 3000);
  ASSERT_TRUE((*index)->Search(1, x.data() + 2500 * kDim, 1, SearchParams{}, nullptr, &got).ok());
  EXPECT_EQ(got.rows_of(0)[0], 2500);
  EXPECT_EQ((*index)->Build(1, x.data()).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vdb::index
