// Drives every DDL route of the proxy over HTTP, as Milvus clients do (Node SDK quirks included:
// text/plain bodies, autoId spelling, Accept-Type-Allow-Int64: false), against an in-process
// coordinator and a fake streaming node that only answers flush. One cluster serves the whole
// suite; tests use distinct collection and database names.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/env.h"
#include "proxy/proxy.h"
#include "rpc/catalog.h"
#include "rpc/data_plane.h"
#include "rpc/envelope.h"
#include "rpc/http.h"
#include "util/coord_fixture.h"

namespace vdb::proxy {
namespace {

using nlohmann::json;

// The clock of the proxy under test: real, plus an offset a test route can push forward to
// expire a request's deadline without sleeping.
class SkewedEnv final : public Env {
 public:
  uint64_t MonotonicMicros() override { return base_->MonotonicMicros() + skew_us_.load(); }
  void Skew(uint64_t us) { skew_us_ += us; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p) override {
    return base_->NewWritableFile(p);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    return base_->NewAppendableFile(p);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  Result<std::unique_ptr<MappedFile>> MapFile(const std::string& p) override {
    return base_->MapFile(p);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return base_->GetFileSize(p); }
  Result<std::vector<std::string>> GetChildren(const std::string& d) override {
    return base_->GetChildren(d);
  }
  bool IsDirectory(const std::string& p) override { return base_->IsDirectory(p); }
  Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RemoveDir(const std::string& d) override { return base_->RemoveDir(d); }
  Status RenameFile(const std::string& a, const std::string& b) override {
    return base_->RenameFile(a, b);
  }
  Status TruncateFile(const std::string& p, uint64_t n) override {
    return base_->TruncateFile(p, n);
  }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& p) override {
    return base_->LockFile(p);
  }
  uint64_t NowMicros() override { return base_->NowMicros(); }
  void SleepForMicros(uint64_t us) override { base_->SleepForMicros(us); }

 private:
  Env* base_ = Env::Default();
  std::atomic<uint64_t> skew_us_{0};
};

struct Cluster {
  test::CoordFixture coord;
  rpc::HttpServer stream_server;  // fake streaming node: flush only
  std::mutex flushed_mu;
  std::vector<int64_t> flushed;  // collection ids flushed
  SkewedEnv proxy_env;
  rpc::HttpServer proxy_server;
  std::unique_ptr<Proxy> proxy = std::make_unique<Proxy>();
  std::unique_ptr<rpc::HttpClient> client;
};

Cluster* cluster = nullptr;

struct Reply {
  int http_status = 0;
  std::string body;
  std::string content_type;
  std::string cors;
  json envelope;  // parsed body (discarded when not JSON)
  int code() const { return envelope.value("code", -1); }
  std::string message() const { return envelope.value("message", ""); }
  const json& data() const { return envelope.at("data"); }
};

class DdlRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster = new Cluster();
    Cluster& c = *cluster;
    Status started = c.coord.Start(Env::Default(), coord::CoordServiceOptions{500, 200});
    ASSERT_TRUE(started.ok()) << started.ToString();
    const std::string& coord_address = c.coord.address();

    c.stream_server.Route("POST", std::string(rpc::kStreamFlushPath),
                          [](const rpc::Request& req, rpc::Response* resp) -> Status {
                            VDB_ASSIGN_OR_RETURN(rpc::FlushRequest r,
                                                 rpc::DecodeFlushRequest(req.body));
                            {
                              std::lock_guard<std::mutex> lock(cluster->flushed_mu);
                              cluster->flushed.push_back(r.collection_id.value());
                            }
                            resp->content_type = "application/octet-stream";
                            resp->body = rpc::EncodeFlushResponse({});
                            return Status::OK();
                          });
    auto stream_port = c.stream_server.Bind("127.0.0.1", 0);
    ASSERT_TRUE(stream_port.ok());
    ASSERT_TRUE(c.stream_server.Start().ok());
    // Registered as a live streaming node, it gets every channel, so loads complete.
    ASSERT_TRUE(c.coord.coord()
                    ->Heartbeat(rpc::NodeRole::kStreaming, NodeId(1),
                                "127.0.0.1:" + std::to_string(*stream_port))
                    .ok());

    auto proxy_port = c.proxy_server.Bind("127.0.0.1", 0);
    ASSERT_TRUE(proxy_port.ok());
    ProxyOptions options;
    options.catalog_poll_ms = 200;
    options.node_id = NodeId(7);
    options.advertise_address = "127.0.0.1:" + std::to_string(*proxy_port);
    ASSERT_TRUE(c.proxy->Start(&c.proxy_env, &c.proxy_server, coord_address, options).ok());
    // A test-only route whose handler outlives its Request-Timeout.
    c.proxy->Route("test/slow", [](ApiCall&) -> Result<json> {
      cluster->proxy_env.Skew(2'000'000);
      return json::object();
    });
    // get_stats falls back to the sealed rows of the catalog without the entity routes' counter
    // (which asks the streaming and query nodes, absent here).
    c.proxy->SetRowCounter(nullptr);
    // Raw routes: the handler writes the envelope itself, or fails.
    c.proxy->RouteRaw("test/raw", [](const RawCall& call, rpc::Response* resp) -> Status {
      if (call.http->body == "fail") return MissingParam("data");
      rpc::WriteEnvelope(rpc::SuccessEnvelope(Int64Json(1LL << 60, call.allow_int64)), resp);
      return Status::OK();
    });
    ASSERT_TRUE(c.proxy_server.Start().ok());
    c.client = std::make_unique<rpc::HttpClient>("127.0.0.1:" + std::to_string(*proxy_port));
  }

  static void TearDownTestSuite() {
    if (cluster == nullptr) return;
    // Close idle keep-alive connections first so that each server stops at once.
    cluster->client.reset();
    cluster->proxy_server.Stop();
    cluster->proxy->Stop();
    cluster->proxy.reset();
    cluster->stream_server.Stop();
    cluster->coord.Stop();
    delete cluster;
    cluster = nullptr;
  }

  // Posts like the Node SDK: text/plain content type, Accept-Type-Allow-Int64: false.
  static Reply Post(const std::string& path, const std::string& body, rpc::Headers headers = {}) {
    headers.emplace("Accept-Type-Allow-Int64", "false");
    auto r = cluster->client->Post(path, body, "text/plain;charset=UTF-8", 10000, headers);
    Reply out;
    if (!r.ok()) {
      ADD_FAILURE() << path << ": " << r.status().ToString();
      return out;
    }
    out.http_status = r->status;
    out.body = r->body;
    out.content_type = r->content_type;
    out.cors = r->GetHeader("Access-Control-Allow-Origin");
    out.envelope = json::parse(r->body, nullptr, false);
    return out;
  }
  static Reply Api(const std::string& route, const json& body, rpc::Headers headers = {}) {
    return Post("/v2/vectordb/" + route, body.dump(), std::move(headers));
  }
  // Calls `route` and expects code 0; returns "data".
  static json Ok(const std::string& route, const json& body, rpc::Headers headers = {}) {
    Reply r = Api(route, body, std::move(headers));
    EXPECT_EQ(r.http_status, 200) << route << " " << r.body;
    EXPECT_EQ(r.code(), 0) << route << " " << r.body;
    return r.envelope.is_object() && r.envelope.contains("data") ? r.data() : json();
  }
  // Calls `route` and expects an HTTP 200 error envelope with `code` whose message contains
  // `fragment`.
  static void Fails(const std::string& route, const json& body, int code,
                    const std::string& fragment = "", rpc::Headers headers = {}) {
    Reply r = Api(route, body, std::move(headers));
    EXPECT_EQ(r.http_status, 200) << route << " " << r.body;
    EXPECT_EQ(r.code(), code) << route << " " << r.body;
    EXPECT_NE(r.message().find(fragment), std::string::npos) << route << " " << r.body;
    EXPECT_FALSE(r.envelope.contains("data")) << r.body;
  }
  static json Describe(const std::string& name, const std::string& db = "") {
    json body = {{"collectionName", name}};
    if (!db.empty()) body["dbName"] = db;
    return Ok("collections/describe", body);
  }
  static const json* Field(const json& described, const std::string& name) {
    for (const json& f : described.at("fields")) {
      if (f.at("name") == name) return &f;
    }
    return nullptr;
  }
  static std::string Param(const json& field, const std::string& key) {
    for (const json& p : field.at("params")) {
      if (p.at("key") == key) return p.at("value");
    }
    return "<absent>";
  }
};

// --- transport ------------------------------------------------------------------------------

TEST_F(DdlRoutesTest, UnknownRoutesAndGetArePlain404) {
  Reply r = Post("/v2/vectordb/collections/nope", "{}");
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.body, "404 page not found");
  auto get = cluster->client->Get("/v2/vectordb/collections/list", 5000);
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 404);
  EXPECT_EQ(get->body, "404 page not found");
}

TEST_F(DdlRoutesTest, EnvelopesCarryJsonContentTypeAndCors) {
  Reply r = Api("collections/list", json::object());
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r.cors, "*");
  EXPECT_EQ(r.code(), 0);
  EXPECT_TRUE(r.data().is_array());
}

TEST_F(DdlRoutesTest, BodyParsingFollowsMilvusRules) {
  Reply empty = Post("/v2/vectordb/collections/list", "");
  EXPECT_EQ(empty.code(), 1801) << empty.body;
  EXPECT_NE(empty.message().find("can only accept json format request"), std::string::npos);
  Reply malformed = Post("/v2/vectordb/collections/list", "{\"dbName\":");
  EXPECT_EQ(malformed.code(), 1801);
  Reply null_body = Post("/v2/vectordb/collections/list", "null");
  EXPECT_EQ(null_body.code(), 0) << null_body.body;
  Fails("collections/list", {{"dbName", 5}}, 1801);
  Fails("collections/create", {{"collectionName", "typed"}, {"dimension", "8"}}, 1801);
  Fails("collections/create", {{"collectionName", "typed"}, {"dimension", 8}, {"autoId", "yes"}},
        1801);
  Fails("collections/describe", json::object(), 1802, "missing required parameters");
  Fails("collections/describe", {{"collectionName", ""}}, 1802);
  Fails("indexes/create", {{"collectionName", "x"}}, 1802);
  Fails("partitions/load", {{"collectionName", "x"}}, 1802);
}

TEST_F(DdlRoutesTest, RequestTimeoutIsHttp408) {
  Reply r = Api("test/slow", json::object(), {{"Request-Timeout", "1"}});
  EXPECT_EQ(r.http_status, 408);
  EXPECT_EQ(r.code(), 10001);
  EXPECT_EQ(r.message(), "request timeout");
}

TEST_F(DdlRoutesTest, MetricsCountRequestsPerRouteAndCode) {
  uint64_t before = cluster->proxy->metrics().Count("collections/has", 1802);
  Fails("collections/has", json::object(), 1802);
  EXPECT_EQ(cluster->proxy->metrics().Count("collections/has", 1802), before + 1);
  std::string text;
  cluster->proxy->AppendMetrics(&text);
  EXPECT_NE(text.find("vdb_proxy_requests_total{route=\"collections/has\",code=\"1802\"}"),
            std::string::npos);
  EXPECT_NE(text.find("vdb_proxy_request_duration_seconds_bucket{route=\"collections/has\",le="
                      "\"+Inf\"}"),
            std::string::npos);
}

TEST_F(DdlRoutesTest, RawRoutesWriteTheirOwnEnvelopes) {
  // Post() sends Accept-Type-Allow-Int64: false, so the int64 comes back as a string.
  Reply r = Post("/v2/vectordb/test/raw", "{}");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.envelope, json({{"code", 0}, {"data", "1152921504606846976"}}));
  EXPECT_EQ(r.cors, "*");
  uint64_t before = cluster->proxy->metrics().Count("test/raw", 1802);
  Reply failed = Post("/v2/vectordb/test/raw", "fail");
  EXPECT_EQ(failed.code(), 1802);
  EXPECT_FALSE(failed.envelope.contains("data"));
  EXPECT_EQ(cluster->proxy->metrics().Count("test/raw", 1802), before + 1);
}

TEST_F(DdlRoutesTest, ProxyHeartbeatsToTheCoordinator) {
  auto has_proxy = [](const rpc::Catalog& cat) {
    const rpc::NodeInfo* n = cat.FindNode(rpc::NodeRole::kProxy, NodeId(7));
    return n != nullptr && n->alive;
  };
  rpc::Catalog cat = cluster->coord.coord()->Snapshot();
  for (int i = 0; i < 50 && !has_proxy(cat); ++i) {
    cat = cluster->coord.coord()->WaitForRevision(cat.revision, 100);
  }
  EXPECT_TRUE(has_proxy(cat));
}

// --- databases ------------------------------------------------------------------------------

TEST_F(DdlRoutesTest, DatabaseLifecycle) {
  Ok("databases/create", {{"dbName", "shop"}, {"properties", {{"database.replica.number", 1}}}});
  json names = Ok("databases/list", json::object());
  EXPECT_NE(std::find(names.begin(), names.end(), "default"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "shop"), names.end());
  json d = Ok("databases/describe", {{"dbName", "shop"}});
  EXPECT_EQ(d.at("dbName"), "shop");
  EXPECT_TRUE(d.at("dbID").is_number_integer());
  EXPECT_EQ(d.at("properties"), json::parse(R"([{"key":"database.replica.number","value":"1"}])"));

  Reply dup = Api("databases/create", {{"dbName", "shop"}});
  EXPECT_NE(dup.code(), 0);
  Fails("databases/describe", {{"dbName", "nowhere"}}, 800);
  Ok("databases/drop", {{"dbName", "nowhere"}});  // idempotent
  EXPECT_NE(Api("databases/drop", {{"dbName", "default"}}).code(), 0);
  Fails("databases/create", {}, 1802);

  // A collection in the database: body dbName and the DB-Name header both select it.
  Ok("collections/create", {{"dbName", "shop"}, {"collectionName", "items"}, {"dimension", 4}});
  EXPECT_EQ(Ok("collections/list", json::object(), {{"DB-Name", "shop"}}), json({"items"}));
  EXPECT_EQ(Ok("collections/has", {{"collectionName", "items"}}, {{"DB-Name", "shop"}}),
            json({{"has", true}}));
  EXPECT_EQ(Ok("collections/has", {{"collectionName", "items"}}), json({{"has", false}}));
  Reply not_empty = Api("databases/drop", {{"dbName", "shop"}});
  EXPECT_NE(not_empty.code(), 0);
  Ok("collections/drop", {{"dbName", "shop"}, {"collectionName", "items"}});
  Ok("databases/drop", {{"dbName", "shop"}});
  Fails("databases/describe", {{"dbName", "shop"}}, 800);
  Fails("collections/list", {{"dbName", "shop"}}, 800);
  Fails("collections/describe", {{"collectionName", "items"}}, 800, "database not found",
        {{"DB-Name", "gone"}});
  Fails("collections/describe", {{"collectionName", "items"}}, 100, "can't find collection");
}

// --- collections ----------------------------------------------------------------------------

TEST_F(DdlRoutesTest, QuickCreateUsesMilvusDefaultsAndLoads) {
  Ok("collections/create", {{"collectionName", "quick"}, {"dimension", 8}});
  Reply r = Api("collections/describe", {{"collectionName", "quick"}});
  ASSERT_EQ(r.code(), 0) << r.body;
  EXPECT_EQ(r.envelope.at("message"), "");
  const json& d = r.data();
  EXPECT_EQ(d.at("collectionName"), "quick");
  EXPECT_TRUE(d.at("collectionID").is_number_integer());
  EXPECT_EQ(d.at("autoId"), false);
  EXPECT_EQ(d.at("enableDynamicField"), true);
  EXPECT_EQ(d.at("consistencyLevel"), "Bounded");
  EXPECT_EQ(d.at("shardsNum"), 1);
  EXPECT_EQ(d.at("partitionsNum"), 1);
  EXPECT_EQ(d.at("load"), "LoadStateLoaded");
  ASSERT_EQ(d.at("fields").size(), 2u);
  const json* id = Field(d, "id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->at("type"), "Int64");
  EXPECT_EQ(id->at("primaryKey"), true);
  EXPECT_EQ(id->at("nullable"), false);
  EXPECT_EQ(id->at("id"), 100);
  const json* vec = Field(d, "vector");
  ASSERT_NE(vec, nullptr);
  EXPECT_EQ(vec->at("type"), "FloatVector");
  EXPECT_EQ(Param(*vec, "dim"), "8");
  ASSERT_EQ(d.at("indexes").size(), 1u);
  EXPECT_EQ(d.at("indexes")[0],
            json({{"fieldName", "vector"}, {"indexName", "vector"}, {"metricType", "COSINE"}}));

  Reply state = Api("collections/get_load_state", {{"collectionName", "quick"}});
  EXPECT_EQ(state.code(), 0);
  EXPECT_EQ(state.envelope.at("message"), "");
  EXPECT_EQ(state.data(), json({{"loadState", "LoadStateLoaded"}, {"loadProgress", 100}}));
  // Re-creating with identical arguments is fine.
  Ok("collections/create", {{"collectionName", "quick"}, {"dimension", 8}});
}

TEST_F(DdlRoutesTest, QuickCreateHonoursEveryOption) {
  json body = json::parse(R"({
    "collectionName": "quick_opts", "dimension": 16, "metricType": "L2", "idType": "VarChar",
    "autoId": true, "primaryFieldName": "pk", "vectorFieldName": "emb", "description": "d",
    "params": {"max_length": 64, "enableDynamicField": "False", "shardsNum": "2",
               "consistencyLevel": "Strong", "ttlSeconds": 60, "mmap.enabled": true}})");
  Ok("collections/create", body);
  json d = Describe("quick_opts");
  EXPECT_EQ(d.at("autoId"), true);
  EXPECT_EQ(d.at("description"), "d");
  EXPECT_EQ(d.at("enableDynamicField"), false);
  EXPECT_EQ(d.at("shardsNum"), 2);
  EXPECT_EQ(d.at("consistencyLevel"), "Strong");
  const json* pk = Field(d, "pk");
  ASSERT_NE(pk, nullptr);
  EXPECT_EQ(pk->at("type"), "VarChar");
  EXPECT_EQ(pk->at("autoId"), true);
  EXPECT_EQ(Param(*pk, "max_length"), "64");
  ASSERT_NE(Field(d, "emb"), nullptr);
  EXPECT_EQ(d.at("indexes")[0].at("metricType"), "L2");
  EXPECT_EQ(d.at("indexes")[0].at("indexName"), "emb");
  json props = d.at("properties");
  EXPECT_NE(std::find(props.begin(), props.end(),
                      json({{"key", "collection.ttl.seconds"}, {"value", "60"}})),
            props.end());
  EXPECT_NE(
      std::find(props.begin(), props.end(), json({{"key", "mmap.enabled"}, {"value", "true"}})),
      props.end());
}

TEST_F(DdlRoutesTest, CreateRejectsBadArgumentsWithMilvusCodes) {
  Fails("collections/create", {{"collectionName", "nodim"}}, 1100, "dimension is required");
  Fails("collections/create", {{"collectionName", "zerodim"}, {"dimension", 0}}, 1100);
  Fails("collections/create", {{"collectionName", "badid"}, {"dimension", 4}, {"idType", "Int32"}},
        1100);
  Fails("collections/create",
        {{"collectionName", "badcl"}, {"dimension", 4}, {"params", {{"consistencyLevel", "Now"}}}},
        1100);
  Fails("collections/create", {{"collectionName", "a b"}, {"dimension", 4}}, 1100,
        "Invalid collection name");
  Fails("collections/create", {{"collectionName", "a/b"}, {"dimension", 4}}, 1100,
        "Invalid collection name");
  Fails("collections/create", {{"collectionName", std::string(256, 'a')}, {"dimension", 4}}, 1100,
        "Invalid collection name");
  Fails("collections/create", {{"collectionName", "bigdim"}, {"dimension", 40000}}, 1100);
  Fails("collections/create", {{"dimension", 4}}, 1802);
  Fails("collections/create", {{"collectionName", "nodb"}, {"dimension", 4}, {"dbName", "nodb"}},
        800);
  EXPECT_EQ(Ok("collections/has", {{"collectionName", "nodim"}}), json({{"has", false}}));
}

json CustomSchema(const std::string& extra_field = "") {
  std::string fields = R"(
      {"fieldName": "book_id", "dataType": "Int64", "isPrimary": true},
      {"fieldName": "title", "dataType": "VarChar", "elementTypeParams": {"max_length": 128}},
      {"fieldName": "year", "dataType": "Int32", "nullable": true, "defaultValue": 2000},
      {"fieldName": "tags", "dataType": "Array", "elementDataType": "VarChar",
       "elementTypeParams": {"max_capacity": "8", "max_length": "16"}},
      {"fieldName": "meta", "dataType": "JSON"},
      {"fieldName": "embedding", "dataType": "FloatVector", "elementTypeParams": {"dim": "16"}})";
  if (!extra_field.empty()) fields += "," + extra_field;
  return json::parse(R"({"autoId": true, "enableDynamicField": true, "fields": [)" + fields + "]}");
}

TEST_F(DdlRoutesTest, CustomCreateWithoutIndexesStaysUnloaded) {
  Ok("collections/create", {{"collectionName", "books"}, {"schema", CustomSchema()}});
  json d = Describe("books");
  EXPECT_EQ(d.at("load"), "LoadStateNotLoad");
  EXPECT_EQ(d.at("autoId"), true);
  EXPECT_EQ(d.at("enableDynamicField"), true);
  EXPECT_TRUE(d.at("indexes").empty());
  ASSERT_EQ(d.at("fields").size(), 6u);
  EXPECT_EQ(Field(d, "book_id")->at("autoId"), true);
  EXPECT_EQ(Param(*Field(d, "title"), "max_length"), "128");
  const json* year = Field(d, "year");
  EXPECT_EQ(year->at("nullable"), true);
  EXPECT_EQ(year->at("defaultValue"), json::parse(R"({"Data":{"IntData":2000}})"));
  const json* tags = Field(d, "tags");
  EXPECT_EQ(tags->at("type"), "Array");
  EXPECT_EQ(tags->at("elementType"), "VarChar");
  EXPECT_EQ(Param(*tags, "max_capacity"), "8");
  EXPECT_EQ(Field(d, "meta")->at("type"), "JSON");
  EXPECT_EQ(Param(*Field(d, "embedding"), "dim"), "16");
  EXPECT_EQ(Ok("collections/get_load_state", {{"collectionName", "books"}}),
            json({{"loadState", "LoadStateNotLoad"}}));
  // Loading needs an index on every vector field.
  Fails("collections/load", {{"collectionName", "books"}}, 65535);
}

TEST_F(DdlRoutesTest, CustomCreateRejectsBadFields) {
  auto create = [](const std::string& name, const std::string& extra) {
    return json{{"collectionName", name}, {"schema", CustomSchema(extra)}};
  };
  Fails("collections/create", create("c1", R"({"fieldName":"x","dataType":"VARCHAR"})"), 1100);
  Fails("collections/create",
        create("c2", R"({"fieldName":"x","dataType":"Int64","isPartitionKey":true,
                         "nullable":true})"),
        1100, "partition key field not support nullable");
  Fails("collections/create",
        create("c3", R"({"fieldName":"x","dataType":"FloatVector","nullable":true,
                         "elementTypeParams":{"dim":4}})"),
        1100, "vector type not support null");
  Fails("collections/create",
        create("c4", R"({"fieldName":"x","dataType":"JSON","defaultValue":"{}"})"), 1100,
        "convert defaultValue fail");
  Fails("collections/create", create("c5", R"({"fieldName":"x","dataType":"VarChar"})"), 1100,
        "max_length");
  Fails("collections/create", create("c6", R"({"fieldName":"x"})"), 1802);
  Fails("collections/create", create("c7", R"({"fieldName":"x","dataType":7})"), 1801);
  json pk_default = json::parse(R"({"collectionName":"c8","schema":{"fields":[
      {"fieldName":"id","dataType":"Int64","isPrimary":true,"defaultValue":1},
      {"fieldName":"v","dataType":"FloatVector","elementTypeParams":{"dim":4}}]}})");
  Fails("collections/create", pk_default, 1100, "primary field not support default_value");
  json bad_index = {{"collectionName", "c9"},
                    {"schema", CustomSchema()},
                    {"indexParams", {{{"fieldName", "nope"}, {"metricType", "L2"}}}}};
  Fails("collections/create", bad_index, 1802);
  for (const char* name : {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"}) {
    EXPECT_EQ(Ok("collections/has", {{"collectionName", name}}), json({{"has", false}})) << name;
  }
}

TEST_F(DdlRoutesTest, CustomCreateWithIndexParamsCreatesIndexesAndLoads) {
  json body = {{"collectionName", "indexed"},
               {"schema", CustomSchema()},
               {"indexParams", json::parse(R"([{"fieldName":"embedding","indexName":"emb_idx",
                                 "metricType":"L2","indexType":"HNSW",
                                 "params":{"M":16,"efConstruction":"200"}}])")}};
  Ok("collections/create", body);
  json d = Describe("indexed");
  EXPECT_EQ(d.at("load"), "LoadStateLoaded");
  ASSERT_EQ(d.at("indexes").size(), 1u);
  EXPECT_EQ(d.at("indexes")[0].at("indexName"), "emb_idx");
  EXPECT_EQ(d.at("indexes")[0].at("metricType"), "L2");

  json described =
      Ok("indexes/describe", {{"collectionName", "indexed"}, {"indexName", "emb_idx"}});
  ASSERT_TRUE(described.is_array());
  ASSERT_EQ(described.size(), 1u);
  const json& e = described[0];
  EXPECT_EQ(e.at("indexName"), "emb_idx");
  EXPECT_EQ(e.at("fieldName"), "embedding");
  EXPECT_EQ(e.at("indexType"), "HNSW");
  EXPECT_EQ(e.at("metricType"), "L2");
  EXPECT_EQ(e.at("totalRows"), 0);
  EXPECT_EQ(e.at("pendingRows"), 0);
  EXPECT_TRUE(e.at("indexState").is_string());
  json params = e.at("indexParams");
  EXPECT_NE(std::find(params.begin(), params.end(), json({{"key", "M"}, {"value", "16"}})),
            params.end());
}

TEST_F(DdlRoutesTest, IndexForOnlyOneOfTwoVectorsCreatesButFailsToLoad) {
  json body = {{"collectionName", "two_vecs"},
               {"schema", CustomSchema(R"({"fieldName":"image","dataType":"FloatVector",
                                           "elementTypeParams":{"dim":4}})")},
               {"indexParams", {{{"fieldName", "embedding"}, {"metricType", "IP"}}}}};
  Fails("collections/create", body, 65535);
  json d = Describe("two_vecs");
  EXPECT_EQ(d.at("load"), "LoadStateNotLoad");
  EXPECT_EQ(d.at("indexes").size(), 1u);
}

TEST_F(DdlRoutesTest, MissingCollectionIsCode100Everywhere) {
  for (const char* route :
       {"collections/describe", "collections/get_load_state", "collections/get_stats",
        "collections/flush", "partitions/list", "indexes/list"}) {
    Fails(route, {{"collectionName", "ghost"}}, 100,
          "can't find collection[database=default][collection=ghost]");
  }
  Fails("collections/load", {{"collectionName", "ghost"}}, 100, "can't find collection");
  Fails("collections/rename", {{"collectionName", "ghost"}, {"newCollectionName", "g2"}}, 100);
  Fails("indexes/create", {{"collectionName", "ghost"}, {"indexParams", {{{"fieldName", "v"}}}}},
        100);
  Ok("collections/drop", {{"collectionName", "ghost"}});  // idempotent
}

TEST_F(DdlRoutesTest, ListHasRenameDrop) {
  Ok("collections/create", {{"collectionName", "first"}, {"dimension", 4}});
  json names = Ok("collections/list", json::object());
  EXPECT_NE(std::find(names.begin(), names.end(), "first"), names.end());
  EXPECT_EQ(Ok("collections/has", {{"collectionName", "first"}}), json({{"has", true}}));
  Ok("collections/rename", {{"collectionName", "first"}, {"newCollectionName", "second"}});
  EXPECT_EQ(Ok("collections/has", {{"collectionName", "first"}}), json({{"has", false}}));
  EXPECT_EQ(Describe("second").at("collectionName"), "second");

  Ok("databases/create", {{"dbName", "archive"}});
  Ok("collections/rename",
     {{"collectionName", "second"}, {"newCollectionName", "third"}, {"newDbName", "archive"}});
  EXPECT_EQ(Describe("third", "archive").at("collectionName"), "third");
  Ok("collections/drop", {{"collectionName", "third"}, {"dbName", "archive"}});
  Fails("collections/describe", {{"collectionName", "third"}, {"dbName", "archive"}}, 100);
  Ok("databases/drop", {{"dbName", "archive"}});
}

TEST_F(DdlRoutesTest, LoadReleaseAndLoadState) {
  Ok("collections/create", {{"collectionName", "toggled"}, {"dimension", 4}});
  Ok("collections/release", {{"collectionName", "toggled"}});
  Ok("collections/release", {{"collectionName", "toggled"}});  // twice is fine
  EXPECT_EQ(Ok("collections/get_load_state", {{"collectionName", "toggled"}}),
            json({{"loadState", "LoadStateNotLoad"}}));
  EXPECT_EQ(Describe("toggled").at("load"), "LoadStateNotLoad");
  Ok("collections/load", {{"collectionName", "toggled"}});
  Ok("collections/load", {{"collectionName", "toggled"}});
  Ok("collections/refresh_load", {{"collectionName", "toggled"}});
  EXPECT_EQ(Ok("collections/get_load_state", {{"collectionName", "toggled"}}),
            json({{"loadState", "LoadStateLoaded"}, {"loadProgress", 100}}));
  Fails("collections/get_load_state", {{"collectionName", "toggled"}, {"partitionNames", {"nope"}}},
        200);
}

TEST_F(DdlRoutesTest, StatsCountSealedRowsPerCollectionAndPartition) {
  Ok("collections/create", {{"collectionName", "counted"}, {"dimension", 4}});
  Ok("partitions/create", {{"collectionName", "counted"}, {"partitionName", "p1"}});
  EXPECT_EQ(Ok("collections/get_stats", {{"collectionName", "counted"}}), json({{"rowCount", 0}}));
  rpc::Catalog cat = cluster->coord.coord()->Snapshot();
  const rpc::CollectionInfo* c = cat.FindCollection("default", "counted");
  ASSERT_NE(c, nullptr);
  rpc::SegmentInfo s;
  s.id = SegmentId(424242);
  s.collection_id = c->id;
  s.partition_id = c->FindPartition("p1")->id;
  s.channel = rpc::ChannelName(c->id, 0);
  s.rows = 7;
  s.ts_min = 1;
  s.ts_max = 2;
  s.object_prefix = "obj/424242";
  auto rev = cluster->coord.coord()->CommitSegment(s, Lsn(1), 2);
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  ASSERT_TRUE(cluster->proxy->WaitForRevision(*rev, UINT64_MAX).ok());
  EXPECT_EQ(Ok("collections/get_stats", {{"collectionName", "counted"}}), json({{"rowCount", 7}}));
  EXPECT_EQ(Ok("partitions/get_stats", {{"collectionName", "counted"}, {"partitionName", "p1"}}),
            json({{"rowCount", 7}}));
  EXPECT_EQ(
      Ok("partitions/get_stats", {{"collectionName", "counted"}, {"partitionName", "_default"}}),
      json({{"rowCount", 0}}));
  json idx = Ok("indexes/describe", {{"collectionName", "counted"}, {"indexName", "vector"}});
  EXPECT_EQ(idx[0].at("totalRows"), 7);
  Fails("partitions/get_stats", {{"collectionName", "counted"}, {"partitionName", "p9"}}, 200);
}

TEST_F(DdlRoutesTest, FlushReachesTheStreamingNodeOfEachChannel) {
  Ok("collections/create",
     {{"collectionName", "flushed"}, {"dimension", 4}, {"params", {{"shardsNum", 2}}}});
  int64_t id = Describe("flushed").at("collectionID");
  Ok("collections/flush", {{"collectionName", "flushed"}});
  std::lock_guard<std::mutex> lock(cluster->flushed_mu);
  // Both channels live on the one streaming node: one call.
  EXPECT_EQ(std::count(cluster->flushed.begin(), cluster->flushed.end(), id), 1);
}

// --- partitions -----------------------------------------------------------------------------

TEST_F(DdlRoutesTest, PartitionLifecycle) {
  Ok("collections/create", {{"collectionName", "parted"}, {"dimension", 4}});
  Ok("partitions/create", {{"collectionName", "parted"}, {"partitionName", "p1"}});
  EXPECT_EQ(Ok("partitions/list", {{"collectionName", "parted"}}), json({"_default", "p1"}));
  EXPECT_EQ(Ok("partitions/has", {{"collectionName", "parted"}, {"partitionName", "p1"}}),
            json({{"has", true}}));
  EXPECT_EQ(Ok("partitions/has", {{"collectionName", "parted"}, {"partitionName", "p2"}}),
            json({{"has", false}}));
  Fails("partitions/create", {{"collectionName", "parted"}}, 1802);
  Fails("partitions/create", {{"collectionName", "parted"}, {"partitionName", "bad name"}}, 1100);
  // The collection is loaded: dropping a partition fails until it is released.
  Fails("partitions/drop", {{"collectionName", "parted"}, {"partitionName", "p1"}}, 65535);
  Fails("partitions/release", {{"collectionName", "parted"}, {"partitionNames", {"p9"}}}, 200);
  Ok("partitions/release", {{"collectionName", "parted"}, {"partitionNames", {"p1"}}});
  Ok("partitions/drop", {{"collectionName", "parted"}, {"partitionName", "p1"}});
  EXPECT_EQ(Ok("partitions/list", {{"collectionName", "parted"}}), json({"_default"}));
  Ok("partitions/load", {{"collectionName", "parted"}, {"partitionNames", {"_default"}}});
  EXPECT_EQ(Describe("parted").at("load"), "LoadStateLoaded");
}

// --- aliases --------------------------------------------------------------------------------

TEST_F(DdlRoutesTest, AliasLifecycle) {
  Ok("collections/create", {{"collectionName", "target_a"}, {"dimension", 4}});
  Ok("collections/create", {{"collectionName", "target_b"}, {"dimension", 4}});
  Ok("aliases/create", {{"collectionName", "target_a"}, {"aliasName", "current"}});
  EXPECT_EQ(
      Ok("aliases/describe", {{"aliasName", "current"}}),
      json({{"dbName", "default"}, {"collectionName", "target_a"}, {"aliasName", "current"}}));
  EXPECT_EQ(Ok("aliases/list", {{"collectionName", "target_a"}}), json({"current"}));
  json all = Ok("aliases/list", json::object());
  EXPECT_NE(std::find(all.begin(), all.end(), "current"), all.end());
  EXPECT_EQ(Describe("current").at("collectionName"), "target_a");
  EXPECT_EQ(Describe("target_a").at("aliases"), json({"current"}));

  Ok("aliases/alter", {{"collectionName", "target_b"}, {"aliasName", "current"}});
  EXPECT_EQ(Ok("aliases/describe", {{"aliasName", "current"}}).at("collectionName"), "target_b");
  Fails("aliases/create", {{"collectionName", "target_a"}, {"aliasName", "target_b"}}, 1601);
  Fails("aliases/create", {{"collectionName", "target_a"}, {"aliasName", "current"}}, 1602);
  Ok("aliases/drop", {{"aliasName", "current"}});
  Ok("aliases/drop", {{"aliasName", "current"}});  // idempotent
  Fails("aliases/describe", {{"aliasName", "current"}}, 1600);
  Fails("aliases/alter", {{"collectionName", "target_a"}, {"aliasName", "current"}}, 1600);
  Fails("aliases/create", {{"aliasName", "x"}}, 1802);
}

// --- indexes --------------------------------------------------------------------------------

TEST_F(DdlRoutesTest, IndexLifecycle) {
  Ok("collections/create", {{"collectionName", "idx_books"}, {"schema", CustomSchema()}});
  EXPECT_EQ(Ok("indexes/list", {{"collectionName", "idx_books"}}), json::array());
  json create = {{"collectionName", "idx_books"},
                 {"indexParams", json::parse(R"([{"fieldName":"embedding","metricType":"COSINE",
                                   "params":{"index_type":"IVF_FLAT","nlist":128}},
                                  {"fieldName":"title","indexName":"title_idx",
                                   "indexType":"INVERTED"}])")}};
  Ok("indexes/create", create);
  Ok("indexes/create", create);  // identical re-create is fine
  EXPECT_EQ(Ok("indexes/list", {{"collectionName", "idx_books"}}),
            json({"embedding", "title_idx"}));
  json e = Ok("indexes/describe", {{"collectionName", "idx_books"}, {"indexName", "embedding"}});
  EXPECT_EQ(e[0].at("indexType"), "IVF_FLAT");
  EXPECT_EQ(e[0].at("metricType"), "COSINE");
  Fails("indexes/create",
        {{"collectionName", "idx_books"},
         {"indexParams", {{{"fieldName", "embedding"}, {"metricType", "HAMMING"}}}}},
        1100, "not supported");
  Fails("indexes/describe", {{"collectionName", "idx_books"}, {"indexName", "nope"}}, 700);
  Fails("indexes/describe", {{"collectionName", "idx_books"}}, 1802);
  Fails("indexes/create",
        {{"collectionName", "idx_books"},
         {"indexParams", {{{"fieldName", "missing_field"}, {"metricType", "L2"}}}}},
        1700);

  Ok("collections/load", {{"collectionName", "idx_books"}});
  Fails("indexes/drop", {{"collectionName", "idx_books"}, {"indexName", "title_idx"}}, 65535);
  Ok("collections/release", {{"collectionName", "idx_books"}});
  Ok("indexes/drop", {{"collectionName", "idx_books"}, {"indexName", "title_idx"}});
  EXPECT_EQ(Ok("indexes/list", {{"collectionName", "idx_books"}}), json({"embedding"}));
}

}  // namespace
}  // namespace vdb::proxy
