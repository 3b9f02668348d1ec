// The entity routes through a real vdbd: create -> insert -> search -> query -> delete -> drop
// over HTTP, and rows (and deletes) that survive `vdbd stop` and a new start on the same data
// dir. Every vdbd started here is killed with its whole process group when a test ends.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "rpc/http.h"
#include "util/temp_dir.h"
#include "util/vdbd_harness.h"

namespace vdb {
namespace {

using nlohmann::json;

class EntitiesE2eTest : public ::testing::Test {
 protected:
  EntitiesE2eTest() : vdbd_(Options(dir_)) {}

  static test::VdbdOptions Options(const test::TempDir& dir) {
    test::VdbdOptions options;
    options.vdbd_path = VDBD_PATH;
    options.data_dir = dir.Sub("data");
    options.output_path = dir.Sub("vdbd.out");
    return options;
  }

  // Starts vdbd in the foreground; returns once every child runs and the proxy answers.
  void Start() {
    Status started = vdbd_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  // `vdbd stop`, then the supervisor must exit with status 0.
  void Stop() {
    Status stopped = vdbd_.Stop(30000);
    EXPECT_TRUE(stopped.ok()) << stopped.ToString();
  }

  // The reply envelope of `route`, or {"code": -1, "message": ...} when there is no JSON reply.
  json Call(const std::string& route, const json& body) {
    auto reply = vdbd_.Post("/v2/vectordb/" + route, body);
    if (!reply.ok()) return json{{"code", -1}, {"message", reply.status().ToString()}};
    return *reply;
  }
  // The "data" of `route`'s reply, which must have code 0.
  json Ok(const std::string& route, const json& body) {
    auto reply = vdbd_.Call("/v2/vectordb/" + route, body);
    EXPECT_TRUE(reply.ok()) << route << " " << reply.status().ToString();
    return reply.ok() && reply->contains("data") ? (*reply)["data"] : json();
  }
  int64_t Count(const std::string& name) {
    json data = Ok("entities/query", {{"collectionName", name}, {"outputFields", {"count(*)"}}});
    return data.is_array() && data.size() == 1 ? data[0].value("count(*)", int64_t{-1}) : -1;
  }
  void WaitLoaded(const std::string& name) {
    ASSERT_TRUE(test::WaitFor(
        [&] {
          json r = Call("collections/get_load_state", {{"collectionName", name}});
          return r.value("code", -1) == 0 && r["data"].value("loadState", "") == "LoadStateLoaded";
        },
        30000, 50));
  }

  test::TempDir dir_;  // before vdbd_, which is killed first
  test::VdbdHarness vdbd_;
};

TEST_F(EntitiesE2eTest, CrudOverHttpAndDataSurvivesRestart) {
  ASSERT_NO_FATAL_FAILURE(Start());
  json fields = json::array(
      {{{"fieldName", "id"}, {"dataType", "Int64"}, {"isPrimary", true}},
       {{"fieldName", "vector"}, {"dataType", "FloatVector"}, {"elementTypeParams", {{"dim", 4}}}},
       {{"fieldName", "n"}, {"dataType", "Int64"}}});
  Ok("collections/create",
     {{"collectionName", "e2e"},
      {"schema", {{"fields", fields}}},
      {"indexParams", {{{"fieldName", "vector"}, {"metricType", "L2"}, {"indexType", "HNSW"}}}},
      {"params", {{"consistencyLevel", "Strong"}, {"shardsNum", 2}}}});
  WaitLoaded("e2e");
  json rows = json::array();
  for (int i = 0; i < 50; ++i) {
    rows.push_back({{"id", i}, {"vector", {i, i, i, i}}, {"n", i * 10}});
  }
  json inserted = Ok("entities/insert", {{"collectionName", "e2e"}, {"data", rows}});
  EXPECT_EQ(inserted["insertCount"], 50);

  json hits = Call("entities/search", {{"collectionName", "e2e"},
                                       {"data", {{10.2, 10.2, 10.2, 10.2}}},
                                       {"limit", 3},
                                       {"outputFields", {"n"}}});
  ASSERT_EQ(hits.value("code", -1), 0) << hits.dump();
  ASSERT_EQ(hits["data"].size(), 3u) << hits.dump();
  EXPECT_EQ(hits["data"][0]["id"], 10);
  EXPECT_EQ(hits["data"][0]["n"], 100);
  EXPECT_EQ(hits["data"][1]["id"], 11);
  EXPECT_EQ(hits["data"][2]["id"], 9);
  EXPECT_EQ(hits["topks"], json::array({3}));

  EXPECT_EQ(Count("e2e"), 50);
  json some = Ok("entities/query", {{"collectionName", "e2e"}, {"filter", "id in [3, 4]"}});
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0]["n"], 30);
  Ok("entities/delete", {{"collectionName", "e2e"}, {"filter", "id in [0, 1, 2]"}});
  EXPECT_EQ(Count("e2e"), 47);

  Stop();
  ASSERT_NO_FATAL_FAILURE(Start());
  WaitLoaded("e2e");
  EXPECT_EQ(Count("e2e"), 47);
  json got = Ok("entities/get", {{"collectionName", "e2e"}, {"id", {1, 5}}});
  ASSERT_EQ(got.size(), 1u) << got.dump();
  EXPECT_EQ(got[0]["id"], 5);
  EXPECT_EQ(got[0]["vector"], json({5.0, 5.0, 5.0, 5.0}));

  Ok("collections/drop", {{"collectionName", "e2e"}});
  json gone = Call("entities/insert", {{"collectionName", "e2e"}, {"data", rows}});
  EXPECT_EQ(gone.value("code", -1), 100) << gone.dump();
  Stop();
}

// A 64 MiB insert body (Milvus clients send bulk batches this big) is taken in one request, every
// vector bit-exact; a truncated one of the same size is refused with 1801 and vdbd stays up.
TEST_F(EntitiesE2eTest, InsertBodyOver64MiBIsAccepted) {
  ASSERT_NO_FATAL_FAILURE(Start());
  constexpr int kDim = 128;
  Ok("collections/create", {{"collectionName", "big"},
                            {"dimension", kDim},
                            {"metricType", "L2"},
                            {"params", {{"consistencyLevel", "Strong"}}}});
  WaitLoaded("big");
  std::mt19937 rng(64);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<std::vector<float>> vectors;
  std::vector<std::string> texts;
  size_t bytes = 0;
  while (bytes < (size_t{64} << 20) + (size_t{1} << 20)) {
    std::vector<float> v(kDim);
    for (float& x : v) x = u(rng);
    texts.push_back(test::VectorJson(v.data(), kDim));
    bytes += texts.back().size() + 16;
    vectors.push_back(std::move(v));
  }
  const std::string body = test::InsertBody("big", texts, 0);
  ASSERT_GT(body.size(), size_t{64} << 20);
  rpc::HttpClient client(vdbd_.proxy_address());
  auto reply = client.Post("/v2/vectordb/entities/insert", body, "application/json", 300000);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  json parsed = json::parse(reply->body, nullptr, false);
  ASSERT_EQ(parsed.value("code", -1), 0) << reply->body.substr(0, 300);
  EXPECT_EQ(parsed["data"].value("insertCount", 0), static_cast<int64_t>(vectors.size()));
  EXPECT_EQ(Count("big"), static_cast<int64_t>(vectors.size()));
  const int64_t last = static_cast<int64_t>(vectors.size()) - 1;
  json got = Ok("entities/get", {{"collectionName", "big"}, {"id", {0, last / 2, last}}});
  ASSERT_EQ(got.size(), 3u) << got.dump().substr(0, 300);
  for (const json& row : got) {
    const std::vector<float>& want = vectors[static_cast<size_t>(row["id"].get<int64_t>())];
    EXPECT_EQ(row["vector"].get<std::vector<float>>(), want) << row["id"];
  }

  auto broken = client.Post("/v2/vectordb/entities/insert", body.substr(0, body.size() - 3),
                            "application/json", 300000);
  ASSERT_TRUE(broken.ok()) << broken.status().ToString();
  EXPECT_EQ(json::parse(broken->body, nullptr, false).value("code", -1), 1801)
      << broken->body.substr(0, 300);
  EXPECT_EQ(Count("big"), static_cast<int64_t>(vectors.size()));
  Stop();
}

}  // namespace
}  // namespace vdb
