// CoordClient: typed calls to the coordinator's control-plane routes (wire format documented in
// lib/coord/coord_service.h), for every other role. Lives in lib/rpc because tier-3 libraries
// may not link each other. Thread-safe (HttpClient is).
//
// Errors: what the coordinator returned, with its code and message (the Milvus code marker of
// rpc/catalog.h included, so MilvusCodeOf works on them); kUnavailable / kDeadlineExceeded when
// it cannot be reached; kInternal for a malformed answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/timestamp.h"
#include "rpc/catalog.h"
#include "rpc/http.h"

namespace vdb::rpc {

struct CoordClientOptions {
  HttpClientOptions http;
  // Deadline of every call except the catalog long poll.
  int64_t call_timeout_ms = 10000;
};

class CoordClient {
 public:
  // `address` as HttpClient takes it ("127.0.0.1:9000").
  explicit CoordClient(std::string address, CoordClientOptions options = {});
  CoordClient(const CoordClient&) = delete;
  CoordClient& operator=(const CoordClient&) = delete;

  Result<CatalogRevision> Heartbeat(NodeRole role, NodeId id, const std::string& address);
  // Long poll: the catalog once its revision passes `since`, or nullopt when `wait_ms` (capped
  // by the server, 1 s by default) passed without a change.
  Result<std::optional<Catalog>> GetCatalog(CatalogRevision since, int64_t wait_ms = 1000);
  Result<Timestamp> AllocateTimestamps(int64_t count);
  Result<int64_t> AllocateIds(int64_t count);

  Result<CatalogRevision> CommitSegment(const SegmentInfo& segment, Lsn checkpoint_lsn,
                                        Timestamp checkpoint_ts, NodeId from_node = NodeId());
  Result<std::optional<IndexJob>> ClaimJob(NodeId node);
  Result<CatalogRevision> FinishJob(int64_t job_id, NodeId node,
                                    const std::vector<std::string>& object_keys);
  // Reports that `node` could not build the job: re-queued after a backoff, or failed for good
  // when `permanent` (see Coordinator::FailJob). kAborted when the job is not held by `node`.
  Result<CatalogRevision> FailJob(int64_t job_id, NodeId node, const std::string& reason,
                                  bool permanent);

  // DDL: same contracts as vdb::coord::Coordinator's methods of the same names.
  Result<CatalogRevision> CreateDatabase(const std::string& db_name,
                                         const StringMap& properties = {});
  Result<CatalogRevision> DropDatabase(const std::string& db_name);
  Result<std::vector<std::string>> ListDatabases();
  Result<DatabaseInfo> DescribeDatabase(const std::string& db_name);

  Result<CatalogRevision> CreateCollection(const std::string& db_name,
                                           const CollectionSchema& schema,
                                           const CreateCollectionParams& params = {});
  Result<CatalogRevision> DropCollection(const std::string& db_name, const std::string& name);
  Result<CollectionInfo> DescribeCollection(const std::string& db_name, const std::string& name);
  Result<std::vector<std::string>> ListCollections(const std::string& db_name);
  Result<bool> HasCollection(const std::string& db_name, const std::string& name);
  Result<CatalogRevision> RenameCollection(const std::string& db_name, const std::string& old_name,
                                           const std::string& new_db_name,
                                           const std::string& new_name);
  Result<CatalogRevision> LoadCollection(const std::string& db_name, const std::string& name);
  Result<CatalogRevision> ReleaseCollection(const std::string& db_name, const std::string& name);
  Result<LoadStatus> GetLoadState(const std::string& db_name, const std::string& name,
                                  const std::vector<std::string>& partition_names = {});
  Result<CatalogRevision> LoadPartitions(const std::string& db_name, const std::string& name,
                                         const std::vector<std::string>& partition_names);
  Result<CatalogRevision> ReleasePartitions(const std::string& db_name, const std::string& name,
                                            const std::vector<std::string>& partition_names);

  Result<CatalogRevision> CreatePartition(const std::string& db_name,
                                          const std::string& collection_name,
                                          const std::string& partition_name);
  Result<CatalogRevision> DropPartition(const std::string& db_name,
                                        const std::string& collection_name,
                                        const std::string& partition_name);
  Result<std::vector<std::string>> ListPartitions(const std::string& db_name,
                                                  const std::string& collection_name);
  Result<bool> HasPartition(const std::string& db_name, const std::string& collection_name,
                            const std::string& partition_name);

  Result<CatalogRevision> CreateAlias(const std::string& db_name,
                                      const std::string& collection_name,
                                      const std::string& alias_name);
  Result<CatalogRevision> AlterAlias(const std::string& db_name, const std::string& collection_name,
                                     const std::string& alias_name);
  Result<CatalogRevision> DropAlias(const std::string& db_name, const std::string& alias_name);
  Result<AliasDescription> DescribeAlias(const std::string& db_name, const std::string& alias_name);
  Result<std::vector<std::string>> ListAliases(const std::string& db_name,
                                               const std::string& collection_name = "");

  Result<CatalogRevision> CreateIndex(const std::string& db_name,
                                      const std::string& collection_name,
                                      const IndexParams& params);
  Result<CatalogRevision> DropIndex(const std::string& db_name, const std::string& collection_name,
                                    const std::string& index_name);
  Result<std::vector<std::string>> ListIndexes(const std::string& db_name,
                                               const std::string& collection_name);
  Result<IndexInfo> DescribeIndex(const std::string& db_name, const std::string& collection_name,
                                  const std::string& index_name);

  const std::string& address() const { return http_.address(); }

 private:
  // Posts `body` (a JSON object text) to /internal/coord/<path>; the answer's JSON text.
  Result<std::string> Call(const std::string& path, const std::string& body,
                           int64_t timeout_ms = 0);

  CoordClientOptions options_;
  HttpClient http_;
};

}  // namespace vdb::rpc
