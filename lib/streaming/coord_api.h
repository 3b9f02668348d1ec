// CoordApi: the few coordinator calls a streaming node makes, as an interface so tests can run a
// node against a fake, plus the adapter over rpc::CoordClient used in production.
// Implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ids.h"
#include "common/result.h"
#include "common/timestamp.h"
#include "rpc/catalog.h"

namespace vdb::rpc {
class CoordClient;
}  // namespace vdb::rpc

namespace vdb::streaming {

class CoordApi {
 public:
  virtual ~CoordApi() = default;
  // Registers / keeps alive the streaming node `id` at `address`; the catalog revision.
  virtual Result<rpc::CatalogRevision> Heartbeat(NodeId id, const std::string& address) = 0;
  // The catalog once its revision passes `since`, or nullopt after `wait_ms` without a change.
  virtual Result<std::optional<rpc::Catalog>> GetCatalog(rpc::CatalogRevision since,
                                                         int64_t wait_ms) = 0;
  // The first of `count` consecutive timestamps from the TSO.
  virtual Result<Timestamp> AllocateTimestamps(int64_t count) = 0;
  // The first of `count` consecutive ids.
  virtual Result<int64_t> AllocateIds(int64_t count) = 0;
  // Commits a flushed segment and moves its channel's checkpoint, atomically.
  virtual Result<rpc::CatalogRevision> CommitSegment(const rpc::SegmentInfo& segment,
                                                     Lsn checkpoint_lsn, Timestamp checkpoint_ts,
                                                     NodeId from_node) = 0;
};

// CoordApi over a CoordClient, which must outlive it.
class CoordClientApi : public CoordApi {
 public:
  explicit CoordClientApi(rpc::CoordClient* client) : client_(client) {}
  Result<rpc::CatalogRevision> Heartbeat(NodeId id, const std::string& address) override;
  Result<std::optional<rpc::Catalog>> GetCatalog(rpc::CatalogRevision since,
                                                 int64_t wait_ms) override;
  Result<Timestamp> AllocateTimestamps(int64_t count) override;
  Result<int64_t> AllocateIds(int64_t count) override;
  Result<rpc::CatalogRevision> CommitSegment(const rpc::SegmentInfo& segment, Lsn checkpoint_lsn,
                                             Timestamp checkpoint_ts, NodeId from_node) override;

 private:
  rpc::CoordClient* client_;
};

}  // namespace vdb::streaming
