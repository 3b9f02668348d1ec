// Runs the real vdbd binary: start (foreground and --detach), status, stop, a second start on a
// busy data dir, kill -9 of every child, and the --proxies/--query-nodes counts. Every vdbd
// started here is killed with its whole process group when a test ends, even on failure.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/env.h"
#include "rpc/http.h"
#include "util/temp_dir.h"
#include "util/vdbd_harness.h"

namespace vdb {
namespace {

using nlohmann::json;

const char* const kRoles[] = {"coord", "streaming", "query", "data", "proxy"};

using test::ProcessGone;
using test::WaitExit;
using test::WaitFor;

// Starts `vdbd args...` in its own process group, stdout+stderr to `out_path`.
pid_t SpawnVdbd(const std::vector<std::string>& args, const std::string& out_path) {
  return test::SpawnVdbd(VDBD_PATH, args, out_path);
}

// SIGKILLs a process group when destroyed, so no test leaves daemons behind.
class GroupGuard {
 public:
  GroupGuard() = default;
  explicit GroupGuard(pid_t pgid) : pgid_(pgid) {}
  ~GroupGuard() {
    if (pgid_ > 0) ::kill(-pgid_, SIGKILL);
  }
  void Reset(pid_t pgid) { pgid_ = pgid; }
  GroupGuard(const GroupGuard&) = delete;
  GroupGuard& operator=(const GroupGuard&) = delete;

 private:
  pid_t pgid_ = 0;
};

// Runs vdbd to completion; returns its exit code and fills `output` (stdout+stderr).
int RunVdbd(const std::vector<std::string>& args, const std::string& out_path, std::string* output,
            int timeout_ms = 20000) {
  pid_t pid = SpawnVdbd(args, out_path);
  int rc = WaitExit(pid, timeout_ms);
  if (rc < 0) ::kill(-pid, SIGKILL);
  auto text = ReadFileToString(Env::Default(), out_path);
  *output = text.ok() ? *text : "";
  return rc;
}

json ReadEndpoints(const std::string& data_dir) {
  auto text = ReadFileToString(Env::Default(), data_dir + "/run/endpoints.json");
  if (!text.ok()) return json();
  return json::parse(*text, nullptr, false);
}

bool AllRunning(const json& endpoints, size_t expected) {
  if (!endpoints.is_array() || endpoints.size() != expected) return false;
  for (const auto& e : endpoints) {
    if (e.value("state", "") != "running") return false;
  }
  return true;
}

json WaitAllRunning(const std::string& data_dir, size_t expected) {
  json endpoints;
  WaitFor([&] { return AllRunning(endpoints = ReadEndpoints(data_dir), expected); }, 20000);
  return endpoints;
}

const json* Find(const json& endpoints, const std::string& role, int id) {
  for (const auto& e : endpoints) {
    if (e.value("role", "") == role && e.value("id", 0) == id) return &e;
  }
  return nullptr;
}

bool Healthy(const std::string& address, const std::string& role) {
  rpc::HttpClient client(address);
  auto resp = client.Get("/healthz", 2000);
  if (!resp.ok() || resp->status != 200) return false;
  json body = json::parse(resp->body, nullptr, false);
  return body.is_object() && body.value("status", "") == "ok" && body.value("role", "") == role;
}

class VdbdTest : public ::testing::Test {
 protected:
  std::string data_dir() const { return dir_.Sub("data"); }
  // Starts vdbd in the foreground with every port free; waits until `expected` children run.
  json StartForeground(const std::vector<std::string>& extra, size_t expected) {
    std::vector<std::string> args = {"start", "--data-dir", data_dir(), "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = SpawnVdbd(args, dir_.Sub("vdbd.out"));
    guard_.Reset(pid_);
    return WaitAllRunning(data_dir(), expected);
  }
  void StopWithSigterm(const json& endpoints) {
    ASSERT_EQ(::kill(pid_, SIGTERM), 0);
    EXPECT_EQ(WaitExit(pid_, 20000), 0);
    for (const auto& e : endpoints) {
      EXPECT_TRUE(ProcessGone(e.value("pid", 0))) << e.dump();
    }
    EXPECT_FALSE(Env::Default()->FileExists(data_dir() + "/run/vdbd.pid"));
    EXPECT_FALSE(Env::Default()->FileExists(data_dir() + "/run/endpoints.json"));
  }

  test::TempDir dir_;
  pid_t pid_ = 0;
  GroupGuard guard_;
};

TEST_F(VdbdTest, StartsEveryRoleAndStopsOnSigterm) {
  json endpoints = StartForeground({}, 5);
  ASSERT_TRUE(AllRunning(endpoints, 5)) << endpoints.dump();
  for (const char* role : kRoles) {
    const json* e = Find(endpoints, role, 1);
    ASSERT_NE(e, nullptr) << role;
    EXPECT_TRUE(Healthy((*e)["address"], role)) << e->dump();
  }
  // The public address is printed once everything is healthy.
  std::string proxy = (*Find(endpoints, "proxy", 1))["address"];
  ASSERT_TRUE(WaitFor(
      [&] {
        auto out = ReadFileToString(Env::Default(), dir_.Sub("vdbd.out"));
        return out.ok() && out->find("vdbd ready: listening on " + proxy) != std::string::npos;
      },
      5000));
  // Metrics: Prometheus text with uptime and request counters.
  rpc::HttpClient client(proxy);
  auto metrics = client.Get("/metrics", 2000);
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("vdb_process_uptime_seconds{role=\"proxy\",id=\"1\"}"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("vdb_http_requests_total{role=\"proxy\",id=\"1\",route=\"GET "
                               "/healthz\"}"),
            std::string::npos)
      << metrics->body;
  auto missing = client.Post("/v2/vectordb/nothing", "{}", "application/json", 2000);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "404 page not found");

  // status lists every role.
  std::string status_out;
  EXPECT_EQ(RunVdbd({"status", "--data-dir", data_dir()}, dir_.Sub("status.out"), &status_out), 0)
      << status_out;
  for (const char* role : kRoles) {
    EXPECT_NE(status_out.find(std::string(role) + " "), std::string::npos) << status_out;
  }
  EXPECT_NE(status_out.find("running"), std::string::npos) << status_out;

  // A second start on the same data dir refuses, naming the dir and the holder's pid.
  std::string second_out;
  int rc = RunVdbd({"start", "--data-dir", data_dir(), "--port", "0"}, dir_.Sub("second.out"),
                   &second_out);
  EXPECT_NE(rc, 0) << second_out;
  EXPECT_NE(second_out.find("data dir " + data_dir()), std::string::npos) << second_out;
  EXPECT_NE(second_out.find("pid " + std::to_string(pid_)), std::string::npos) << second_out;
  EXPECT_EQ(std::count(second_out.begin(), second_out.end(), '\n'), 1) << second_out;

  // Workers are told where the coordinator is.
  std::string coord = (*Find(endpoints, "coord", 1))["address"];
  int query_pid = (*Find(endpoints, "query", 1))["pid"];
  // /proc files report size 0, so not Env::ReadFileToString.
  std::ifstream in("/proc/" + std::to_string(query_pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(cmdline.find(std::string("--coord") + '\0' + coord), std::string::npos) << cmdline;

  StopWithSigterm(endpoints);

  // Started tier by tier, each after the previous was healthy; stopped in reverse order.
  auto log = ReadFileToString(Env::Default(), data_dir() + "/logs/vdbd.log");
  ASSERT_TRUE(log.ok());
  size_t previous_healthy = 0;
  size_t previous_exit = std::string::npos;
  for (const char* role : kRoles) {
    int pid = (*Find(endpoints, role, 1))["pid"];
    std::string name = std::string(role) + "-1 (pid " + std::to_string(pid) + ")";
    size_t started = log->find("started " + name);
    size_t healthy = log->find(name + " healthy at");
    size_t exited = log->find(name + " exited with status 0");
    ASSERT_NE(started, std::string::npos) << role << "\n" << *log;
    ASSERT_NE(healthy, std::string::npos) << role << "\n" << *log;
    ASSERT_NE(exited, std::string::npos) << role << "\n" << *log;
    EXPECT_GT(started, previous_healthy) << role << " started before the previous tier was up";
    if (previous_exit != std::string::npos) {
      EXPECT_LT(exited, previous_exit) << role << " stopped before a later tier";
    }
    previous_healthy = healthy;
    previous_exit = exited;
  }
}

TEST_F(VdbdTest, KilledChildrenAreRestarted) {
  json endpoints = StartForeground({}, 5);
  ASSERT_TRUE(AllRunning(endpoints, 5)) << endpoints.dump();
  for (const char* role : kRoles) {
    int old_pid = (*Find(endpoints, role, 1))["pid"];
    ASSERT_GT(old_pid, 0);
    ASSERT_EQ(::kill(old_pid, SIGKILL), 0) << role;
    json now;
    bool restarted = WaitFor(
        [&] {
          now = ReadEndpoints(data_dir());
          if (!now.is_array()) return false;
          const json* e = Find(now, role, 1);
          return e != nullptr && (*e)["restarts"] == 1 && (*e)["state"] == "running" &&
                 (*e)["pid"] != old_pid;
        },
        10000);
    ASSERT_TRUE(restarted) << role << ": " << now.dump();
    EXPECT_TRUE(Healthy((*Find(now, role, 1))["address"], role)) << role;
    endpoints = now;
  }
  // Every child was restarted once and all are healthy again.
  for (const auto& e : endpoints) EXPECT_EQ(e["restarts"], 1) << e.dump();
  StopWithSigterm(endpoints);
}

TEST_F(VdbdTest, CountsFromFlags) {
  json endpoints = StartForeground({"--proxies", "2", "--query-nodes", "2"}, 7);
  ASSERT_TRUE(AllRunning(endpoints, 7)) << endpoints.dump();
  for (const char* role : {"proxy", "query"}) {
    for (int id : {1, 2}) {
      const json* e = Find(endpoints, role, id);
      ASSERT_NE(e, nullptr) << role << id;
      EXPECT_TRUE(Healthy((*e)["address"], role));
    }
  }
  EXPECT_NE((*Find(endpoints, "proxy", 1))["address"], (*Find(endpoints, "proxy", 2))["address"]);
  EXPECT_EQ(Find(endpoints, "streaming", 2), nullptr);
  StopWithSigterm(endpoints);
}

TEST_F(VdbdTest, DetachThenStop) {
  // The daemon's parent exits at once; become the subreaper so we can reap the daemon too.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  std::string out;
  GroupGuard daemon_guard;
  int rc = RunVdbd({"start", "--detach", "--data-dir", data_dir(), "--port", "0"},
                   dir_.Sub("detach.out"), &out);
  auto pid_text = ReadFileToString(Env::Default(), data_dir() + "/run/vdbd.pid");
  int daemon_pid = pid_text.ok() ? std::atoi(pid_text->c_str()) : 0;
  daemon_guard.Reset(daemon_pid);  // the daemon leads its own session and process group
  ASSERT_EQ(rc, 0) << out;
  ASSERT_GT(daemon_pid, 0);
  // Detached start returns only once every child is healthy: the address it prints answers at
  // once. run/endpoints.json catches up on the supervisor's next tick, so it is waited for.
  const std::string ready = "vdbd ready: listening on ";
  size_t at = out.find(ready);
  ASSERT_NE(at, std::string::npos) << out;
  at += ready.size();
  std::string proxy = out.substr(at, out.find(' ', at) - at);
  EXPECT_TRUE(Healthy(proxy, "proxy")) << out;
  json endpoints = WaitAllRunning(data_dir(), 5);
  ASSERT_TRUE(AllRunning(endpoints, 5)) << endpoints.dump();
  EXPECT_EQ((*Find(endpoints, "proxy", 1))["address"], proxy) << out;

  std::string stop_out;
  EXPECT_EQ(RunVdbd({"stop", "--data-dir", data_dir()}, dir_.Sub("stop.out"), &stop_out), 0)
      << stop_out;
  EXPECT_TRUE(ProcessGone(daemon_pid));
  ::waitpid(daemon_pid, nullptr, WNOHANG);
  for (const auto& e : endpoints) EXPECT_TRUE(ProcessGone(e.value("pid", 0))) << e.dump();

  std::string status_out;
  EXPECT_EQ(RunVdbd({"status", "--data-dir", data_dir()}, dir_.Sub("status.out"), &status_out), 3)
      << status_out;
  EXPECT_NE(status_out.find("not running"), std::string::npos) << status_out;
}

TEST_F(VdbdTest, StopWithNothingRunningSaysSo) {
  std::string out;
  EXPECT_EQ(RunVdbd({"stop", "--data-dir", data_dir()}, dir_.Sub("stop.out"), &out), 3) << out;
  EXPECT_NE(out.find("not running in " + data_dir()), std::string::npos) << out;
}

TEST_F(VdbdTest, BadOptionsAreUsageErrors) {
  std::string out;
  EXPECT_EQ(
      RunVdbd({"start", "--data-dir", data_dir(), "--proxies", "zero"}, dir_.Sub("bad.out"), &out),
      2)
      << out;
  EXPECT_NE(out.find("proxies"), std::string::npos) << out;
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), dir_.Sub("c.json"), R"({"prots": 1})").ok());
  EXPECT_EQ(RunVdbd({"start", "--config", dir_.Sub("c.json")}, dir_.Sub("bad2.out"), &out), 2)
      << out;
  EXPECT_NE(out.find("prots"), std::string::npos) << out;
}

TEST_F(VdbdTest, BusyPublicPortFailsStartup) {
  rpc::HttpServer squatter;
  auto port = squatter.Bind("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  ASSERT_TRUE(squatter.Start().ok());
  std::string out;
  int rc = RunVdbd({"start", "--detach", "--data-dir", data_dir(), "--port", std::to_string(*port)},
                   dir_.Sub("busy.out"), &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("proxy-1 cannot listen on 127.0.0.1:" + std::to_string(*port)),
            std::string::npos)
      << out;
  // The daemon stopped what it had started and gave the data dir back.
  EXPECT_TRUE(
      WaitFor([&] { return !Env::Default()->FileExists(data_dir() + "/run/vdbd.pid"); }, 10000));
}

}  // namespace
}  // namespace vdb
