// The entity routes through a real vdbd: create -> insert -> search -> query -> delete -> drop
// over HTTP, and rows (and deletes) that survive `vdbd stop` and a new start on the same data
// dir. Every vdbd started here is killed with its whole process group when a test ends.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "rpc/http.h"
#include "util/temp_dir.h"

namespace vdb {
namespace {

using nlohmann::json;

pid_t SpawnVdbd(const std::vector<std::string>& args, const std::string& out_path) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    std::string exe = VDBD_PATH;
    argv.push_back(exe.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    _exit(127);
  }
  ::setpgid(pid, pid);
  return pid;
}

bool WaitFor(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

int WaitExit(pid_t pid, int timeout_ms) {
  int status = 0;
  bool exited = WaitFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout_ms);
  if (!exited || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

class EntitiesE2eTest : public ::testing::Test {
 protected:
  ~EntitiesE2eTest() override {
    if (pid_ > 0) ::kill(-pid_, SIGKILL);
  }
  std::string data_dir() const { return dir_.Sub("data"); }

  // Starts vdbd in the foreground and returns the proxy's address once it answers.
  std::string Start() {
    pid_ = SpawnVdbd({"start", "--data-dir", data_dir(), "--port", "0"}, dir_.Sub("vdbd.out"));
    std::string proxy;
    WaitFor(
        [&] {
          auto text = ReadFileToString(Env::Default(), data_dir() + "/run/endpoints.json");
          if (!text.ok()) return false;
          json endpoints = json::parse(*text, nullptr, false);
          if (!endpoints.is_array() || endpoints.size() < 5) return false;
          for (const auto& e : endpoints) {
            if (e.value("state", "") != "running") return false;
            if (e.value("role", "") == "proxy") proxy = e.value("address", "");
          }
          return !proxy.empty();
        },
        30000);
    client_ = std::make_unique<rpc::HttpClient>(proxy);
    return proxy;
  }
  void Stop() {
    client_.reset();
    auto pid = SpawnVdbd({"stop", "--data-dir", data_dir()}, dir_.Sub("stop.out"));
    EXPECT_EQ(WaitExit(pid, 30000), 0);
    EXPECT_EQ(WaitExit(pid_, 30000), 0);
    pid_ = 0;
  }

  json Call(const std::string& route, const json& body) {
    auto r = client_->Post("/v2/vectordb/" + route, body.dump(), "application/json", 30000);
    if (!r.ok()) return json{{"code", -1}, {"message", r.status().ToString()}};
    return json::parse(r->body, nullptr, false);
  }
  json Ok(const std::string& route, const json& body) {
    json reply = Call(route, body);
    EXPECT_EQ(reply.value("code", -1), 0) << route << " " << reply.dump();
    return reply.is_object() && reply.contains("data") ? reply["data"] : json();
  }
  int64_t Count(const std::string& name) {
    json data = Ok("entities/query", {{"collectionName", name}, {"outputFields", {"count(*)"}}});
    return data.is_array() && data.size() == 1 ? data[0].value("count(*)", int64_t{-1}) : -1;
  }
  void WaitLoaded(const std::string& name) {
    ASSERT_TRUE(WaitFor(
        [&] {
          json r = Call("collections/get_load_state", {{"collectionName", name}});
          return r.value("code", -1) == 0 && r["data"].value("loadState", "") == "LoadStateLoaded";
        },
        30000));
  }

  test::TempDir dir_;
  pid_t pid_ = 0;
  std::unique_ptr<rpc::HttpClient> client_;
};

TEST_F(EntitiesE2eTest, CrudOverHttpAndDataSurvivesRestart) {
  Start();
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
  Start();
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

}  // namespace
}  // namespace vdb
