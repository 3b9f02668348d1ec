// VdbdHarness: runs a real `vdbd start` (foreground, --port 0) on a data directory for end-to-end
// tests, crash tests and benchmarks: waits until every child is healthy, reads run/endpoints.json,
// posts JSON to the public proxy, SIGKILLs one role's child, stops gracefully. The supervisor runs
// in its own process group, and the whole group is SIGKILLed when the harness is destroyed, so no
// test leaves daemons behind even when it fails half-way.
// Thread-safety: Post/Call may be used from many threads at once; everything else from one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace vdb::rpc {
class HttpClient;
}  // namespace vdb::rpc

namespace vdb::test {

struct VdbdOptions {
  std::string vdbd_path;  // the vdbd binary
  std::string data_dir;   // --data-dir; vdbd creates it
  // The supervisor's stdout and stderr; default: <data_dir>.out (beside the data dir).
  std::string output_path;
  // Appended after `start --data-dir D --port 0`, e.g. {"--streaming-nodes", "2"}.
  std::vector<std::string> extra_args;
  // How many children run once vdbd is up (5: one of each role by default).
  size_t expected_children = 5;
  int64_t start_timeout_ms = 60000;
};

// Polls `done` every `poll_ms` until it returns true or `timeout_ms` pass; returns its last answer.
bool WaitFor(const std::function<bool()>& done, int64_t timeout_ms, int64_t poll_ms = 20);

// True when the process `pid` is gone or a zombie.
bool ProcessGone(pid_t pid);

// Starts `vdbd_path args...` (e.g. {"start", "--data-dir", D}) in a process group of its own, so
// kill(-pid, SIGKILL) reaches everything it starts; stdout and stderr go to `out_path`
// (truncated). Returns the pid, or -1 when fork fails. The caller reaps it (WaitExit).
pid_t SpawnVdbd(const std::string& vdbd_path, const std::vector<std::string>& args,
                const std::string& out_path);
// Waits up to `timeout_ms` for our child `pid` to exit and reaps it; returns its exit status, or
// -1 on timeout (the child is left running) or when a signal ended it.
int WaitExit(pid_t pid, int64_t timeout_ms);

// A float vector as JSON text, each value printed with `digits` significant digits (9 round-trips
// a float exactly).
std::string VectorJson(const float* v, int dim, int digits = 9);
// An entities/insert body for `collection` whose rows have ids first_id, first_id+1, ... and the
// vectors given as JSON texts (VectorJson), in the quick-create shape {"id":..,"vector":..}.
std::string InsertBody(const std::string& collection, const std::vector<std::string>& vectors,
                       int64_t first_id);

class VdbdHarness {
 public:
  explicit VdbdHarness(VdbdOptions options);
  // SIGKILLs the supervisor's process group (and any child still listed) if it still runs.
  ~VdbdHarness();
  VdbdHarness(const VdbdHarness&) = delete;
  VdbdHarness& operator=(const VdbdHarness&) = delete;

  // Spawns `vdbd start` and waits until every child runs and the proxy answers /healthz.
  // kUnavailable with the tail of vdbd's output when that does not happen in time.
  // REQUIRES: not running (a harness may be started again after Stop or Kill).
  Status Start();
  // Graceful stop through `vdbd stop --data-dir D` (what an operator runs); waits for the
  // supervisor to exit with status 0. kInternal naming the exit status otherwise.
  Status Stop(int64_t timeout_ms = 60000);
  // SIGKILLs the whole process group and reaps the supervisor (a power cut of every process).
  void Kill();

  // SIGKILLs the child (role, id) and returns its pid. kNotFound when no such child runs.
  Result<pid_t> KillChild(const std::string& role, int id = 1);
  // Waits until (role, id) runs again under a pid other than `old_pid` and answers /healthz.
  Status WaitRestarted(const std::string& role, int id, pid_t old_pid, int64_t timeout_ms = 30000);

  // The parsed run/endpoints.json (an array of {role, id, pid, address, state, restarts}), or
  // null when it cannot be read.
  nlohmann::json Endpoints() const;
  // The pid of (role, id) from run/endpoints.json; 0 when absent.
  pid_t ChildPid(const std::string& role, int id = 1) const;
  // "127.0.0.1:PORT" of proxy 1, known once Start() succeeded.
  const std::string& proxy_address() const { return proxy_address_; }
  pid_t supervisor_pid() const { return pid_; }
  // The last `max_bytes` of the supervisor's output, for failure messages.
  std::string OutputTail(size_t max_bytes = 4000) const;

  // POSTs `body` as JSON to `path` (e.g. "/v2/vectordb/entities/insert") on proxy 1 and returns
  // the parsed response body. kUnavailable / kDeadlineExceeded from the transport; kInternal for
  // an HTTP status other than 200 or a body that is not JSON.
  Result<nlohmann::json> Post(const std::string& path, const nlohmann::json& body,
                              int64_t timeout_ms = 30000);
  // As Post, and also an error (kInternal, "code N: message") unless the envelope's code is 0;
  // returns the whole envelope.
  Result<nlohmann::json> Call(const std::string& path, const nlohmann::json& body,
                              int64_t timeout_ms = 30000);
  // GETs `path` from any node at `address` (e.g. a child's /metrics) and returns the body;
  // kInternal for an HTTP status other than 200.
  static Result<std::string> GetFrom(const std::string& address, const std::string& path,
                                     int64_t timeout_ms = 10000);

 private:
  Status WaitUp();
  void SetClient(std::shared_ptr<rpc::HttpClient> client);

  VdbdOptions options_;
  pid_t pid_ = 0;  // the supervisor, leader of its own process group; 0 when not running
  std::string proxy_address_;
  std::vector<pid_t> stale_pids_;  // children listed before the last Start()
  // Replaced by Start/Stop/Kill while other threads may be posting: they copy it under mu_.
  mutable std::mutex mu_;
  std::shared_ptr<rpc::HttpClient> client_;  // GUARDED_BY(mu_)
};

}  // namespace vdb::test
