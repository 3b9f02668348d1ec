// StreamingNode: the worker that owns the WALs of the channels bound to it (lib/README.md). It
// follows the coordinator's catalog, opens each bound channel's WAL (holding its LOCK) and
// replays it from the checkpoint into growing segments; stamps writes from a leased timestamp
// range, appends them to the WAL with group commit and applies them; serves search / get /
// count / scan / deletes at a read timestamp once the channel's tsafe reaches it; seals and flushes
// growing segments to the object store, commits them with the new checkpoint, keeps serving them
// until a query node does (plus a grace period), then drops them and truncates the WAL.
// Thread-safe: every public method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/timestamp.h"
#include "rpc/catalog.h"
#include "rpc/data_plane.h"
#include "wal/wal.h"

namespace vdb {
class Env;
}  // namespace vdb

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::streaming {

class CoordApi;

struct StreamingNodeOptions {
  NodeId node_id;
  std::string address;   // "host:port" advertised to the coordinator
  std::string data_dir;  // the channel WALs live in data_dir/wal/<channel>/
  wal::WalOptions wal;
  // A channel's growing segments are sealed and flushed once one holds seal_rows rows, or once
  // the oldest got its first row seal_age_ms ago.
  uint64_t seal_rows = 1000000;
  uint64_t seal_age_ms = 10 * 60 * 1000;
  // A flushed segment is dropped from memory this long after the catalog first shows a query
  // node serving it (longer than a catalog refresh, so every proxy has routed it there).
  uint64_t handoff_grace_ms = 3000;
  // Timestamps leased from the TSO at a time, and the age after which a lease is renewed rather
  // than used (so write timestamps stay close to the wall clock).
  int64_t lease_count = 10000;
  uint64_t lease_max_age_ms = 1000;
  // How long a read waits for tsafe before failing with kDeadlineExceeded.
  int64_t read_timeout_ms = 10000;
  int64_t heartbeat_interval_ms = 500;
  int64_t catalog_poll_ms = 1000;
  int64_t tick_interval_ms = 200;
  // Most writes stamped and appended as one WAL batch.
  size_t max_batch_writes = 512;
};

// Counters for tests and metrics.
struct ChannelStats {
  uint64_t growing_rows = 0;
  size_t sealed_segments = 0;  // flushed or being flushed, still served from memory
  Lsn checkpoint_lsn;
  Timestamp tsafe = 0;
  Lsn first_wal_lsn;
  Lsn last_wal_lsn;   // newest durable record; 0 when the log is empty
  wal::WalStats wal;  // what this process wrote to the channel's WAL since it opened it
};

class StreamingNode {
 public:
  // `env`, `coord` and `store` (the object store rooted at data_dir/objects) must outlive the
  // node. Opens nothing until a catalog arrives (ApplyCatalog or the thread started by Start).
  static Result<std::unique_ptr<StreamingNode>> Open(Env* env, CoordApi* coord,
                                                     storage::ObjectStore* store,
                                                     StreamingNodeOptions options);
  ~StreamingNode();  // Stops the background threads, closes every channel (no flush).
  StreamingNode(const StreamingNode&) = delete;
  StreamingNode& operator=(const StreamingNode&) = delete;

  // Starts the heartbeat thread, the control thread (catalog long poll) and the maintenance
  // thread (seal by size and age, flush retries, hand-off). Stop is idempotent.
  Status Start();
  void Stop();

  // Adopts `catalog` if newer than the one held: opens (and replays) channels newly bound to this
  // node, closes those bound elsewhere or of dropped collections. Returns the first channel
  // open error (the other channels are still handled; a failed one is retried next time).
  Status ApplyCatalog(const rpc::Catalog& catalog);

  // Writes. kUnavailable when the channel is not served here; kInvalidArgument for a bad batch;
  // kNotFound for an unknown partition. Answers once the record is durable and applied.
  Result<rpc::WriteResponse> Write(const rpc::WriteRequest& request);
  Result<rpc::WriteResponse> Delete(const rpc::DeleteRequest& request);

  // Reads at request.read_ts (0: the channel's current tsafe, no wait). kDeadlineExceeded naming
  // the channel when tsafe does not reach read_ts within read_timeout_ms.
  Result<rpc::SearchPartial> Search(const rpc::SearchRequest& request);
  Result<rpc::GetResponse> Get(const rpc::GetRequest& request);
  Result<rpc::CountResponse> Count(const rpc::CountRequest& request);
  // The request.limit smallest visible keys above request.after, ascending; kInvalidArgument for
  // a limit outside [1, rpc::kMaxScanLimit] or an `after` of the wrong key type.
  Result<rpc::ScanResponse> Scan(const rpc::ScanRequest& request);
  // Deletes of the channel with after_ts < ts <= until_ts (0: tsafe), after tsafe reaches it.
  Result<rpc::DeletesResponse> Deletes(const rpc::DeletesRequest& request);
  // Seals and flushes every channel of the collection held here and commits the segments;
  // returns once committed.
  Status Flush(CollectionId collection_id);

  // One maintenance round (what the maintenance thread does every tick_interval_ms).
  Status Tick();

  // kUnavailable when the channel is not open here.
  Result<ChannelStats> GetChannelStats(const std::string& channel);
  std::vector<std::string> OpenChannels();

 private:
  struct Channel;
  struct PendingWrite;
  struct SealedSegment;
  struct FlushBatch;
  struct SegmentRef;

  StreamingNode(Env* env, CoordApi* coord, storage::ObjectStore* store,
                StreamingNodeOptions options);

  Result<std::shared_ptr<Channel>> OpenChannel(const rpc::Catalog& catalog,
                                               const rpc::ChannelInfo& info);
  Status Replay(Channel* ch, const rpc::Catalog& catalog);
  Result<std::shared_ptr<Channel>> FindChannel(const std::string& name, CollectionId collection_id);
  void CloseChannel(const std::shared_ptr<Channel>& ch);

  Status Submit(Channel* ch, PendingWrite* w);
  Status RenewLease(Channel* ch, std::unique_lock<std::mutex>* lock, size_t needed);
  void Apply(Channel* ch, const PendingWrite& w);

  Result<Timestamp> WaitForTsafe(Channel* ch, Timestamp read_ts);
  std::vector<SegmentRef> Snapshot(Channel* ch, const std::vector<PartitionId>& partitions,
                                   const std::vector<SegmentId>& exclude);

  Status Seal(Channel* ch);
  Status PersistPending(Channel* ch);
  Status FlushChannel(Channel* ch);
  void HandOff(Channel* ch, const rpc::Catalog& catalog);

  void HeartbeatLoop();
  void ControlLoop();
  void MaintenanceLoop();

  Env* const env_;
  CoordApi* const coord_;
  storage::ObjectStore* const store_;
  const StreamingNodeOptions options_;

  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                                     // GUARDED_BY(mu_)
  std::shared_ptr<const rpc::Catalog> catalog_;               // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Channel>> channels_;  // GUARDED_BY(mu_)
  std::mutex apply_mu_;  // one ApplyCatalog at a time (it opens WALs without mu_)
  std::thread heartbeat_thread_;
  std::thread control_thread_;
  std::thread maintenance_thread_;
};

}  // namespace vdb::streaming
