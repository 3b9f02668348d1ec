// QueryNode: the query role (DESIGN.md "The four layers"): serves the sealed segments the
// coordinator assigns to it, with deletes applied. It heartbeats the coordinator, follows the
// catalog (long poll), loads each assigned segment in the background (served only once fully
// loaded), swaps in each segment's vector index when the catalog lists one (brute force serves
// until then), and drops segments assigned elsewhere or Dropped.
//
// Deletes, per channel: the delete files of the channel's sealed segments (all of them in the
// catalog, not only those served here, since a flush writes the channel's deletes into the new
// segment whatever rows they hit) plus the deletes newer than the channel's checkpoint, pulled
// from the channel's streaming node up to each read's timestamp (which waits for its tsafe);
// the pulled position is cached, so only the first read past it pays for the pull, and a
// background refresh keeps it recent. A read at read_ts 0 (Eventually) does not wait: it sees
// every row with the deletes pulled so far.
// Visibility is lib/README.md's rule (segment::DeleteBuffer).
//
// Thread-safe: Search, Get, Count and Scan run concurrently on the HTTP server's threads. One mutex
// for the node's tables; never held across I/O or an RPC.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/status.h"
#include "rpc/catalog.h"
#include "rpc/data_plane.h"
#include "rpc/query_plane.h"

namespace vdb {
class Env;
}  // namespace vdb

namespace vdb::rpc {
class CoordClient;
class HttpServer;
}  // namespace vdb::rpc

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::query {

class SealedSegment;

struct QueryNodeOptions {
  // Well inside the coordinator's heartbeat timeout (3 s).
  int64_t heartbeat_interval_ms = 1000;
  // How long one catalog long poll waits (the coordinator caps it at 1 s).
  int64_t catalog_poll_ms = 1000;
  // Wait before retrying a segment or index that failed to load.
  int64_t load_retry_ms = 1000;
  // Deadline of a delete pull from a streaming node (which waits for the channel's tsafe).
  int64_t read_timeout_ms = 10000;
  // Every so often each channel's deletes are pulled up to a fresh TSO timestamp, so Eventually
  // reads (which never wait) see recent deletes and strong reads find little left to pull.
  // 0 disables it.
  int64_t delete_refresh_ms = 1000;
};

// Counters for /metrics and tests.
struct QueryNodeStats {
  int64_t segments_loaded = 0;  // served now
  int64_t rows_loaded = 0;      // rows of the segments served now
  int64_t indexes_loaded = 0;   // (segment, field) indexes installed now
  int64_t load_failures = 0;    // segment or index loads that failed (retried later)
  int64_t searches = 0;
  int64_t gets = 0;
  int64_t counts = 0;
  int64_t deletes_pulled = 0;                 // delete records pulled from streaming nodes
  rpc::CatalogRevision catalog_revision = 0;  // the newest catalog seen
};

class QueryNode {
 public:
  using Options = QueryNodeOptions;

  // Starts the heartbeat, catalog, loader and delete refresh threads. `env` (clock), `store` and
  // `coord` must outlive the node. `address` is what the node registers ("host:port" of its HTTP
  // server). kInvalidArgument for a node id <= 0. An unreachable coordinator is not an error: the
  // node keeps trying.
  static Result<std::unique_ptr<QueryNode>> Start(Env* env, storage::ObjectStore* store,
                                                  rpc::CoordClient* coord, NodeId id,
                                                  std::string address, Options options = {});
  ~QueryNode();  // Stop()
  QueryNode(const QueryNode&) = delete;
  QueryNode& operator=(const QueryNode&) = delete;

  // Adds the /internal/query/* routes (rpc/query_plane.h). The node must outlive the server's
  // handlers. REQUIRES: before server->Start().
  void RegisterRoutes(rpc::HttpServer* server);

  // Stops the background threads (a load in progress finishes first). Reads keep working on the
  // segments loaded. Idempotent.
  void Stop();

  // Errors: kUnavailable "segment S is not loaded on query node N" for a named segment not
  // served here; kInvalidArgument for a request that does not fit the collection (field, dim,
  // metric, k, key type) or names a segment of another collection or channel; kUnavailable /
  // kDeadlineExceeded when the channel's deletes cannot be pulled in time.
  Result<rpc::SearchPartial> Search(const rpc::QuerySearchRequest& request);
  Result<rpc::GetResponse> Get(const rpc::QueryGetRequest& request);
  Result<rpc::CountResponse> Count(const rpc::QueryCountRequest& request);
  // The scan.limit smallest keys above scan.after visible in the named segments, ascending; also
  // kInvalidArgument for a limit outside [1, rpc::kMaxScanLimit].
  Result<rpc::ScanResponse> Scan(const rpc::QueryScanRequest& request);

  NodeId id() const { return id_; }
  QueryNodeStats stats() const;
  // Ids of the segments served now, ascending.
  std::vector<SegmentId> LoadedSegments() const;
  // The object key of the index installed for (segment, field); "" when none (or not loaded).
  std::string IndexKey(SegmentId segment, FieldId field) const;
  // Waits until `done(*this)` holds or `timeout_ms` passes; returns whether it held. Woken by
  // every change of the served set, the catalog and the counters.
  bool WaitFor(const std::function<bool(const QueryNode&)>& done, int64_t timeout_ms);

  // Stops (true) or resumes (false) heartbeats, as a node cut off from the coordinator would.
  // Once it returns, no heartbeat is in flight.
  void TEST_PauseHeartbeats(bool paused);

 private:
  struct Channel;
  using SegmentMap = std::map<SegmentId, std::shared_ptr<SealedSegment>>;

  QueryNode(Env* env, storage::ObjectStore* store, rpc::CoordClient* coord, NodeId id,
            std::string address, Options options);

  void HeartbeatLoop();
  void CatalogLoop();
  void LoaderLoop();
  void RefreshLoop();
  // Installs `catalog` and drops the segments it no longer assigns here.
  void ApplyCatalog(std::shared_ptr<const rpc::Catalog> catalog);
  // One unit of background work (a segment or index to load, delete files to read); false when
  // there is none.
  bool LoadOne();
  bool WaitOrStop(int64_t ms);
  // Wakes WaitFor. REQUIRES: mu_ not held.
  void Notify();

  // The served segments named by `ids`, all of `collection` on `channel`; errors as Search.
  Result<std::vector<std::shared_ptr<SealedSegment>>> Resolve(
      const std::vector<SegmentId>& ids, CollectionId collection, const std::string& channel,
      const std::vector<PartitionId>& partition_ids);
  // Makes the channel's deletes complete up to read_ts (0: what is known) and returns the
  // channel; *visible_ts gets the timestamp the read sees (read_ts, or kMaxTimestamp for 0).
  Result<std::shared_ptr<Channel>> PrepareRead(const std::string& channel, Timestamp read_ts,
                                               Timestamp* visible_ts);
  std::shared_ptr<Channel> ChannelFor(const std::string& name);
  // Reads the delete files of the channel's segments in `catalog` not read yet.
  Status SyncDeleteFiles(Channel* channel, const rpc::Catalog& catalog);
  Status PullDeletes(Channel* channel, const rpc::Catalog& catalog, Timestamp read_ts);
  std::shared_ptr<const rpc::Catalog> catalog() const;

  Env* const env_;
  storage::ObjectStore* const store_;
  rpc::CoordClient* const coord_;
  const NodeId id_;
  const std::string address_;
  const Options options_;

  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_delete_version_{1};  // see Channel::version
  std::mutex heartbeat_mu_;
  std::condition_variable heartbeat_cv_;  // heartbeat_in_flight_ changes
  bool heartbeats_paused_ = false;        // GUARDED_BY(heartbeat_mu_)
  bool heartbeat_in_flight_ = false;      // GUARDED_BY(heartbeat_mu_)
  mutable std::mutex mu_;
  std::condition_variable cv_;                   // stopping_, catalog, served set and stats changes
  std::shared_ptr<const rpc::Catalog> catalog_;  // GUARDED_BY(mu_)
  SegmentMap segments_;                          // GUARDED_BY(mu_)
  std::map<SegmentId, uint64_t> retry_after_ms_;              // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Channel>> channels_;  // GUARDED_BY(mu_)
  QueryNodeStats stats_;                                      // GUARDED_BY(mu_)
  uint64_t events_ = 0;  // GUARDED_BY(mu_): bumped by Notify, for WaitFor
  std::thread heartbeat_thread_;
  std::thread catalog_thread_;
  std::thread loader_thread_;
  std::thread refresh_thread_;
};

}  // namespace vdb::query
