// An empty-filter query through a real vdbd is a scan in primary-key order: paging with
// offset/limit at Strong consistency returns every live key exactly once, ascending, across
// sealed segments (served by the query node), growing rows, deletes and upserts, for int64 and
// varchar keys. Every vdbd started here is killed with its whole process group when a test ends.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "util/temp_dir.h"
#include "util/vdbd_harness.h"

namespace vdb {
namespace {

using nlohmann::json;
using test::VdbdHarness;
using test::VdbdOptions;

constexpr int kDim = 4;
constexpr uint64_t kSeed = 20261130;

class QueryScanE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VdbdOptions options;
    options.vdbd_path = VDBD_PATH;
    options.data_dir = dir_.Sub("data");
    vdbd_ = std::make_unique<VdbdHarness>(options);
    Status started = vdbd_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  // The envelope of a call that must succeed ("code": 0).
  json Ok(const std::string& route, const json& body) {
    auto r = vdbd_->Call("/v2/vectordb/" + route, body, 30000);
    EXPECT_TRUE(r.ok()) << route << ": " << r.status().ToString() << "\n" << vdbd_->OutputTail();
    return r.ok() ? *r : json();
  }

  void WaitLoaded(const std::string& name) {
    bool loaded = test::WaitFor(
        [&] {
          auto r =
              vdbd_->Call("/v2/vectordb/collections/get_load_state", {{"collectionName", name}});
          return r.ok() && (*r)["data"].is_object() &&
                 (*r)["data"].value("loadState", "") == "LoadStateLoaded";
        },
        30000, 50);
    ASSERT_TRUE(loaded) << name << " did not load";
  }

  json Rows(const std::vector<json>& ids, const std::string& pk, std::mt19937_64* rng) {
    std::uniform_real_distribution<float> u(-1, 1);
    json rows = json::array();
    for (const json& id : ids) {
      std::vector<float> v(kDim);
      for (float& x : v) x = u(*rng);
      rows.push_back({{pk, id}, {"vector", v}, {"tag", "r" + id.dump()}});
    }
    return rows;
  }

  // Pages an empty-filter Strong query with `page` rows per request; the keys in answer order.
  std::vector<json> ScanAll(const std::string& name, const std::string& pk, int page) {
    std::vector<json> keys;
    for (int p = 0; p < 1000; ++p) {
      json r = Ok("entities/query", {{"collectionName", name},
                                     {"filter", ""},
                                     {"offset", p * page},
                                     {"limit", page},
                                     {"outputFields", {pk, "tag"}},
                                     {"consistencyLevel", "Strong"}});
      if (!r.is_object() || !r["data"].is_array()) {
        ADD_FAILURE() << "page " << p << ": " << r.dump();
        return keys;
      }
      for (const json& row : r["data"]) keys.push_back(row[pk]);
      if (r["data"].size() < static_cast<size_t>(page)) return keys;
    }
    ADD_FAILURE() << "more than 1000 pages";
    return keys;
  }

  test::TempDir dir_;
  std::unique_ptr<VdbdHarness> vdbd_;
};

// Creates `name` with a primary key `pk` of `pk_type`, a FloatVector and a VarChar tag, 2 shards.
json CreateBody(const std::string& name, const std::string& pk, const std::string& pk_type) {
  json pk_field = {{"fieldName", pk}, {"dataType", pk_type}, {"isPrimary", true}};
  if (pk_type == "VarChar") pk_field["elementTypeParams"] = {{"max_length", 32}};
  return {{"collectionName", name},
          {"schema",
           {{"fields", json::array({pk_field,
                                    {{"fieldName", "vector"},
                                     {"dataType", "FloatVector"},
                                     {"elementTypeParams", {{"dim", kDim}}}},
                                    {{"fieldName", "tag"},
                                     {"dataType", "VarChar"},
                                     {"elementTypeParams", {{"max_length", 32}}}}})}}},
          {"indexParams",
           json::array({{{"fieldName", "vector"}, {"metricType", "L2"}, {"indexType", "FLAT"}}})},
          {"params", {{"shardsNum", 2}, {"consistencyLevel", "Strong"}}}};
}

TEST_F(QueryScanE2eTest, EmptyFilterPagesReturnEveryLiveInt64KeyOnceInOrder) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed);
  Ok("collections/create", CreateBody("scan", "id", "Int64"));
  WaitLoaded("scan");
  // N rows inserted in a shuffled key order, some deleted, all flushed to sealed segments.
  constexpr int64_t kN = 400;
  std::vector<int64_t> order;
  for (int64_t id = 0; id < kN; ++id) order.push_back(id * 3);  // keys with gaps
  std::shuffle(order.begin(), order.end(), rng);
  std::set<int64_t> live;
  for (size_t at = 0; at < order.size(); at += 100) {
    std::vector<json> ids(order.begin() + static_cast<ptrdiff_t>(at),
                          order.begin() + static_cast<ptrdiff_t>(at + 100));
    Ok("entities/insert", {{"collectionName", "scan"}, {"data", Rows(ids, "id", &rng)}});
    for (const json& id : ids) live.insert(id.get<int64_t>());
  }
  std::vector<int64_t> gone;
  for (int64_t id = 0; id < kN * 3; id += 21) gone.push_back(id);
  Ok("entities/delete", {{"collectionName", "scan"}, {"filter", "id in " + json(gone).dump()}});
  for (int64_t id : gone) live.erase(id);
  Ok("collections/flush", {{"collectionName", "scan"}});
  // More rows after the flush (growing, interleaving the sealed keys), deletes that hit both
  // sealed and growing rows, and upserts of sealed keys.
  std::vector<json> more;
  for (int64_t id = 1; id < kN * 3; id += 6) more.push_back(id);
  Ok("entities/insert", {{"collectionName", "scan"}, {"data", Rows(more, "id", &rng)}});
  for (const json& id : more) live.insert(id.get<int64_t>());
  std::vector<int64_t> gone2 = {3, 6, 7, 13, 600, 601, 1195};
  Ok("entities/delete", {{"collectionName", "scan"}, {"filter", "id in " + json(gone2).dump()}});
  for (int64_t id : gone2) live.erase(id);
  Ok("entities/upsert",
     {{"collectionName", "scan"}, {"data", Rows({json(9), json(12), json(2000)}, "id", &rng)}});
  live.insert({9, 12, 2000});

  std::vector<json> want(live.begin(), live.end());
  for (int page : {1000, 64, 7}) {
    std::vector<json> got = ScanAll("scan", "id", page);
    EXPECT_EQ(got, want) << "page size " << page;
  }
  // The count agrees with the scan.
  json count = Ok("entities/query",
                  {{"collectionName", "scan"}, {"filter", ""}, {"outputFields", {"count(*)"}}});
  EXPECT_EQ(count["data"], json::array({{{"count(*)", want.size()}}}));
}

TEST_F(QueryScanE2eTest, EmptyFilterPagesReturnEveryLiveVarCharKeyOnceInOrder) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 1);
  Ok("collections/create", CreateBody("scanv", "pk", "VarChar"));
  WaitLoaded("scanv");
  std::set<std::string> live;
  std::vector<json> ids;
  for (int i = 0; i < 150; ++i) ids.push_back("k" + std::to_string(i * 7 % 150));
  Ok("entities/insert", {{"collectionName", "scanv"}, {"data", Rows(ids, "pk", &rng)}});
  for (const json& id : ids) live.insert(id.get<std::string>());
  Ok("entities/delete", {{"collectionName", "scanv"}, {"filter", "pk in [\"k1\", \"k10\"]"}});
  live.erase("k1");
  live.erase("k10");
  Ok("collections/flush", {{"collectionName", "scanv"}});
  std::vector<json> more = {"a", "k100x", "k1", "zz", "K"};
  Ok("entities/insert", {{"collectionName", "scanv"}, {"data", Rows(more, "pk", &rng)}});
  for (const json& id : more) live.insert(id.get<std::string>());
  Ok("entities/delete", {{"collectionName", "scanv"}, {"filter", "pk in [\"k2\", \"zz\"]"}});
  live.erase("k2");
  live.erase("zz");

  std::vector<json> want(live.begin(), live.end());
  EXPECT_EQ(ScanAll("scanv", "pk", 11), want);
  EXPECT_EQ(ScanAll("scanv", "pk", 500), want);
}

}  // namespace
}  // namespace vdb
