// Drives the entity routes of the proxy over HTTP against an in-process cluster: a coordinator,
// a real streaming node, a query node and the proxy. Covers insert/upsert/delete/get/query/
// search with Milvus's shapes and error codes; search results are checked against brute force
// before and after the rows are flushed to sealed segments served by the query node. One
// cluster serves the whole suite; tests use distinct collections. Random data uses fixed seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/env.h"
#include "proxy/entities_filter.h"
#include "proxy/entities_rows.h"
#include "proxy/proxy.h"
#include "query/query_node.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"
#include "storage/object_store.h"
#include "streaming/streaming_process.h"
#include "util/coord_fixture.h"
#include "util/temp_dir.h"

namespace vdb::proxy {
namespace {

using nlohmann::json;

struct Cluster {
  test::TempDir dir;
  test::CoordFixture coord;
  std::unique_ptr<rpc::CoordClient> coord_client;
  std::unique_ptr<storage::ObjectStore> store;
  rpc::HttpServer stream_server;
  std::unique_ptr<streaming::StreamingProcess> stream;
  rpc::HttpServer query_server;
  std::unique_ptr<query::QueryNode> query;
  rpc::HttpServer proxy_server;
  std::unique_ptr<Proxy> proxy = std::make_unique<Proxy>();
  std::unique_ptr<rpc::HttpClient> client;
};

Cluster* cluster = nullptr;

struct Reply {
  int http_status = 0;
  std::string body;
  json envelope;
  int code() const { return envelope.value("code", -1); }
  std::string message() const { return envelope.value("message", ""); }
};

class EntitiesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster = new Cluster();
    Cluster& c = *cluster;
    Status started = c.coord.Start(Env::Default(), coord::CoordServiceOptions{500, 100});
    ASSERT_TRUE(started.ok()) << started.ToString();
    c.coord_client = std::make_unique<rpc::CoordClient>(c.coord.address());
    auto store = storage::OpenLocalObjectStore(Env::Default(), c.dir.Sub("objects"));
    ASSERT_TRUE(store.ok());
    c.store = std::move(*store);

    auto stream_port = c.stream_server.Bind("127.0.0.1", 0);
    ASSERT_TRUE(stream_port.ok());
    streaming::StreamingProcessParams params;
    params.env = Env::Default();
    params.node_id = NodeId(1);
    params.data_dir = c.dir.path();
    params.address = "127.0.0.1:" + std::to_string(*stream_port);
    params.coord_address = c.coord.address();
    params.options.heartbeat_interval_ms = 100;
    params.options.tick_interval_ms = 50;
    params.options.catalog_poll_ms = 200;
    params.options.handoff_grace_ms = 0;
    auto process = streaming::StreamingProcess::Start(params, &c.stream_server);
    ASSERT_TRUE(process.ok()) << process.status().ToString();
    c.stream = std::move(*process);
    ASSERT_TRUE(c.stream_server.Start().ok());

    auto query_port = c.query_server.Bind("127.0.0.1", 0);
    ASSERT_TRUE(query_port.ok());
    query::QueryNodeOptions qopts;
    qopts.heartbeat_interval_ms = 100;
    qopts.catalog_poll_ms = 200;
    qopts.load_retry_ms = 50;
    auto node =
        query::QueryNode::Start(Env::Default(), c.store.get(), c.coord_client.get(), NodeId(1),
                                "127.0.0.1:" + std::to_string(*query_port), qopts);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    c.query = std::move(*node);
    c.query->RegisterRoutes(&c.query_server);
    ASSERT_TRUE(c.query_server.Start().ok());

    auto proxy_port = c.proxy_server.Bind("127.0.0.1", 0);
    ASSERT_TRUE(proxy_port.ok());
    ProxyOptions options;
    options.catalog_poll_ms = 200;
    ASSERT_TRUE(c.proxy->Start(Env::Default(), &c.proxy_server, c.coord.address(), options).ok());
    ASSERT_TRUE(c.proxy_server.Start().ok());
    c.client = std::make_unique<rpc::HttpClient>("127.0.0.1:" + std::to_string(*proxy_port));
  }

  static void TearDownTestSuite() {
    if (cluster == nullptr) return;
    Cluster& c = *cluster;
    c.client.reset();
    c.proxy_server.Stop();
    c.proxy->Stop();
    c.proxy.reset();
    if (c.query) c.query->Stop();
    c.query_server.Stop();
    if (c.stream) c.stream->Stop();
    c.stream_server.Stop();
    c.stream.reset();
    c.coord_client.reset();
    c.coord.Stop();
    delete cluster;
    cluster = nullptr;
  }

  // Posts like the Node SDK (text/plain, Accept-Type-Allow-Int64 given by `allow_int64`).
  static Reply Api(const std::string& route, const json& body, bool allow_int64 = true) {
    rpc::Headers headers;
    headers.emplace("Accept-Type-Allow-Int64", allow_int64 ? "true" : "false");
    auto r =
        cluster->client->Post("/v2/vectordb/" + route, body.dump(), "text/plain", 30000, headers);
    Reply out;
    if (!r.ok()) {
      ADD_FAILURE() << route << ": " << r.status().ToString();
      return out;
    }
    out.http_status = r->status;
    out.body = r->body;
    out.envelope = json::parse(r->body, nullptr, false);
    return out;
  }
  static json Ok(const std::string& route, const json& body, bool allow_int64 = true) {
    Reply r = Api(route, body, allow_int64);
    EXPECT_EQ(r.code(), 0) << route << " " << r.body;
    return r.envelope.is_object() && r.envelope.contains("data") ? r.envelope["data"] : json();
  }
  static void Fails(const std::string& route, const json& body, int code,
                    const std::string& fragment = "") {
    Reply r = Api(route, body);
    EXPECT_EQ(r.http_status, 200) << route << " " << r.body;
    EXPECT_EQ(r.code(), code) << route << " " << r.body;
    EXPECT_NE(r.message().find(fragment), std::string::npos) << route << " " << r.body;
  }

  // id Int64 + vector FloatVector(dim) + tag VarChar(8) + score Double (nullable), L2, loaded.
  static void CreateCollection(const std::string& name, int dim, int shards,
                               const std::string& consistency = "Strong") {
    json body = {
        {"collectionName", name},
        {"schema",
         {{"fields",
           json::array({{{"fieldName", "id"}, {"dataType", "Int64"}, {"isPrimary", true}},
                        {{"fieldName", "vector"},
                         {"dataType", "FloatVector"},
                         {"elementTypeParams", {{"dim", dim}}}},
                        {{"fieldName", "tag"},
                         {"dataType", "VarChar"},
                         {"elementTypeParams", {{"max_length", 8}}}},
                        {{"fieldName", "score"}, {"dataType", "Double"}, {"nullable", true}}})}}},
        {"indexParams",
         json::array({{{"fieldName", "vector"}, {"metricType", "L2"}, {"indexType", "FLAT"}}})},
        {"params", {{"shardsNum", shards}, {"consistencyLevel", consistency}}}};
    Ok("collections/create", body);
    WaitLoaded(name);
  }
  static void WaitLoaded(const std::string& name) {
    for (int i = 0; i < 200; ++i) {
      json state = Ok("collections/get_load_state", {{"collectionName", name}});
      if (state.value("loadState", "") == "LoadStateLoaded") return;
      Env::Default()->SleepForMicros(20'000);
    }
    ADD_FAILURE() << name << " did not load";
  }

  static std::vector<std::vector<float>> RandomVectors(int n, int dim, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<std::vector<float>> out(static_cast<size_t>(n), std::vector<float>(dim));
    for (auto& v : out) {
      for (float& x : v) x = u(rng);
    }
    return out;
  }
  static json Rows(const std::vector<std::vector<float>>& vectors, int64_t first_id) {
    json rows = json::array();
    for (size_t i = 0; i < vectors.size(); ++i) {
      rows.push_back({{"id", first_id + static_cast<int64_t>(i)},
                      {"vector", vectors[i]},
                      {"tag", "t" + std::to_string(i % 10)},
                      {"score", static_cast<double>(i)}});
    }
    return rows;
  }
  // Brute-force top-k ids by squared L2.
  static std::vector<int64_t> BruteForce(const std::vector<std::vector<float>>& base,
                                         const std::vector<float>& q, size_t k) {
    std::vector<std::pair<double, int64_t>> d;
    for (size_t i = 0; i < base.size(); ++i) {
      double s = 0;
      for (size_t j = 0; j < q.size(); ++j) s += double(base[i][j] - q[j]) * (base[i][j] - q[j]);
      d.emplace_back(s, static_cast<int64_t>(i));
    }
    std::sort(d.begin(), d.end());
    std::vector<int64_t> out;
    for (size_t i = 0; i < k && i < d.size(); ++i) out.push_back(d[i].second);
    return out;
  }
  static void ExpectSearchMatchesBruteForce(const std::string& name,
                                            const std::vector<std::vector<float>>& base,
                                            const std::vector<std::vector<float>>& queries,
                                            size_t k) {
    Reply r = Api("entities/search", {{"collectionName", name},
                                      {"data", queries},
                                      {"limit", k},
                                      {"outputFields", {"tag"}},
                                      {"searchParams", {{"metricType", "L2"}}}});
    ASSERT_EQ(r.code(), 0) << r.body;
    const json& data = r.envelope["data"];
    ASSERT_EQ(r.envelope["topks"], json(std::vector<size_t>(queries.size(), k))) << r.body;
    ASSERT_EQ(data.size(), queries.size() * k);
    for (size_t q = 0; q < queries.size(); ++q) {
      std::vector<int64_t> want = BruteForce(base, queries[q], k);
      for (size_t i = 0; i < k; ++i) {
        const json& row = data[q * k + i];
        EXPECT_EQ(row["id"].get<int64_t>(), want[i]) << "query " << q << " rank " << i;
        EXPECT_EQ(row["tag"], "t" + std::to_string(want[i] % 10));
        if (i > 0) {
          EXPECT_LE(data[q * k + i - 1]["distance"], row["distance"]);
        }
      }
    }
  }
};

TEST_F(EntitiesTest, InsertThenStrongSearchEqualsBruteForceBeforeAndAfterFlush) {
  const uint32_t seed = 20261130;
  SCOPED_TRACE("seed " + std::to_string(seed));
  CreateCollection("bf", 8, 2);
  auto base = RandomVectors(300, 8, seed);
  auto queries = RandomVectors(3, 8, seed + 1);
  json inserted = Ok("entities/insert", {{"collectionName", "bf"}, {"data", Rows(base, 0)}});
  EXPECT_EQ(inserted["insertCount"], 300);
  ASSERT_EQ(inserted["insertIds"].size(), 300u);
  EXPECT_EQ(inserted["insertIds"][5], 5);
  ExpectSearchMatchesBruteForce("bf", base, queries, 10);

  // Sealed and handed to the query node: the same answers, now partly from sealed segments.
  Ok("collections/flush", {{"collectionName", "bf"}});
  ASSERT_TRUE(cluster->query->WaitFor(
      [](const query::QueryNode& n) { return n.LoadedSegments().size() >= 2; }, 20000));
  ExpectSearchMatchesBruteForce("bf", base, queries, 10);
  json count = Ok("entities/query", {{"collectionName", "bf"}, {"outputFields", {"count(*)"}}});
  EXPECT_EQ(count, json::array({{{"count(*)", 300}}}));
  json stats = Ok("collections/get_stats", {{"collectionName", "bf"}});
  EXPECT_EQ(stats["rowCount"], 300);

  // Offset pages through the same ranking.
  Reply paged =
      Api("entities/search",
          {{"collectionName", "bf"}, {"data", {queries[0]}}, {"limit", 5}, {"offset", 5}});
  ASSERT_EQ(paged.code(), 0) << paged.body;
  std::vector<int64_t> want = BruteForce(base, queries[0], 10);
  ASSERT_EQ(paged.envelope["data"].size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(paged.envelope["data"][i]["id"], want[5 + i]);
  EXPECT_FALSE(paged.envelope["data"][0].contains("tag"));  // no outputFields: pk + distance
}

TEST_F(EntitiesTest, UpsertReplacesAndDeleteHides) {
  CreateCollection("ud", 4, 2);
  auto base = RandomVectors(6, 4, 7);
  Ok("entities/insert", {{"collectionName", "ud"}, {"data", Rows(base, 1)}});
  json upserted =
      Ok("entities/upsert", {{"collectionName", "ud"},
                             {"data", {{{"id", 3}, {"vector", {9, 9, 9, 9}}, {"tag", "new"}}}}});
  EXPECT_EQ(upserted["upsertCount"], 1);
  EXPECT_EQ(upserted["upsertIds"], json::array({3}));
  json got = Ok("entities/get", {{"collectionName", "ud"}, {"id", 3}});
  ASSERT_EQ(got.size(), 1u) << got;
  EXPECT_EQ(got[0]["tag"], "new");
  EXPECT_EQ(got[0]["score"], nullptr);
  EXPECT_EQ(got[0]["vector"], json({9.0, 9.0, 9.0, 9.0}));
  EXPECT_EQ(Ok("entities/query", {{"collectionName", "ud"}, {"outputFields", {"count(*)"}}}),
            json::array({{{"count(*)", 6}}}));

  json deleted = Ok("entities/delete", {{"collectionName", "ud"}, {"filter", "id in [1, 2]"}});
  EXPECT_EQ(deleted["deleteCount"], 2);
  Ok("entities/delete", {{"collectionName", "ud"}, {"filter", " id==6 "}});
  EXPECT_EQ(Ok("entities/query", {{"collectionName", "ud"}, {"outputFields", {"count(*)"}}}),
            json::array({{{"count(*)", 3}}}));
  EXPECT_EQ(Ok("entities/get", {{"collectionName", "ud"}, {"id", {1, 2, 6}}}), json::array());
  json rest =
      Ok("entities/query", {{"collectionName", "ud"}, {"filter", ""}, {"outputFields", {"tag"}}});
  ASSERT_EQ(rest.size(), 3u) << rest;
  EXPECT_EQ(rest[0], json({{"id", 3}, {"tag", "new"}}));
  EXPECT_EQ(rest[1]["id"], 4);
  EXPECT_EQ(rest[2]["id"], 5);
  json searched =
      Ok("entities/search", {{"collectionName", "ud"}, {"data", {{9, 9, 9, 9}}}, {"limit", 10}});
  ASSERT_EQ(searched.size(), 3u) << searched;
  EXPECT_EQ(searched[0]["id"], 3);
  EXPECT_FLOAT_EQ(searched[0]["distance"].get<float>(), 0.0f);
}

// The ids an empty-filter query returns page by page (limit `page`), in the order returned.
std::vector<int64_t> ScanAllIds(const std::string& name, int page, int max_pages = 100) {
  std::vector<int64_t> ids;
  for (int p = 0; p < max_pages; ++p) {
    json body = {{"collectionName", name},
                 {"filter", ""},
                 {"offset", p * page},
                 {"limit", page},
                 {"outputFields", {"id"}}};
    rpc::Headers headers;
    auto r = cluster->client->Post("/v2/vectordb/entities/query", body.dump(), "text/plain", 30000,
                                   headers);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      return ids;
    }
    json envelope = json::parse(r->body, nullptr, false);
    if (!envelope.is_object() || envelope.value("code", -1) != 0) {
      ADD_FAILURE() << r->body;
      return ids;
    }
    const json& data = envelope["data"];
    for (const json& row : data) ids.push_back(row["id"].get<int64_t>());
    if (data.size() < static_cast<size_t>(page)) return ids;
  }
  ADD_FAILURE() << "more than " << max_pages << " pages";
  return ids;
}

TEST_F(EntitiesTest, EmptyFilterQueryPagesInKeyOrderAcrossGrowingAndSealed) {
  CreateCollection("scan", 4, 2);
  auto base = RandomVectors(90, 4, 11);
  std::vector<std::vector<float>> first(base.begin(), base.begin() + 60);
  Ok("entities/insert", {{"collectionName", "scan"}, {"data", Rows(first, 0)}});
  Ok("entities/delete", {{"collectionName", "scan"}, {"filter", "id in [0, 13, 59]"}});
  const size_t loaded = cluster->query->LoadedSegments().size();
  Ok("collections/flush", {{"collectionName", "scan"}});
  ASSERT_TRUE(cluster->query->WaitFor(
      [&](const query::QueryNode& n) { return n.LoadedSegments().size() >= loaded + 2; }, 20000));
  std::vector<std::vector<float>> second(base.begin() + 60, base.end());
  Ok("entities/insert", {{"collectionName", "scan"}, {"data", Rows(second, 60)}});
  Ok("entities/upsert", {{"collectionName", "scan"},
                         {"data", {{{"id", 20}, {"vector", {1, 2, 3, 4}}, {"tag", "up"}}}}});
  Ok("entities/delete", {{"collectionName", "scan"}, {"filter", "id in [30, 75]"}});

  std::vector<int64_t> live;
  for (int64_t id = 0; id < 90; ++id) {
    if (id != 0 && id != 13 && id != 59 && id != 30 && id != 75) live.push_back(id);
  }
  EXPECT_EQ(ScanAllIds("scan", 7), live);
  EXPECT_EQ(ScanAllIds("scan", 100), live);
  json page = Ok("entities/query", {{"collectionName", "scan"},
                                    {"filter", ""},
                                    {"offset", 17},
                                    {"limit", 3},
                                    {"outputFields", {"tag"}}});
  ASSERT_EQ(page.size(), 3u) << page;
  EXPECT_EQ(page[0], json({{"id", 19}, {"tag", "t9"}}));
  EXPECT_EQ(page[1], json({{"id", 20}, {"tag", "up"}}));  // the upserted version
  EXPECT_EQ(page[2]["id"], 21);
  EXPECT_EQ(Ok("entities/query",
               {{"collectionName", "scan"}, {"filter", ""}, {"offset", 85}, {"limit", 10}}),
            json::array());
}

TEST_F(EntitiesTest, VarCharKeysGetAndQueryByIds) {
  json body = {{"collectionName", "vk"},
               {"schema",
                {{"fields", json::array({{{"fieldName", "pk"},
                                          {"dataType", "VarChar"},
                                          {"isPrimary", true},
                                          {"elementTypeParams", {{"max_length", 16}}}},
                                         {{"fieldName", "v"},
                                          {"dataType", "FloatVector"},
                                          {"elementTypeParams", {{"dim", 2}}}},
                                         {{"fieldName", "n"}, {"dataType", "Int64"}},
                                         {{"fieldName", "doc"}, {"dataType", "JSON"}},
                                         {{"fieldName", "arr"},
                                          {"dataType", "Array"},
                                          {"elementDataType", "Int32"},
                                          {"elementTypeParams", {{"max_capacity", 4}}}}})}}},
               {"indexParams", json::array({{{"fieldName", "v"}, {"metricType", "IP"}}})},
               {"params", {{"shardsNum", 3}, {"consistencyLevel", "Strong"}}}};
  Ok("collections/create", body);
  WaitLoaded("vk");
  json rows = json::array();
  for (int i = 0; i < 6; ++i) {
    rows.push_back({{"pk", std::string(1, char('a' + i))},
                    {"v", {i, 1}},
                    {"n", std::to_string(1LL << 40)},  // numeric strings are tolerated
                    {"doc", {{"k", i}}},
                    {"arr", {i, i + 1}}});
  }
  json inserted = Ok("entities/insert", {{"collectionName", "vk"}, {"data", rows}}, false);
  EXPECT_EQ(inserted["insertIds"], json({"a", "b", "c", "d", "e", "f"}));
  json got = Ok("entities/query",
                {{"collectionName", "vk"}, {"filter", "pk in [\"b\",'c', \"zz\"]"}}, false);
  ASSERT_EQ(got.size(), 2u) << got;
  EXPECT_EQ(got[0]["pk"], "b");
  EXPECT_EQ(got[0]["n"], std::to_string(1LL << 40));  // Int64 as a string
  EXPECT_EQ(got[0]["doc"], "{\"k\":1}");              // JSON fields as text
  EXPECT_EQ(got[0]["arr"], json({1, 2}));
  EXPECT_EQ(got[1]["pk"], "c");
  json one = Ok("entities/query",
                {{"collectionName", "vk"}, {"filter", "pk == \"e\""}, {"outputFields", {"n"}}});
  EXPECT_EQ(one, json::array({{{"pk", "e"}, {"n", 1LL << 40}}}));
  json by_id =
      Ok("entities/get", {{"collectionName", "vk"}, {"id", "f"}, {"outputFields", {"pk"}}});
  EXPECT_EQ(by_id, json::array({{{"pk", "f"}}}));
  // IP: best first is the largest dot product.
  json hits = Ok("entities/search", {{"collectionName", "vk"}, {"data", {{1, 0}}}, {"limit", 2}});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]["pk"], "f");
  EXPECT_EQ(hits[1]["pk"], "e");
  Ok("entities/delete", {{"collectionName", "vk"}, {"filter", "pk in ['a', \"f\"]"}});
  EXPECT_EQ(Ok("entities/query", {{"collectionName", "vk"}, {"outputFields", {"count(*)"}}}),
            json::array({{{"count(*)", 4}}}));
  // An empty filter scans in key order over the three shards.
  json scanned = Ok("entities/query", {{"collectionName", "vk"},
                                       {"filter", ""},
                                       {"offset", 1},
                                       {"limit", 2},
                                       {"outputFields", {"pk"}}});
  EXPECT_EQ(scanned, json::array({{{"pk", "c"}}, {{"pk", "d"}}}));
}

TEST_F(EntitiesTest, AutoIdAndDynamicFields) {
  CollectionSchema schema;
  schema.name = "dyn";
  schema.enable_dynamic_field = true;
  FieldSchema pk;
  pk.name = "id";
  pk.type = DataType::kInt64;
  pk.primary_key = true;
  pk.auto_id = true;
  FieldSchema vec;
  vec.name = "vector";
  vec.type = DataType::kFloatVector;
  vec.dim = 2;
  FieldSchema meta;
  meta.name = "$meta";
  meta.type = DataType::kJson;
  meta.nullable = true;
  schema.fields = {pk, vec, meta};
  rpc::CreateCollectionParams params;
  params.consistency_level = "Strong";
  ASSERT_TRUE(cluster->coord_client->CreateCollection("default", schema, params).ok());
  Ok("indexes/create", {{"collectionName", "dyn"},
                        {"indexParams", {{{"fieldName", "vector"}, {"metricType", "L2"}}}}});
  Ok("collections/load", {{"collectionName", "dyn"}});
  WaitLoaded("dyn");
  json inserted = Ok("entities/insert",
                     {{"collectionName", "dyn"},
                      {"data",
                       {{{"vector", {1, 1}}, {"color", "red"}, {"size", 3}},
                        {{"vector", {2, 2}}, {"color", "blue"}}}}},
                     false);
  ASSERT_EQ(inserted["insertIds"].size(), 2u);
  ASSERT_TRUE(inserted["insertIds"][0].is_string());  // Accept-Type-Allow-Int64: false
  int64_t first = std::stoll(inserted["insertIds"][0].get<std::string>());
  int64_t second = std::stoll(inserted["insertIds"][1].get<std::string>());
  EXPECT_NE(first, second);
  json all = Ok("entities/get", {{"collectionName", "dyn"}, {"id", {first, second}}});
  ASSERT_EQ(all.size(), 2u) << all;
  EXPECT_EQ(all[0], json({{"id", first}, {"vector", {1.0, 1.0}}, {"color", "red"}, {"size", 3}}));
  EXPECT_EQ(all[1]["color"], "blue");
  json some =
      Ok("entities/get", {{"collectionName", "dyn"}, {"id", first}, {"outputFields", {"size"}}});
  EXPECT_EQ(some, json::array({{{"id", first}, {"size", 3}}}));
  json hits = Ok(
      "entities/search",
      {{"collectionName", "dyn"}, {"data", {{2, 2}}}, {"limit", 1}, {"outputFields", {"color"}}});
  EXPECT_EQ(hits, json::array({{{"id", second}, {"distance", 0.0}, {"color", "blue"}}}));
  Fails("entities/insert",
        {{"collectionName", "dyn"}, {"data", {{{"vector", {1, 1}}, {"$meta", {{"a", 1}}}}}}}, 1804,
        "fail to deal the insert data");
}

TEST_F(EntitiesTest, AcceptTypeAllowInt64ControlsInt64Rendering) {
  CreateCollection("i64", 2, 1);
  json inserted = Ok("entities/insert",
                     {{"collectionName", "i64"},
                      {"data", {{{"id", 1LL << 53}, {"vector", {0, 0}}, {"tag", "x"}}}}},
                     false);
  EXPECT_EQ(inserted["insertIds"], json::array({std::to_string(1LL << 53)}));
  json as_numbers = Ok("entities/get", {{"collectionName", "i64"}, {"id", 1LL << 53}}, true);
  ASSERT_EQ(as_numbers.size(), 1u);
  EXPECT_EQ(as_numbers[0]["id"], 1LL << 53);
  json as_strings = Ok("entities/search", {{"collectionName", "i64"}, {"data", {{0, 0}}}}, false);
  ASSERT_EQ(as_strings.size(), 1u);
  EXPECT_EQ(as_strings[0]["id"], std::to_string(1LL << 53));
}

TEST_F(EntitiesTest, ErrorsUseMilvusCodes) {
  CreateCollection("err", 2, 1);
  const json row = {{"id", 1}, {"vector", {0, 0}}, {"tag", "x"}};
  for (const char* route : {"entities/insert", "entities/upsert"}) {
    Fails(route, {{"collectionName", "nope"}, {"data", {row}}}, 100, "can't find collection");
  }
  Fails("entities/search", {{"collectionName", "nope"}, {"data", {{0, 0}}}}, 100,
        "can't find collection");
  Fails("entities/delete", {{"collectionName", "nope"}, {"filter", "id in [1]"}}, 100,
        "can't find collection");
  Fails("entities/get", {{"collectionName", "nope"}, {"id", 1}}, 100, "can't find collection");
  Fails("entities/insert", {{"collectionName", "err"}}, 1802);
  Fails("entities/insert", {{"dbName", "nodb"}, {"collectionName", "err"}, {"data", {row}}}, 800);
  Fails("entities/insert",
        {{"collectionName", "err"}, {"data", {{{"id", 1}, {"vector", {0, 0, 0}}, {"tag", "x"}}}}},
        1804, "fail to deal the insert data");
  Fails("entities/insert",
        {{"collectionName", "err"}, {"data", {{{"id", 1}, {"vector", {0, 0}}, {"tag", nullptr}}}}},
        1804, "fail to deal the insert data");
  Fails("entities/insert",
        {{"collectionName", "err"},
         {"data", {{{"id", 1}, {"vector", {0, 0}}, {"tag", "x"}, {"extra", 1}}}}},
        1804, "has pass more field without dynamic schema");
  Fails("entities/insert",
        {{"collectionName", "err"},
         {"data", {{{"id", 1}, {"vector", {0, 0}}, {"tag", "much too long"}}}}},
        1100, "exceeds max length");
  Fails("entities/insert", {{"collectionName", "err"}, {"partitionName", "p9"}, {"data", {row}}},
        200);
  Fails("entities/insert", {{"collectionName", "err"}, {"data", "rows"}}, 1801);
  Fails("entities/search", {{"collectionName", "err"}}, 1802);
  Fails("entities/search", {{"collectionName", "err"}, {"data", {{0, 0}}}, {"limit", 0}}, 65535,
        "invalid");
  Fails("entities/search", {{"collectionName", "err"}, {"data", {{0, 0}}}, {"limit", 16385}}, 65535,
        "invalid");
  Fails("entities/search",
        {{"collectionName", "err"}, {"data", {{0, 0}}}, {"limit", 10000}, {"offset", 10000}}, 65535,
        "invalid");
  Fails("entities/search", {{"collectionName", "err"}, {"data", {{0, 0}}}, {"offset", -1}}, 65535,
        "invalid");
  Fails("entities/search",
        {{"collectionName", "err"}, {"data", {{0, 0}}}, {"searchParams", {{"metricType", "IP"}}}},
        1100);
  Fails("entities/search",
        {{"collectionName", "err"}, {"data", {{0, 0}}}, {"partitionNames", {"p9"}}}, 200);
  Fails("entities/query", {{"collectionName", "err"}, {"filter", "[1,2,3]"}}, 1100,
        "failed to create query plan");
  Fails("entities/query", {{"collectionName", "err"}, {"filter", "tag == \"x\""}}, 1100,
        "failed to create query plan");
  Fails("entities/delete", {{"collectionName", "err"}, {"filter", "id > 3"}}, 1100,
        "failed to create query plan");
  Fails("entities/delete", {{"collectionName", "err"}}, 1802);
  Fails("entities/get", {{"collectionName", "err"}, {"id", {"x"}}}, 1806);
  Fails("entities/get", {{"collectionName", "err"}}, 1802);
  Fails("entities/get", {{"collectionName", "err"}, {"id", 1}, {"outputFields", {"nofield"}}},
        1100);

  Ok("collections/release", {{"collectionName", "err"}});
  Fails("entities/search", {{"collectionName", "err"}, {"data", {{0, 0}}}}, 101);
  Fails("entities/query", {{"collectionName", "err"}, {"filter", "id in [1]"}}, 101);
  Fails("entities/get", {{"collectionName", "err"}, {"id", 1}}, 101);
  // Writes do not need a loaded collection.
  EXPECT_EQ(Ok("entities/insert", {{"collectionName", "err"}, {"data", {row}}})["insertCount"], 1);
}

TEST(EntitiesFilterTest, ParsesPrimaryKeyForms) {
  FieldSchema pk;
  pk.name = "id";
  pk.type = DataType::kInt64;
  auto in = ParsePkFilter("  id  in [ 1, -2 ,3,1 ] ", pk);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->pks, (std::vector<PrimaryKey>{int64_t{1}, int64_t{-2}, int64_t{3}}));
  auto eq = ParsePkFilter("id==5", pk);
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(eq->pks, (std::vector<PrimaryKey>{int64_t{5}}));
  EXPECT_TRUE(ParsePkFilter(" \t", pk)->match_all);
  EXPECT_TRUE(ParsePkFilter("id in []", pk)->pks.empty());
  for (const char* bad : {"[1,2,3]", "id > 1", "id in [\"a\"]", "id in [1", "id == 1 and x",
                          "other in [1]", "id == 99999999999999999999"}) {
    EXPECT_FALSE(ParsePkFilter(bad, pk).ok()) << bad;
  }
  pk.type = DataType::kVarChar;
  auto s = ParsePkFilter("id in [\"a\\\"b\", 'c']", pk);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->pks, (std::vector<PrimaryKey>{std::string("a\"b"), std::string("c")}));
  EXPECT_FALSE(ParsePkFilter("id in [1]", pk).ok());
}

TEST(EntitiesRowsTest, ShardOfIsStable) {
  // Fixed values: changing the hash would send existing keys to other channels.
  EXPECT_EQ(ShardOf(PrimaryKey(int64_t{0}), 1), 0);
  std::vector<int> counts(4);
  for (int64_t i = 0; i < 4000; ++i) ++counts[static_cast<size_t>(ShardOf(PrimaryKey(i), 4))];
  for (int c : counts) EXPECT_GT(c, 800);
  EXPECT_EQ(ShardOf(PrimaryKey(int64_t{12345}), 7), ShardOf(PrimaryKey(int64_t{12345}), 7));
  EXPECT_EQ(ShardOf(PrimaryKey(std::string("abc")), 16),
            ShardOf(PrimaryKey(std::string("abc")), 16));
}

TEST_F(EntitiesTest, InsertBodyReaderFollowsJsonRules) {
  CreateCollection("raw", 2, 2);
  auto post = [](const std::string& body) {
    auto r = cluster->client->Post("/v2/vectordb/entities/insert", body, "text/plain", 30000);
    EXPECT_TRUE(r.ok());
    return r.ok() ? json::parse(r->body, nullptr, false) : json();
  };
  // Whitespace everywhere, a case-insensitive "Data", escapes, exponents, a vector of ints.
  json ok = post(
      " {\n \"collectionName\" : \"raw\" ,\"Data\":[ {\"id\":1 , \"vector\" : [ 1e0 ,-2.5E-1 ] ,"
      "\"tag\":\"a\\\"b\"} ,{\"tag\":\"c\",\"vector\":[3,4],\"id\":\"2\"}] }\n");
  ASSERT_EQ(ok.value("code", -1), 0) << ok;
  EXPECT_EQ(ok["data"]["insertIds"], json({1, 2}));
  EXPECT_EQ(ok["cost"], 0);
  json got = Ok("entities/get", {{"collectionName", "raw"}, {"id", {1, 2}}});
  ASSERT_EQ(got.size(), 2u) << got;
  EXPECT_EQ(got[0]["vector"], json({1.0, -0.25}));
  EXPECT_EQ(got[0]["tag"], "a\"b");
  EXPECT_EQ(got[1]["vector"], json({3.0, 4.0}));

  EXPECT_EQ(post("").value("code", -1), 1801);
  EXPECT_EQ(post("null").value("code", -1), 1802);
  EXPECT_EQ(post("[1]").value("code", -1), 1801);
  EXPECT_EQ(post("{\"collectionName\":\"raw\",\"data\":[{\"id\":1,").value("code", -1), 1801);
  EXPECT_EQ(post("{\"collectionName\":\"raw\",\"data\":{}}").value("code", -1), 1801);
  EXPECT_EQ(post("{\"collectionName\":\"raw\",\"data\":null}").value("code", -1), 1802);
  EXPECT_EQ(post("{\"collectionName\":\"raw\",\"data\":[]}").value("code", -1), 1802);
  EXPECT_EQ(post("{\"collectionName\":\"raw\",\"data\":[{\"id\":1,\"vector\":[1,2],"
                 "\"vector\":[1,2],\"tag\":\"x\"}]}")
                .value("code", -1),
            1804);
  EXPECT_EQ(post("{\"collectionName\":\"raw\",\"data\":[{\"id\":1,\"vector\":[1,\"x\"],"
                 "\"tag\":\"x\"}]}")
                .value("code", -1),
            1804);
  EXPECT_EQ(post("{\"collectionName\":\"raw\",\"data\":[7]}").value("code", -1), 1804);
  EXPECT_EQ(post("{\"collectionName\":1,\"data\":[]}").value("code", -1), 1801);
  EXPECT_EQ(Ok("entities/query", {{"collectionName", "raw"}, {"outputFields", {"count(*)"}}}),
            json::array({{{"count(*)", 2}}}));
}

}  // namespace
}  // namespace vdb::proxy
