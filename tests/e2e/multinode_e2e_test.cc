// vdbd with two streaming and two query nodes, driven over HTTP through every essential endpoint:
// databases, collections, partitions, aliases, indexes and entities. Search results are checked
// against brute force over the rows the test knows to be live, before and after the data is
// flushed to sealed segments spread over both query nodes, after a kill -9 of one streaming and
// one query node, and after `vdbd stop` + start.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "util/temp_dir.h"
#include "util/vdbd_harness.h"

namespace vdb::test {
namespace {

using nlohmann::json;

constexpr int kDim = 16;
constexpr char kDb[] = "analytics";

struct Row {
  std::vector<float> vector;
  std::string tag;
  double score = 0;
  std::string partition;
};

class MultiNodeE2eTest : public ::testing::Test {
 protected:
  MultiNodeE2eTest() {
    VdbdOptions options;
    options.vdbd_path = VDBD_PATH;
    options.data_dir = dir_.Sub("data");
    options.extra_args = {"--streaming-nodes", "2", "--query-nodes", "2"};
    options.expected_children = 7;
    vdbd_ = std::make_unique<VdbdHarness>(options);
  }

  // POSTs to /v2/vectordb/<route> and returns the envelope ({"code": -1} on transport errors).
  json Call(const std::string& route, json body) {
    if (!body.contains("dbName")) body["dbName"] = kDb;
    auto r = vdbd_->Post("/v2/vectordb/" + route, body, 60000);
    if (!r.ok()) return json{{"code", -1}, {"message", r.status().ToString()}};
    return *r;
  }
  // As Call, expecting code 0; returns `data`.
  json Ok(const std::string& route, const json& body) {
    json reply = Call(route, body);
    EXPECT_EQ(reply.value("code", -1), 0)
        << route << " " << body.dump().substr(0, 300) << " -> " << reply.dump().substr(0, 500);
    return reply.is_object() && reply.contains("data") ? reply["data"] : json();
  }

  bool WaitLoaded(const std::string& name) {
    return WaitFor(
        [&] {
          json r = Call("collections/get_load_state", {{"collectionName", name}});
          return r.value("code", -1) == 0 && r["data"].value("loadState", "") == "LoadStateLoaded";
        },
        60000, 50);
  }

  int64_t Count(const std::string& name, const json& partitions = json::array()) {
    json body = {{"collectionName", name}, {"outputFields", {"count(*)"}}};
    if (!partitions.empty()) body["partitionNames"] = partitions;
    json data = Ok("entities/query", body);
    return data.is_array() && data.size() == 1 ? data[0].value("count(*)", int64_t{-1}) : -1;
  }

  // The ids of the `k` live rows nearest to `q` by squared L2, nearest first.
  std::vector<int64_t> BruteForce(const std::vector<float>& q, size_t k) const {
    std::vector<std::pair<float, int64_t>> all;
    for (const auto& [id, row] : rows_) {
      float d = 0;
      for (int i = 0; i < kDim; ++i) d += (row.vector[i] - q[i]) * (row.vector[i] - q[i]);
      all.emplace_back(d, id);
    }
    std::sort(all.begin(), all.end());
    std::vector<int64_t> ids;
    for (size_t i = 0; i < std::min(k, all.size()); ++i) ids.push_back(all[i].second);
    return ids;
  }

  std::vector<float> RandomVector() {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(kDim);
    for (float& x : v) x = u(rng_);
    return v;
  }

  // Inserts (or upserts) rows [first, first + n) with fresh vectors into `partition`.
  void Write(const std::string& route, const std::string& collection, int64_t first, int n,
             const std::string& partition) {
    json data = json::array();
    for (int64_t id = first; id < first + n; ++id) {
      Row row{RandomVector(), "tag-" + std::to_string(id % 7), static_cast<double>(id) / 4,
              partition};
      data.push_back({{"id", id},
                      {"vector", row.vector},
                      {"tag", row.tag},
                      {"score", row.score},
                      {"extra", id * 3}});
      rows_[id] = std::move(row);
    }
    json body = {{"collectionName", collection}, {"data", data}};
    if (!partition.empty()) body["partitionName"] = partition;
    json out = Ok(route, body);
    const char* count_key = route == "entities/upsert" ? "upsertCount" : "insertCount";
    EXPECT_EQ(out.value(count_key, -1), n) << out.dump().substr(0, 300);
  }

  // Searches `collection` with 5 fixed queries and checks every hit list against brute force.
  void CheckSearch(const std::string& collection, const std::string& when) {
    std::mt19937_64 qrng(99);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    json queries = json::array();
    std::vector<std::vector<float>> qs;
    for (int q = 0; q < 5; ++q) {
      std::vector<float> v(kDim);
      for (float& x : v) x = u(qrng);
      qs.push_back(v);
      queries.push_back(v);
    }
    json data = Ok("entities/search", {{"collectionName", collection},
                                       {"data", queries},
                                       {"limit", 10},
                                       {"outputFields", {"tag", "score", "extra"}},
                                       {"consistencyLevel", "Strong"}});
    ASSERT_TRUE(data.is_array()) << when;
    ASSERT_EQ(data.size(), 50u) << when << ": " << data.dump().substr(0, 300);
    for (size_t q = 0; q < qs.size(); ++q) {
      std::vector<int64_t> expected = BruteForce(qs[q], 10);
      std::vector<int64_t> got;
      for (size_t i = 0; i < 10; ++i) {
        const json& hit = data[q * 10 + i];
        int64_t id = hit["id"].get<int64_t>();
        got.push_back(id);
        ASSERT_TRUE(rows_.count(id)) << when << ": hit " << id << " is not a live row";
        EXPECT_EQ(hit["tag"], rows_.at(id).tag) << when;
        EXPECT_DOUBLE_EQ(hit["score"].get<double>(), rows_.at(id).score) << when;
        EXPECT_EQ(hit["extra"], id * 3) << when;
      }
      EXPECT_EQ(got, expected) << when << ": query " << q;
    }
  }

  // Every live row by id (through get, in batches), compared field by field.
  void CheckAllRows(const std::string& collection, const std::string& when) {
    std::vector<int64_t> ids;
    for (const auto& [id, row] : rows_) ids.push_back(id);
    for (int64_t gone : deleted_) ids.push_back(gone);
    size_t found = 0;
    for (size_t begin = 0; begin < ids.size(); begin += 500) {
      json batch(std::vector<int64_t>(
          ids.begin() + static_cast<std::ptrdiff_t>(begin),
          ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), begin + 500))));
      json got = Ok("entities/get", {{"collectionName", collection},
                                     {"id", batch},
                                     {"outputFields", {"vector", "tag", "score"}},
                                     {"consistencyLevel", "Strong"}});
      ASSERT_TRUE(got.is_array()) << when;
      for (const json& r : got) {
        int64_t id = r["id"].get<int64_t>();
        ASSERT_TRUE(rows_.count(id)) << when << ": deleted row " << id << " came back";
        const Row& want = rows_.at(id);
        EXPECT_EQ(r["tag"], want.tag) << when << " id " << id;
        ASSERT_EQ(r["vector"].size(), static_cast<size_t>(kDim)) << when;
        for (int i = 0; i < kDim; ++i) {
          EXPECT_FLOAT_EQ(r["vector"][i].get<float>(), want.vector[i]) << when << " id " << id;
        }
        ++found;
      }
    }
    EXPECT_EQ(found, rows_.size()) << when;
    EXPECT_EQ(Count(collection), static_cast<int64_t>(rows_.size())) << when;
  }

  // The sum of every sample of metric `name` (any labels, or those containing `label`) over the
  // /metrics of every child of `role`.
  double MetricSum(const std::string& role, const std::string& name,
                   const std::string& label = "") {
    double sum = 0;
    for (const json& e : vdbd_->Endpoints()) {
      if (e.value("role", "") != role) continue;
      auto text = VdbdHarness::GetFrom(e.value("address", ""), "/metrics");
      if (!text.ok()) continue;
      size_t pos = 0;
      while (pos < text->size()) {
        size_t end = text->find('\n', pos);
        if (end == std::string::npos) end = text->size();
        std::string line = text->substr(pos, end - pos);
        pos = end + 1;
        if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
        char next = line[name.size()];
        if (next != ' ' && next != '{') continue;
        if (!label.empty() && line.find(label) == std::string::npos) continue;
        sum += std::stod(line.substr(line.rfind(' ') + 1));
      }
    }
    return sum;
  }

  TempDir dir_;
  std::unique_ptr<VdbdHarness> vdbd_;
  std::mt19937_64 rng_{20261130};
  std::map<int64_t, Row> rows_;  // live rows by id
  std::set<int64_t> deleted_;
};

TEST_F(MultiNodeE2eTest, EveryEndpointAcrossTwoStreamingAndTwoQueryNodes) {
  Status started = vdbd_->Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  json endpoints = vdbd_->Endpoints();
  std::map<std::string, int> per_role;
  for (const json& e : endpoints) per_role[e.value("role", "")]++;
  EXPECT_EQ(per_role["streaming"], 2);
  EXPECT_EQ(per_role["query"], 2);

  // Databases.
  Ok("databases/create", {{"dbName", kDb}});
  json dbs = Ok("databases/list", json::object());
  EXPECT_NE(std::find(dbs.begin(), dbs.end(), json(kDb)), dbs.end()) << dbs.dump();
  EXPECT_NE(std::find(dbs.begin(), dbs.end(), json("default")), dbs.end()) << dbs.dump();
  EXPECT_EQ(Ok("databases/describe", {{"dbName", kDb}}).value("dbName", ""), kDb);

  // A custom schema over four shards, FLAT so that search must equal brute force.
  json fields = json::array(
      {{{"fieldName", "id"}, {"dataType", "Int64"}, {"isPrimary", true}},
       {{"fieldName", "vector"},
        {"dataType", "FloatVector"},
        {"elementTypeParams", {{"dim", kDim}}}},
       {{"fieldName", "tag"}, {"dataType", "VarChar"}, {"elementTypeParams", {{"max_length", 32}}}},
       {{"fieldName", "score"}, {"dataType", "Double"}}});
  Ok("collections/create",
     {{"collectionName", "items"},
      {"schema", {{"enableDynamicField", true}, {"fields", fields}}},
      {"indexParams", {{{"fieldName", "vector"}, {"metricType", "L2"}, {"indexType", "FLAT"}}}},
      {"params", {{"consistencyLevel", "Strong"}, {"shardsNum", 4}}}});
  ASSERT_TRUE(WaitLoaded("items"));
  EXPECT_EQ(Ok("collections/has", {{"collectionName", "items"}}).value("has", false), true);
  EXPECT_EQ(Ok("collections/has", {{"collectionName", "nothing"}}).value("has", true), false);
  EXPECT_EQ(Ok("collections/list", json::object()), json::array({"items"}));
  json described = Ok("collections/describe", {{"collectionName", "items"}});
  EXPECT_EQ(described.value("shardsNum", 0), 4) << described.dump();
  EXPECT_EQ(described.value("enableDynamicField", false), true) << described.dump();
  EXPECT_EQ(described.value("collectionName", ""), "items");
  // The wrong database does not see it.
  json elsewhere = vdbd_
                       ->Post("/v2/vectordb/collections/describe",
                              {{"collectionName", "items"}, {"dbName", "default"}})
                       .value_or(json());
  EXPECT_EQ(elsewhere.value("code", 0), 100) << elsewhere.dump();

  // Partitions.
  Ok("partitions/create", {{"collectionName", "items"}, {"partitionName", "recent"}});
  EXPECT_EQ(Ok("partitions/has", {{"collectionName", "items"}, {"partitionName", "recent"}})
                .value("has", false),
            true);
  json parts = Ok("partitions/list", {{"collectionName", "items"}});
  EXPECT_EQ(std::set<std::string>(parts.begin(), parts.end()),
            (std::set<std::string>{"_default", "recent"}));

  // Entities: inserts into both partitions, an upsert over both, deletes.
  Write("entities/insert", "items", 0, 1500, "");
  Write("entities/insert", "items", 1500, 500, "recent");
  Write("entities/upsert", "items", 1300, 200, "");  // new versions of existing rows
  Ok("entities/delete", {{"collectionName", "items"}, {"filter", "id in [3, 5, 1650]"}});
  for (int64_t id : {3, 5, 1650}) {
    rows_.erase(id);
    deleted_.insert(id);
  }
  EXPECT_EQ(Count("items"), 1997);
  EXPECT_EQ(Count("items", {"recent"}), 499);
  CheckSearch("items", "growing");
  json some = Ok("entities/query", {{"collectionName", "items"},
                                    {"filter", "id in [7, 3, 1700]"},
                                    {"outputFields", {"tag", "extra"}}});
  ASSERT_EQ(some.size(), 2u) << some.dump();
  EXPECT_EQ(some[0]["id"], 7);
  EXPECT_EQ(some[0]["extra"], 21);  // a dynamic key, from $meta
  EXPECT_EQ(some[1]["id"], 1700);

  // Flush: every shard seals, and the sealed segments are served by both query nodes.
  Ok("collections/flush", {{"collectionName", "items"}});
  ASSERT_TRUE(
      WaitFor([&] { return MetricSum("query", "vdb_query_rows_loaded") >= 2200; }, 60000, 100))
      << "rows loaded by query nodes: " << MetricSum("query", "vdb_query_rows_loaded");
  int serving = 0;
  for (const json& e : vdbd_->Endpoints()) {
    if (e.value("role", "") != "query") continue;
    auto text = VdbdHarness::GetFrom(e.value("address", ""), "/metrics");
    ASSERT_TRUE(text.ok());
    size_t at = text->find("\nvdb_query_segments_loaded ");
    if (at != std::string::npos && std::stoll(text->substr(at + 27)) > 0) ++serving;
  }
  EXPECT_EQ(serving, 2) << "both query nodes should serve sealed segments";
  // /metrics of every role tells the same story.
  EXPECT_EQ(MetricSum("proxy", "vdb_proxy_rows_total", "kind=\"inserted\""), 2000);
  EXPECT_EQ(MetricSum("proxy", "vdb_proxy_rows_total", "kind=\"upserted\""), 200);
  EXPECT_EQ(MetricSum("proxy", "vdb_proxy_rows_total", "kind=\"deleted\""), 3);
  EXPECT_GT(MetricSum("streaming", "vdb_streaming_wal_bytes_total"), 2200.0 * kDim * 4);
  EXPECT_GE(MetricSum("streaming", "vdb_streaming_wal_records_total"), 4);
  EXPECT_EQ(MetricSum("streaming", "vdb_streaming_channels"), 4);
  EXPECT_EQ(MetricSum("coord", "vdb_coord_collections"), 1);
  EXPECT_EQ(MetricSum("coord", "vdb_coord_channels"), 4);
  EXPECT_EQ(MetricSum("coord", "vdb_coord_nodes", "state=\"alive\""), 6);
  EXPECT_GE(MetricSum("coord", "vdb_coord_segment_rows"), 2200);  // upserts keep old versions
  EXPECT_GE(MetricSum("coord", "vdb_coord_segments"), 4);
  EXPECT_EQ(Ok("collections/get_stats", {{"collectionName", "items"}}).value("rowCount", -1), 1997);
  EXPECT_EQ(Ok("partitions/get_stats", {{"collectionName", "items"}, {"partitionName", "recent"}})
                .value("rowCount", -1),
            499);
  CheckSearch("items", "sealed");
  // More writes land in growing segments beside the sealed ones; a delete hits a sealed row.
  Write("entities/insert", "items", 2000, 300, "");
  Ok("entities/delete", {{"collectionName", "items"}, {"filter", "id == 10"}});
  rows_.erase(10);
  deleted_.insert(10);
  CheckSearch("items", "sealed + growing");
  CheckAllRows("items", "sealed + growing");

  // Aliases.
  Ok("aliases/create", {{"collectionName", "items"}, {"aliasName", "catalogue"}});
  EXPECT_EQ(Ok("aliases/describe", {{"aliasName", "catalogue"}}).value("collectionName", ""),
            "items");
  EXPECT_EQ(Ok("aliases/list", json::object()), json::array({"catalogue"}));
  EXPECT_EQ(Count("catalogue"), static_cast<int64_t>(rows_.size()));

  // Indexes: drop FLAT needs a release first, like Milvus.
  EXPECT_EQ(Ok("indexes/list", {{"collectionName", "items"}}), json::array({"vector"}));
  json index = Ok("indexes/describe", {{"collectionName", "items"}, {"indexName", "vector"}});
  ASSERT_TRUE(index.is_array() && index.size() == 1) << index.dump();
  EXPECT_EQ(index[0].value("indexType", ""), "FLAT");
  Ok("collections/release", {{"collectionName", "items"}});
  EXPECT_EQ(Ok("collections/get_load_state", {{"collectionName", "items"}}).value("loadState", ""),
            "LoadStateNotLoad");
  Ok("indexes/drop", {{"collectionName", "items"}, {"indexName", "vector"}});
  EXPECT_EQ(Ok("indexes/list", {{"collectionName", "items"}}), json::array());
  Ok("indexes/create", {{"collectionName", "items"},
                        {"indexParams",
                         {{{"fieldName", "vector"},
                           {"indexName", "vector"},
                           {"metricType", "L2"},
                           {"indexType", "FLAT"}}}}});
  Ok("collections/load", {{"collectionName", "items"}});
  ASSERT_TRUE(WaitLoaded("items"));
  CheckSearch("items", "reloaded");

  // A released partition is left out of reads while the rest of the collection serves.
  int64_t in_recent = 0;
  for (const auto& [id, row] : rows_) in_recent += row.partition == "recent" ? 1 : 0;
  Ok("partitions/release", {{"collectionName", "items"}, {"partitionNames", {"recent"}}});
  EXPECT_EQ(Ok("collections/get_load_state", {{"collectionName", "items"}}).value("loadState", ""),
            "LoadStateLoaded");
  EXPECT_EQ(Ok("collections/get_load_state",
               {{"collectionName", "items"}, {"partitionNames", {"recent"}}})
                .value("loadState", ""),
            "LoadStateNotLoad");
  EXPECT_EQ(Count("items"), static_cast<int64_t>(rows_.size()) - in_recent);
  json not_loaded = Call("entities/search", {{"collectionName", "items"},
                                             {"data", {std::vector<float>(kDim, 0.5f)}},
                                             {"partitionNames", {"recent"}},
                                             {"limit", 3}});
  EXPECT_EQ(not_loaded.value("code", 0), 201) << not_loaded.dump();
  Ok("partitions/load", {{"collectionName", "items"}, {"partitionNames", {"recent"}}});
  ASSERT_TRUE(WaitLoaded("items"));
  ASSERT_TRUE(
      WaitFor([&] { return Count("items") == static_cast<int64_t>(rows_.size()); }, 60000, 200));
  EXPECT_EQ(Count("items", {"recent"}), in_recent);

  // Kill -9 one streaming node and one query node: their work moves or comes back.
  for (const char* role : {"streaming", "query"}) {
    auto killed = vdbd_->KillChild(role, 2);
    ASSERT_TRUE(killed.ok()) << killed.status().ToString();
    Status back = vdbd_->WaitRestarted(role, 2, *killed, 60000);
    ASSERT_TRUE(back.ok()) << back.ToString() << "\n" << vdbd_->OutputTail();
  }
  ASSERT_TRUE(WaitLoaded("items"));
  ASSERT_TRUE(
      WaitFor([&] { return Count("items") == static_cast<int64_t>(rows_.size()); }, 60000, 200));
  CheckSearch("items", "after kill -9 of streaming-2 and query-2");
  CheckAllRows("items", "after kill -9 of streaming-2 and query-2");

  // Rename keeps the data and the alias follows.
  Ok("collections/rename", {{"collectionName", "items"}, {"newCollectionName", "products"}});
  EXPECT_EQ(Ok("aliases/describe", {{"aliasName", "catalogue"}}).value("collectionName", ""),
            "products");

  // Everything survives a graceful stop and a new start.
  Status stopped = vdbd_->Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  started = vdbd_->Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_TRUE(WaitLoaded("products"));
  CheckSearch("products", "after restart");
  CheckAllRows("products", "after restart");

  // Drop everything.
  Ok("aliases/drop", {{"aliasName", "catalogue"}});
  json loaded_drop =
      Call("partitions/drop", {{"collectionName", "products"}, {"partitionName", "recent"}});
  EXPECT_EQ(loaded_drop.value("code", 0), 65535) << loaded_drop.dump();
  Ok("partitions/release", {{"collectionName", "products"}, {"partitionNames", {"recent"}}});
  Ok("partitions/drop", {{"collectionName", "products"}, {"partitionName", "recent"}});
  for (auto it = rows_.begin(); it != rows_.end();) {
    it = it->second.partition == "recent" ? rows_.erase(it) : std::next(it);
  }
  EXPECT_EQ(Count("products"), static_cast<int64_t>(rows_.size()));
  CheckSearch("products", "after dropping a partition");
  Ok("collections/drop", {{"collectionName", "products"}});
  EXPECT_EQ(
      Call("entities/query", {{"collectionName", "products"}, {"filter", ""}}).value("code", 0),
      100);
  Ok("databases/drop", {{"dbName", kDb}});
  json after = Ok("databases/list", json::object());
  EXPECT_EQ(std::find(after.begin(), after.end(), json(kDb)), after.end()) << after.dump();
  ASSERT_TRUE(vdbd_->Stop().ok());
}

}  // namespace
}  // namespace vdb::test
