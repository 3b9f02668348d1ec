// Coordinator: the timestamp oracle, id allocation, the catalog and its DDL (Milvus semantics),
// the node registry, channel -> streaming node binding, sealed segment -> query node assignment
// and the data nodes' index-build queue. Everything durable lives in a MetaStore; one Txn per
// change, guarded by a compare on the catalog revision key so two coordinators sharing a store
// cannot interleave writes. Thread-safe: one mutex for the catalog (held across its meta writes:
// DDL is rare and correctness comes first) and one for the TSO and id allocator.
//
// Errors carry Milvus codes (rpc::WithMilvusCode) chosen per milvus-rest-v2.md §2/§9, e.g. a
// missing collection is kNotFound "[milvus=100] can't find collection[database=D][collection=C]".
// A lost compare-and-set (another writer on the store) is kAborted.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/status.h"
#include "common/timestamp.h"
#include "meta/meta_store.h"
#include "rpc/catalog.h"

namespace vdb {
class Env;
}  // namespace vdb

namespace vdb::coord {

struct CoordinatorOptions {
  // A node silent for this long is dead; its channels and segments move to live nodes.
  uint64_t heartbeat_timeout_ms = 3000;
  // The TSO persists a high-water mark this far ahead of the time it hands out.
  uint64_t tso_window_ms = 3000;
  // Ids are reserved in the meta store in blocks of this many.
  int64_t id_block = 10000;
  // A claimed index job returns to the queue when its node has neither finished it nor
  // heartbeated for this long.
  uint64_t job_lease_ms = 10000;
  // A job reported failed (FailJob, not permanent) waits this long before it can be claimed
  // again, doubling per failure up to job_retry_max_ms; its build fails for good (index state
  // Failed) at the job_max_attempts-th failure. Kept in memory: a restart starts over.
  uint64_t job_retry_base_ms = 1000;
  uint64_t job_retry_max_ms = 60000;
  int job_max_attempts = 5;
  int max_databases = 64;
  int max_partitions = 1024;
  int max_shards = 16;
};

using rpc::AliasDescription;
using rpc::CreateCollectionParams;
using rpc::IndexParams;
using rpc::LoadStatus;

class Coordinator {
 public:
  using Options = CoordinatorOptions;

  // Loads the state kept in `store` (creating the default database on a fresh store). `env`
  // supplies the clocks: NowMicros for the TSO, MonotonicMicros for heartbeats and leases. Both
  // must outlive the coordinator. Nodes named by the stored channel bindings and segment
  // assignments count as alive until heartbeat_timeout passes without hearing from them.
  static Result<std::unique_ptr<Coordinator>> Open(Env* env, meta::MetaStore* store,
                                                   Options options = {});
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // --- TSO and ids --------------------------------------------------------------------------
  // The first of `count` consecutive timestamps (same physical part); every later call returns
  // larger ones, also after a restart with a clock that went back. kInvalidArgument unless
  // 1 <= count <= 2^18 - 1.
  Result<Timestamp> AllocateTimestamps(int64_t count);
  // The first of `count` consecutive ids, unique across restarts. kInvalidArgument unless
  // 1 <= count <= 1<<30.
  Result<int64_t> AllocateIds(int64_t count);

  // --- Databases (writes return the new catalog revision) ------------------------------------
  Result<rpc::CatalogRevision> CreateDatabase(const std::string& db_name,
                                              const rpc::StringMap& properties = {});
  // Missing database: OK (current revision). "default" or a non-empty database: error 65535.
  Result<rpc::CatalogRevision> DropDatabase(const std::string& db_name);
  std::vector<std::string> ListDatabases();
  Result<rpc::DatabaseInfo> DescribeDatabase(const std::string& db_name);

  // --- Collections --------------------------------------------------------------------------
  // Validates the schema, assigns field ids 100, 101, ... in order, creates the channels and the
  // "_default" partition. Re-creating with identical arguments is OK; otherwise 65535.
  Result<rpc::CatalogRevision> CreateCollection(const std::string& db_name, CollectionSchema schema,
                                                const CreateCollectionParams& params = {});
  // Missing collection: OK. Drops aliases, indexes and channels; marks its segments Dropped.
  Result<rpc::CatalogRevision> DropCollection(const std::string& db_name,
                                              const std::string& collection_name);
  // By name or alias.
  Result<rpc::CollectionInfo> DescribeCollection(const std::string& db_name,
                                                 const std::string& collection_name);
  Result<std::vector<std::string>> ListCollections(const std::string& db_name);
  Result<bool> HasCollection(const std::string& db_name, const std::string& collection_name);
  // new_db_name empty: the same database.
  Result<rpc::CatalogRevision> RenameCollection(const std::string& db_name,
                                                const std::string& old_name,
                                                const std::string& new_db_name,
                                                const std::string& new_name);
  // Requires an index on every vector field (65535 otherwise). The state is Loaded once every
  // channel is bound to a streaming node, Loading until then. Loading twice is OK.
  Result<rpc::CatalogRevision> LoadCollection(const std::string& db_name,
                                              const std::string& collection_name);
  // Releases the collection and every partition; query nodes drop its sealed segments.
  Result<rpc::CatalogRevision> ReleaseCollection(const std::string& db_name,
                                                 const std::string& collection_name);
  // Loads the named partitions: of a released collection, those alone (the collection becomes
  // Loading/Loaded with the others released); of a loaded one, they join the loaded set. 200 for
  // an unknown partition, 65535 without a vector index (as LoadCollection), kInvalidArgument for
  // an empty list.
  Result<rpc::CatalogRevision> LoadPartitions(const std::string& db_name,
                                              const std::string& collection_name,
                                              const std::vector<std::string>& partition_names);
  // Releases the named partitions; releasing the last loaded one releases the collection. A
  // released collection is left as it is. 200 for an unknown partition.
  Result<rpc::CatalogRevision> ReleasePartitions(const std::string& db_name,
                                                 const std::string& collection_name,
                                                 const std::vector<std::string>& partition_names);
  // The collection's state, or with `partition_names` theirs: NotLoad when any of them is
  // released (200 for an unknown one).
  Result<LoadStatus> GetLoadState(const std::string& db_name, const std::string& collection_name,
                                  const std::vector<std::string>& partition_names = {});

  // --- Partitions ---------------------------------------------------------------------------
  // Creating an existing partition is OK (as Milvus does).
  Result<rpc::CatalogRevision> CreatePartition(const std::string& db_name,
                                               const std::string& collection_name,
                                               const std::string& partition_name);
  // Missing partition: OK; "_default" or a loaded collection's partition: 65535.
  Result<rpc::CatalogRevision> DropPartition(const std::string& db_name,
                                             const std::string& collection_name,
                                             const std::string& partition_name);
  Result<std::vector<std::string>> ListPartitions(const std::string& db_name,
                                                  const std::string& collection_name);
  Result<bool> HasPartition(const std::string& db_name, const std::string& collection_name,
                            const std::string& partition_name);

  // --- Aliases (per database) ---------------------------------------------------------------
  // Alias of this collection already: OK; of another: 1602; equal to a collection name: 1601.
  Result<rpc::CatalogRevision> CreateAlias(const std::string& db_name,
                                           const std::string& collection_name,
                                           const std::string& alias_name);
  // Moves an existing alias (1600 if missing) to `collection_name`.
  Result<rpc::CatalogRevision> AlterAlias(const std::string& db_name,
                                          const std::string& collection_name,
                                          const std::string& alias_name);
  // Missing alias: OK.
  Result<rpc::CatalogRevision> DropAlias(const std::string& db_name, const std::string& alias_name);
  Result<AliasDescription> DescribeAlias(const std::string& db_name, const std::string& alias_name);
  // All aliases of the database, or of one collection when collection_name is not empty.
  Result<std::vector<std::string>> ListAliases(const std::string& db_name,
                                               const std::string& collection_name);

  // --- Indexes (one per field) --------------------------------------------------------------
  // Identical re-create is OK; another index on the field or different params: 65535. Queues a
  // build job for every live sealed segment when the field is a vector.
  Result<rpc::CatalogRevision> CreateIndex(const std::string& db_name,
                                           const std::string& collection_name,
                                           const IndexParams& params);
  // Missing index: OK; loaded collection: 65535.
  Result<rpc::CatalogRevision> DropIndex(const std::string& db_name,
                                         const std::string& collection_name,
                                         const std::string& index_name);
  Result<std::vector<std::string>> ListIndexes(const std::string& db_name,
                                               const std::string& collection_name);
  Result<rpc::IndexInfo> DescribeIndex(const std::string& db_name,
                                       const std::string& collection_name,
                                       const std::string& index_name);

  // --- Nodes, segments, jobs ----------------------------------------------------------------
  // Registers or refreshes a node; returns the catalog revision. A new node, a node back from
  // the dead or a changed address publishes a new revision (and may get unbound work at once).
  // A data node's heartbeat also renews the leases of the jobs it holds.
  Result<rpc::CatalogRevision> Heartbeat(rpc::NodeRole role, NodeId id, const std::string& address);
  // Declares dead the nodes silent for heartbeat_timeout, rebinds their channels and segments,
  // and re-queues expired job claims. Call it periodically (the service does, every 500 ms).
  Status Tick();

  // Commits a flushed segment and moves its channel's checkpoint (never backwards), in one meta
  // transaction, then assigns the segment to the least loaded live query node. Idempotent for a
  // segment already committed. `from_node` (0: unchecked) must be the channel's streaming node,
  // else kAborted. Errors: 100 missing collection, 200 missing partition, kInvalidArgument for a
  // channel not of the collection.
  Result<rpc::CatalogRevision> CommitSegment(const rpc::SegmentInfo& segment, Lsn checkpoint_lsn,
                                             Timestamp checkpoint_ts, NodeId from_node = NodeId());

  // The oldest unclaimed index build, now leased to `node`; nullopt when there is none.
  Result<std::optional<rpc::IndexJob>> ClaimJob(NodeId node);
  // Commits the built index's object keys to the segment in one transaction. kAborted when the
  // job is unknown (e.g. issued before a restart) or no longer held by `node`, or when its
  // segment or index went away meanwhile (the caller may delete its objects).
  Result<rpc::CatalogRevision> FinishJob(int64_t job_id, NodeId node,
                                         const std::vector<std::string>& object_keys);
  // Releases `node`'s claim on a job that failed with `reason` (the node's Status text). A
  // transient failure re-queues the job after a backoff (job_retry_base_ms, doubling); when
  // `permanent` (the build reported kCorruption or kInvalidArgument) or at the
  // job_max_attempts-th failure, the segment's build of that index fails for good: the reason is
  // kept in the catalog (SegmentInfo::index_failures), the index state becomes Failed, and no
  // job is queued for it until the index is dropped and re-created. kAborted when the job is
  // unknown or not held by `node`. Returns the catalog revision (bumped only when it failed
  // for good).
  Result<rpc::CatalogRevision> FailJob(int64_t job_id, NodeId node, const std::string& reason,
                                       bool permanent);
  // Jobs not yet finished (queued, waiting out a backoff, or claimed), for tests and status.
  size_t PendingJobCount();

  // --- Catalog ------------------------------------------------------------------------------
  rpc::Catalog Snapshot();
  rpc::CatalogRevision revision();
  // Waits until the revision exceeds `since` or `timeout_ms` passes, then returns the catalog
  // (whose revision may still be `since` on timeout).
  rpc::Catalog WaitForRevision(rpc::CatalogRevision since, int64_t timeout_ms);

 private:
  struct NodeState {
    std::string address;
    uint64_t last_seen_ms = 0;
    bool alive = true;
  };
  struct Job {
    int64_t id = 0;
    SegmentId segment_id;
    std::string index_name;
    NodeId claimed_by;  // 0: queued
    uint64_t lease_deadline_ms = 0;
    int failures = 0;            // FailJob reports so far
    uint64_t not_before_ms = 0;  // claimable from then on (retry backoff)
  };
  using NodeKey = std::pair<rpc::NodeRole, int64_t>;

  Coordinator(Env* env, meta::MetaStore* store, Options options);
  Status Load();

  // Caller holds mu_. Recomputes derived state (bindings, assignments, load and index states,
  // the node list), writes every record of `next` that differs from cat_ plus the bumped
  // revision in one Txn, and on success installs it. With nothing changed (and
  // `force_bump` false) it writes nothing and returns the current revision.
  Result<rpc::CatalogRevision> ApplyLocked(rpc::Catalog next, bool force_bump = false);
  void NormalizeLocked(rpc::Catalog* next);
  Job* FindJobLocked(int64_t job_id);
  void SyncJobsLocked();
  // LoadPartitions (load) and ReleasePartitions (!load).
  Result<rpc::CatalogRevision> ChangePartitionLoad(const std::string& db_name,
                                                   const std::string& collection_name,
                                                   const std::vector<std::string>& names,
                                                   bool load);
  std::vector<rpc::NodeInfo> NodeListLocked();  // the registry as the catalog lists it
  uint64_t NowMs();

  Env* const env_;
  meta::MetaStore* const store_;
  const Options options_;

  std::mutex alloc_mu_;             // TSO and ids; taken after mu_ when both are needed
  uint64_t tso_physical_ms_ = 0;    // GUARDED_BY(alloc_mu_)
  uint64_t tso_next_logical_ = 0;   // GUARDED_BY(alloc_mu_)
  uint64_t tso_limit_ms_ = 0;       // GUARDED_BY(alloc_mu_): persisted high-water mark
  meta::Revision tso_key_mod_ = 0;  // GUARDED_BY(alloc_mu_)
  int64_t next_id_ = 1;             // GUARDED_BY(alloc_mu_)
  int64_t id_limit_ = 1;            // GUARDED_BY(alloc_mu_): persisted, exclusive
  meta::Revision id_key_mod_ = 0;   // GUARDED_BY(alloc_mu_)

  std::mutex mu_;
  std::condition_variable revision_cv_;
  rpc::Catalog cat_;                     // GUARDED_BY(mu_)
  meta::Revision revision_key_mod_ = 0;  // GUARDED_BY(mu_)
  std::map<NodeKey, NodeState> nodes_;   // GUARDED_BY(mu_)
  // (segment, index name) -> job; rebuilt from the catalog by SyncJobsLocked.
  std::map<std::pair<SegmentId, std::string>, Job> jobs_;  // GUARDED_BY(mu_)
  int64_t next_job_id_ = 1;                                // GUARDED_BY(mu_)
};

}  // namespace vdb::coord
