#include "data/data_node.h"

#include <chrono>
#include <utility>

#include "common/env.h"
#include "common/logging.h"
#include "data/index_build.h"
#include "rpc/coord_client.h"
#include "storage/object_store.h"

namespace vdb::data {

namespace {

bool IsTransient(const Status& s) {
  return s.code() == StatusCode::kIOError || s.code() == StatusCode::kUnavailable ||
         s.code() == StatusCode::kDeadlineExceeded;
}

std::string JobName(const rpc::IndexJob& job) {
  return "index job " + std::to_string(job.job_id) + " (collection " +
         job.collection_id.ToString() + ", segment " + job.segment_id.ToString() + ", index " +
         job.index_name + ", " + job.index_type + ")";
}

}  // namespace

Result<std::unique_ptr<DataNode>> DataNode::Start(Env* env, storage::ObjectStore* store,
                                                  rpc::CoordClient* coord, NodeId id,
                                                  std::string address, Options options) {
  if (id.value() <= 0) {
    return Status::InvalidArgument("data node id must be positive, got " + id.ToString());
  }
  std::unique_ptr<DataNode> node(new DataNode(env, store, coord, id, std::move(address), options));
  node->heartbeat_thread_ = std::thread([n = node.get()] { n->HeartbeatLoop(); });
  node->worker_thread_ = std::thread([n = node.get()] { n->WorkLoop(); });
  return node;
}

DataNode::DataNode(Env* env, storage::ObjectStore* store, rpc::CoordClient* coord, NodeId id,
                   std::string address, Options options)
    : env_(env),
      store_(store),
      coord_(coord),
      id_(id),
      address_(std::move(address)),
      options_(options) {}

DataNode::~DataNode() { Stop(); }

void DataNode::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
  }
  cv_.notify_all();
  if (worker_thread_.joinable()) worker_thread_.join();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

DataNodeStats DataNode::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool DataNode::WaitForStats(const std::function<bool(const DataNodeStats&)>& done,
                            int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done(stats_); });
}

void DataNode::TEST_SetBeforeFinishHook(BeforeFinishHook hook) {
  std::lock_guard<std::mutex> lock(mu_);
  before_finish_ = std::move(hook);
}

bool DataNode::WaitOrStop(int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
  return !stopping_.load();
}

void DataNode::Count(const std::function<void(DataNodeStats*)>& update) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    update(&stats_);
  }
  cv_.notify_all();
}

void DataNode::HeartbeatLoop() {
  bool reachable = true;
  do {
    auto r = coord_->Heartbeat(rpc::NodeRole::kData, id_, address_);
    if (r.ok()) {
      if (!reachable) {
        VDB_LOG(INFO) << "data node " << id_.value() << ": coordinator is back";
      }
      reachable = true;
      {
        std::lock_guard<std::mutex> lock(mu_);
        registered_ = true;
      }
      cv_.notify_all();
    } else {
      // Logged once per outage: the loop keeps trying every interval.
      if (reachable) {
        VDB_LOG(WARNING) << "data node " << id_.value()
                         << ": heartbeat failed: " << r.status().ToString();
      }
      reachable = false;
      Count([](DataNodeStats* s) { s->heartbeat_failures++; });
    }
  } while (WaitOrStop(options_.heartbeat_interval_ms));
}

void DataNode::WorkLoop() {
  bool claim_failing = false;
  while (!stopping_.load()) {
    {
      // Claiming before the coordinator knows this node would let the next Tick re-queue the job.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return registered_ || stopping_.load(); });
      if (stopping_.load()) return;
    }
    ReportUnreported();
    auto claimed = coord_->ClaimJob(id_);
    if (!claimed.ok()) {
      if (!claim_failing) {
        VDB_LOG(WARNING) << "data node " << id_.value()
                         << ": claiming a job failed: " << claimed.status().ToString();
      }
      claim_failing = true;
      if (!WaitOrStop(options_.poll_interval_ms)) return;
      continue;
    }
    claim_failing = false;
    if (!claimed->has_value()) {
      if (!WaitOrStop(options_.poll_interval_ms)) return;
      continue;
    }
    RunJob(**claimed);
  }
}

Status DataNode::Retry(const std::string& what, const std::function<Status()>& step) {
  Status s;
  for (int attempt = 1;; ++attempt) {
    s = step();
    if (s.ok() || !IsTransient(s) || attempt >= options_.max_attempts) break;
    VDB_LOG(WARNING) << "data node " << id_.value() << ": " << what << " failed (attempt "
                     << attempt << "), retrying: " << s.ToString();
    if (!WaitOrStop(options_.poll_interval_ms * attempt)) break;
  }
  return s;
}

void DataNode::RunJob(const rpc::IndexJob& job) {
  const std::string name = JobName(job);
  VDB_LOG(INFO) << "data node " << id_.value() << ": building " << name;
  const uint64_t start_us = env_->MonotonicMicros();
  BuildOptions build_options;
  build_options.num_threads = options_.build_threads;
  build_options.cancel = &stopping_;
  BuiltIndex built;
  Status s = Retry("building " + name, [&]() -> Status {
    VDB_ASSIGN_OR_RETURN(built, BuildSegmentIndex(store_, job, build_options));
    return Status::OK();
  });
  const double seconds = static_cast<double>(env_->MonotonicMicros() - start_us) / 1e6;
  Count([&](DataNodeStats* st) { st->build_seconds += seconds; });
  if (!s.ok()) {
    if (stopping_.load()) {
      VDB_LOG(INFO) << "data node " << id_.value() << ": abandoned " << name << ": stopping";
      Count([](DataNodeStats* st) { st->jobs_abandoned++; });
      return;
    }
    ReportFailure(job, s);
    return;
  }

  const std::string key = IndexObjectKey(job, id_);
  s = Retry("storing " + key, [&] { return store_->Put(key, built.bytes); });
  if (!s.ok()) {
    if (stopping_.load()) {
      VDB_LOG(INFO) << "data node " << id_.value() << ": abandoned " << name << ": stopping";
      Count([](DataNodeStats* st) { st->jobs_abandoned++; });
      return;
    }
    ReportFailure(job, s.WithContext("storing " + key));
    return;
  }
  Count([&](DataNodeStats* st) { st->bytes_written += static_cast<int64_t>(built.bytes.size()); });

  BeforeFinishHook hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hook = before_finish_;
  }
  if (hook && !hook(job, key)) {
    Count([](DataNodeStats* st) { st->jobs_abandoned++; });
    return;
  }
  // Once built and stored, the commit is one call: finish it even when stopping.
  Status finished = Status::OK();
  for (int attempt = 1;; ++attempt) {
    finished = coord_->FinishJob(job.job_id, id_, {key}).status();
    if (finished.ok() || !IsTransient(finished) || attempt >= options_.max_attempts) break;
    env_->SleepForMicros(static_cast<uint64_t>(options_.poll_interval_ms) * 1000 * attempt);
  }
  if (!finished.ok()) {
    // kAborted: the lease lapsed and the job went elsewhere, or the segment or index is gone.
    // The object is left for GC, never deleted here: after a lost answer the commit may have
    // gone through and the catalog may refer to it.
    VDB_LOG(WARNING) << "data node " << id_.value() << ": " << name << " built but not committed ("
                     << key << " left for GC): " << finished.ToString();
    Count([](DataNodeStats* st) { st->jobs_abandoned++; });
    // Otherwise the coordinator stayed unreachable: hand the job back (should it hear us now)
    // rather than hold it with our heartbeats. After a commit that went through this is
    // kAborted, which is harmless.
    if (!finished.IsAborted() && !stopping_.load()) {
      SendFailJob(job, finished.WithContext("committing " + key));
    }
    return;
  }
  VDB_LOG(INFO) << "data node " << id_.value() << ": " << name << " done: " << built.rows
                << " rows as " << built.spec << ", " << built.bytes.size() << " bytes in "
                << seconds << " s";
  Count([&](DataNodeStats* st) {
    st->jobs_done++;
    st->rows_indexed += built.rows;
  });
}

void DataNode::ReportFailure(const rpc::IndexJob& job, const Status& s) {
  VDB_LOG(ERROR) << "data node " << id_.value() << ": " << JobName(job)
                 << " failed: " << s.ToString();
  Count([](DataNodeStats* st) { st->jobs_failed++; });
  SendFailJob(job, s);
}

void DataNode::SendFailJob(const rpc::IndexJob& job, const Status& s) {
  // Bad bytes or bad params fail the same way on any node and at any time.
  const bool permanent =
      s.code() == StatusCode::kCorruption || s.code() == StatusCode::kInvalidArgument;
  Unreported failure{job.job_id, JobName(job), s.ToString(), permanent};
  Status reported = Retry("reporting the failure of " + failure.name, [&] {
    return coord_->FailJob(failure.job_id, id_, failure.reason, failure.permanent).status();
  });
  if (reported.ok()) return;
  VDB_LOG(WARNING) << "data node " << id_.value() << ": could not report the failure of "
                   << failure.name << ": " << reported.ToString();
  // kAborted: the job is no longer ours. Stopping: the lease lapses with our heartbeats. Else
  // the coordinator is unreachable, and once it is back our heartbeats would renew the claim
  // forever: try again before the next claim.
  if (IsTransient(reported) && !stopping_.load()) unreported_.push_back(std::move(failure));
}

void DataNode::ReportUnreported() {
  for (auto it = unreported_.begin(); it != unreported_.end();) {
    Status s = coord_->FailJob(it->job_id, id_, it->reason, it->permanent).status();
    if (IsTransient(s)) return;  // still unreachable: keep them all for the next round
    if (!s.ok()) {
      VDB_LOG(WARNING) << "data node " << id_.value() << ": late failure report of " << it->name
                       << ": " << s.ToString();
    }
    it = unreported_.erase(it);
  }
}

}  // namespace vdb::data
