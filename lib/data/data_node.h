// DataNode: the data role's worker (DESIGN.md "Background work"). It heartbeats the coordinator
// (which keeps the leases of its claimed jobs alive), claims index-build jobs one at a time,
// builds each over the sealed segment's vector column, puts the index under an immutable object
// key and commits the key with FinishJob. A job killed half-way leaves at most an unreferenced
// object (for GC); the coordinator re-queues it when the lease lapses.
// Thread-safe: Stop, stats and WaitForStats may be called from any thread.
//
// Failures: a job that cannot be built or stored (damaged segment, bad params, unsupported type,
// I/O) is logged, counted and reported with FailJob, never crashes the node. Transient errors
// (I/O, coordinator unreachable) are first retried a few times while the lease is held. FailJob
// hands the job back: kCorruption and kInvalidArgument fail the segment's build for good (the
// coordinator marks the index Failed with the reason), anything else is re-queued by the
// coordinator after a backoff, up to its attempt limit. A node stopping mid-job reports nothing:
// the lease lapses and the job is re-queued as if the node had been killed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/status.h"
#include "rpc/catalog.h"

namespace vdb {
class Env;
}  // namespace vdb

namespace vdb::rpc {
class CoordClient;
}  // namespace vdb::rpc

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::data {

struct DataNodeOptions {
  // Wait between claims when the queue is empty, and the base of the retry backoff.
  int64_t poll_interval_ms = 1000;
  // Well inside the coordinator's heartbeat timeout (3 s) and job lease (10 s).
  int64_t heartbeat_interval_ms = 1000;
  int build_threads = 1;
  // Attempts at each step (build, put, finish) when the error is transient.
  int max_attempts = 3;
};

// Counters for /metrics.
struct DataNodeStats {
  int64_t jobs_done = 0;       // committed with FinishJob
  int64_t jobs_failed = 0;     // could not be built or stored
  int64_t jobs_abandoned = 0;  // stopped half-way, or the lease was lost before the commit
  int64_t rows_indexed = 0;    // rows of the committed builds
  int64_t bytes_written = 0;   // index bytes put into the object store (committed or not)
  double build_seconds = 0;    // wall time spent building and serializing indexes
  int64_t heartbeat_failures = 0;
};

class DataNode {
 public:
  using Options = DataNodeOptions;
  // Called after the index object is put and before FinishJob; returning false abandons the job
  // there, as a node killed at that point would.
  using BeforeFinishHook = std::function<bool(const rpc::IndexJob& job, const std::string& key)>;

  // Starts the heartbeat and worker threads. `env` (clock), `store` and `coord` must outlive the
  // node. `address` is what the node registers ("host:port" of its /healthz server, if any).
  // kInvalidArgument for a node id <= 0. An unreachable coordinator is not an error: the node
  // keeps trying.
  static Result<std::unique_ptr<DataNode>> Start(Env* env, storage::ObjectStore* store,
                                                 rpc::CoordClient* coord, NodeId id,
                                                 std::string address, Options options = {});
  ~DataNode();  // Stop()
  DataNode(const DataNode&) = delete;
  DataNode& operator=(const DataNode&) = delete;

  // Cancels the build in progress (at its next batch: the job is abandoned, its lease lapses and
  // the coordinator re-queues it) or lets a built index's commit finish, then joins the threads.
  // Idempotent.
  void Stop();

  NodeId id() const { return id_; }
  DataNodeStats stats() const;
  // Waits until `done(stats())` holds or `timeout_ms` passes; returns whether it held.
  bool WaitForStats(const std::function<bool(const DataNodeStats&)>& done, int64_t timeout_ms);

  void TEST_SetBeforeFinishHook(BeforeFinishHook hook);

 private:
  DataNode(Env* env, storage::ObjectStore* store, rpc::CoordClient* coord, NodeId id,
           std::string address, Options options);

  void HeartbeatLoop();
  void WorkLoop();
  void RunJob(const rpc::IndexJob& job);
  // Runs `step` up to max_attempts times while its error is transient and the node is not
  // stopping, waiting a growing backoff in between.
  Status Retry(const std::string& what, const std::function<Status()>& step);
  // Counts a failed job and reports it with SendFailJob.
  void ReportFailure(const rpc::IndexJob& job, const Status& s);
  // FailJob with s.ToString() as the reason, permanent for kCorruption and kInvalidArgument;
  // retried while transient; kept in unreported_ when the coordinator stays unreachable.
  void SendFailJob(const rpc::IndexJob& job, const Status& s);
  // Sends the failure reports that could not get through before (worker thread).
  void ReportUnreported();
  // Waits up to `ms` or until Stop; false when stopping.
  bool WaitOrStop(int64_t ms);
  void Count(const std::function<void(DataNodeStats*)>& update);

  Env* const env_;
  storage::ObjectStore* const store_;
  rpc::CoordClient* const coord_;
  const NodeId id_;
  const std::string address_;
  const Options options_;

  std::atomic<bool> stopping_{false};  // also the build's cancel flag
  mutable std::mutex mu_;
  std::condition_variable cv_;      // stopping_, registered_, stats_ changes
  bool registered_ = false;         // GUARDED_BY(mu_): a heartbeat got through
  DataNodeStats stats_;             // GUARDED_BY(mu_)
  BeforeFinishHook before_finish_;  // GUARDED_BY(mu_)
  std::thread heartbeat_thread_;
  std::thread worker_thread_;

  struct Unreported {
    int64_t job_id = 0;
    std::string name;  // JobName, for the log
    std::string reason;
    bool permanent = false;
  };
  std::vector<Unreported> unreported_;  // touched by the worker thread only
};

}  // namespace vdb::data
