#include "streaming/streaming_node.h"

#include <algorithm>
#include <deque>
#include <unordered_set>

#include "common/env.h"
#include "common/logging.h"
#include "index/brute_force.h"
#include "index/metric.h"
#include "index/row_filter.h"
#include "segment/column_codec.h"
#include "segment/delete_buffer.h"
#include "segment/growing_segment.h"
#include "segment/segment_writer.h"
#include "storage/object_store.h"
#include "streaming/coord_api.h"
#include "streaming/wal_payload.h"

namespace vdb::streaming {

using segment::GrowingSegment;

namespace {

constexpr int64_t kMaxTopK = 16384;
// A read timestamp this far ahead of the wall clock was not issued by the TSO.
constexpr uint64_t kMaxFutureMs = 10000;

bool Contains(const std::vector<PartitionId>& ids, PartitionId id) {
  return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool PkMatches(const PrimaryKey& pk, DataType type) {
  return std::holds_alternative<int64_t>(pk) == (type == DataType::kInt64);
}

}  // namespace

// A growing segment sealed by a flush: served from memory until a query node serves it.
struct StreamingNode::SealedSegment {
  std::shared_ptr<GrowingSegment> segment;
  SegmentId id;
  Lsn base_lsn;  // the checkpoint before the flush that sealed it
  Timestamp base_ts = 0;
  bool committed = false;
  uint64_t served_since_ms = 0;  // 0: no query node seen serving it yet
};

// The segments sealed at one seal record, committed together with the checkpoint after it.
struct StreamingNode::FlushBatch {
  std::vector<std::shared_ptr<SealedSegment>> parts;
  Lsn base_lsn;
  Timestamp base_ts = 0;
  Lsn seal_lsn;  // the seal record: the new checkpoint
  Timestamp seal_ts = 0;
  std::vector<segment::DeleteRecord> deletes;  // (base_ts, seal_ts]
};

// One write waiting to be stamped, logged and applied; lives on its caller's stack.
struct StreamingNode::PendingWrite {
  wal::RecordType type = wal::RecordType::kInsert;
  std::string payload;
  PartitionId partition_id;
  bool upsert = false;
  std::vector<segment::ColumnData> columns;  // inserts
  std::vector<PrimaryKey> pks;               // deletes
  std::shared_ptr<GrowingSegment> segment;   // set when stamped
  Timestamp ts = 0;
  Lsn lsn;
  bool done = false;
  Status status;
};

struct StreamingNode::SegmentRef {
  std::shared_ptr<GrowingSegment> segment;
  SegmentId id;  // 0: growing
};

struct StreamingNode::Channel {
  std::string name;
  CollectionId collection_id;
  CollectionSchema schema;
  size_t pk_field = 0;
  std::unique_ptr<wal::Wal> wal;
  segment::DeleteBuffer deletes;
  std::mutex flush_mu;  // one seal + persist at a time

  std::mutex mu;
  std::condition_variable cv;
  bool closed = false;              // GUARDED_BY(mu)
  std::deque<PendingWrite*> queue;  // GUARDED_BY(mu)
  bool writing = false;             // GUARDED_BY(mu); a leader is stamping/logging/applying
  Timestamp lease_next = 0;         // GUARDED_BY(mu); the lease is [lease_next, lease_end)
  Timestamp lease_end = 0;          // GUARDED_BY(mu)
  uint64_t lease_ms = 0;            // GUARDED_BY(mu); when it was leased
  Timestamp tsafe = 0;              // GUARDED_BY(mu)
  Lsn applied_lsn;                  // GUARDED_BY(mu)
  Timestamp applied_ts = 0;         // GUARDED_BY(mu)
  Lsn checkpoint_lsn;               // GUARDED_BY(mu); committed
  Timestamp checkpoint_ts = 0;      // GUARDED_BY(mu)
  Lsn sealed_lsn;                   // GUARDED_BY(mu); the last seal point
  Timestamp sealed_ts = 0;          // GUARDED_BY(mu)
  std::map<PartitionId, std::shared_ptr<GrowingSegment>> growing;  // GUARDED_BY(mu)
  uint64_t growing_since_ms = 0;                                   // GUARDED_BY(mu)
  std::vector<std::shared_ptr<SealedSegment>> sealed;              // GUARDED_BY(mu)
  std::deque<FlushBatch> pending_flushes;                          // GUARDED_BY(mu)

  std::shared_ptr<GrowingSegment> GrowingFor(PartitionId partition, uint64_t now_ms) {
    auto& seg = growing[partition];
    if (!seg) {
      seg = std::make_shared<GrowingSegment>(collection_id, partition, schema);
      if (growing_since_ms == 0) growing_since_ms = now_ms;
    }
    return seg;
  }
};

// --- Lifecycle ------------------------------------------------------------------------------

StreamingNode::StreamingNode(Env* env, CoordApi* coord, storage::ObjectStore* store,
                             StreamingNodeOptions options)
    : env_(env), coord_(coord), store_(store), options_(std::move(options)) {}

Result<std::unique_ptr<StreamingNode>> StreamingNode::Open(Env* env, CoordApi* coord,
                                                           storage::ObjectStore* store,
                                                           StreamingNodeOptions options) {
  if (options.lease_count < 1 || options.lease_count > static_cast<int64_t>(kLogicalMask)) {
    return Status::InvalidArgument("lease_count must be in [1, 2^18 - 1]");
  }
  if (options.max_batch_writes < 1) {
    return Status::InvalidArgument("max_batch_writes must be at least 1");
  }
  options.max_batch_writes =
      std::min(options.max_batch_writes, static_cast<size_t>(options.lease_count));
  VDB_RETURN_IF_ERROR(env->CreateDirs(JoinPath(options.data_dir, "wal")));
  return std::unique_ptr<StreamingNode>(new StreamingNode(env, coord, store, std::move(options)));
}

StreamingNode::~StreamingNode() {
  Stop();
  std::map<std::string, std::shared_ptr<Channel>> channels;
  {
    std::lock_guard lock(mu_);
    channels.swap(channels_);
  }
  for (auto& [name, ch] : channels) CloseChannel(ch);
}

Status StreamingNode::Start() {
  std::lock_guard lock(mu_);
  if (control_thread_.joinable() || stopping_) return Status::InvalidArgument("already started");
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
  control_thread_ = std::thread([this] { ControlLoop(); });
  maintenance_thread_ = std::thread([this] { MaintenanceLoop(); });
  return Status::OK();
}

void StreamingNode::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
  if (control_thread_.joinable()) control_thread_.join();
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
}

void StreamingNode::HeartbeatLoop() {
  // Its own thread, so a long replay or flush never makes the coordinator think the node died.
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto hb = coord_->Heartbeat(options_.node_id, options_.address);
    if (!hb.ok()) {
      VDB_LOG(WARNING) << "heartbeat: " << hb.status().ToString();
    }
    lock.lock();
    stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.heartbeat_interval_ms),
                      [this] { return stopping_; });
  }
}

void StreamingNode::ControlLoop() {
  rpc::CatalogRevision revision = 0;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    int64_t wait_ms = options_.catalog_poll_ms;
    uint64_t poll_start_us = env_->MonotonicMicros();
    auto catalog = coord_->GetCatalog(revision, wait_ms);
    if (catalog.ok() && catalog->has_value()) {
      revision = (*catalog)->revision;
      Status s = ApplyCatalog(**catalog);
      if (!s.ok()) {
        VDB_LOG(WARNING) << "applying catalog " << revision << ": " << s.ToString();
      }
      continue;
    }
    // Back off after an error, or when a "no change" answer came back without waiting.
    if (!catalog.ok() || env_->MonotonicMicros() - poll_start_us < 10000) {
      std::unique_lock lock(mu_);
      stop_cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
    }
  }
}

void StreamingNode::MaintenanceLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_interval_ms),
                      [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    Status s = Tick();
    if (!s.ok()) {
      VDB_LOG(WARNING) << "streaming node tick: " << s.ToString();
    }
    lock.lock();
  }
}

// --- Catalog and channels -------------------------------------------------------------------

Status StreamingNode::ApplyCatalog(const rpc::Catalog& catalog) {
  std::lock_guard apply_lock(apply_mu_);
  std::map<std::string, std::shared_ptr<Channel>> open;
  {
    std::lock_guard lock(mu_);
    if (!catalog_ || catalog.revision >= catalog_->revision) {
      catalog_ = std::make_shared<const rpc::Catalog>(catalog);
    }
    open = channels_;
  }
  std::map<std::string, const rpc::ChannelInfo*> wanted;
  for (const auto& info : catalog.channels) {
    if (info.streaming_node_id == options_.node_id && info.streaming_node_id.value() != 0 &&
        catalog.FindCollection(info.collection_id) != nullptr) {
      wanted[info.name] = &info;
    }
  }
  for (auto& [name, ch] : open) {
    auto it = wanted.find(name);
    if (it != wanted.end() && it->second->collection_id == ch->collection_id) continue;
    {
      std::lock_guard lock(mu_);
      channels_.erase(name);
    }
    VDB_LOG(INFO) << "channel " << name << ": no longer served here, closing";
    CloseChannel(ch);
  }
  Status first_error;
  for (const auto& [name, info] : wanted) {
    if (open.count(name) != 0) continue;
    auto ch = OpenChannel(catalog, *info);
    if (!ch.ok()) {
      VDB_LOG(WARNING) << "channel " << name << ": " << ch.status().ToString();
      if (first_error.ok()) first_error = ch.status();
      continue;
    }
    std::lock_guard lock(mu_);
    channels_[name] = *ch;
  }
  return first_error;
}

void StreamingNode::CloseChannel(const std::shared_ptr<Channel>& ch) {
  std::lock_guard lock(ch->mu);
  ch->closed = true;
  ch->cv.notify_all();
}

Result<std::shared_ptr<StreamingNode::Channel>> StreamingNode::OpenChannel(
    const rpc::Catalog& catalog, const rpc::ChannelInfo& info) {
  const rpc::CollectionInfo* collection = catalog.FindCollection(info.collection_id);
  if (collection == nullptr) return Status::NotFound("collection " + info.collection_id.ToString());
  auto ch = std::make_shared<Channel>();
  ch->name = info.name;
  ch->collection_id = info.collection_id;
  ch->schema = collection->schema;
  VDB_RETURN_IF_ERROR(ch->schema.Validate().WithContext("channel " + info.name));
  for (size_t i = 0; i < ch->schema.fields.size(); ++i) {
    if (ch->schema.fields[i].primary_key) ch->pk_field = i;
  }
  std::string dir = JoinPath(JoinPath(options_.data_dir, "wal"), info.name);
  VDB_ASSIGN_OR_RETURN(ch->wal, wal::Wal::Open(env_, dir, options_.wal));
  ch->checkpoint_lsn = ch->sealed_lsn = ch->applied_lsn = info.checkpoint_lsn;
  ch->checkpoint_ts = ch->sealed_ts = ch->applied_ts = info.checkpoint_ts;
  VDB_RETURN_IF_ERROR(Replay(ch.get(), catalog).WithContext("channel " + info.name));
  ch->tsafe = ch->applied_ts;
  VDB_LOG(INFO) << "channel " << info.name << ": opened, replayed to lsn "
                << ch->applied_lsn.value() << " from checkpoint " << info.checkpoint_lsn.value();
  return ch;
}

Status StreamingNode::Replay(Channel* ch, const rpc::Catalog& catalog) {
  Lsn last = ch->wal->last_durable_lsn();
  if (ch->checkpoint_lsn > last) {
    return Status::Corruption("wal in " + ch->wal->dir() + " ends at lsn " + last.ToString() +
                              ", before the checkpoint " + ch->checkpoint_lsn.ToString());
  }
  if (ch->checkpoint_lsn == last) return Status::OK();
  const rpc::CollectionInfo* collection = catalog.FindCollection(ch->collection_id);
  if (collection == nullptr) return Status::NotFound("collection " + ch->collection_id.ToString());
  VDB_ASSIGN_OR_RETURN(auto reader, ch->wal->NewReader(Lsn(ch->checkpoint_lsn.value() + 1)));
  uint64_t now_ms = env_->MonotonicMicros() / 1000;
  wal::Record record;
  while (true) {
    VDB_ASSIGN_OR_RETURN(bool more, reader->Next(&record));
    if (!more) break;
    std::string at = "wal record " + record.lsn.ToString();
    PendingWrite w;
    w.ts = record.timestamp;
    w.lsn = record.lsn;
    if (record.type == wal::ToTag(wal::RecordType::kInsert)) {
      VDB_ASSIGN_OR_RETURN(InsertPayload p, DecodeInsertPayload(record.payload));
      size_t rows = 0;
      auto columns = segment::DecodeColumns(ch->schema.fields, p.columns, &rows);
      if (!columns.ok()) return Status::Corruption(at + ": " + columns.status().message());
      w.type = wal::RecordType::kInsert;
      w.partition_id = p.partition_id;
      w.upsert = p.upsert;
      w.columns = std::move(*columns);
      if (collection->FindPartition(p.partition_id) == nullptr) {
        w.type = wal::RecordType::kDelete;  // a dropped partition: keep only an upsert's deletes
        if (p.upsert) {
          for (size_t r = 0; r < rows; ++r) {
            w.pks.push_back(segment::PrimaryKeyAt(w.columns[ch->pk_field], r));
          }
        }
      } else {
        w.segment = ch->GrowingFor(p.partition_id, now_ms);
      }
      Apply(ch, w);
    } else if (record.type == wal::ToTag(wal::RecordType::kDelete)) {
      VDB_ASSIGN_OR_RETURN(DeletePayload p, DecodeDeletePayload(record.payload));
      w.type = wal::RecordType::kDelete;
      w.pks = std::move(p.pks);
      Apply(ch, w);
    } else if (record.type == wal::ToTag(wal::RecordType::kSealSegment)) {
      // Rows of a partition whose sealed segment got committed live in that segment now.
      VDB_ASSIGN_OR_RETURN(SealPayload p, DecodeSealPayload(record.payload));
      for (const auto& [partition, segment_id] : p.segments) {
        if (catalog.FindSegment(segment_id) != nullptr) ch->growing.erase(partition);
      }
    }
    ch->applied_lsn = record.lsn;
    ch->applied_ts = std::max(ch->applied_ts, record.timestamp);
  }
  if (ch->growing.empty()) ch->growing_since_ms = 0;
  return Status::OK();
}

Result<std::shared_ptr<StreamingNode::Channel>> StreamingNode::FindChannel(
    const std::string& name, CollectionId collection_id) {
  std::lock_guard lock(mu_);
  auto it = channels_.find(name);
  if (it == channels_.end() ||
      (collection_id.value() != 0 && it->second->collection_id != collection_id)) {
    return Status::Unavailable("channel " + name + " of collection " + collection_id.ToString() +
                               " is not served by streaming node " + options_.node_id.ToString());
  }
  return it->second;
}

std::vector<std::string> StreamingNode::OpenChannels() {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, ch] : channels_) names.push_back(name);
  return names;
}

Result<ChannelStats> StreamingNode::GetChannelStats(const std::string& channel) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(channel, CollectionId()));
  ChannelStats stats;
  std::lock_guard lock(ch->mu);
  for (const auto& [p, seg] : ch->growing) stats.growing_rows += seg->num_rows();
  stats.sealed_segments = ch->sealed.size();
  stats.checkpoint_lsn = ch->checkpoint_lsn;
  stats.tsafe = ch->tsafe;
  stats.first_wal_lsn = ch->wal->first_lsn();
  stats.last_wal_lsn = ch->wal->last_durable_lsn();
  stats.wal = ch->wal->stats();
  return stats;
}

// --- Writes ---------------------------------------------------------------------------------

Result<rpc::WriteResponse> StreamingNode::Write(const rpc::WriteRequest& request) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(request.channel, request.collection_id));
  {
    std::lock_guard lock(mu_);
    const rpc::CollectionInfo* c = catalog_ ? catalog_->FindCollection(ch->collection_id) : nullptr;
    if (c == nullptr || c->FindPartition(request.partition_id) == nullptr) {
      return Status::NotFound("partition " + request.partition_id.ToString() + " of collection " +
                              ch->collection_id.ToString());
    }
  }
  PendingWrite w;
  size_t rows = 0;
  VDB_ASSIGN_OR_RETURN(w.columns,
                       segment::DecodeColumns(ch->schema.fields, request.columns, &rows));
  if (rows == 0 || rows != request.num_rows) {
    return Status::InvalidArgument("write of " + std::to_string(request.num_rows) +
                                   " rows carries " + std::to_string(rows));
  }
  w.type = wal::RecordType::kInsert;
  w.partition_id = request.partition_id;
  w.upsert = request.kind == rpc::WriteKind::kUpsert;
  w.payload = EncodeInsertPayload(
      InsertPayload{ch->collection_id, request.partition_id, w.upsert, request.columns});
  VDB_RETURN_IF_ERROR(Submit(ch.get(), &w));
  return rpc::WriteResponse{w.ts, rows};
}

Result<rpc::WriteResponse> StreamingNode::Delete(const rpc::DeleteRequest& request) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(request.channel, request.collection_id));
  if (request.pks.empty()) return Status::InvalidArgument("delete without primary keys");
  DataType pk_type = ch->schema.fields[ch->pk_field].type;
  for (const auto& pk : request.pks) {
    if (!PkMatches(pk, pk_type)) {
      return Status::InvalidArgument("primary key " + PrimaryKeyToString(pk) + " is not " +
                                     std::string(DataTypeName(pk_type)));
    }
  }
  PendingWrite w;
  w.type = wal::RecordType::kDelete;
  w.pks = request.pks;
  w.payload = EncodeDeletePayload(DeletePayload{ch->collection_id, request.pks});
  VDB_RETURN_IF_ERROR(Submit(ch.get(), &w));
  return rpc::WriteResponse{w.ts, request.pks.size()};
}

Status StreamingNode::RenewLease(Channel* ch, std::unique_lock<std::mutex>* lock, size_t needed) {
  uint64_t now_ms = env_->MonotonicMicros() / 1000;
  if (ch->lease_end - ch->lease_next >= needed && ch->lease_end > ch->lease_next &&
      now_ms - ch->lease_ms <= options_.lease_max_age_ms) {
    return Status::OK();
  }
  int64_t count = std::max<int64_t>(options_.lease_count, static_cast<int64_t>(needed));
  lock->unlock();
  auto first = coord_->AllocateTimestamps(count);
  lock->lock();
  if (!first.ok())
    return first.status().WithContext("channel " + ch->name + ": leasing timestamps");
  // The TSO hands out timestamps above every earlier one, so above tsafe; anything else would
  // let a write land below a read already served.
  if (*first <= ch->tsafe) {
    return Status::Internal("channel " + ch->name + ": leased timestamp " + std::to_string(*first) +
                            " is not above tsafe " + std::to_string(ch->tsafe));
  }
  ch->lease_next = *first;
  ch->lease_end = *first + static_cast<Timestamp>(count);
  ch->lease_ms = now_ms;
  return Status::OK();
}

Status StreamingNode::Submit(Channel* ch, PendingWrite* w) {
  std::unique_lock lock(ch->mu);
  if (ch->closed) return Status::Unavailable("channel " + ch->name + " is closing");
  ch->queue.push_back(w);
  ch->cv.wait(lock, [&] { return w->done || (!ch->writing && ch->queue.front() == w); });
  if (w->done) return w->status;
  // Leader: stamp, log and apply every queued write as one batch, in queue order, so timestamps
  // increase with LSNs (checkpoints and the deletes feed rely on it).
  ch->writing = true;
  size_t n = std::min(ch->queue.size(), options_.max_batch_writes);
  std::vector<PendingWrite*> batch(ch->queue.begin(), ch->queue.begin() + n);
  ch->queue.erase(ch->queue.begin(), ch->queue.begin() + n);
  Status s = ch->closed ? Status::Unavailable("channel " + ch->name + " is closing")
                        : RenewLease(ch, &lock, n);
  if (s.ok()) {
    uint64_t now_ms = env_->MonotonicMicros() / 1000;
    for (PendingWrite* p : batch) {
      p->ts = ch->lease_next++;
      if (p->type == wal::RecordType::kInsert) p->segment = ch->GrowingFor(p->partition_id, now_ms);
    }
  }
  lock.unlock();
  if (s.ok()) {
    std::vector<wal::WalEntry> entries;
    entries.reserve(n);
    for (PendingWrite* p : batch) entries.push_back({wal::ToTag(p->type), p->ts, p->payload});
    auto first = ch->wal->AppendBatch(entries);
    if (first.ok()) {
      for (size_t i = 0; i < n; ++i) {
        batch[i]->lsn = Lsn(first->value() + i);
        Apply(ch, *batch[i]);
      }
    } else {
      s = first.status().WithContext("channel " + ch->name);
    }
  }
  lock.lock();
  if (s.ok()) {
    ch->applied_lsn = batch.back()->lsn;
    ch->applied_ts = batch.back()->ts;
    ch->tsafe = std::max(ch->tsafe, ch->applied_ts);
  }
  for (PendingWrite* p : batch) {
    p->status = s;
    p->done = true;
  }
  ch->writing = false;
  ch->cv.notify_all();
  return s;
}

void StreamingNode::Apply(Channel* ch, const PendingWrite& w) {
  if (w.type == wal::RecordType::kDelete) {
    for (const auto& pk : w.pks) ch->deletes.Add(pk, w.ts);
    return;
  }
  const segment::ColumnData& pks = w.columns[ch->pk_field];
  if (w.upsert) {
    // The delete at the insert's own timestamp hides every older version, not the new one.
    for (size_t r = 0; r < pks.size(); ++r) ch->deletes.Add(segment::PrimaryKeyAt(pks, r), w.ts);
  }
  Status s = w.segment->Append(w.columns, w.ts);
  // The columns were checked against the same schema before the write was logged.
  VDB_CHECK(s.ok());
}

// --- Reads ----------------------------------------------------------------------------------

Result<Timestamp> StreamingNode::WaitForTsafe(Channel* ch, Timestamp read_ts) {
  std::unique_lock lock(ch->mu);
  if (read_ts == 0) return ch->tsafe;
  uint64_t now_ms = env_->NowMicros() / 1000;
  if (PhysicalMs(read_ts) > now_ms + kMaxFutureMs) {
    return Status::InvalidArgument("read timestamp " + std::to_string(read_ts) +
                                   " is in the future");
  }
  uint64_t deadline =
      env_->MonotonicMicros() + static_cast<uint64_t>(options_.read_timeout_ms) * 1000;
  while (true) {
    if (ch->closed) return Status::Unavailable("channel " + ch->name + " is closing");
    if (ch->tsafe >= read_ts) return read_ts;
    if (!ch->writing && ch->queue.empty()) {
      // Idle: every stamped write is applied. Later writes take timestamps from the rest of the
      // lease above read_ts, or from a new lease, which the TSO issues above read_ts.
      if (read_ts >= ch->lease_next) {
        ch->lease_next = read_ts < ch->lease_end ? read_ts + 1 : ch->lease_end;
      }
      ch->tsafe = read_ts;
      return read_ts;
    }
    uint64_t now = env_->MonotonicMicros();
    if (now >= deadline) {
      return Status::DeadlineExceeded(
          "channel " + ch->name + ": tsafe " + std::to_string(ch->tsafe) + " did not reach " +
          std::to_string(read_ts) + " within " + std::to_string(options_.read_timeout_ms) + " ms");
    }
    ch->cv.wait_for(lock, std::chrono::microseconds(deadline - now));
  }
}

std::vector<StreamingNode::SegmentRef> StreamingNode::Snapshot(
    Channel* ch, const std::vector<PartitionId>& partitions,
    const std::vector<SegmentId>& exclude) {
  std::lock_guard lock(ch->mu);
  std::vector<SegmentRef> refs;
  for (const auto& s : ch->sealed) {
    if (!Contains(partitions, s->segment->partition_id())) continue;
    if (std::find(exclude.begin(), exclude.end(), s->id) != exclude.end()) continue;
    refs.push_back({s->segment, s->id});
  }
  for (const auto& [partition, seg] : ch->growing) {
    if (Contains(partitions, partition)) refs.push_back({seg, SegmentId()});
  }
  return refs;
}

Result<rpc::SearchPartial> StreamingNode::Search(const rpc::SearchRequest& request) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(request.channel, request.collection_id));
  const FieldSchema* field = ch->schema.FindField(request.field_id);
  if (field == nullptr || field->type != DataType::kFloatVector) {
    return Status::InvalidArgument("field " + request.field_id.ToString() +
                                   " is not a FloatVector field of collection " +
                                   ch->collection_id.ToString());
  }
  if (request.dim != field->dim) {
    return Status::InvalidArgument("query vectors have dim " + std::to_string(request.dim) +
                                   ", field \"" + field->name + "\" has " +
                                   std::to_string(field->dim));
  }
  if (request.metric > static_cast<uint8_t>(index::Metric::kCosine)) {
    return Status::InvalidArgument("metric " + std::to_string(request.metric) +
                                   " does not apply to float vectors");
  }
  if (request.k < 1 || request.k > kMaxTopK) {
    return Status::InvalidArgument("k must be in [1, " + std::to_string(kMaxTopK) + "]");
  }
  if (request.nq < 0 || request.vectors.size() !=
                            static_cast<size_t>(request.nq) * static_cast<size_t>(request.dim)) {
    return Status::InvalidArgument("query vectors do not hold nq * dim floats");
  }
  size_t field_index = static_cast<size_t>(field - ch->schema.fields.data());
  auto metric = static_cast<index::Metric>(request.metric);
  int k = static_cast<int>(request.k);
  VDB_ASSIGN_OR_RETURN(Timestamp read_ts, WaitForTsafe(ch.get(), request.read_ts));
  rpc::SearchPartial out;
  out.hits.resize(static_cast<size_t>(request.nq));
  std::vector<uint64_t> words;
  for (const SegmentRef& ref :
       Snapshot(ch.get(), request.partition_ids, request.exclude_segment_ids)) {
    auto view = ref.segment->Read();
    size_t n = view.rows();
    if (n == 0) continue;
    ch->deletes.BuildVisibility(view.pk_index(), view.timestamps(), n, read_ts, &words);
    index::RowFilter filter(words.data(), n);
    index::FloatVectors base{view.float_vectors(field_index), static_cast<int64_t>(n),
                             static_cast<int>(field->dim), nullptr};
    index::BruteForceParams params;
    params.metric = metric;
    params.k = k;
    params.filter = &filter;
    index::SearchResults results;
    VDB_RETURN_IF_ERROR(
        index::BruteForceSearch(base, request.nq, request.vectors.data(), params, &results));
    for (int64_t q = 0; q < request.nq; ++q) {
      for (int j = 0; j < k; ++j) {
        int64_t row = results.rows_of(q)[j];
        if (row < 0) break;
        out.hits[q].push_back(rpc::SearchHit{view.pk(static_cast<size_t>(row)),
                                             results.distances_of(q)[j], view.timestamps()[row],
                                             ref.id, row});
      }
    }
  }
  bool higher = index::HigherIsBetter(metric);
  for (auto& hits : out.hits) {
    std::stable_sort(hits.begin(), hits.end(),
                     [&](const rpc::SearchHit& a, const rpc::SearchHit& b) {
                       return higher ? a.distance > b.distance : a.distance < b.distance;
                     });
    if (hits.size() > static_cast<size_t>(k)) hits.resize(static_cast<size_t>(k));
  }
  return out;
}

Result<rpc::GetResponse> StreamingNode::Get(const rpc::GetRequest& request) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(request.channel, request.collection_id));
  const CollectionSchema& schema = ch->schema;
  std::vector<size_t> outputs;
  if (request.output_field_ids.empty()) {
    for (size_t i = 0; i < schema.fields.size(); ++i) outputs.push_back(i);
  } else {
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      const auto& ids = request.output_field_ids;
      if (std::find(ids.begin(), ids.end(), schema.fields[i].id) != ids.end()) outputs.push_back(i);
    }
    if (outputs.size() != request.output_field_ids.size()) {
      return Status::InvalidArgument("output fields name a field the collection lacks");
    }
  }
  DataType pk_type = schema.fields[ch->pk_field].type;
  for (const auto& pk : request.pks) {
    if (!PkMatches(pk, pk_type)) {
      return Status::InvalidArgument("primary key " + PrimaryKeyToString(pk) + " is not " +
                                     std::string(DataTypeName(pk_type)));
    }
  }
  VDB_ASSIGN_OR_RETURN(Timestamp read_ts, WaitForTsafe(ch.get(), request.read_ts));
  auto refs = Snapshot(ch.get(), request.partition_ids, request.exclude_segment_ids);
  std::vector<GrowingSegment::ReadView> views;
  views.reserve(refs.size());
  for (const auto& ref : refs) views.push_back(ref.segment->Read());
  struct Best {
    Timestamp ts = 0;
    int view = -1;
    uint32_t row = 0;
  };
  std::vector<Best> best(request.pks.size());
  for (size_t v = 0; v < views.size(); ++v) {
    const auto& view = views[v];
    for (size_t i = 0; i < request.pks.size(); ++i) {
      const segment::PkRowIndex::Rows* rows = view.pk_index().Find(request.pks[i]);
      if (rows == nullptr) continue;
      for (uint32_t row : *rows) {
        if (row >= view.rows()) break;
        Timestamp ts = view.timestamps()[row];
        if (ts > read_ts || ch->deletes.Hides(request.pks[i], ts, read_ts)) continue;
        if (best[i].view < 0 || ts >= best[i].ts) best[i] = {ts, static_cast<int>(v), row};
      }
    }
  }
  rpc::GetResponse out;
  std::vector<FieldSchema> out_fields;
  std::vector<segment::ColumnData> columns;
  for (size_t f : outputs) {
    out_fields.push_back(schema.fields[f]);
    columns.emplace_back(schema.fields[f]);
  }
  for (size_t i = 0; i < request.pks.size(); ++i) {
    if (best[i].view < 0) continue;
    out.pks.push_back(request.pks[i]);
    out.ts.push_back(best[i].ts);
    const auto& view = views[static_cast<size_t>(best[i].view)];
    for (size_t c = 0; c < outputs.size(); ++c) {
      columns[c].AppendRows(view.column(outputs[c]), best[i].row, 1);
    }
  }
  out.columns = segment::EncodeColumns(out_fields, columns);
  return out;
}

Result<rpc::CountResponse> StreamingNode::Count(const rpc::CountRequest& request) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(request.channel, request.collection_id));
  VDB_ASSIGN_OR_RETURN(Timestamp read_ts, WaitForTsafe(ch.get(), request.read_ts));
  rpc::CountResponse out;
  std::vector<uint64_t> words;
  for (const SegmentRef& ref :
       Snapshot(ch.get(), request.partition_ids, request.exclude_segment_ids)) {
    auto view = ref.segment->Read();
    ch->deletes.BuildVisibility(view.pk_index(), view.timestamps(), view.rows(), read_ts, &words);
    out.count += index::RowFilter(words.data(), view.rows()).CountAllowed();
  }
  return out;
}

Result<rpc::ScanResponse> StreamingNode::Scan(const rpc::ScanRequest& request) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(request.channel, request.collection_id));
  if (request.limit < 1 || request.limit > rpc::kMaxScanLimit) {
    return Status::InvalidArgument("scan limit must be in [1, " +
                                   std::to_string(rpc::kMaxScanLimit) + "]");
  }
  DataType pk_type = ch->schema.fields[ch->pk_field].type;
  if (request.after && !PkMatches(*request.after, pk_type)) {
    return Status::InvalidArgument("scan after key " + PrimaryKeyToString(*request.after) +
                                   " is not " + std::string(DataTypeName(pk_type)));
  }
  VDB_ASSIGN_OR_RETURN(Timestamp read_ts, WaitForTsafe(ch.get(), request.read_ts));
  rpc::ScanKeys keys(request.after, static_cast<size_t>(request.limit));
  std::vector<uint64_t> words;
  for (const SegmentRef& ref :
       Snapshot(ch.get(), request.partition_ids, request.exclude_segment_ids)) {
    auto view = ref.segment->Read();
    const size_t n = view.rows();
    if (n == 0) continue;
    ch->deletes.BuildVisibility(view.pk_index(), view.timestamps(), n, read_ts, &words);
    index::RowFilter visible(words.data(), n);
    // One entry per distinct key: test the key's bound before its rows' visibility.
    view.pk_index().ForEach([&](const PrimaryKey& pk, const segment::PkRowIndex::Rows& rows) {
      if (!keys.Wants(pk)) return;
      for (uint32_t row : rows) {
        if (row < n && visible.Allows(row)) {
          keys.Add(pk);
          break;
        }
      }
    });
  }
  return rpc::ScanResponse{keys.Take()};
}

Result<rpc::DeletesResponse> StreamingNode::Deletes(const rpc::DeletesRequest& request) {
  VDB_ASSIGN_OR_RETURN(auto ch, FindChannel(request.channel, CollectionId()));
  VDB_ASSIGN_OR_RETURN(Timestamp until_ts, WaitForTsafe(ch.get(), request.until_ts));
  rpc::DeletesResponse out;
  for (auto& d : ch->deletes.Range(request.after_ts, until_ts)) {
    out.deletes.push_back(rpc::DeleteEntry{std::move(d.pk), d.ts});
  }
  return out;
}

// --- Seal, flush, hand-off ------------------------------------------------------------------

Status StreamingNode::Seal(Channel* ch) {
  std::unique_lock lock(ch->mu);
  ch->cv.wait(lock, [&] { return !ch->writing || ch->closed; });
  if (ch->closed) return Status::Unavailable("channel " + ch->name + " is closing");
  std::vector<std::pair<PartitionId, std::shared_ptr<GrowingSegment>>> parts;
  for (const auto& [partition, seg] : ch->growing) {
    if (seg->num_rows() > 0) parts.emplace_back(partition, seg);
  }
  if (parts.empty()) return Status::OK();
  // Act as the write leader so no write slips between the last sealed row and the seal record.
  ch->writing = true;
  lock.unlock();
  auto first_id = coord_->AllocateIds(static_cast<int64_t>(parts.size()));
  Result<Lsn> seal_lsn = Status::Unavailable("no segment ids");
  SealPayload payload;
  Timestamp seal_ts = 0;
  if (!first_id.ok()) {
    seal_lsn = first_id.status();
  } else {
    for (size_t i = 0; i < parts.size(); ++i) {
      payload.segments.emplace_back(parts[i].first, SegmentId(*first_id + static_cast<int64_t>(i)));
    }
    {
      std::lock_guard relock(ch->mu);
      seal_ts = ch->applied_ts;
    }
    seal_lsn = ch->wal->Append(wal::ToTag(wal::RecordType::kSealSegment), seal_ts,
                               EncodeSealPayload(payload));
  }
  lock.lock();
  ch->writing = false;
  ch->cv.notify_all();
  if (!seal_lsn.ok()) return seal_lsn.status().WithContext("channel " + ch->name + ": sealing");
  FlushBatch batch;
  batch.base_lsn = ch->sealed_lsn;
  batch.base_ts = ch->sealed_ts;
  batch.seal_lsn = *seal_lsn;
  batch.seal_ts = seal_ts;
  batch.deletes = ch->deletes.Range(batch.base_ts, batch.seal_ts);
  for (size_t i = 0; i < parts.size(); ++i) {
    auto sealed = std::make_shared<SealedSegment>();
    sealed->segment = parts[i].second;
    sealed->id = payload.segments[i].second;
    sealed->base_lsn = batch.base_lsn;
    sealed->base_ts = batch.base_ts;
    ch->sealed.push_back(sealed);
    batch.parts.push_back(std::move(sealed));
    ch->growing.erase(parts[i].first);
  }
  if (ch->growing.empty()) ch->growing_since_ms = 0;
  ch->applied_lsn = *seal_lsn;
  ch->sealed_lsn = *seal_lsn;
  ch->sealed_ts = seal_ts;
  ch->pending_flushes.push_back(std::move(batch));
  return Status::OK();
}

Status StreamingNode::PersistPending(Channel* ch) {
  while (true) {
    FlushBatch batch;
    {
      std::lock_guard lock(ch->mu);
      if (ch->pending_flushes.empty()) return Status::OK();
      batch = ch->pending_flushes.front();
    }
    std::shared_ptr<const rpc::Catalog> catalog;
    {
      std::lock_guard lock(mu_);
      catalog = catalog_;
    }
    const rpc::CollectionInfo* collection =
        catalog ? catalog->FindCollection(ch->collection_id) : nullptr;
    segment::SegmentWriter writer(store_);
    std::vector<rpc::SegmentInfo> infos;
    for (const auto& part : batch.parts) {
      // Rows of a partition dropped meanwhile are not flushed (no commit could take them).
      if (collection != nullptr &&
          collection->FindPartition(part->segment->partition_id()) == nullptr) {
        continue;
      }
      segment::SegmentData data = part->segment->ToSegmentData(part->id);
      data.deletes = batch.deletes;
      rpc::SegmentInfo info;
      info.id = part->id;
      info.collection_id = ch->collection_id;
      info.partition_id = part->segment->partition_id();
      info.channel = ch->name;
      info.rows = static_cast<int64_t>(data.timestamps.size());
      info.ts_min = part->segment->min_ts();
      info.ts_max = part->segment->max_ts();
      info.object_prefix = segment::SegmentPrefix(info.collection_id, info.partition_id, info.id);
      info.state = rpc::SegmentState::kFlushed;
      auto manifest = writer.Write(info.object_prefix, data);
      if (!manifest.ok()) {
        return manifest.status().WithContext("channel " + ch->name + ": writing segment " +
                                             info.id.ToString());
      }
      infos.push_back(std::move(info));
    }
    // Only the last commit moves the checkpoint: after a crash in between, replay starts before
    // the seal record and drops the rows of the segments already committed (see Replay).
    for (size_t i = 0; i < infos.size(); ++i) {
      bool last = i + 1 == infos.size();
      auto r = coord_->CommitSegment(infos[i], last ? batch.seal_lsn : batch.base_lsn,
                                     last ? batch.seal_ts : batch.base_ts, options_.node_id);
      if (!r.ok()) {
        return r.status().WithContext("channel " + ch->name + ": committing segment " +
                                      infos[i].id.ToString());
      }
    }
    std::lock_guard lock(ch->mu);
    for (const auto& part : batch.parts) part->committed = true;
    if (!infos.empty()) {  // else the checkpoint waits for the next flush to carry it
      ch->checkpoint_lsn = batch.seal_lsn;
      ch->checkpoint_ts = batch.seal_ts;
    }
    ch->pending_flushes.pop_front();
    VDB_LOG(INFO) << "channel " << ch->name << ": flushed " << batch.parts.size()
                  << " segment(s), checkpoint " << batch.seal_lsn.value();
  }
}

Status StreamingNode::FlushChannel(Channel* ch) {
  std::lock_guard flush_lock(ch->flush_mu);
  VDB_RETURN_IF_ERROR(Seal(ch));
  return PersistPending(ch);
}

Status StreamingNode::Flush(CollectionId collection_id) {
  std::vector<std::shared_ptr<Channel>> chans;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, ch] : channels_) {
      if (ch->collection_id == collection_id) chans.push_back(ch);
    }
  }
  for (const auto& ch : chans) VDB_RETURN_IF_ERROR(FlushChannel(ch.get()));
  return Status::OK();
}

void StreamingNode::HandOff(Channel* ch, const rpc::Catalog& catalog) {
  uint64_t now_ms = env_->MonotonicMicros() / 1000;
  bool dropped = false;
  Lsn truncate_before;
  Timestamp prune_floor = 0;
  {
    std::lock_guard lock(ch->mu);
    std::vector<std::shared_ptr<SealedSegment>> kept;
    for (auto& s : ch->sealed) {
      const rpc::SegmentInfo* info = s->committed ? catalog.FindSegment(s->id) : nullptr;
      const rpc::CollectionInfo* collection = catalog.FindCollection(ch->collection_id);
      // Dropped or released partitions are read from nowhere: nothing to hand over.
      bool partition_unread =
          collection == nullptr || !collection->PartitionLoaded(s->segment->partition_id());
      bool served = (s->committed && partition_unread) ||
                    (info != nullptr && (info->query_node_id.value() != 0 ||
                                         info->state == rpc::SegmentState::kDropped));
      if (served && s->served_since_ms == 0) s->served_since_ms = now_ms;
      if (served && now_ms - s->served_since_ms >= options_.handoff_grace_ms) {
        dropped = true;
        continue;
      }
      kept.push_back(s);
    }
    if (!dropped) return;
    ch->sealed = std::move(kept);
    // The WAL below the oldest flush still served from memory, and the deletes no row kept in
    // memory can be hidden by (rows kept are all newer than their flush's base), may go.
    truncate_before = Lsn(ch->checkpoint_lsn.value() + 1);
    prune_floor = ch->checkpoint_ts;
    for (const auto& s : ch->sealed) {
      truncate_before = std::min(truncate_before, Lsn(s->base_lsn.value() + 1));
      prune_floor = std::min(prune_floor, s->base_ts);
    }
  }
  Status s = ch->wal->TruncateBefore(truncate_before);
  if (!s.ok()) {
    VDB_LOG(WARNING) << "channel " << ch->name << ": " << s.ToString();
  }
  ch->deletes.PruneUpTo(prune_floor);
}

Status StreamingNode::Tick() {
  std::shared_ptr<const rpc::Catalog> catalog;
  std::vector<std::shared_ptr<Channel>> chans;
  {
    std::lock_guard lock(mu_);
    catalog = catalog_;
    for (const auto& [name, ch] : channels_) chans.push_back(ch);
  }
  Status first_error;
  // A channel that failed to open (its WAL still locked by a dying predecessor, say) is retried.
  if (catalog) {
    size_t wanted = 0;
    for (const auto& info : catalog->channels) {
      if (info.streaming_node_id == options_.node_id && options_.node_id.value() != 0 &&
          catalog->FindCollection(info.collection_id) != nullptr) {
        ++wanted;
      }
    }
    if (wanted != chans.size()) {
      first_error = ApplyCatalog(*catalog);
      std::lock_guard lock(mu_);
      chans.clear();
      for (const auto& [name, ch] : channels_) chans.push_back(ch);
    }
  }
  uint64_t now_ms = env_->MonotonicMicros() / 1000;
  for (const auto& ch : chans) {
    bool seal = false;
    bool pending = false;
    {
      std::lock_guard lock(ch->mu);
      for (const auto& [p, seg] : ch->growing) seal = seal || seg->num_rows() >= options_.seal_rows;
      seal = seal ||
             (ch->growing_since_ms != 0 && now_ms - ch->growing_since_ms >= options_.seal_age_ms);
      pending = !ch->pending_flushes.empty();
    }
    if (seal || pending) {
      std::lock_guard flush_lock(ch->flush_mu);
      Status s = seal ? Seal(ch.get()) : Status::OK();
      if (s.ok()) s = PersistPending(ch.get());
      if (!s.ok() && first_error.ok()) first_error = s;
    }
    if (catalog) HandOff(ch.get(), *catalog);
  }
  return first_error;
}

}  // namespace vdb::streaming
