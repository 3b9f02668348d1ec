#include "coord/coordinator.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <set>

#include "common/env.h"
#include "common/logging.h"

namespace vdb::coord {

namespace {

using rpc::Catalog;
using rpc::CatalogRevision;
using rpc::ChannelInfo;
using rpc::CollectionInfo;
using rpc::DatabaseInfo;
using rpc::IndexInfo;
using rpc::LoadState;
using rpc::NodeRole;
using rpc::SegmentInfo;
using rpc::SegmentState;

// Meta store layout. Every catalog record is one JSON value (rpc/catalog.h codecs); the
// revision key is written by every catalog transaction and compared on its mod_revision, which
// serialises all catalog writers on one store.
constexpr std::string_view kCatalogPrefix = "coord/catalog/";
constexpr std::string_view kRevisionKey = "coord/catalog/revision";
constexpr std::string_view kDbPrefix = "coord/catalog/db/";
constexpr std::string_view kCollPrefix = "coord/catalog/coll/";
constexpr std::string_view kChanPrefix = "coord/catalog/chan/";
constexpr std::string_view kSegPrefix = "coord/catalog/seg/";
// Exclusive upper bounds: physical milliseconds of the TSO, and ids.
constexpr std::string_view kTsoKey = "coord/tso_limit_ms";
constexpr std::string_view kIdKey = "coord/id_limit";

constexpr int kMilvusCollectionNotFound = 100;
constexpr int kMilvusPartitionNotFound = 200;
constexpr int kMilvusIndexNotFound = 700;
constexpr int kMilvusDatabaseNotFound = 800;
constexpr int kMilvusDatabaseLimit = 801;
constexpr int kMilvusInvalidDatabaseName = 802;
constexpr int kMilvusInvalidParameter = 1100;
constexpr int kMilvusAliasNotFound = 1600;
constexpr int kMilvusAliasCollectionConflict = 1601;
constexpr int kMilvusAliasExists = 1602;
constexpr int kMilvusFieldNotFound = 1700;

constexpr int64_t kFirstFieldId = 100;

// A failure reason is kept in the catalog, which every node polls: keep it short.
constexpr size_t kMaxFailReasonBytes = 1024;

std::string Padded(int64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(id));
  return buf;
}

std::string Str(std::string_view s) { return std::string(s); }

Status Milvus(int code, Status status) { return rpc::WithMilvusCode(code, status); }

Status CollectionNotFound(const std::string& db, const std::string& name) {
  return Milvus(kMilvusCollectionNotFound, Status::NotFound("can't find collection[database=" + db +
                                                            "][collection=" + name + "]"));
}
Status DatabaseNotFound(const std::string& db) {
  return Milvus(kMilvusDatabaseNotFound,
                Status::NotFound("database not found[database=" + db + "]"));
}
Status PartitionNotFound(const std::string& name) {
  return Milvus(kMilvusPartitionNotFound,
                Status::NotFound("partition not found[partition=" + name + "]"));
}
Status Unexpected(StatusCode code, std::string message) {
  return Milvus(rpc::kMilvusUnexpected, Status(code, std::move(message)));
}
Status InvalidParameter(const std::string& message) {
  return Milvus(kMilvusInvalidParameter, Status::InvalidArgument("invalid parameter: " + message));
}
// A name check of common/schema.h reported as Milvus does: "Invalid <what> name: ...".
Status CheckName(const std::string& name, std::string_view what, int code) {
  Status s = ValidateName(name, Str(what) + " name");
  if (s.ok()) return s;
  return Milvus(code, Status::InvalidArgument("Invalid " + Str(what) + " name: " + s.message()));
}

Result<int64_t> ParseInt(std::string_view text, std::string_view what) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::Corruption("meta key " + Str(what) +
                              ": not an integer: " + meta::PrintableKey(text.substr(0, 40)));
  }
  return v;
}

const DatabaseInfo* FindDb(const Catalog& cat, const std::string& db) {
  return cat.FindDatabase(db);
}

Result<const DatabaseInfo*> RequireDb(const Catalog& cat, const std::string& db) {
  const DatabaseInfo* d = FindDb(cat, db);
  if (d == nullptr) return DatabaseNotFound(db);
  return d;
}

// By name, or by alias when `allow_alias`.
CollectionInfo* FindColl(Catalog* cat, DatabaseId db_id, const std::string& name,
                         bool allow_alias) {
  for (auto& c : cat->collections) {
    if (c.db_id == db_id && c.name == name) return &c;
  }
  if (!allow_alias) return nullptr;
  for (auto& c : cat->collections) {
    if (c.db_id == db_id &&
        std::find(c.aliases.begin(), c.aliases.end(), name) != c.aliases.end()) {
      return &c;
    }
  }
  return nullptr;
}

// The database, then the collection (by name or alias); Milvus errors 800 and 100.
Result<CollectionInfo*> RequireColl(Catalog* cat, const std::string& db, const std::string& name,
                                    bool allow_alias = true) {
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(*cat, db));
  CollectionInfo* c = FindColl(cat, d->id, name, allow_alias);
  if (c == nullptr) return CollectionNotFound(db, name);
  return c;
}

bool IsAliasIn(const Catalog& cat, DatabaseId db_id, const std::string& name) {
  for (const auto& c : cat.collections) {
    if (c.db_id == db_id &&
        std::find(c.aliases.begin(), c.aliases.end(), name) != c.aliases.end()) {
      return true;
    }
  }
  return false;
}

bool IsVectorIndex(const CollectionInfo& c, const IndexInfo& index) {
  const FieldSchema* f = c.schema.FindField(index.field_id);
  return f != nullptr && IsVector(f->type);
}

// Writes to `txn` the records of `after` that differ from `before` (Put) or vanished (Delete).
template <typename T, typename KeyFn, typename EncodeFn>
void Diff(const std::vector<T>& before, const std::vector<T>& after, KeyFn key, EncodeFn encode,
          meta::Txn* txn, bool* changed) {
  std::map<std::string, const T*> old_items;
  for (const auto& x : before) old_items[key(x)] = &x;
  for (const auto& x : after) {
    std::string k = key(x);
    auto it = old_items.find(k);
    if (it == old_items.end() || !(*it->second == x)) {
      txn->Then(meta::TxnOp::Put(k, encode(x)));
      *changed = true;
    }
    if (it != old_items.end()) old_items.erase(it);
  }
  for (const auto& [k, unused] : old_items) {
    txn->Then(meta::TxnOp::Delete(k));
    *changed = true;
  }
}

std::string DbKey(const DatabaseInfo& d) { return Str(kDbPrefix) + Padded(d.id.value()); }
std::string CollKey(const CollectionInfo& c) { return Str(kCollPrefix) + Padded(c.id.value()); }
std::string ChanKey(const ChannelInfo& c) { return Str(kChanPrefix) + c.name; }
std::string SegKey(const SegmentInfo& s) { return Str(kSegPrefix) + Padded(s.id.value()); }

// --- Index type and metric checks (milvus-rest-v2.md §6) ------------------------------------

struct IndexFamily {
  std::vector<std::string_view> types;
  std::vector<std::string_view> metrics;  // first is the default; empty: no metric allowed
};

IndexFamily FamilyFor(DataType type) {
  switch (type) {
    case DataType::kFloatVector:
    case DataType::kFloat16Vector:
    case DataType::kBFloat16Vector:
      return {{"FLAT", "IVF_FLAT", "IVF_SQ8", "IVF_PQ", "HNSW", "DISKANN", "SCANN", "AUTOINDEX"},
              {"COSINE", "L2", "IP"}};
    case DataType::kBinaryVector:
      return {{"BIN_FLAT", "BIN_IVF_FLAT", "AUTOINDEX"}, {"HAMMING", "JACCARD"}};
    case DataType::kSparseFloatVector:
      return {{"SPARSE_INVERTED_INDEX", "SPARSE_WAND", "AUTOINDEX"}, {"IP", "BM25"}};
    default:
      return {{"INVERTED", "STL_SORT", "Trie", "BITMAP", "AUTOINDEX"}, {}};
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Fills defaults and canonical spellings into `index`; 1100 "... not supported" when the type
// or metric does not fit the field.
Status CanonicalizeIndex(const FieldSchema& field, IndexInfo* index) {
  IndexFamily family = FamilyFor(field.type);
  if (index->index_type.empty()) index->index_type = "AUTOINDEX";
  auto type_it = std::find_if(family.types.begin(), family.types.end(), [&](std::string_view t) {
    return EqualsIgnoreCase(t, index->index_type);
  });
  if (type_it == family.types.end()) {
    return InvalidParameter("index type " + index->index_type + " not supported for field " +
                            field.name + " of type " + Str(DataTypeName(field.type)));
  }
  index->index_type = Str(*type_it);
  if (family.metrics.empty()) {
    if (!index->metric_type.empty()) {
      return InvalidParameter("metric type " + index->metric_type + " not supported for field " +
                              field.name + " of type " + Str(DataTypeName(field.type)));
    }
    return Status::OK();
  }
  if (index->metric_type.empty()) index->metric_type = Str(family.metrics.front());
  auto metric_it =
      std::find_if(family.metrics.begin(), family.metrics.end(),
                   [&](std::string_view m) { return EqualsIgnoreCase(m, index->metric_type); });
  if (metric_it == family.metrics.end()) {
    return InvalidParameter("metric type " + index->metric_type + " not supported for field " +
                            field.name + " of type " + Str(DataTypeName(field.type)));
  }
  index->metric_type = Str(*metric_it);
  return Status::OK();
}

Status JobUnknown(int64_t job_id) {
  return Status::Aborted("index job " + std::to_string(job_id) +
                         " is unknown or obsolete (segment or index gone, or already done)");
}
Status JobNotHeld(int64_t job_id, NodeId node) {
  return Status::Aborted("index job " + std::to_string(job_id) + " is not held by data node " +
                         node.ToString() + " (its lease expired)");
}

bool ValidConsistencyLevel(const std::string& level) {
  static constexpr std::array<std::string_view, 5> kLevels = {"Strong", "Session", "Bounded",
                                                              "Eventually", "Customized"};
  return std::find(kLevels.begin(), kLevels.end(), level) != kLevels.end();
}

}  // namespace

Coordinator::Coordinator(Env* env, meta::MetaStore* store, Options options)
    : env_(env), store_(store), options_(options) {}

Coordinator::~Coordinator() = default;

Result<std::unique_ptr<Coordinator>> Coordinator::Open(Env* env, meta::MetaStore* store,
                                                       Options options) {
  if (options.heartbeat_timeout_ms == 0 || options.tso_window_ms == 0 || options.id_block < 1 ||
      options.max_shards < 1 || options.job_max_attempts < 1) {
    return Status::InvalidArgument(
        "coordinator options: timeouts, window, blocks and job attempts must be > 0");
  }
  std::unique_ptr<Coordinator> coord(new Coordinator(env, store, options));
  VDB_RETURN_IF_ERROR(coord->Load());
  return coord;
}

uint64_t Coordinator::NowMs() { return env_->MonotonicMicros() / 1000; }

Status Coordinator::Load() {
  {
    std::lock_guard<std::mutex> lock(alloc_mu_);
    VDB_ASSIGN_OR_RETURN(auto tso, store_->Get(Str(kTsoKey)));
    if (tso) {
      VDB_ASSIGN_OR_RETURN(int64_t limit, ParseInt(tso->value, kTsoKey));
      tso_limit_ms_ = static_cast<uint64_t>(limit);
      tso_key_mod_ = tso->mod_revision;
      // Everything handed out before had a physical part below the limit.
      tso_physical_ms_ = tso_limit_ms_;
    }
    VDB_ASSIGN_OR_RETURN(auto ids, store_->Get(Str(kIdKey)));
    if (ids) {
      VDB_ASSIGN_OR_RETURN(id_limit_, ParseInt(ids->value, kIdKey));
      id_key_mod_ = ids->mod_revision;
      next_id_ = id_limit_;
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(auto kvs, store_->Scan(Str(kCatalogPrefix)));
  Catalog cat;
  for (const auto& kv : kvs) {
    std::string_view key = kv.key;
    auto bad = [&](const Status& s) {
      return Status::Corruption("meta key " + meta::PrintableKey(key) + ": " + s.message());
    };
    if (key == kRevisionKey) {
      auto rev = ParseInt(kv.value, kRevisionKey);
      if (!rev.ok()) return rev.status();
      cat.revision = *rev;
      revision_key_mod_ = kv.mod_revision;
    } else if (key.starts_with(kDbPrefix)) {
      auto d = rpc::DecodeDatabase(kv.value);
      if (!d.ok()) return bad(d.status());
      cat.databases.push_back(std::move(*d));
    } else if (key.starts_with(kCollPrefix)) {
      auto c = rpc::DecodeCollection(kv.value);
      if (!c.ok()) return bad(c.status());
      cat.collections.push_back(std::move(*c));
    } else if (key.starts_with(kChanPrefix)) {
      auto c = rpc::DecodeChannel(kv.value);
      if (!c.ok()) return bad(c.status());
      cat.channels.push_back(std::move(*c));
    } else if (key.starts_with(kSegPrefix)) {
      auto s = rpc::DecodeSegment(kv.value);
      if (!s.ok()) return bad(s.status());
      cat.segments.push_back(std::move(*s));
    }
  }
  // Keys sort records by id (zero-padded) and channels by name; keep channels in shard order.
  std::sort(cat.channels.begin(), cat.channels.end(), [](const auto& a, const auto& b) {
    return std::pair(a.collection_id, a.shard) < std::pair(b.collection_id, b.shard);
  });
  cat.nodes.clear();
  cat_ = cat;

  // Nodes named by the stored bindings get one heartbeat timeout to show up again.
  uint64_t now = NowMs();
  for (const auto& ch : cat_.channels) {
    if (ch.streaming_node_id.value() != 0) {
      nodes_[{NodeRole::kStreaming, ch.streaming_node_id.value()}] = {ch.streaming_address, now,
                                                                      true};
    }
  }
  for (const auto& s : cat_.segments) {
    if (s.query_node_id.value() != 0) {
      nodes_[{NodeRole::kQuery, s.query_node_id.value()}] = {s.query_address, now, true};
    }
  }
  // The node list is derived state: fill it so that reopening alone publishes nothing new.
  cat_.nodes = NodeListLocked();
  // Job ids only need to differ from those of a previous run: start from the clock.
  next_job_id_ = static_cast<int64_t>(env_->NowMicros());

  Catalog next = cat_;
  if (next.FindDatabase(rpc::kDefaultDatabase) == nullptr) {
    VDB_ASSIGN_OR_RETURN(int64_t id, AllocateIds(1));
    next.databases.insert(next.databases.begin(),
                          DatabaseInfo{DatabaseId(id), Str(rpc::kDefaultDatabase), {}});
  }
  VDB_ASSIGN_OR_RETURN(CatalogRevision rev, ApplyLocked(std::move(next)));
  (void)rev;
  SyncJobsLocked();
  return Status::OK();
}

// --- TSO and ids ----------------------------------------------------------------------------

Result<Timestamp> Coordinator::AllocateTimestamps(int64_t count) {
  if (count < 1 || static_cast<uint64_t>(count) > kLogicalMask) {
    return Status::InvalidArgument("tso: count " + std::to_string(count) + " not in [1, " +
                                   std::to_string(kLogicalMask) + "]");
  }
  std::lock_guard<std::mutex> lock(alloc_mu_);
  uint64_t now_ms = env_->NowMicros() / 1000;
  if (now_ms > tso_physical_ms_) {
    tso_physical_ms_ = now_ms;
    tso_next_logical_ = 0;
  }
  if (tso_next_logical_ + static_cast<uint64_t>(count) > kLogicalMask + 1) {
    // The logical counter is exhausted for this millisecond: borrow the next one.
    ++tso_physical_ms_;
    tso_next_logical_ = 0;
  }
  if (tso_physical_ms_ >= tso_limit_ms_) {
    uint64_t limit = tso_physical_ms_ + options_.tso_window_ms;
    meta::Txn txn;
    txn.If(meta::Compare::ModRevision(Str(kTsoKey), meta::CompareOp::kEqual, tso_key_mod_))
        .Then(meta::TxnOp::Put(Str(kTsoKey), std::to_string(limit)));
    VDB_ASSIGN_OR_RETURN(meta::TxnResult r, store_->Commit(txn));
    if (!r.succeeded) {
      return Status::Aborted("tso: high-water mark changed in the meta store by another writer");
    }
    tso_limit_ms_ = limit;
    tso_key_mod_ = r.revision;
  }
  Timestamp ts = ComposeTimestamp(tso_physical_ms_, tso_next_logical_);
  tso_next_logical_ += static_cast<uint64_t>(count);
  return ts;
}

Result<int64_t> Coordinator::AllocateIds(int64_t count) {
  if (count < 1 || count > (int64_t{1} << 30)) {
    return Status::InvalidArgument("ids: count " + std::to_string(count) + " not in [1, 2^30]");
  }
  std::lock_guard<std::mutex> lock(alloc_mu_);
  if (next_id_ + count > id_limit_) {
    int64_t limit = next_id_ + count + options_.id_block;
    meta::Txn txn;
    txn.If(meta::Compare::ModRevision(Str(kIdKey), meta::CompareOp::kEqual, id_key_mod_))
        .Then(meta::TxnOp::Put(Str(kIdKey), std::to_string(limit)));
    VDB_ASSIGN_OR_RETURN(meta::TxnResult r, store_->Commit(txn));
    if (!r.succeeded) {
      return Status::Aborted("ids: allocation limit changed in the meta store by another writer");
    }
    id_limit_ = limit;
    id_key_mod_ = r.revision;
  }
  int64_t first = next_id_;
  next_id_ += count;
  return first;
}

// --- Applying catalog changes ---------------------------------------------------------------

std::vector<rpc::NodeInfo> Coordinator::NodeListLocked() {
  std::vector<rpc::NodeInfo> out;
  for (const auto& [key, state] : nodes_) {
    out.push_back({key.first, NodeId(key.second), state.address, state.alive});
  }
  return out;
}

void Coordinator::NormalizeLocked(Catalog* next) {
  next->nodes = NodeListLocked();

  // Channels: keep live bindings (refreshing addresses), give the rest to the least loaded
  // live streaming node.
  std::map<int64_t, size_t> channel_load;  // live streaming node -> bound channels
  for (const auto& [key, state] : nodes_) {
    if (key.first == NodeRole::kStreaming && state.alive) channel_load[key.second] = 0;
  }
  for (auto& ch : next->channels) {
    auto it = channel_load.find(ch.streaming_node_id.value());
    if (it != channel_load.end()) {
      ++it->second;
      ch.streaming_address = nodes_[{NodeRole::kStreaming, it->first}].address;
    } else {
      ch.streaming_node_id = NodeId();
      ch.streaming_address.clear();
    }
  }
  for (auto& ch : next->channels) {
    if (ch.streaming_node_id.value() != 0 || channel_load.empty()) continue;
    auto best = std::min_element(channel_load.begin(), channel_load.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    ++best->second;
    ch.streaming_node_id = NodeId(best->first);
    ch.streaming_address = nodes_[{NodeRole::kStreaming, best->first}].address;
  }

  std::map<CollectionId, const CollectionInfo*> colls;
  for (const auto& c : next->collections) colls[c.id] = &c;

  // Segments: index objects only for existing indexes; Indexed once every vector index is
  // built; served by the least loaded (by rows) live query node.
  std::map<int64_t, int64_t> row_load;  // live query node -> rows served
  for (const auto& [key, state] : nodes_) {
    if (key.first == NodeRole::kQuery && state.alive) row_load[key.second] = 0;
  }
  for (auto& s : next->segments) {
    auto coll_it = colls.find(s.collection_id);
    if (coll_it == colls.end()) s.state = SegmentState::kDropped;
    if (s.state == SegmentState::kDropped) {
      s.query_node_id = NodeId();
      s.query_address.clear();
      continue;
    }
    const CollectionInfo& c = *coll_it->second;
    for (auto it = s.index_objects.begin(); it != s.index_objects.end();) {
      const IndexInfo* index = c.FindIndex(it->first);
      it = (index == nullptr || !IsVectorIndex(c, *index)) ? s.index_objects.erase(it) : ++it;
    }
    // A failure outlives neither its index (a re-created index starts clean) nor a build that
    // got committed after all.
    for (auto it = s.index_failures.begin(); it != s.index_failures.end();) {
      const IndexInfo* index = c.FindIndex(it->first);
      bool stale =
          index == nullptr || !IsVectorIndex(c, *index) || s.index_objects.count(it->first) != 0;
      it = stale ? s.index_failures.erase(it) : ++it;
    }
    bool any_vector_index = false, all_built = true;
    for (const auto& index : c.indexes) {
      if (!IsVectorIndex(c, index)) continue;
      any_vector_index = true;
      all_built = all_built && s.index_objects.count(index.name) > 0;
    }
    s.state = any_vector_index && all_built ? SegmentState::kIndexed : SegmentState::kFlushed;
    if (!c.PartitionLoaded(s.partition_id)) {
      // Released: no query node holds it (streaming nodes hand it off all the same).
      s.query_node_id = NodeId();
      s.query_address.clear();
      continue;
    }
    auto it = row_load.find(s.query_node_id.value());
    if (it != row_load.end()) {
      it->second += s.rows;
      s.query_address = nodes_[{NodeRole::kQuery, it->first}].address;
    } else {
      s.query_node_id = NodeId();
      s.query_address.clear();
    }
  }
  for (auto& s : next->segments) {
    if (s.state == SegmentState::kDropped || s.query_node_id.value() != 0 || row_load.empty() ||
        !colls.at(s.collection_id)->PartitionLoaded(s.partition_id)) {
      continue;
    }
    auto best = std::min_element(row_load.begin(), row_load.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    best->second += s.rows;
    s.query_node_id = NodeId(best->first);
    s.query_address = nodes_[{NodeRole::kQuery, best->first}].address;
  }

  // Load and index states.
  for (auto& c : next->collections) {
    if (c.load_state != LoadState::kNotLoad) {
      bool all_bound = true;
      for (const auto& ch : next->channels) {
        if (ch.collection_id == c.id && ch.streaming_node_id.value() == 0) all_bound = false;
      }
      c.load_state = all_bound ? LoadState::kLoaded : LoadState::kLoading;
    }
    for (auto& index : c.indexes) {
      bool finished = true;
      index.fail_reason.clear();
      if (IsVectorIndex(c, index)) {
        for (const auto& s : next->segments) {
          if (s.collection_id != c.id || s.state == SegmentState::kDropped) continue;
          if (s.index_objects.count(index.name) == 0) finished = false;
          auto failure = s.index_failures.find(index.name);
          if (failure != s.index_failures.end() && index.fail_reason.empty()) {
            // Segments are in id order: the oldest failure names the index's.
            index.fail_reason = "segment " + s.id.ToString() + ": " + failure->second;
          }
        }
      }
      index.state = !index.fail_reason.empty() ? rpc::IndexState::kFailed
                    : finished                 ? rpc::IndexState::kFinished
                                               : rpc::IndexState::kInProgress;
    }
  }
}

Result<CatalogRevision> Coordinator::ApplyLocked(Catalog next, bool force_bump) {
  NormalizeLocked(&next);
  meta::Txn txn;
  bool changed = false;
  Diff(cat_.databases, next.databases, DbKey, rpc::EncodeDatabase, &txn, &changed);
  Diff(cat_.collections, next.collections, CollKey, rpc::EncodeCollection, &txn, &changed);
  Diff(cat_.channels, next.channels, ChanKey, rpc::EncodeChannel, &txn, &changed);
  Diff(cat_.segments, next.segments, SegKey, rpc::EncodeSegment, &txn, &changed);
  if (!changed && !force_bump && next.nodes == cat_.nodes) return cat_.revision;

  next.revision = cat_.revision + 1;
  txn.If(meta::Compare::ModRevision(Str(kRevisionKey), meta::CompareOp::kEqual, revision_key_mod_));
  txn.Then(meta::TxnOp::Put(Str(kRevisionKey), std::to_string(next.revision)));
  VDB_ASSIGN_OR_RETURN(meta::TxnResult r, store_->Commit(txn));
  if (!r.succeeded) {
    return Status::Aborted(
        "catalog changed in the meta store by another coordinator; reopen to reload it");
  }
  revision_key_mod_ = r.revision;
  cat_ = std::move(next);
  SyncJobsLocked();
  revision_cv_.notify_all();
  return cat_.revision;
}

void Coordinator::SyncJobsLocked() {
  std::set<std::pair<SegmentId, std::string>> wanted;
  for (const auto& s : cat_.segments) {
    if (s.state == SegmentState::kDropped) continue;
    const CollectionInfo* c = cat_.FindCollection(s.collection_id);
    if (c == nullptr) continue;
    for (const auto& index : c->indexes) {
      if (IsVectorIndex(*c, index) && s.index_objects.count(index.name) == 0 &&
          s.index_failures.count(index.name) == 0) {
        wanted.insert({s.id, index.name});
      }
    }
  }
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    it = wanted.count(it->first) == 0 ? jobs_.erase(it) : ++it;
  }
  for (const auto& key : wanted) {
    if (jobs_.count(key) == 0) {
      jobs_[key] = Job{next_job_id_++, key.first, key.second, NodeId(), 0};
    }
  }
}

// --- Databases ------------------------------------------------------------------------------

Result<CatalogRevision> Coordinator::CreateDatabase(const std::string& db_name,
                                                    const rpc::StringMap& properties) {
  VDB_RETURN_IF_ERROR(CheckName(db_name, "database", kMilvusInvalidDatabaseName));
  std::lock_guard<std::mutex> lock(mu_);
  if (cat_.FindDatabase(db_name) != nullptr) {
    return Unexpected(StatusCode::kAlreadyExists, "database already exist: " + db_name);
  }
  if (static_cast<int>(cat_.databases.size()) >= options_.max_databases) {
    return Milvus(
        kMilvusDatabaseLimit,
        Status::InvalidArgument("database number (" + std::to_string(cat_.databases.size()) +
                                ") exceeds max configuration (" +
                                std::to_string(options_.max_databases) + ")"));
  }
  VDB_ASSIGN_OR_RETURN(int64_t id, AllocateIds(1));
  Catalog next = cat_;
  next.databases.push_back(DatabaseInfo{DatabaseId(id), db_name, properties});
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::DropDatabase(const std::string& db_name) {
  if (db_name == rpc::kDefaultDatabase) {
    return Unexpected(StatusCode::kInvalidArgument, "can not drop default database");
  }
  std::lock_guard<std::mutex> lock(mu_);
  const DatabaseInfo* d = cat_.FindDatabase(db_name);
  if (d == nullptr) return cat_.revision;
  for (const auto& c : cat_.collections) {
    if (c.db_id == d->id) {
      return Unexpected(
          StatusCode::kInvalidArgument,
          "database:" + db_name + " not empty, must drop all collections before drop database");
    }
  }
  Catalog next = cat_;
  DatabaseId id = d->id;
  std::erase_if(next.databases, [&](const DatabaseInfo& x) { return x.id == id; });
  return ApplyLocked(std::move(next));
}

std::vector<std::string> Coordinator::ListDatabases() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& d : cat_.databases) names.push_back(d.name);
  return names;
}

Result<DatabaseInfo> Coordinator::DescribeDatabase(const std::string& db_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(cat_, db_name));
  return *d;
}

// --- Collections ----------------------------------------------------------------------------

Result<CatalogRevision> Coordinator::CreateCollection(const std::string& db_name,
                                                      CollectionSchema schema,
                                                      const CreateCollectionParams& params) {
  VDB_RETURN_IF_ERROR(CheckName(schema.name, "collection", kMilvusInvalidParameter));
  int32_t shards = params.shards_num == 0 ? 1 : params.shards_num;
  if (shards < 1 || shards > options_.max_shards) {
    return InvalidParameter("shards_num " + std::to_string(params.shards_num) + " not in [1, " +
                            std::to_string(options_.max_shards) + "]");
  }
  std::string level = params.consistency_level.empty() ? "Bounded" : params.consistency_level;
  if (!ValidConsistencyLevel(level)) {
    return InvalidParameter("consistency level \"" + level +
                            "\" is not Strong, Session, Bounded, Eventually or Customized");
  }
  // A dynamic schema keeps the keys no field declares in a hidden JSON field, "$meta", as
  // Milvus does; every layer below sees it as an ordinary column.
  if (schema.enable_dynamic_field && schema.FindField(kDynamicFieldName) == nullptr) {
    FieldSchema meta;
    meta.name = std::string(kDynamicFieldName);
    meta.type = DataType::kJson;
    schema.fields.push_back(std::move(meta));
  }
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    schema.fields[i].id = FieldId(kFirstFieldId + static_cast<int64_t>(i));
  }
  Status valid = schema.Validate();
  if (!valid.ok()) return InvalidParameter(valid.message());

  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(cat_, db_name));
  DatabaseId db_id = d->id;
  if (const CollectionInfo* old = FindColl(&cat_, db_id, schema.name, false)) {
    if (old->schema == schema && old->shards_num == shards && old->consistency_level == level &&
        old->properties == params.properties && old->description == params.description) {
      return cat_.revision;
    }
    return Unexpected(
        StatusCode::kAlreadyExists,
        "create duplicate collection with different parameters, collection: " + schema.name);
  }
  if (IsAliasIn(cat_, db_id, schema.name)) {
    return Milvus(kMilvusAliasCollectionConflict,
                  Status::AlreadyExists("collection name [" + schema.name +
                                        "] conflicts with an existing alias, please choose a "
                                        "unique name"));
  }
  VDB_ASSIGN_OR_RETURN(int64_t first_id, AllocateIds(2));
  VDB_ASSIGN_OR_RETURN(Timestamp created, AllocateTimestamps(1));

  CollectionInfo c;
  c.id = CollectionId(first_id);
  c.db_id = db_id;
  c.name = schema.name;
  c.schema = std::move(schema);
  c.description = params.description;
  c.shards_num = shards;
  c.consistency_level = level;
  c.properties = params.properties;
  c.created_ts = created;
  c.partitions.push_back({PartitionId(first_id + 1), Str(rpc::kDefaultPartition)});
  Catalog next = cat_;
  for (int32_t shard = 0; shard < shards; ++shard) {
    ChannelInfo ch;
    ch.name = rpc::ChannelName(c.id, shard);
    ch.collection_id = c.id;
    ch.shard = shard;
    next.channels.push_back(std::move(ch));
  }
  next.collections.push_back(std::move(c));
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::DropCollection(const std::string& db_name,
                                                    const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(cat_, db_name));
  DatabaseId db_id = d->id;
  const CollectionInfo* c = FindColl(&cat_, db_id, collection_name, false);
  if (c == nullptr) {
    if (IsAliasIn(cat_, db_id, collection_name)) {
      return Unexpected(StatusCode::kInvalidArgument,
                        "cannot drop the collection via alias = " + collection_name);
    }
    return cat_.revision;
  }
  CollectionId id = c->id;
  Catalog next = cat_;
  std::erase_if(next.collections, [&](const CollectionInfo& x) { return x.id == id; });
  std::erase_if(next.channels, [&](const ChannelInfo& x) { return x.collection_id == id; });
  for (auto& s : next.segments) {
    if (s.collection_id == id) s.state = SegmentState::kDropped;
  }
  return ApplyLocked(std::move(next));
}

Result<CollectionInfo> Coordinator::DescribeCollection(const std::string& db_name,
                                                       const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&cat_, db_name, collection_name));
  return *c;
}

Result<std::vector<std::string>> Coordinator::ListCollections(const std::string& db_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(cat_, db_name));
  std::vector<std::string> names;
  for (const auto& c : cat_.collections) {
    if (c.db_id == d->id) names.push_back(c.name);
  }
  return names;
}

Result<bool> Coordinator::HasCollection(const std::string& db_name,
                                        const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(cat_, db_name));
  return FindColl(&cat_, d->id, collection_name, true) != nullptr;
}

Result<CatalogRevision> Coordinator::RenameCollection(const std::string& db_name,
                                                      const std::string& old_name,
                                                      const std::string& new_db_name,
                                                      const std::string& new_name) {
  const std::string& target_db = new_db_name.empty() ? db_name : new_db_name;
  VDB_RETURN_IF_ERROR(CheckName(new_name, "collection", kMilvusInvalidParameter));
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(next, db_name));
  DatabaseId db_id = d->id;
  CollectionInfo* c = FindColl(&next, db_id, old_name, false);
  if (c == nullptr) {
    if (IsAliasIn(next, db_id, old_name)) {
      return Unexpected(StatusCode::kInvalidArgument,
                        "unsupported use an alias to rename collection, alias:" + old_name);
    }
    return CollectionNotFound(db_name, old_name);
  }
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* target, RequireDb(next, target_db));
  DatabaseId target_id = target->id;
  if (FindColl(&next, target_id, new_name, true) != nullptr) {
    return Unexpected(StatusCode::kAlreadyExists, "duplicated new collection name " + target_db +
                                                      ":" + new_name +
                                                      " with other collection name or alias");
  }
  if (target_id != db_id && !c->aliases.empty()) {
    return Unexpected(StatusCode::kInvalidArgument,
                      "fail to rename collection " + old_name +
                          ": it has aliases, drop them before moving it to database " + target_db);
  }
  c->db_id = target_id;
  c->name = new_name;
  c->schema.name = new_name;
  return ApplyLocked(std::move(next));
}

namespace {

// Every vector field needs an index before a load (Milvus's 65535 message).
Status CheckLoadable(const CollectionInfo& c) {
  for (const auto& f : c.schema.fields) {
    if (IsVector(f.type) && c.FindIndexOnField(f.id) == nullptr) {
      return Unexpected(StatusCode::kInvalidArgument,
                        "there is no vector index on field: [" + f.name +
                            "], please create index firstly: collection=" + c.name);
    }
  }
  return Status::OK();
}

// The partitions named, each once; PartitionNotFound for one the collection lacks.
Result<std::vector<PartitionId>> NamedPartitions(const CollectionInfo& c,
                                                 const std::vector<std::string>& names) {
  if (names.empty()) return Status::InvalidArgument("partitionNames must not be empty");
  std::vector<PartitionId> ids;
  for (const std::string& name : names) {
    const rpc::PartitionInfo* p = c.FindPartition(name);
    if (p == nullptr) return PartitionNotFound(name);
    if (std::find(ids.begin(), ids.end(), p->id) == ids.end()) ids.push_back(p->id);
  }
  return ids;
}

bool Named(const std::vector<PartitionId>& ids, PartitionId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

Result<CatalogRevision> Coordinator::LoadCollection(const std::string& db_name,
                                                    const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&next, db_name, collection_name));
  VDB_RETURN_IF_ERROR(CheckLoadable(*c));
  for (auto& p : c->partitions) p.released = false;
  // NormalizeLocked turns Loading into Loaded once channels are bound.
  if (c->load_state == LoadState::kNotLoad) c->load_state = LoadState::kLoading;
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::ReleaseCollection(const std::string& db_name,
                                                       const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&next, db_name, collection_name));
  c->load_state = LoadState::kNotLoad;
  for (auto& p : c->partitions) p.released = false;
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::LoadPartitions(const std::string& db_name,
                                                    const std::string& collection_name,
                                                    const std::vector<std::string>& names) {
  return ChangePartitionLoad(db_name, collection_name, names, /*load=*/true);
}

Result<CatalogRevision> Coordinator::ReleasePartitions(const std::string& db_name,
                                                       const std::string& collection_name,
                                                       const std::vector<std::string>& names) {
  return ChangePartitionLoad(db_name, collection_name, names, /*load=*/false);
}

Result<CatalogRevision> Coordinator::ChangePartitionLoad(const std::string& db_name,
                                                         const std::string& collection_name,
                                                         const std::vector<std::string>& names,
                                                         bool load) {
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&next, db_name, collection_name));
  VDB_ASSIGN_OR_RETURN(std::vector<PartitionId> ids, NamedPartitions(*c, names));
  if (load) {
    VDB_RETURN_IF_ERROR(CheckLoadable(*c));
    if (c->load_state == LoadState::kNotLoad) {
      for (auto& p : c->partitions) p.released = !Named(ids, p.id);
      c->load_state = LoadState::kLoading;
    } else {
      for (auto& p : c->partitions) {
        if (Named(ids, p.id)) p.released = false;
      }
    }
    return ApplyLocked(std::move(next));
  }
  if (c->load_state == LoadState::kNotLoad) return cat_.revision;
  bool any_loaded = false;
  for (auto& p : c->partitions) {
    if (Named(ids, p.id)) p.released = true;
    any_loaded = any_loaded || !p.released;
  }
  if (!any_loaded) {
    c->load_state = LoadState::kNotLoad;
    for (auto& p : c->partitions) p.released = false;
  }
  return ApplyLocked(std::move(next));
}

Result<LoadStatus> Coordinator::GetLoadState(const std::string& db_name,
                                             const std::string& collection_name,
                                             const std::vector<std::string>& partition_names) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&cat_, db_name, collection_name));
  LoadStatus out;
  out.state = c->load_state;
  if (!partition_names.empty()) {
    VDB_ASSIGN_OR_RETURN(std::vector<PartitionId> ids, NamedPartitions(*c, partition_names));
    for (PartitionId id : ids) {
      if (!c->PartitionLoaded(id)) return LoadStatus{};
    }
  }
  if (out.state == LoadState::kLoaded) {
    out.progress = 100;
  } else if (out.state == LoadState::kLoading) {
    auto channels = cat_.ChannelsOf(c->id);
    size_t bound = std::count_if(channels.begin(), channels.end(), [](const ChannelInfo* ch) {
      return ch->streaming_node_id.value() != 0;
    });
    out.progress = channels.empty() ? 0 : std::min<int>(99, bound * 100 / channels.size());
  }
  return out;
}

// --- Partitions -----------------------------------------------------------------------------

Result<CatalogRevision> Coordinator::CreatePartition(const std::string& db_name,
                                                     const std::string& collection_name,
                                                     const std::string& partition_name) {
  VDB_RETURN_IF_ERROR(CheckName(partition_name, "partition", kMilvusInvalidParameter));
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&next, db_name, collection_name));
  if (c->FindPartition(partition_name) != nullptr) return cat_.revision;
  if (static_cast<int>(c->partitions.size()) >= options_.max_partitions) {
    return Unexpected(StatusCode::kInvalidArgument,
                      "partition number (" + std::to_string(c->partitions.size()) +
                          ") exceeds max configuration (" +
                          std::to_string(options_.max_partitions) + ")");
  }
  VDB_ASSIGN_OR_RETURN(int64_t id, AllocateIds(1));
  c->partitions.push_back({PartitionId(id), partition_name});
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::DropPartition(const std::string& db_name,
                                                   const std::string& collection_name,
                                                   const std::string& partition_name) {
  if (partition_name == rpc::kDefaultPartition) {
    return Unexpected(StatusCode::kInvalidArgument, "default partition cannot be deleted");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&next, db_name, collection_name));
  const rpc::PartitionInfo* p = c->FindPartition(partition_name);
  if (p == nullptr) return cat_.revision;
  if (c->PartitionLoaded(p->id)) {
    return Unexpected(StatusCode::kInvalidArgument,
                      "partition cannot be dropped, partition is loaded, please release it "
                      "first[partition=" +
                          partition_name + "]");
  }
  PartitionId pid = p->id;
  CollectionId cid = c->id;
  std::erase_if(c->partitions, [&](const rpc::PartitionInfo& x) { return x.id == pid; });
  for (auto& s : next.segments) {
    if (s.collection_id == cid && s.partition_id == pid) s.state = SegmentState::kDropped;
  }
  return ApplyLocked(std::move(next));
}

Result<std::vector<std::string>> Coordinator::ListPartitions(const std::string& db_name,
                                                             const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&cat_, db_name, collection_name));
  std::vector<std::string> names;
  for (const auto& p : c->partitions) names.push_back(p.name);
  return names;
}

Result<bool> Coordinator::HasPartition(const std::string& db_name,
                                       const std::string& collection_name,
                                       const std::string& partition_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&cat_, db_name, collection_name));
  return c->FindPartition(partition_name) != nullptr;
}

// --- Aliases --------------------------------------------------------------------------------

Result<CatalogRevision> Coordinator::CreateAlias(const std::string& db_name,
                                                 const std::string& collection_name,
                                                 const std::string& alias_name) {
  VDB_RETURN_IF_ERROR(CheckName(alias_name, "alias", kMilvusInvalidParameter));
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c,
                       RequireColl(&next, db_name, collection_name, /*allow_alias=*/false));
  DatabaseId db_id = c->db_id;
  if (FindColl(&next, db_id, alias_name, false) != nullptr) {
    return Milvus(kMilvusAliasCollectionConflict,
                  Status::AlreadyExists("alias and collection name conflict[database=" + db_name +
                                        "][alias=" + alias_name + "]"));
  }
  if (const CollectionInfo* owner = FindColl(&next, db_id, alias_name, true)) {
    if (owner->id == c->id) return cat_.revision;
    return Milvus(kMilvusAliasExists,
                  Status::AlreadyExists("alias exists and already aliased to another collection, "
                                        "alias: " +
                                        alias_name + ", collection: " + owner->name +
                                        ", other collection: " + c->name));
  }
  c->aliases.push_back(alias_name);
  std::sort(c->aliases.begin(), c->aliases.end());
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::AlterAlias(const std::string& db_name,
                                                const std::string& collection_name,
                                                const std::string& alias_name) {
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(next, db_name));
  DatabaseId db_id = d->id;
  CollectionInfo* owner = nullptr;
  if (FindColl(&next, db_id, alias_name, false) == nullptr) {
    owner = FindColl(&next, db_id, alias_name, true);
  }
  if (owner == nullptr) {
    return Milvus(kMilvusAliasNotFound, Status::NotFound("alias not found[database=" + db_name +
                                                         "][alias=" + alias_name + "]"));
  }
  CollectionInfo* target = FindColl(&next, db_id, collection_name, false);
  if (target == nullptr) return CollectionNotFound(db_name, collection_name);
  if (target == owner) return cat_.revision;
  std::erase(owner->aliases, alias_name);
  target->aliases.push_back(alias_name);
  std::sort(target->aliases.begin(), target->aliases.end());
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::DropAlias(const std::string& db_name,
                                               const std::string& alias_name) {
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(next, db_name));
  DatabaseId db_id = d->id;
  if (FindColl(&next, db_id, alias_name, false) != nullptr) return cat_.revision;
  CollectionInfo* owner = FindColl(&next, db_id, alias_name, true);
  if (owner == nullptr) return cat_.revision;
  std::erase(owner->aliases, alias_name);
  return ApplyLocked(std::move(next));
}

Result<AliasDescription> Coordinator::DescribeAlias(const std::string& db_name,
                                                    const std::string& alias_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(cat_, db_name));
  const CollectionInfo* owner = nullptr;
  if (FindColl(&cat_, d->id, alias_name, false) == nullptr) {
    owner = FindColl(&cat_, d->id, alias_name, true);
  }
  if (owner == nullptr) {
    return Milvus(kMilvusAliasNotFound, Status::NotFound("alias not found[database=" + db_name +
                                                         "][alias=" + alias_name + "]"));
  }
  return AliasDescription{db_name, owner->name, alias_name};
}

Result<std::vector<std::string>> Coordinator::ListAliases(const std::string& db_name,
                                                          const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  if (!collection_name.empty()) {
    VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&cat_, db_name, collection_name));
    return c->aliases;
  }
  VDB_ASSIGN_OR_RETURN(const DatabaseInfo* d, RequireDb(cat_, db_name));
  for (const auto& c : cat_.collections) {
    if (c.db_id == d->id) names.insert(names.end(), c.aliases.begin(), c.aliases.end());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// --- Indexes --------------------------------------------------------------------------------

Result<CatalogRevision> Coordinator::CreateIndex(const std::string& db_name,
                                                 const std::string& collection_name,
                                                 const IndexParams& params) {
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&next, db_name, collection_name));
  const FieldSchema* field = c->schema.FindField(params.field_name);
  if (field == nullptr) {
    return Milvus(kMilvusFieldNotFound,
                  Status::NotFound("field not found[field=" + params.field_name + "]"));
  }
  IndexInfo index;
  index.name = params.index_name.empty() ? field->name : params.index_name;
  VDB_RETURN_IF_ERROR(CheckName(index.name, "index", kMilvusInvalidParameter));
  index.field_id = field->id;
  index.index_type = params.index_type;
  index.metric_type = params.metric_type;
  index.params = params.params;
  VDB_RETURN_IF_ERROR(CanonicalizeIndex(*field, &index));

  auto same = [&](const IndexInfo& old) {
    return old.name == index.name && old.field_id == index.field_id &&
           old.index_type == index.index_type && old.metric_type == index.metric_type &&
           old.params == index.params;
  };
  if (const IndexInfo* old = c->FindIndex(index.name)) {
    if (same(*old)) return cat_.revision;
    return Unexpected(StatusCode::kAlreadyExists,
                      "CreateIndex failed: index already exist, but parameters are "
                      "inconsistent[indexName=" +
                          index.name + "]");
  }
  if (c->FindIndexOnField(field->id) != nullptr) {
    return Unexpected(StatusCode::kAlreadyExists,
                      "CreateIndex failed: at most one distinct index is allowed per field[field=" +
                          field->name + "]");
  }
  c->indexes.push_back(std::move(index));
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::DropIndex(const std::string& db_name,
                                               const std::string& collection_name,
                                               const std::string& index_name) {
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&next, db_name, collection_name));
  if (c->FindIndex(index_name) == nullptr) return cat_.revision;
  if (c->load_state != LoadState::kNotLoad) {
    return Unexpected(StatusCode::kInvalidArgument,
                      "index cannot be dropped, collection is loaded, please release it "
                      "first[indexName=" +
                          index_name + "]");
  }
  std::erase_if(c->indexes, [&](const IndexInfo& x) { return x.name == index_name; });
  return ApplyLocked(std::move(next));
}

Result<std::vector<std::string>> Coordinator::ListIndexes(const std::string& db_name,
                                                          const std::string& collection_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&cat_, db_name, collection_name));
  std::vector<std::string> names;
  for (const auto& x : c->indexes) names.push_back(x.name);
  return names;
}

Result<IndexInfo> Coordinator::DescribeIndex(const std::string& db_name,
                                             const std::string& collection_name,
                                             const std::string& index_name) {
  std::lock_guard<std::mutex> lock(mu_);
  VDB_ASSIGN_OR_RETURN(CollectionInfo * c, RequireColl(&cat_, db_name, collection_name));
  const IndexInfo* x = c->FindIndex(index_name);
  if (x == nullptr) {
    return Milvus(kMilvusIndexNotFound,
                  Status::NotFound("index not found[indexName=" + index_name + "]"));
  }
  return *x;
}

// --- Nodes, segments, jobs ------------------------------------------------------------------

Result<CatalogRevision> Coordinator::Heartbeat(NodeRole role, NodeId id,
                                               const std::string& address) {
  if (id.value() <= 0) {
    return Status::InvalidArgument("heartbeat: node id must be positive, got " + id.ToString());
  }
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t now = NowMs();
  NodeKey key{role, id.value()};
  auto it = nodes_.find(key);
  bool changed = it == nodes_.end() || !it->second.alive || it->second.address != address;
  NodeState& node = nodes_[key];
  if (changed) {
    VDB_LOG(INFO) << "coordinator: " << rpc::NodeRoleName(role) << " node " << id.value() << " at "
                  << address << (it == nodes_.end() ? " registered" : " is back");
  }
  node.address = address;
  node.last_seen_ms = now;
  node.alive = true;
  if (role == NodeRole::kData) {
    for (auto& [unused, job] : jobs_) {
      if (job.claimed_by == id) job.lease_deadline_ms = now + options_.job_lease_ms;
    }
  }
  if (!changed) return cat_.revision;
  return ApplyLocked(cat_, /*force_bump=*/true);
}

Status Coordinator::Tick() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t now = NowMs();
  bool changed = false;
  for (auto& [key, node] : nodes_) {
    if (node.alive && now - node.last_seen_ms > options_.heartbeat_timeout_ms) {
      node.alive = false;
      changed = true;
      VDB_LOG(WARNING) << "coordinator: " << rpc::NodeRoleName(key.first) << " node " << key.second
                       << " missed its heartbeats for " << now - node.last_seen_ms
                       << " ms: declared dead";
    }
  }
  for (auto& [unused, job] : jobs_) {
    if (job.claimed_by.value() == 0) continue;
    auto node = nodes_.find({NodeRole::kData, job.claimed_by.value()});
    bool holder_alive = node != nodes_.end() && node->second.alive;
    if (!holder_alive || now > job.lease_deadline_ms) {
      VDB_LOG(WARNING) << "coordinator: index job " << job.id << " (segment "
                       << job.segment_id.value() << ", index " << job.index_name
                       << ") lost its lease on data node " << job.claimed_by.value()
                       << ": re-queued";
      job.claimed_by = NodeId();
      job.lease_deadline_ms = 0;
    }
  }
  // Even without deaths, unbound work may be waiting for nodes (e.g. right after Open).
  return ApplyLocked(cat_, changed).status();
}

Result<CatalogRevision> Coordinator::CommitSegment(const SegmentInfo& segment, Lsn checkpoint_lsn,
                                                   Timestamp checkpoint_ts, NodeId from_node) {
  if (segment.id.value() <= 0 || segment.rows < 0) {
    return Status::InvalidArgument("commit segment " + segment.id.ToString() +
                                   ": id must be positive and rows not negative");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Catalog next = cat_;
  CollectionInfo* c = nullptr;
  for (auto& x : next.collections) {
    if (x.id == segment.collection_id) c = &x;
  }
  if (c == nullptr) {
    return Milvus(kMilvusCollectionNotFound,
                  Status::NotFound("can't find collection[collectionID=" +
                                   segment.collection_id.ToString() + "]"));
  }
  if (c->FindPartition(segment.partition_id) == nullptr) {
    return PartitionNotFound(segment.partition_id.ToString());
  }
  ChannelInfo* ch = nullptr;
  for (auto& x : next.channels) {
    if (x.name == segment.channel) ch = &x;
  }
  if (ch == nullptr || ch->collection_id != c->id) {
    return Status::InvalidArgument("commit segment " + segment.id.ToString() + ": channel " +
                                   segment.channel + " is not a channel of collection " +
                                   c->id.ToString());
  }
  if (const SegmentInfo* old = cat_.FindSegment(segment.id)) {
    bool same = old->collection_id == segment.collection_id &&
                old->partition_id == segment.partition_id && old->channel == segment.channel &&
                old->rows == segment.rows && old->object_prefix == segment.object_prefix;
    if (same) return cat_.revision;  // a retry of a commit that went through
    return Status::AlreadyExists("segment " + segment.id.ToString() +
                                 " is already committed with different content");
  }
  if (from_node.value() != 0 && ch->streaming_node_id != from_node) {
    return Status::Aborted("channel " + ch->name + " is bound to streaming node " +
                           ch->streaming_node_id.ToString() + ", not " + from_node.ToString());
  }
  SegmentInfo s = segment;
  s.state = SegmentState::kFlushed;
  s.index_objects.clear();
  s.query_node_id = NodeId();
  s.query_address.clear();
  ch->checkpoint_lsn = std::max(ch->checkpoint_lsn, checkpoint_lsn);
  ch->checkpoint_ts = std::max(ch->checkpoint_ts, checkpoint_ts);
  auto pos = std::lower_bound(next.segments.begin(), next.segments.end(), s.id,
                              [](const SegmentInfo& x, SegmentId id) { return x.id < id; });
  next.segments.insert(pos, std::move(s));
  return ApplyLocked(std::move(next));
}

Result<std::optional<rpc::IndexJob>> Coordinator::ClaimJob(NodeId node) {
  if (node.value() <= 0) {
    return Status::InvalidArgument("claim job: node id must be positive, got " + node.ToString());
  }
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t now = NowMs();
  Job* best = nullptr;
  for (auto& [unused, job] : jobs_) {
    if (job.claimed_by.value() == 0 && job.not_before_ms <= now &&
        (best == nullptr || job.id < best->id)) {
      best = &job;
    }
  }
  if (best == nullptr) return std::optional<rpc::IndexJob>();
  const SegmentInfo* s = cat_.FindSegment(best->segment_id);
  const CollectionInfo* c = s == nullptr ? nullptr : cat_.FindCollection(s->collection_id);
  const IndexInfo* index = c == nullptr ? nullptr : c->FindIndex(best->index_name);
  const FieldSchema* field = index == nullptr ? nullptr : c->schema.FindField(index->field_id);
  if (field == nullptr) return Status::Internal("index job without its segment or index");
  best->claimed_by = node;
  best->lease_deadline_ms = now + options_.job_lease_ms;
  rpc::IndexJob job;
  job.job_id = best->id;
  job.collection_id = c->id;
  job.segment_id = s->id;
  job.channel = s->channel;
  job.object_prefix = s->object_prefix;
  job.rows = s->rows;
  job.index_name = index->name;
  job.field_id = field->id;
  job.field_type = field->type;
  job.dim = field->dim;
  job.index_type = index->index_type;
  job.metric_type = index->metric_type;
  job.params = index->params;
  job.lease_ms = options_.job_lease_ms;
  return std::optional<rpc::IndexJob>(std::move(job));
}

Result<CatalogRevision> Coordinator::FinishJob(int64_t job_id, NodeId node,
                                               const std::vector<std::string>& object_keys) {
  if (object_keys.empty()) {
    return Status::InvalidArgument("finish job " + std::to_string(job_id) + ": no object keys");
  }
  std::lock_guard<std::mutex> lock(mu_);
  const Job* job = FindJobLocked(job_id);
  if (job == nullptr) return JobUnknown(job_id);
  if (job->claimed_by != node) return JobNotHeld(job_id, node);
  Catalog next = cat_;
  for (auto& s : next.segments) {
    if (s.id == job->segment_id) s.index_objects[job->index_name] = object_keys;
  }
  return ApplyLocked(std::move(next));
}

Result<CatalogRevision> Coordinator::FailJob(int64_t job_id, NodeId node, const std::string& reason,
                                             bool permanent) {
  std::lock_guard<std::mutex> lock(mu_);
  Job* job = FindJobLocked(job_id);
  if (job == nullptr) return JobUnknown(job_id);
  if (job->claimed_by != node) return JobNotHeld(job_id, node);
  job->claimed_by = NodeId();
  job->lease_deadline_ms = 0;
  ++job->failures;
  const std::string what = "index job " + std::to_string(job_id) + " (segment " +
                           job->segment_id.ToString() + ", index " + job->index_name + ")";
  if (!permanent && job->failures < options_.job_max_attempts) {
    // 2^(failures-1) times the base, without overflowing: the cap is reached long before.
    uint64_t backoff_ms = options_.job_retry_base_ms;
    for (int i = 1; i < job->failures && backoff_ms < options_.job_retry_max_ms; ++i) {
      backoff_ms *= 2;
    }
    backoff_ms = std::min(backoff_ms, options_.job_retry_max_ms);
    job->not_before_ms = NowMs() + backoff_ms;
    VDB_LOG(WARNING) << "coordinator: " << what << " failed on data node " << node.value()
                     << " (attempt " << job->failures << " of " << options_.job_max_attempts
                     << "), retrying in " << backoff_ms << " ms: " << reason;
    return cat_.revision;
  }
  std::string stored = reason.empty() ? "unspecified failure" : reason;
  if (stored.size() > kMaxFailReasonBytes) {
    size_t cut = kMaxFailReasonBytes;
    // Not inside a UTF-8 sequence: the catalog is JSON.
    while (cut > 0 && (static_cast<unsigned char>(stored[cut]) & 0xC0) == 0x80) --cut;
    stored.resize(cut);
    stored += "...";
  }
  if (!permanent) {
    stored = "gave up after " + std::to_string(job->failures) + " attempts: " + stored;
  }
  VDB_LOG(ERROR) << "coordinator: " << what << " failed for good on data node " << node.value()
                 << ": " << stored;
  Catalog next = cat_;
  for (auto& s : next.segments) {
    if (s.id == job->segment_id) s.index_failures[job->index_name] = stored;
  }
  // Drops the job (SyncJobsLocked): `job` dangles from here on.
  return ApplyLocked(std::move(next));
}

size_t Coordinator::PendingJobCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

Coordinator::Job* Coordinator::FindJobLocked(int64_t job_id) {
  for (auto& [unused, job] : jobs_) {
    if (job.id == job_id) return &job;
  }
  return nullptr;
}

// --- Catalog --------------------------------------------------------------------------------

rpc::Catalog Coordinator::Snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  return cat_;
}

CatalogRevision Coordinator::revision() {
  std::lock_guard<std::mutex> lock(mu_);
  return cat_.revision;
}

rpc::Catalog Coordinator::WaitForRevision(CatalogRevision since, int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  revision_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(timeout_ms, 0)),
                        [&] { return cat_.revision > since; });
  return cat_;
}

}  // namespace vdb::coord
