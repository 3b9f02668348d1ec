#include "streaming/coord_api.h"

#include "rpc/coord_client.h"

namespace vdb::streaming {

Result<rpc::CatalogRevision> CoordClientApi::Heartbeat(NodeId id, const std::string& address) {
  return client_->Heartbeat(rpc::NodeRole::kStreaming, id, address);
}

Result<std::optional<rpc::Catalog>> CoordClientApi::GetCatalog(rpc::CatalogRevision since,
                                                               int64_t wait_ms) {
  return client_->GetCatalog(since, wait_ms);
}

Result<Timestamp> CoordClientApi::AllocateTimestamps(int64_t count) {
  return client_->AllocateTimestamps(count);
}

Result<int64_t> CoordClientApi::AllocateIds(int64_t count) { return client_->AllocateIds(count); }

Result<rpc::CatalogRevision> CoordClientApi::CommitSegment(const rpc::SegmentInfo& segment,
                                                           Lsn checkpoint_lsn,
                                                           Timestamp checkpoint_ts,
                                                           NodeId from_node) {
  return client_->CommitSegment(segment, checkpoint_lsn, checkpoint_ts, from_node);
}

}  // namespace vdb::streaming
