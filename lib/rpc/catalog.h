// The catalog snapshot every node keeps: databases, collections (schema, partitions, aliases,
// indexes, load state), the channel -> streaming node binding with checkpoints, the sealed
// segments with the query node serving each, and the node registry. The coordinator owns it and
// publishes it with a revision; other roles poll it (lib/README.md "Control plane").
// Plain value types plus a JSON codec; safe to copy and share between threads once built.
//
// Also here: how a Status carries an explicit Milvus error code across node boundaries
// (WithMilvusCode / MilvusCodeOf / MilvusMessageOf), since the coordinator knows the right code
// for DDL errors better than any default table.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/status.h"
#include "common/timestamp.h"
#include "rpc/status_map.h"

namespace vdb::rpc {

// The catalog's own logical clock: bumped by every change the coordinator publishes; never goes
// back, also across coordinator restarts.
using CatalogRevision = int64_t;

using StringMap = std::map<std::string, std::string>;

inline constexpr std::string_view kDefaultDatabase = "default";
inline constexpr std::string_view kDefaultPartition = "_default";

enum class LoadState : uint8_t { kNotLoad, kLoading, kLoaded };
// "NotLoad", "Loading", "Loaded" (the REST API prefixes them with "LoadState").
std::string_view LoadStateName(LoadState state);

enum class SegmentState : uint8_t { kFlushed, kIndexed, kDropped };
std::string_view SegmentStateName(SegmentState state);  // "Flushed", "Indexed", "Dropped"

enum class IndexState : uint8_t { kInProgress, kFinished, kFailed };
// "InProgress", "Finished", "Failed" (Milvus spelling).
std::string_view IndexStateName(IndexState state);

enum class NodeRole : uint8_t { kProxy, kStreaming, kQuery, kData };
std::string_view NodeRoleName(NodeRole role);  // "proxy", "streaming", "query", "data"
// Parses NodeRoleName's spelling; kInvalidArgument naming the input otherwise.
Result<NodeRole> ParseNodeRole(std::string_view name);

struct DatabaseInfo {
  DatabaseId id;
  std::string name;
  StringMap properties;

  bool operator==(const DatabaseInfo&) const = default;
};

struct PartitionInfo {
  PartitionId id;
  std::string name;
  // Released by partitions/release while the collection stays loaded (the other partitions
  // serve); meaningless, and kept false, while the collection is not loaded.
  bool released = false;

  bool operator==(const PartitionInfo&) const = default;
};

struct IndexInfo {
  std::string name;
  FieldId field_id;
  std::string index_type;   // "HNSW", "AUTOINDEX", ...
  std::string metric_type;  // "L2", "IP", "COSINE", ...; empty for scalar indexes
  StringMap params;         // build params ("M", "efConstruction", "nlist", ...)
  // Finished once every live sealed segment of the collection has this index (always Finished
  // for scalar-field indexes, which query nodes build themselves); Failed once the build of any
  // live segment failed for good (SegmentInfo::index_failures).
  IndexState state = IndexState::kInProgress;
  // When Failed: which segment and why ("segment 12: corruption: ..."); empty otherwise.
  // Derived by the coordinator from the segments, like `state`.
  std::string fail_reason;

  bool operator==(const IndexInfo&) const = default;
};

struct CollectionInfo {
  CollectionId id;
  DatabaseId db_id;
  std::string name;         // also schema.name
  CollectionSchema schema;  // field ids assigned (100, 101, ...)
  std::string description;
  int32_t shards_num = 1;
  std::string consistency_level = "Bounded";
  StringMap properties;
  Timestamp created_ts = 0;
  LoadState load_state = LoadState::kNotLoad;
  std::vector<PartitionInfo> partitions;  // "_default" first
  std::vector<std::string> aliases;       // sorted
  std::vector<IndexInfo> indexes;

  const PartitionInfo* FindPartition(std::string_view partition_name) const;
  const PartitionInfo* FindPartition(PartitionId id) const;
  const IndexInfo* FindIndex(std::string_view index_name) const;
  const IndexInfo* FindIndexOnField(FieldId field_id) const;
  // Whether reads may use partition `pid`: the collection is loaded (or loading) and the
  // partition was not released on its own.
  bool PartitionLoaded(PartitionId pid) const;
  // The partitions reads may use, in catalog order.
  std::vector<PartitionId> LoadedPartitionIds() const;

  bool operator==(const CollectionInfo&) const = default;
};

// The channel ("c<collection id>s<shard>") of one shard and the streaming node serving it.
std::string ChannelName(CollectionId collection_id, int32_t shard);

struct ChannelInfo {
  std::string name;
  CollectionId collection_id;
  int32_t shard = 0;
  NodeId streaming_node_id;       // 0: not bound (no live streaming node)
  std::string streaming_address;  // "host:port" of that node
  // Everything in the WAL up to this position is in committed segments; replay starts after it.
  Lsn checkpoint_lsn;
  Timestamp checkpoint_ts = 0;

  bool operator==(const ChannelInfo&) const = default;
};

struct SegmentInfo {
  SegmentId id;
  CollectionId collection_id;
  PartitionId partition_id;
  std::string channel;
  int64_t rows = 0;
  Timestamp ts_min = 0;
  Timestamp ts_max = 0;
  std::string object_prefix;  // where its files live in the object store
  SegmentState state = SegmentState::kFlushed;
  // Index name -> object keys of the built index for this segment.
  std::map<std::string, std::vector<std::string>> index_objects;
  NodeId query_node_id;  // 0: not served by a query node yet
  std::string query_address;
  // Index name -> why its build failed for good (corrupt data, bad params, or too many failed
  // attempts). No build job is queued for these until the index is dropped and re-created.
  std::map<std::string, std::string> index_failures;

  bool operator==(const SegmentInfo&) const = default;
};

struct NodeInfo {
  NodeRole role = NodeRole::kProxy;
  NodeId id;
  std::string address;
  bool alive = false;

  bool operator==(const NodeInfo&) const = default;
};

// An index build handed to a data node (ClaimJob). The job id is only meaningful to the
// coordinator that issued it.
struct IndexJob {
  int64_t job_id = 0;
  CollectionId collection_id;
  SegmentId segment_id;
  std::string channel;
  std::string object_prefix;  // the segment's files
  int64_t rows = 0;
  std::string index_name;
  FieldId field_id;
  DataType field_type = DataType::kNone;
  int64_t dim = 0;
  std::string index_type;
  std::string metric_type;
  StringMap params;
  uint64_t lease_ms = 0;  // how long the claim lasts without a heartbeat of the claiming node

  bool operator==(const IndexJob&) const = default;
};

struct Catalog {
  CatalogRevision revision = 0;
  std::vector<DatabaseInfo> databases;
  std::vector<CollectionInfo> collections;
  std::vector<ChannelInfo> channels;
  std::vector<SegmentInfo> segments;
  std::vector<NodeInfo> nodes;

  // Lookups: nullptr when absent; pointers valid until the vectors change.
  const DatabaseInfo* FindDatabase(std::string_view name) const;
  const DatabaseInfo* FindDatabase(DatabaseId id) const;
  // By name, or else by alias, within database `db_name`.
  const CollectionInfo* FindCollection(std::string_view db_name, std::string_view name) const;
  const CollectionInfo* FindCollection(CollectionId id) const;
  const ChannelInfo* FindChannel(std::string_view channel_name) const;
  const SegmentInfo* FindSegment(SegmentId id) const;
  std::vector<const ChannelInfo*> ChannelsOf(CollectionId collection_id) const;
  // Segments of `channel_name` that are not Dropped.
  std::vector<const SegmentInfo*> SegmentsOf(std::string_view channel_name) const;
  const NodeInfo* FindNode(NodeRole role, NodeId id) const;

  bool operator==(const Catalog&) const = default;
};

// --- Arguments and answers of DDL calls (coordinator and CoordClient) ---------------------

// CreateCollection's arguments beyond the schema (whose name is the collection's name).
struct CreateCollectionParams {
  int32_t shards_num = 1;  // 0 means 1
  std::string consistency_level = "Bounded";
  std::string description;
  StringMap properties;
};

// What CreateIndex asks for; index_name defaults to the field name, index_type to AUTOINDEX,
// metric_type to the first the field type allows (COSINE, HAMMING, IP).
struct IndexParams {
  std::string field_name;
  std::string index_name;
  std::string index_type;
  std::string metric_type;
  StringMap params;
};

struct AliasDescription {
  std::string db_name;
  std::string collection_name;
  std::string alias_name;
};

struct LoadStatus {
  LoadState state = LoadState::kNotLoad;
  int progress = 0;  // 0..100
};

// JSON codecs. Encoding never fails. Decoding validates types, enum spellings and required keys
// and returns kInvalidArgument naming the offending member (the text crosses process boundaries).
std::string EncodeCatalog(const Catalog& catalog);
Result<Catalog> DecodeCatalog(std::string_view json);

std::string EncodeSchema(const CollectionSchema& schema);
Result<CollectionSchema> DecodeSchema(std::string_view json);
std::string EncodeDatabase(const DatabaseInfo& database);
Result<DatabaseInfo> DecodeDatabase(std::string_view json);
std::string EncodeCollection(const CollectionInfo& collection);
Result<CollectionInfo> DecodeCollection(std::string_view json);
std::string EncodeIndex(const IndexInfo& index);
Result<IndexInfo> DecodeIndex(std::string_view json);
std::string EncodeChannel(const ChannelInfo& channel);
Result<ChannelInfo> DecodeChannel(std::string_view json);
std::string EncodeSegment(const SegmentInfo& segment);
Result<SegmentInfo> DecodeSegment(std::string_view json);
std::string EncodeIndexJob(const IndexJob& job);
Result<IndexJob> DecodeIndexJob(std::string_view json);

// --- Milvus codes carried in a Status -------------------------------------------------------
// A Status whose message holds "[milvus=<code>] " carries that Milvus error code; the origin's
// own message follows the marker. The marker survives WriteInternalError/StatusFromHttp and
// context prepended on the way (HttpClient::Call adds "POST http://...: "), so the proxy can
// answer with the code and message the coordinator chose.

// `status` with the marker for `milvus_code` (replacing any marker already there); OK stays OK.
Status WithMilvusCode(int milvus_code, const Status& status);
// The carried code, or else MilvusCodeFor(status.code(), kind); 0 for OK.
int MilvusCodeOf(const Status& status, ObjectKind kind = ObjectKind::kNone);
// The origin's message: what follows the marker, or the whole message without one.
std::string MilvusMessageOf(const Status& status);

}  // namespace vdb::rpc
