// FakeCoord: an in-memory coordinator for streaming node tests and benchmarks: a TSO on the real
// clock, ids, the catalog of one collection ("docs": id, vec, tag) with one channel, and segment
// commits. Hooks let tests block timestamp leases and fail commits. Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>

#include "common/env.h"
#include "common/timestamp.h"
#include "rpc/catalog.h"
#include "streaming/coord_api.h"

namespace vdb::streaming::fake {

inline constexpr int64_t kDim = 4;
inline const NodeId kNode(1);
inline const CollectionId kCollection(1);
inline const PartitionId kDefaultPartition(10);
inline const PartitionId kOtherPartition(11);
inline const std::string kChannel = "c1s0";

inline CollectionSchema TestSchema(int64_t dim = kDim) {
  CollectionSchema schema;
  schema.name = "docs";
  FieldSchema pk;
  pk.id = FieldId(100);
  pk.name = "id";
  pk.type = DataType::kInt64;
  pk.primary_key = true;
  FieldSchema vec;
  vec.id = FieldId(101);
  vec.name = "vec";
  vec.type = DataType::kFloatVector;
  vec.dim = dim;
  FieldSchema tag;
  tag.id = FieldId(102);
  tag.name = "tag";
  tag.type = DataType::kVarChar;
  tag.max_length = 32;
  schema.fields = {pk, vec, tag};
  return schema;
}

// An in-memory coordinator: a TSO, ids, the catalog of one collection with one channel, and
// segment commits. Hooks let tests block timestamp leases and fail commits.
class FakeCoord : public CoordApi {
 public:
  explicit FakeCoord(NodeId bound_to = kNode, int64_t dim = kDim) {
    rpc::CollectionInfo c;
    c.id = kCollection;
    c.name = "docs";
    c.schema = TestSchema(dim);
    c.partitions = {{kDefaultPartition, "_default"}, {kOtherPartition, "other"}};
    c.load_state = rpc::LoadState::kLoaded;  // released data is handed off at once
    catalog_.collections.push_back(c);
    rpc::ChannelInfo ch;
    ch.name = kChannel;
    ch.collection_id = kCollection;
    ch.streaming_node_id = bound_to;
    catalog_.channels.push_back(ch);
    catalog_.revision = 1;
  }

  Result<rpc::CatalogRevision> Heartbeat(NodeId, const std::string&) override {
    std::lock_guard lock(mu_);
    ++heartbeats_;
    return catalog_.revision;
  }
  Result<std::optional<rpc::Catalog>> GetCatalog(rpc::CatalogRevision since, int64_t) override {
    std::lock_guard lock(mu_);
    if (catalog_.revision <= since) return std::optional<rpc::Catalog>();
    return std::optional<rpc::Catalog>(catalog_);
  }
  Result<Timestamp> AllocateTimestamps(int64_t count) override {
    std::unique_lock lock(mu_);
    ++lease_waiters_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !block_leases_; });
    --lease_waiters_;
    Timestamp now = ComposeTimestamp(Env::Default()->NowMicros() / 1000, 0);
    Timestamp first = std::max(next_ts_, now);
    next_ts_ = first + static_cast<Timestamp>(count);
    ++leases_;
    return first;
  }
  Result<int64_t> AllocateIds(int64_t count) override {
    std::lock_guard lock(mu_);
    int64_t first = next_id_;
    next_id_ += count;
    return first;
  }
  Result<rpc::CatalogRevision> CommitSegment(const rpc::SegmentInfo& segment, Lsn checkpoint_lsn,
                                             Timestamp checkpoint_ts, NodeId) override {
    std::lock_guard lock(mu_);
    if (fail_commits_after_ >= 0 && commits_ >= fail_commits_after_) {
      return Status::Unavailable("commit refused by the test");
    }
    ++commits_;
    catalog_.segments.push_back(segment);
    auto& ch = catalog_.channels[0];
    if (checkpoint_lsn > ch.checkpoint_lsn) {
      ch.checkpoint_lsn = checkpoint_lsn;
      ch.checkpoint_ts = checkpoint_ts;
    }
    return ++catalog_.revision;
  }

  // A guarantee timestamp as a proxy would get it for a Strong read.
  Timestamp Tso() { return *AllocateTimestamps(1); }
  rpc::Catalog catalog() {
    std::lock_guard lock(mu_);
    return catalog_;
  }
  void ServeAllSegments(NodeId query_node) {
    std::lock_guard lock(mu_);
    for (auto& s : catalog_.segments) s.query_node_id = query_node;
    ++catalog_.revision;
  }
  void DropPartition(PartitionId partition) {
    std::lock_guard lock(mu_);
    auto& parts = catalog_.collections[0].partitions;
    parts.erase(std::remove_if(parts.begin(), parts.end(),
                               [&](const rpc::PartitionInfo& p) { return p.id == partition; }),
                parts.end());
    ++catalog_.revision;
  }
  void Rebind(NodeId node) {
    std::lock_guard lock(mu_);
    catalog_.channels[0].streaming_node_id = node;
    ++catalog_.revision;
  }
  void BlockLeases(bool block) {
    {
      std::lock_guard lock(mu_);
      block_leases_ = block;
    }
    cv_.notify_all();
  }
  // Returns once a lease request is blocked by BlockLeases(true).
  void WaitForBlockedLease() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return block_leases_ && lease_waiters_ > 0; });
  }
  void FailCommitsAfter(int n) {
    std::lock_guard lock(mu_);
    fail_commits_after_ = n;
  }
  int leases() {
    std::lock_guard lock(mu_);
    return leases_;
  }
  int heartbeats() {
    std::lock_guard lock(mu_);
    return heartbeats_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  rpc::Catalog catalog_;
  Timestamp next_ts_ = 0;
  int64_t next_id_ = 1000;
  bool block_leases_ = false;
  int fail_commits_after_ = -1;
  int commits_ = 0;
  int leases_ = 0;
  int heartbeats_ = 0;
  int lease_waiters_ = 0;
};

}  // namespace vdb::streaming::fake
