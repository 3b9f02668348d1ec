#include "segment/pk_row_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace vdb::segment {
namespace {

std::vector<uint32_t> RowsOf(const PkRowIndex& index, const PrimaryKey& pk) {
  const PkRowIndex::Rows* rows = index.Find(pk);
  if (rows == nullptr) return {};
  EXPECT_EQ(static_cast<size_t>(rows->end() - rows->begin()), rows->size());
  return std::vector<uint32_t>(rows->begin(), rows->end());
}

TEST(PkRowIndexTest, IntKeysKeepEveryRowInOrder) {
  PkRowIndex index;
  index.Reserve(4, /*int_keys=*/true);
  index.Add(PrimaryKey(int64_t{7}), 0);
  index.Add(PrimaryKey(int64_t{-3}), 1);
  index.Add(PrimaryKey(int64_t{7}), 2);
  index.Add(PrimaryKey(int64_t{7}), 5);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(RowsOf(index, PrimaryKey(int64_t{7})), (std::vector<uint32_t>{0, 2, 5}));
  EXPECT_EQ(RowsOf(index, PrimaryKey(int64_t{-3})), (std::vector<uint32_t>{1}));
  EXPECT_EQ(index.Find(PrimaryKey(int64_t{8})), nullptr);
  EXPECT_EQ(index.Find(PrimaryKey(std::string("7"))), nullptr);  // another key type
}

TEST(PkRowIndexTest, StringKeysAndForEachVisitsEachKeyOnce) {
  PkRowIndex index;
  index.Reserve(3, /*int_keys=*/false);
  index.Add(PrimaryKey(std::string("b")), 0);
  index.Add(PrimaryKey(std::string("a")), 1);
  index.Add(PrimaryKey(std::string("b")), 2);
  index.Add(PrimaryKey(std::string("")), 3);
  EXPECT_EQ(RowsOf(index, PrimaryKey(std::string("b"))), (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(RowsOf(index, PrimaryKey(std::string(""))), (std::vector<uint32_t>{3}));
  std::map<PrimaryKey, std::vector<uint32_t>> seen;
  index.ForEach([&](const PrimaryKey& pk, const PkRowIndex::Rows& rows) {
    EXPECT_TRUE(seen.emplace(pk, std::vector<uint32_t>(rows.begin(), rows.end())).second);
  });
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[PrimaryKey(std::string("a"))], (std::vector<uint32_t>{1}));
}

TEST(PkRowIndexTest, MatchesAPlainMapOnRandomKeys) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> key(-500, 500);
  PkRowIndex index;
  std::map<int64_t, std::vector<uint32_t>> want;
  for (uint32_t row = 0; row < 5000; ++row) {
    int64_t k = key(rng);
    index.Add(PrimaryKey(k), row);
    want[k].push_back(row);
  }
  EXPECT_EQ(index.size(), want.size());
  for (const auto& [k, rows] : want) EXPECT_EQ(RowsOf(index, PrimaryKey(k)), rows) << k;
  size_t visited = 0;
  index.ForEach([&](const PrimaryKey& pk, const PkRowIndex::Rows& rows) {
    ++visited;
    EXPECT_EQ(std::vector<uint32_t>(rows.begin(), rows.end()), want.at(std::get<int64_t>(pk)));
  });
  EXPECT_EQ(visited, want.size());
}

}  // namespace
}  // namespace vdb::segment
