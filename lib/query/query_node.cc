#include "query/query_node.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/env.h"
#include "common/logging.h"
#include "index/metric.h"
#include "index/row_filter.h"
#include "query/sealed_segment.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"
#include "rpc/stream_client.h"
#include "segment/column_codec.h"
#include "segment/delete_buffer.h"
#include "segment/segment_reader.h"
#include "storage/object_store.h"

namespace vdb::query {
namespace {

constexpr int64_t kMaxTopK = 16384;
constexpr int64_t kCatalogRetryMs = 200;
constexpr const char* kBinary = "application/octet-stream";

bool PkMatches(const PrimaryKey& pk, DataType type) {
  return type == DataType::kInt64 ? std::holds_alternative<int64_t>(pk)
                                  : std::holds_alternative<std::string>(pk);
}

// True when the catalog assigns `id` to query node `node` and it is live.
bool AssignedTo(const rpc::Catalog& catalog, SegmentId id, NodeId node) {
  const rpc::SegmentInfo* s = catalog.FindSegment(id);
  return s != nullptr && s->query_node_id == node && s->state != rpc::SegmentState::kDropped &&
         catalog.FindCollection(s->collection_id) != nullptr;
}

// A handler that decodes the body with `decode`, runs `call` and encodes with `encode`.
template <typename Decode, typename Call, typename Encode>
rpc::Handler MakeHandler(Decode decode, Call call, Encode encode) {
  return [decode, call, encode](const rpc::Request& request, rpc::Response* response) -> Status {
    auto message = decode(request.body);
    if (!message.ok()) return Status::InvalidArgument(message.status().message());
    auto answer = call(*message);
    if (!answer.ok()) return answer.status();
    response->content_type = kBinary;
    response->body = encode(*answer);
    return Status::OK();
  };
}

}  // namespace

// The deletes of one channel that apply to its sealed segments served here.
struct QueryNode::Channel {
  Channel(std::string n, uint64_t first_version) : name(std::move(n)), version(first_version) {}

  const std::string name;
  segment::DeleteBuffer deletes;  // thread-safe on its own
  // Names the contents of `deletes` for the segments' visibility caches: changes (to a value no
  // channel state of this node ever had) after every batch of additions.
  std::atomic<uint64_t> version;
  std::mutex mu;
  std::condition_variable cv;      // busy changes
  bool busy = false;               // GUARDED_BY(mu): a file read or pull is in flight
  Timestamp pulled_until = 0;      // GUARDED_BY(mu): deletes <= this are all in `deletes`...
  std::set<SegmentId> files_read;  // GUARDED_BY(mu): ...given these segments' delete files
};

Result<std::unique_ptr<QueryNode>> QueryNode::Start(Env* env, storage::ObjectStore* store,
                                                    rpc::CoordClient* coord, NodeId id,
                                                    std::string address, Options options) {
  if (id.value() <= 0) {
    return Status::InvalidArgument("query node id must be positive, got " + id.ToString());
  }
  std::unique_ptr<QueryNode> node(
      new QueryNode(env, store, coord, id, std::move(address), options));
  node->heartbeat_thread_ = std::thread([n = node.get()] { n->HeartbeatLoop(); });
  node->catalog_thread_ = std::thread([n = node.get()] { n->CatalogLoop(); });
  node->loader_thread_ = std::thread([n = node.get()] { n->LoaderLoop(); });
  if (options.delete_refresh_ms > 0) {
    node->refresh_thread_ = std::thread([n = node.get()] { n->RefreshLoop(); });
  }
  return node;
}

QueryNode::QueryNode(Env* env, storage::ObjectStore* store, rpc::CoordClient* coord, NodeId id,
                     std::string address, Options options)
    : env_(env),
      store_(store),
      coord_(coord),
      id_(id),
      address_(std::move(address)),
      options_(options) {}

QueryNode::~QueryNode() { Stop(); }

void QueryNode::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
  }
  cv_.notify_all();
  if (refresh_thread_.joinable()) refresh_thread_.join();
  if (loader_thread_.joinable()) loader_thread_.join();
  if (catalog_thread_.joinable()) catalog_thread_.join();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

void QueryNode::RegisterRoutes(rpc::HttpServer* server) {
  server->Route("POST", std::string(rpc::kQuerySearchPath),
                MakeHandler(
                    rpc::DecodeQuerySearchRequest,
                    [this](const rpc::QuerySearchRequest& m) { return Search(m); },
                    rpc::EncodeSearchPartial));
  server->Route(
      "POST", std::string(rpc::kQueryGetPath),
      MakeHandler(
          rpc::DecodeQueryGetRequest, [this](const rpc::QueryGetRequest& m) { return Get(m); },
          rpc::EncodeGetResponse));
  server->Route(
      "POST", std::string(rpc::kQueryCountPath),
      MakeHandler(
          rpc::DecodeQueryCountRequest,
          [this](const rpc::QueryCountRequest& m) { return Count(m); }, rpc::EncodeCountResponse));
  server->Route(
      "POST", std::string(rpc::kQueryScanPath),
      MakeHandler(
          rpc::DecodeQueryScanRequest, [this](const rpc::QueryScanRequest& m) { return Scan(m); },
          rpc::EncodeScanResponse));
}

// --- Stats and waiting ----------------------------------------------------------------------

QueryNodeStats QueryNode::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  QueryNodeStats out = stats_;
  out.segments_loaded = static_cast<int64_t>(segments_.size());
  for (const auto& [id, seg] : segments_) {
    out.rows_loaded += static_cast<int64_t>(seg->rows());
    out.indexes_loaded += static_cast<int64_t>(seg->index_count());
  }
  return out;
}

std::vector<SegmentId> QueryNode::LoadedSegments() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SegmentId> ids;
  for (const auto& [id, seg] : segments_) ids.push_back(id);
  return ids;
}

std::string QueryNode::IndexKey(SegmentId segment, FieldId field) const {
  std::shared_ptr<SealedSegment> seg;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = segments_.find(segment);
    if (it == segments_.end()) return "";
    seg = it->second;
  }
  return seg->index_key(field);
}

bool QueryNode::WaitFor(const std::function<bool(const QueryNode&)>& done, int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen = events_;
    }
    if (done(*this)) return true;  // calls the locking accessors, so not under mu_
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return events_ != seen; })) {
      lock.unlock();
      return done(*this);
    }
  }
}

void QueryNode::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++events_;
  }
  cv_.notify_all();
}

bool QueryNode::WaitOrStop(int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
  return !stopping_.load();
}

// --- Background work ------------------------------------------------------------------------

void QueryNode::HeartbeatLoop() {
  do {
    {
      std::lock_guard<std::mutex> lock(heartbeat_mu_);
      if (heartbeats_paused_) continue;
      heartbeat_in_flight_ = true;
    }
    auto s = coord_->Heartbeat(rpc::NodeRole::kQuery, id_, address_);
    {
      std::lock_guard<std::mutex> lock(heartbeat_mu_);
      heartbeat_in_flight_ = false;
    }
    heartbeat_cv_.notify_all();
    if (!s.ok()) {
      VDB_LOG(WARNING) << "query node " << id_.value() << ": heartbeat: " << s.status().ToString();
    }
  } while (WaitOrStop(options_.heartbeat_interval_ms));
}

void QueryNode::TEST_PauseHeartbeats(bool paused) {
  std::unique_lock<std::mutex> lock(heartbeat_mu_);
  heartbeats_paused_ = paused;
  heartbeat_cv_.wait(lock, [&] { return !heartbeat_in_flight_; });
}

void QueryNode::CatalogLoop() {
  rpc::CatalogRevision since = 0;
  while (!stopping_.load()) {
    auto got = coord_->GetCatalog(since, options_.catalog_poll_ms);
    if (!got.ok()) {
      VDB_LOG(WARNING) << "query node " << id_.value() << ": catalog: " << got.status().ToString();
      WaitOrStop(kCatalogRetryMs);
      continue;
    }
    if (!got->has_value()) continue;
    since = (*got)->revision;
    ApplyCatalog(std::make_shared<const rpc::Catalog>(std::move(**got)));
  }
}

void QueryNode::ApplyCatalog(std::shared_ptr<const rpc::Catalog> catalog) {
  std::vector<std::shared_ptr<SealedSegment>> dropped;  // released outside the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = segments_.begin(); it != segments_.end();) {
      if (AssignedTo(*catalog, it->first, id_)) {
        ++it;
        continue;
      }
      VDB_LOG(INFO) << "query node " << id_.value() << ": dropping segment " << it->first.value();
      dropped.push_back(std::move(it->second));
      it = segments_.erase(it);
    }
    for (auto it = retry_after_ms_.begin(); it != retry_after_ms_.end();) {
      it = AssignedTo(*catalog, it->first, id_) ? std::next(it) : retry_after_ms_.erase(it);
    }
    // A channel with nothing served here forgets its deletes; it is rebuilt from the delete
    // files and the checkpoint when a segment of it comes back.
    for (auto it = channels_.begin(); it != channels_.end();) {
      bool used = false;
      for (const auto& [id, seg] : segments_) used = used || seg->info().channel == it->first;
      it = used ? std::next(it) : channels_.erase(it);
    }
    catalog_ = std::move(catalog);
    stats_.catalog_revision = catalog_->revision;
  }
  Notify();
}

std::shared_ptr<const rpc::Catalog> QueryNode::catalog() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_;
}

void QueryNode::LoaderLoop() {
  while (!stopping_.load()) {
    if (LoadOne()) continue;
    std::unique_lock<std::mutex> lock(mu_);
    const auto seen = catalog_;
    cv_.wait_for(lock, std::chrono::milliseconds(options_.load_retry_ms),
                 [&] { return stopping_.load() || catalog_ != seen; });
  }
}

void QueryNode::RefreshLoop() {
  while (WaitOrStop(options_.delete_refresh_ms)) {
    std::vector<std::string> names;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [name, ch] : channels_) names.push_back(name);
    }
    if (names.empty()) continue;
    auto now = coord_->AllocateTimestamps(1);
    if (!now.ok()) continue;  // the heartbeat loop logs an unreachable coordinator
    for (const std::string& name : names) {
      if (stopping_.load()) break;
      Timestamp unused = 0;
      auto prepared = PrepareRead(name, *now, &unused);
      if (!prepared.ok()) {
        VDB_LOG(WARNING) << "query node " << id_.value()
                         << ": refreshing deletes: " << prepared.status().ToString();
      }
    }
  }
}

bool QueryNode::LoadOne() {
  std::shared_ptr<const rpc::Catalog> cat;
  const rpc::SegmentInfo* todo = nullptr;  // a segment to load
  std::shared_ptr<SealedSegment> indexed;  // or a served segment with an index to load
  FieldId field;
  std::string key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cat = catalog_;
    if (cat == nullptr) return false;
    const uint64_t now_ms = env_->MonotonicMicros() / 1000;
    for (const rpc::SegmentInfo& s : cat->segments) {
      if (!AssignedTo(*cat, s.id, id_)) continue;
      auto retry = retry_after_ms_.find(s.id);
      if (retry != retry_after_ms_.end() && retry->second > now_ms) continue;
      auto served = segments_.find(s.id);
      if (served == segments_.end()) {
        todo = &s;
        break;
      }
      const rpc::CollectionInfo* c = cat->FindCollection(s.collection_id);
      for (const auto& [name, keys] : s.index_objects) {
        const rpc::IndexInfo* info = c->FindIndex(name);
        if (info == nullptr || keys.empty()) continue;
        const FieldSchema* f = served->second->schema().FindField(info->field_id);
        if (f == nullptr || f->type != DataType::kFloatVector) continue;
        if (served->second->index_key(info->field_id) == keys.front()) continue;
        indexed = served->second;
        field = info->field_id;
        key = keys.front();
        break;
      }
      if (indexed != nullptr) break;
    }
  }
  if (todo == nullptr && indexed == nullptr) return false;

  Status status;
  std::shared_ptr<SealedSegment> loaded;
  const SegmentId id = todo != nullptr ? todo->id : indexed->id();
  if (todo != nullptr) {
    auto seg = SealedSegment::Load(store_, *todo);
    status = seg.status();
    if (seg.ok()) loaded = std::move(*seg);
  } else {
    status = indexed->LoadIndex(store_, field, key);
  }
  if (status.ok() && loaded != nullptr) {
    // Indexes known already go in before the segment is served.
    const rpc::CollectionInfo* c = cat->FindCollection(todo->collection_id);
    for (const auto& [name, keys] : todo->index_objects) {
      const rpc::IndexInfo* info = c->FindIndex(name);
      if (info == nullptr || keys.empty()) continue;
      const FieldSchema* f = loaded->schema().FindField(info->field_id);
      if (f == nullptr || f->type != DataType::kFloatVector) continue;
      Status s = loaded->LoadIndex(store_, info->field_id, keys.front());
      if (!s.ok()) {
        VDB_LOG(WARNING) << "query node " << id_.value() << ": " << s.ToString();
      }
    }
  }
  std::string channel;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!status.ok()) {
      VDB_LOG(ERROR) << "query node " << id_.value() << ": loading "
                     << (todo != nullptr ? "segment " : "index " + key + " of segment ")
                     << id.value() << ": " << status.ToString();
      ++stats_.load_failures;
      retry_after_ms_[id] =
          env_->MonotonicMicros() / 1000 + static_cast<uint64_t>(options_.load_retry_ms);
    } else if (loaded != nullptr && AssignedTo(*catalog_, id, id_)) {
      channel = loaded->info().channel;
      segments_[id] = std::move(loaded);
      VDB_LOG(INFO) << "query node " << id_.value() << ": serving segment " << id.value();
    }
  }
  Notify();
  if (!channel.empty()) {
    // Reads the channel's delete files now rather than on the first read.
    Timestamp unused = 0;
    auto prepared = PrepareRead(channel, 0, &unused);
    if (!prepared.ok()) {
      VDB_LOG(WARNING) << "query node " << id_.value() << ": " << prepared.status().ToString();
    }
  }
  return true;
}

// --- Deletes --------------------------------------------------------------------------------

std::shared_ptr<QueryNode::Channel> QueryNode::ChannelFor(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& ch = channels_[name];
  if (ch == nullptr) ch = std::make_shared<Channel>(name, next_delete_version_.fetch_add(1));
  return ch;
}

Status QueryNode::SyncDeleteFiles(Channel* channel, const rpc::Catalog& catalog) {
  std::set<SegmentId> done;
  {
    std::lock_guard<std::mutex> lock(channel->mu);
    done = channel->files_read;
  }
  for (const rpc::SegmentInfo* s : catalog.SegmentsOf(channel->name)) {
    if (done.count(s->id) != 0) continue;
    std::shared_ptr<SealedSegment> served;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = segments_.find(s->id);
      if (it != segments_.end()) served = it->second;
    }
    Result<std::vector<segment::DeleteRecord>> records = std::vector<segment::DeleteRecord>();
    if (served != nullptr) {
      records = served->ReadDeletes();
    } else {
      auto reader = segment::SegmentReader::Open(store_, s->object_prefix);
      if (reader.ok()) {
        records = (*reader)->ReadDeletes();
      } else {
        records = reader.status();
      }
    }
    if (!records.ok()) {
      return records.status().WithContext("delete file of segment " + s->id.ToString());
    }
    for (const auto& d : *records) channel->deletes.Add(d.pk, d.ts);
    if (!records->empty()) channel->version.store(next_delete_version_.fetch_add(1));
    std::lock_guard<std::mutex> lock(channel->mu);
    channel->files_read.insert(s->id);
  }
  return Status::OK();
}

Status QueryNode::PullDeletes(Channel* channel, const rpc::Catalog& catalog, Timestamp read_ts) {
  const rpc::ChannelInfo* info = catalog.FindChannel(channel->name);
  if (info == nullptr || info->streaming_node_id.value() == 0) {
    return Status::Unavailable("channel " + channel->name +
                               " has no streaming node to pull deletes from");
  }
  Timestamp after = 0;
  {
    std::lock_guard<std::mutex> lock(channel->mu);
    after = channel->pulled_until;
  }
  rpc::StreamClient client(info->streaming_address);
  rpc::DeletesRequest request{channel->name, after, read_ts};
  VDB_ASSIGN_OR_RETURN(rpc::DeletesResponse answer,
                       client.Deletes(request, options_.read_timeout_ms));
  for (const auto& d : answer.deletes) channel->deletes.Add(d.pk, d.ts);
  if (!answer.deletes.empty()) channel->version.store(next_delete_version_.fetch_add(1));
  std::lock_guard<std::mutex> lock(mu_);
  stats_.deletes_pulled += static_cast<int64_t>(answer.deletes.size());
  return Status::OK();
}

Result<std::shared_ptr<QueryNode::Channel>> QueryNode::PrepareRead(const std::string& name,
                                                                   Timestamp read_ts,
                                                                   Timestamp* visible_ts) {
  *visible_ts = read_ts == 0 ? kMaxTimestamp : read_ts;
  std::shared_ptr<Channel> ch = ChannelFor(name);
  std::shared_ptr<const rpc::Catalog> cat = catalog();
  if (cat == nullptr) return Status::Unavailable("query node has no catalog yet");
  const rpc::ChannelInfo* info = cat->FindChannel(name);
  const Timestamp checkpoint = info != nullptr ? info->checkpoint_ts : 0;
  const auto segments = cat->SegmentsOf(name);
  std::unique_lock<std::mutex> lock(ch->mu);
  for (;;) {
    bool files_done = true;
    for (const rpc::SegmentInfo* s : segments) {
      files_done = files_done && ch->files_read.count(s->id) != 0;
    }
    // Every delete up to the checkpoint is in the delete files of the segments committed by
    // then, which this catalog lists.
    if (files_done) ch->pulled_until = std::max(ch->pulled_until, checkpoint);
    const bool pull = read_ts != 0 && ch->pulled_until < read_ts;
    if (files_done && !pull) return ch;
    if (ch->busy) {
      ch->cv.wait(lock);
      continue;
    }
    ch->busy = true;
    lock.unlock();
    Status s = SyncDeleteFiles(ch.get(), *cat);
    if (s.ok() && pull) {
      {
        std::lock_guard<std::mutex> relock(ch->mu);
        ch->pulled_until = std::max(ch->pulled_until, checkpoint);
      }
      s = PullDeletes(ch.get(), *cat, read_ts);
    }
    lock.lock();
    ch->busy = false;
    if (s.ok() && pull) ch->pulled_until = std::max(ch->pulled_until, read_ts);
    ch->cv.notify_all();
    if (!s.ok()) return s;
  }
}

// --- Reads ----------------------------------------------------------------------------------

Result<std::vector<std::shared_ptr<SealedSegment>>> QueryNode::Resolve(
    const std::vector<SegmentId>& ids, CollectionId collection, const std::string& channel,
    const std::vector<PartitionId>& partition_ids) {
  std::set<SegmentId> unique(ids.begin(), ids.end());
  std::vector<std::shared_ptr<SealedSegment>> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (SegmentId id : unique) {
    auto it = segments_.find(id);
    if (it == segments_.end()) {
      return Status::Unavailable("segment " + id.ToString() + " is not loaded on query node " +
                                 id_.ToString());
    }
    const rpc::SegmentInfo& info = it->second->info();
    if (info.collection_id != collection || info.channel != channel) {
      return Status::InvalidArgument("segment " + id.ToString() + " is not on channel " + channel +
                                     " of collection " + collection.ToString());
    }
    if (!partition_ids.empty() && std::find(partition_ids.begin(), partition_ids.end(),
                                            info.partition_id) == partition_ids.end()) {
      continue;
    }
    out.push_back(it->second);
  }
  return out;
}

Result<rpc::SearchPartial> QueryNode::Search(const rpc::QuerySearchRequest& q) {
  const rpc::SearchRequest& request = q.search;
  VDB_ASSIGN_OR_RETURN(auto segs, Resolve(q.segment_ids, request.collection_id, request.channel,
                                          request.partition_ids));
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
  for (const auto& seg : segs) {
    const FieldSchema* field = seg->schema().FindField(request.field_id);
    if (field == nullptr || field->type != DataType::kFloatVector) {
      return Status::InvalidArgument("field " + request.field_id.ToString() +
                                     " is not a FloatVector field of collection " +
                                     request.collection_id.ToString());
    }
    if (request.dim != field->dim) {
      return Status::InvalidArgument("query vectors have dim " + std::to_string(request.dim) +
                                     ", field \"" + field->name + "\" has " +
                                     std::to_string(field->dim));
    }
  }
  rpc::SearchPartial out;
  out.hits.resize(static_cast<size_t>(request.nq));
  if (segs.empty()) return out;
  Timestamp read_ts = 0;
  VDB_ASSIGN_OR_RETURN(auto ch, PrepareRead(request.channel, request.read_ts, &read_ts));
  std::vector<std::vector<rpc::SearchHit>> hits;
  for (const auto& seg : segs) {
    const size_t n = seg->rows();
    if (n == 0) continue;
    auto words = seg->Visibility(ch->deletes, ch->version.load(), read_ts);
    index::RowFilter filter(words->data(), n);
    hits.clear();
    VDB_RETURN_IF_ERROR(seg->Search(request, filter, &hits));
    for (size_t i = 0; i < hits.size(); ++i) {
      out.hits[i].insert(out.hits[i].end(), hits[i].begin(), hits[i].end());
    }
  }
  const bool higher = index::HigherIsBetter(static_cast<index::Metric>(request.metric));
  for (auto& list : out.hits) {
    std::stable_sort(list.begin(), list.end(),
                     [&](const rpc::SearchHit& a, const rpc::SearchHit& b) {
                       return higher ? a.distance > b.distance : a.distance < b.distance;
                     });
    if (list.size() > static_cast<size_t>(request.k)) list.resize(static_cast<size_t>(request.k));
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.searches;
  return out;
}

Result<rpc::GetResponse> QueryNode::Get(const rpc::QueryGetRequest& q) {
  const rpc::GetRequest& request = q.get;
  VDB_ASSIGN_OR_RETURN(auto segs, Resolve(q.segment_ids, request.collection_id, request.channel,
                                          request.partition_ids));
  rpc::GetResponse out;
  if (segs.empty()) return out;
  // Output columns follow the newest segment's schema (fields are only ever added).
  const CollectionSchema& schema = segs.back()->schema();
  std::vector<FieldSchema> out_fields;
  for (const FieldSchema& f : schema.fields) {
    const auto& ids = request.output_field_ids;
    if (ids.empty() || std::find(ids.begin(), ids.end(), f.id) != ids.end()) {
      out_fields.push_back(f);
    }
  }
  if (!request.output_field_ids.empty() && out_fields.size() != request.output_field_ids.size()) {
    return Status::InvalidArgument("output fields name a field the collection lacks");
  }
  const DataType pk_type = schema.PrimaryKeyField()->type;
  for (const auto& pk : request.pks) {
    if (!PkMatches(pk, pk_type)) {
      return Status::InvalidArgument("primary key " + PrimaryKeyToString(pk) + " is not " +
                                     std::string(DataTypeName(pk_type)));
    }
  }
  Timestamp read_ts = 0;
  VDB_ASSIGN_OR_RETURN(auto ch, PrepareRead(request.channel, request.read_ts, &read_ts));
  struct Best {
    Timestamp ts = 0;
    const SealedSegment* seg = nullptr;
    uint32_t row = 0;
  };
  std::vector<Best> best(request.pks.size());
  for (const auto& seg : segs) {
    for (size_t i = 0; i < request.pks.size(); ++i) {
      const segment::PkRowIndex::Rows* rows = seg->pk_index().Find(request.pks[i]);
      if (rows == nullptr) continue;
      for (uint32_t row : *rows) {
        const Timestamp ts = seg->timestamps()[row];
        if (ts > read_ts || ch->deletes.Hides(request.pks[i], ts, read_ts)) continue;
        if (best[i].seg == nullptr || ts >= best[i].ts) best[i] = {ts, seg.get(), row};
      }
    }
  }
  std::vector<segment::ColumnData> columns;
  for (const FieldSchema& f : out_fields) columns.emplace_back(f);
  for (size_t i = 0; i < request.pks.size(); ++i) {
    if (best[i].seg == nullptr) continue;
    out.pks.push_back(request.pks[i]);
    out.ts.push_back(best[i].ts);
    for (size_t c = 0; c < out_fields.size(); ++c) {
      VDB_RETURN_IF_ERROR(best[i].seg->AppendRow(out_fields[c].id, best[i].row, &columns[c]));
    }
  }
  out.columns = segment::EncodeColumns(out_fields, columns);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.gets;
  return out;
}

Result<rpc::CountResponse> QueryNode::Count(const rpc::QueryCountRequest& q) {
  const rpc::CountRequest& request = q.count;
  VDB_ASSIGN_OR_RETURN(auto segs, Resolve(q.segment_ids, request.collection_id, request.channel,
                                          request.partition_ids));
  rpc::CountResponse out;
  if (segs.empty()) return out;
  Timestamp read_ts = 0;
  VDB_ASSIGN_OR_RETURN(auto ch, PrepareRead(request.channel, request.read_ts, &read_ts));
  for (const auto& seg : segs) {
    auto words = seg->Visibility(ch->deletes, ch->version.load(), read_ts);
    out.count += index::RowFilter(words->data(), seg->rows()).CountAllowed();
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.counts;
  return out;
}

Result<rpc::ScanResponse> QueryNode::Scan(const rpc::QueryScanRequest& q) {
  const rpc::ScanRequest& request = q.scan;
  if (request.limit < 1 || request.limit > rpc::kMaxScanLimit) {
    return Status::InvalidArgument("scan limit must be in [1, " +
                                   std::to_string(rpc::kMaxScanLimit) + "]");
  }
  VDB_ASSIGN_OR_RETURN(auto segs, Resolve(q.segment_ids, request.collection_id, request.channel,
                                          request.partition_ids));
  rpc::ScanResponse out;
  if (segs.empty()) return out;
  const DataType pk_type = segs.back()->schema().PrimaryKeyField()->type;
  if (request.after && !PkMatches(*request.after, pk_type)) {
    return Status::InvalidArgument("scan after key " + PrimaryKeyToString(*request.after) +
                                   " is not " + std::string(DataTypeName(pk_type)));
  }
  Timestamp read_ts = 0;
  VDB_ASSIGN_OR_RETURN(auto ch, PrepareRead(request.channel, request.read_ts, &read_ts));
  rpc::ScanKeys keys(request.after, static_cast<size_t>(request.limit));
  for (const auto& seg : segs) {
    auto words = seg->Visibility(ch->deletes, ch->version.load(), read_ts);
    index::RowFilter visible(words->data(), seg->rows());
    // One entry per distinct key: test the key's bound before its rows' visibility.
    seg->pk_index().ForEach([&](const PrimaryKey& pk, const segment::PkRowIndex::Rows& rows) {
      if (!keys.Wants(pk)) return;
      for (uint32_t row : rows) {
        if (visible.Allows(row)) {
          keys.Add(pk);
          break;
        }
      }
    });
  }
  out.pks = keys.Take();
  return out;
}

}  // namespace vdb::query
