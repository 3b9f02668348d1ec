// The entity routes (entities.h): insert, upsert, delete, get, query and search over the data
// plane. Writes are split by ShardOf(pk) into one WriteRequest per channel, sent in parallel to
// each channel's streaming node and acknowledged once all are durable. Reads pick one read
// timestamp per request (from the consistency level) and fan out per channel to the streaming
// node (excluding the sealed segments routed to query nodes) and to each query node with its
// segment list, then merge keeping the newest version of each key.
#include "proxy/entities.h"

#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/env.h"
#include "common/logging.h"
#include "proxy/entities_filter.h"
#include "proxy/entities_insert_body.h"
#include "proxy/entities_rows.h"
#include "proxy/proxy.h"
#include "rpc/envelope.h"
#include "rpc/http.h"
#include "rpc/query_client.h"
#include "rpc/stream_client.h"
#include "segment/column_codec.h"

namespace vdb::proxy {

using nlohmann::json;

namespace {

constexpr int kMilvusBadId = 1806;
constexpr int64_t kMaxTopK = 16384;
constexpr int64_t kIdBlock = 10000;

// One channel of a collection as reads see it.
struct ChannelPlan {
  std::string channel;
  int32_t shard = 0;
  std::string streaming_address;
  std::vector<SegmentId> exclude;  // sealed segments served by query nodes
  std::map<std::string, std::vector<SegmentId>> query_segments;  // query node -> its segments
};

// Where a read goes and at which timestamp.
struct ReadContext {
  std::shared_ptr<const rpc::Catalog> catalog;
  const rpc::CollectionInfo* collection = nullptr;
  std::vector<ChannelPlan> channels;  // by shard
  std::vector<PartitionId> partitions;
  Timestamp read_ts = 0;
};

// Runs every task, all but the last on their own threads, and returns their results in order.
template <typename T>
std::vector<Result<T>> RunAll(std::vector<std::function<Result<T>()>> tasks) {
  std::vector<std::future<Result<T>>> futures;
  for (size_t i = 0; i + 1 < tasks.size(); ++i) {
    futures.push_back(std::async(std::launch::async, tasks[i]));
  }
  std::vector<Result<T>> out;
  out.reserve(tasks.size());
  std::optional<Result<T>> last;
  if (!tasks.empty()) last.emplace(tasks.back()());
  for (auto& f : futures) out.push_back(f.get());
  if (last) out.push_back(std::move(*last));
  return out;
}

Status NotLoaded(const rpc::CollectionInfo& c) {
  return rpc::WithMilvusCode(
      kMilvusCollectionNotLoaded,
      Status::InvalidArgument("collection not loaded[collection=" + c.name + "]"));
}

Status PartitionNotLoaded(const std::string& name) {
  return rpc::WithMilvusCode(
      kMilvusPartitionNotLoaded,
      Status::InvalidArgument("partition not loaded[partition=" + name + "]"));
}

uint8_t MetricCode(std::string_view metric) {
  if (metric == "IP") return 1;
  if (metric == "COSINE") return 2;
  return 0;
}

bool HigherIsBetter(uint8_t metric) { return metric != 0; }

class EntityService {
 public:
  explicit EntityService(Proxy* proxy) : proxy_(proxy) {}

  Status InsertRaw(const RawCall& call, rpc::Response* response, bool upsert);
  Result<json> Delete(ApiCall& call);
  Result<json> Get(ApiCall& call);
  Result<json> Query(ApiCall& call);
  Result<json> Search(ApiCall& call);
  Result<int64_t> CountRows(const rpc::CollectionInfo& collection,
                            std::optional<PartitionId> partition, uint64_t deadline_us);

 private:
  rpc::StreamClient& Stream(const std::string& address);
  rpc::QueryClient& QueryNode(const std::string& address);
  Result<std::vector<int64_t>> AllocateIds(size_t count);
  int64_t RemainingMs(uint64_t deadline_us) const;

  Result<std::vector<ChannelPlan>> PlanChannels(const rpc::Catalog& catalog,
                                                const rpc::CollectionInfo& collection) const;
  Result<Timestamp> ReadTimestamp(const JsonBody& body, const rpc::CollectionInfo& c);
  Result<std::vector<PartitionId>> ResolvePartitions(const JsonBody& body,
                                                     const rpc::CollectionInfo& c);
  // Runs `read` on a fresh ReadContext; on kUnavailable (a query node not serving a segment yet,
  // a channel moving) refreshes the catalog once and retries.
  Result<json> ReadWithRetry(ApiCall& call, bool need_loaded,
                             const std::function<Result<json>(ReadContext&)>& read);

  Result<std::vector<std::pair<PrimaryKey, json>>> FetchRows(const ReadContext& ctx,
                                                             const std::vector<PrimaryKey>& pks,
                                                             const OutputSpec& spec,
                                                             uint64_t deadline_us,
                                                             bool allow_int64);
  Result<uint64_t> Count(const ReadContext& ctx, uint64_t deadline_us);
  // The `limit` smallest distinct keys visible to the read, ascending.
  Result<std::vector<PrimaryKey>> ScanPks(const ReadContext& ctx, int64_t limit,
                                          uint64_t deadline_us);
  Result<std::vector<std::vector<rpc::SearchHit>>> SearchHits(const ReadContext& ctx,
                                                              const rpc::SearchRequest& base,
                                                              uint64_t deadline_us);
  Status SendToChannel(const std::string& channel, uint64_t deadline_us,
                       const std::function<Status(rpc::StreamClient&, int64_t timeout_ms)>& send);
  Status WriteShard(const rpc::CollectionInfo& c, int32_t shard, rpc::WriteRequest request,
                    uint64_t deadline_us);
  Status DeleteShard(const rpc::CollectionInfo& c, int32_t shard, std::vector<PrimaryKey> pks,
                     uint64_t deadline_us);

  struct InsertArgs {
    std::string db_name;
    std::string name;
    std::string partition_name;
    bool upsert = false;
    bool allow_int64 = true;
    uint64_t deadline_us = 0;
  };
  // Parses `row_count` rows (given the auto ids, if any) and writes them; returns "data".
  Result<json> Insert(const InsertArgs& args, size_t row_count,
                      const std::function<Result<ParsedRows>(const CollectionSchema&,
                                                             const std::vector<int64_t>&)>& parse);

  Proxy* const proxy_;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<rpc::StreamClient>> streams_;  // GUARDED_BY
  std::unordered_map<std::string, std::unique_ptr<rpc::QueryClient>> queries_;   // GUARDED_BY
  int64_t next_id_ = 0;                                                          // GUARDED_BY
  int64_t end_id_ = 0;                                                           // GUARDED_BY
};

rpc::StreamClient& EntityService::Stream(const std::string& address) {
  std::lock_guard lock(mu_);
  auto& slot = streams_[address];
  if (!slot) slot = std::make_unique<rpc::StreamClient>(address);
  return *slot;
}

rpc::QueryClient& EntityService::QueryNode(const std::string& address) {
  std::lock_guard lock(mu_);
  auto& slot = queries_[address];
  if (!slot) slot = std::make_unique<rpc::QueryClient>(address);
  return *slot;
}

Result<std::vector<int64_t>> EntityService::AllocateIds(size_t count) {
  std::vector<int64_t> ids;
  ids.reserve(count);
  std::unique_lock lock(mu_);
  while (ids.size() < count) {
    if (next_id_ >= end_id_) {
      int64_t want = std::max<int64_t>(kIdBlock, static_cast<int64_t>(count - ids.size()));
      lock.unlock();
      auto first = proxy_->coord().AllocateIds(want);
      lock.lock();
      if (!first.ok()) return first.status().WithContext("allocating primary keys");
      next_id_ = *first;
      end_id_ = *first + want;
    }
    while (ids.size() < count && next_id_ < end_id_) ids.push_back(next_id_++);
  }
  return ids;
}

int64_t EntityService::RemainingMs(uint64_t deadline_us) const {
  uint64_t now = proxy_->env()->MonotonicMicros();
  if (now >= deadline_us) return 1;
  return std::max<int64_t>(1, static_cast<int64_t>((deadline_us - now) / 1000));
}

Result<std::vector<ChannelPlan>> EntityService::PlanChannels(
    const rpc::Catalog& catalog, const rpc::CollectionInfo& collection) const {
  std::vector<ChannelPlan> plans(static_cast<size_t>(std::max(1, collection.shards_num)));
  for (size_t s = 0; s < plans.size(); ++s) {
    plans[s].shard = static_cast<int32_t>(s);
    plans[s].channel = rpc::ChannelName(collection.id, static_cast<int32_t>(s));
  }
  for (const rpc::ChannelInfo* ch : catalog.ChannelsOf(collection.id)) {
    if (ch->shard < 0 || static_cast<size_t>(ch->shard) >= plans.size()) continue;
    ChannelPlan& plan = plans[static_cast<size_t>(ch->shard)];
    plan.channel = ch->name;
    plan.streaming_address = ch->streaming_address;
    for (const rpc::SegmentInfo* seg : catalog.SegmentsOf(ch->name)) {
      if (seg->query_node_id.value() == 0 || seg->query_address.empty()) continue;
      plan.exclude.push_back(seg->id);
      plan.query_segments[seg->query_address].push_back(seg->id);
    }
  }
  for (const ChannelPlan& plan : plans) {
    if (plan.streaming_address.empty()) {
      return Status::Unavailable("channel " + plan.channel + " has no streaming node");
    }
  }
  return plans;
}

Result<Timestamp> EntityService::ReadTimestamp(const JsonBody& body, const rpc::CollectionInfo& c) {
  VDB_ASSIGN_OR_RETURN(std::string level, body.String("consistencyLevel"));
  if (level.empty()) level = c.consistency_level;
  if (level == "Strong" || level == "Session" || level.empty()) {
    return proxy_->coord().AllocateTimestamps(1);
  }
  // Bounded, like Milvus, bounds how long a read may wait, not what it sees: a read at
  // now - staleness would hide every row written in the last few seconds. On one machine each
  // channel's tsafe trails the newest write by milliseconds, so a Bounded read is served at the
  // channel's current tsafe (read_ts 0), which is always within the bound; the query nodes'
  // delete refresh (1 s) keeps sealed data within it too.
  if (level == "Bounded" || level == "Customized" || level == "Eventually") return Timestamp{0};
  return InvalidParam("consistencyLevel " + level +
                      " is not one of Strong, Bounded, Session, Eventually");
}

Result<std::vector<PartitionId>> EntityService::ResolvePartitions(const JsonBody& body,
                                                                  const rpc::CollectionInfo& c) {
  VDB_ASSIGN_OR_RETURN(std::vector<std::string> names, body.StringList("partitionNames"));
  std::vector<PartitionId> ids;
  for (const std::string& name : names) {
    const rpc::PartitionInfo* p = c.FindPartition(name);
    if (p == nullptr) return PartitionNotFound(name);
    if (!c.PartitionLoaded(p->id)) return PartitionNotLoaded(name);
    ids.push_back(p->id);
  }
  if (!ids.empty()) return ids;
  // No names: the loaded partitions, sent as an empty list (all of them) when none is released.
  ids = c.LoadedPartitionIds();
  if (ids.size() == c.partitions.size()) ids.clear();
  return ids;
}

Result<json> EntityService::ReadWithRetry(ApiCall& call, bool need_loaded,
                                          const std::function<Result<json>(ReadContext&)>& read) {
  VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", /*required=*/true));
  Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    ReadContext ctx;
    VDB_ASSIGN_OR_RETURN(ctx.catalog, proxy_->ReadyCatalog());
    VDB_ASSIGN_OR_RETURN(ctx.collection, Proxy::FindCollection(*ctx.catalog, call.db_name, name));
    if (need_loaded && ctx.collection->load_state != rpc::LoadState::kLoaded) {
      return NotLoaded(*ctx.collection);
    }
    VDB_ASSIGN_OR_RETURN(ctx.partitions, ResolvePartitions(call.body, *ctx.collection));
    auto plans = PlanChannels(*ctx.catalog, *ctx.collection);
    if (plans.ok()) {
      ctx.channels = std::move(*plans);
      VDB_ASSIGN_OR_RETURN(ctx.read_ts, ReadTimestamp(call.body, *ctx.collection));
      Result<json> result = read(ctx);
      if (result.ok() || result.status().code() != StatusCode::kUnavailable) return result;
      last = result.status();
    } else {
      last = plans.status();
    }
    if (attempt == 0) {
      uint64_t wait_until =
          std::min<uint64_t>(call.deadline_us, proxy_->env()->MonotonicMicros() + 1'500'000);
      // A newer catalog may route the segment to its new node; if none comes, retry anyway.
      (void)proxy_->WaitForRevision(ctx.catalog->revision + 1, wait_until);
    }
  }
  return last;
}

// --- Reads ------------------------------------------------------------------------------------

Result<std::vector<std::pair<PrimaryKey, json>>> EntityService::FetchRows(
    const ReadContext& ctx, const std::vector<PrimaryKey>& pks, const OutputSpec& spec,
    uint64_t deadline_us, bool allow_int64) {
  const CollectionSchema& schema = ctx.collection->schema;
  std::set<FieldId> ids;
  for (const FieldSchema* f : spec.fields) ids.insert(f->id);
  ids.insert(schema.PrimaryKeyField()->id);
  if (spec.needs_meta()) {
    if (const FieldSchema* meta = schema.FindField(kDynamicFieldName)) ids.insert(meta->id);
  }
  std::vector<FieldSchema> out_fields;
  std::vector<FieldId> out_ids;
  for (const FieldSchema& f : schema.fields) {
    if (ids.count(f.id) == 0) continue;
    out_fields.push_back(f);
    out_ids.push_back(f.id);
  }
  std::vector<std::vector<PrimaryKey>> by_shard(ctx.channels.size());
  for (const PrimaryKey& pk : pks) {
    by_shard[static_cast<size_t>(ShardOf(pk, static_cast<int32_t>(ctx.channels.size())))].push_back(
        pk);
  }
  std::vector<std::function<Result<rpc::GetResponse>()>> tasks;
  for (size_t s = 0; s < ctx.channels.size(); ++s) {
    if (by_shard[s].empty()) continue;
    const ChannelPlan& plan = ctx.channels[s];
    rpc::GetRequest get{ctx.collection->id, plan.channel, by_shard[s], ctx.read_ts, out_ids,
                        ctx.partitions,     plan.exclude};
    tasks.push_back([this, get, &plan, deadline_us] {
      return Stream(plan.streaming_address).Get(get, RemainingMs(deadline_us));
    });
    for (const auto& [address, segments] : plan.query_segments) {
      rpc::QueryGetRequest qget{get, segments};
      qget.get.exclude_segment_ids.clear();
      tasks.push_back([this, qget, address = address, deadline_us] {
        return QueryNode(address).Get(qget, RemainingMs(deadline_us));
      });
    }
  }
  std::map<PrimaryKey, std::pair<Timestamp, json>> best;
  for (auto& result : RunAll(std::move(tasks))) {
    if (!result.ok()) return result.status();
    size_t rows = 0;
    VDB_ASSIGN_OR_RETURN(auto columns, segment::DecodeColumns(out_fields, result->columns, &rows));
    if (rows != result->pks.size() || result->ts.size() != rows) {
      return Status::Corruption("get answer with " + std::to_string(rows) + " rows for " +
                                std::to_string(result->pks.size()) + " keys");
    }
    for (size_t i = 0; i < rows; ++i) {
      auto it = best.find(result->pks[i]);
      if (it != best.end() && it->second.first >= result->ts[i]) continue;
      json row = json::object();
      AppendOutputRow(spec, out_fields, columns, i, allow_int64, &row);
      best[result->pks[i]] = {result->ts[i], std::move(row)};
    }
  }
  std::vector<std::pair<PrimaryKey, json>> out;
  for (const PrimaryKey& pk : pks) {
    auto it = best.find(pk);
    if (it != best.end()) out.emplace_back(pk, std::move(it->second.second));
  }
  return out;
}

Result<uint64_t> EntityService::Count(const ReadContext& ctx, uint64_t deadline_us) {
  std::vector<std::function<Result<rpc::CountResponse>()>> tasks;
  for (const ChannelPlan& plan : ctx.channels) {
    rpc::CountRequest count{ctx.collection->id, plan.channel, ctx.read_ts, plan.exclude,
                            ctx.partitions};
    tasks.push_back([this, count, &plan, deadline_us] {
      return Stream(plan.streaming_address).Count(count, RemainingMs(deadline_us));
    });
    for (const auto& [address, segments] : plan.query_segments) {
      rpc::QueryCountRequest q{count, segments};
      q.count.exclude_segment_ids.clear();
      tasks.push_back([this, q, address = address, deadline_us] {
        return QueryNode(address).Count(q, RemainingMs(deadline_us));
      });
    }
  }
  uint64_t total = 0;
  for (auto& result : RunAll(std::move(tasks))) {
    if (!result.ok()) return result.status();
    total += result->count;
  }
  return total;
}

// Fans the scan out like Count (same read timestamp and segment routing); every source answers
// its own `limit` smallest keys, so the merged `limit` smallest are among them.
Result<std::vector<PrimaryKey>> EntityService::ScanPks(const ReadContext& ctx, int64_t limit,
                                                       uint64_t deadline_us) {
  std::vector<std::function<Result<rpc::ScanResponse>()>> tasks;
  for (const ChannelPlan& plan : ctx.channels) {
    rpc::ScanRequest scan{ctx.collection->id, plan.channel, ctx.read_ts, plan.exclude,
                          ctx.partitions,     limit,        std::nullopt};
    tasks.push_back([this, scan, &plan, deadline_us] {
      return Stream(plan.streaming_address).Scan(scan, RemainingMs(deadline_us));
    });
    for (const auto& [address, segments] : plan.query_segments) {
      rpc::QueryScanRequest q{scan, segments};
      q.scan.exclude_segment_ids.clear();
      tasks.push_back([this, q, address = address, deadline_us] {
        return QueryNode(address).Scan(q, RemainingMs(deadline_us));
      });
    }
  }
  rpc::ScanKeys merged(std::nullopt, static_cast<size_t>(limit));
  for (auto& result : RunAll(std::move(tasks))) {
    if (!result.ok()) return result.status();
    for (const PrimaryKey& pk : result->pks) merged.Add(pk);
  }
  return merged.Take();
}

Result<std::vector<std::vector<rpc::SearchHit>>> EntityService::SearchHits(
    const ReadContext& ctx, const rpc::SearchRequest& base, uint64_t deadline_us) {
  std::vector<std::function<Result<rpc::SearchPartial>()>> tasks;
  for (const ChannelPlan& plan : ctx.channels) {
    rpc::SearchRequest search = base;
    search.channel = plan.channel;
    search.read_ts = ctx.read_ts;
    search.partition_ids = ctx.partitions;
    search.exclude_segment_ids = plan.exclude;
    tasks.push_back([this, search, &plan, deadline_us] {
      return Stream(plan.streaming_address).Search(search, RemainingMs(deadline_us));
    });
    for (const auto& [address, segments] : plan.query_segments) {
      rpc::QuerySearchRequest q{search, segments};
      q.search.exclude_segment_ids.clear();
      tasks.push_back([this, q, address = address, deadline_us] {
        return QueryNode(address).Search(q, RemainingMs(deadline_us));
      });
    }
  }
  const bool higher_better = HigherIsBetter(base.metric);
  std::vector<std::vector<rpc::SearchHit>> merged(static_cast<size_t>(base.nq));
  std::vector<std::map<PrimaryKey, size_t>> seen(static_cast<size_t>(base.nq));
  for (auto& result : RunAll(std::move(tasks))) {
    if (!result.ok()) return result.status();
    for (size_t q = 0; q < merged.size() && q < result->hits.size(); ++q) {
      for (rpc::SearchHit& hit : result->hits[q]) {
        auto [it, fresh] = seen[q].emplace(hit.pk, merged[q].size());
        if (fresh) {
          merged[q].push_back(std::move(hit));
        } else if (hit.ts > merged[q][it->second].ts) {
          merged[q][it->second] = std::move(hit);  // one hit per key: its newest version
        }
      }
    }
  }
  for (auto& hits : merged) {
    std::stable_sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
      return higher_better ? a.distance > b.distance : a.distance < b.distance;
    });
  }
  return merged;
}

// --- Writes -----------------------------------------------------------------------------------

// Sends to the streaming node of `channel` with `send`, retrying while the channel is not served
// (kUnavailable before anything was written: not bound yet, or the node not caught up).
Status EntityService::SendToChannel(
    const std::string& channel, uint64_t deadline_us,
    const std::function<Status(rpc::StreamClient&, int64_t timeout_ms)>& send) {
  while (true) {
    Status s;
    auto catalog = proxy_->catalog();
    const rpc::ChannelInfo* ch = catalog ? catalog->FindChannel(channel) : nullptr;
    if (ch == nullptr || ch->streaming_address.empty()) {
      s = Status::Unavailable("channel " + channel + " has no streaming node");
    } else {
      s = send(Stream(ch->streaming_address), RemainingMs(deadline_us));
    }
    if (s.code() != StatusCode::kUnavailable ||
        proxy_->env()->MonotonicMicros() + 50'000 >= deadline_us) {
      return s;
    }
    proxy_->env()->SleepForMicros(20'000);
  }
}

Status EntityService::WriteShard(const rpc::CollectionInfo& c, int32_t shard,
                                 rpc::WriteRequest request, uint64_t deadline_us) {
  request.channel = rpc::ChannelName(c.id, shard);
  return SendToChannel(request.channel, deadline_us, [&](rpc::StreamClient& s, int64_t ms) {
    return s.Write(request, ms).status();
  });
}

Status EntityService::DeleteShard(const rpc::CollectionInfo& c, int32_t shard,
                                  std::vector<PrimaryKey> pks, uint64_t deadline_us) {
  rpc::DeleteRequest request{c.id, rpc::ChannelName(c.id, shard), std::move(pks)};
  return SendToChannel(request.channel, deadline_us, [&](rpc::StreamClient& s, int64_t ms) {
    return s.Delete(request, ms).status();
  });
}

Status EntityService::InsertRaw(const RawCall& call, rpc::Response* response, bool upsert) {
  VDB_ASSIGN_OR_RETURN(InsertBodyText split, SplitInsertBody(call.http->body));
  JsonBody body(std::move(split.rest));
  InsertArgs args;
  VDB_ASSIGN_OR_RETURN(std::string db, body.String("dbName"));
  args.db_name = ResolveDbName(db, *call.http);
  VDB_ASSIGN_OR_RETURN(args.name, body.String("collectionName", /*required=*/true));
  VDB_ASSIGN_OR_RETURN(args.partition_name, body.String("partitionName"));
  if (split.data.empty()) return MissingParam("data");
  VDB_ASSIGN_OR_RETURN(size_t row_count, proxy::CountRows(split.data));
  if (row_count == 0) return MissingParam("data");
  args.upsert = upsert;
  args.allow_int64 = call.allow_int64;
  args.deadline_us = call.deadline_us;
  VDB_ASSIGN_OR_RETURN(
      json data,
      Insert(args, row_count, [&](const CollectionSchema& schema, const std::vector<int64_t>& ids) {
        return ParseRowsText(schema, split.data, ids);
      }));
  json envelope = rpc::SuccessEnvelope(std::move(data));
  envelope["cost"] = 0;
  rpc::WriteEnvelope(envelope, response);
  return Status::OK();
}

Result<json> EntityService::Insert(
    const InsertArgs& args, size_t row_count,
    const std::function<Result<ParsedRows>(const CollectionSchema&, const std::vector<int64_t>&)>&
        parse) {
  const bool upsert = args.upsert;
  VDB_ASSIGN_OR_RETURN(auto catalog, proxy_->ReadyCatalog());
  VDB_ASSIGN_OR_RETURN(const rpc::CollectionInfo* c,
                       Proxy::FindCollection(*catalog, args.db_name, args.name));
  std::string partition_name = args.partition_name;
  if (partition_name.empty()) partition_name = std::string(rpc::kDefaultPartition);
  const rpc::PartitionInfo* partition = c->FindPartition(partition_name);
  if (partition == nullptr) return PartitionNotFound(partition_name);
  const FieldSchema* pk = c->schema.PrimaryKeyField();
  if (pk == nullptr) return Status::Internal("collection " + c->name + " has no primary key");

  std::vector<int64_t> auto_ids;
  if (pk->auto_id && !upsert) {
    VDB_ASSIGN_OR_RETURN(auto_ids, AllocateIds(row_count));
  }
  VDB_ASSIGN_OR_RETURN(ParsedRows rows, parse(c->schema, auto_ids));

  const int32_t shards = std::max(1, c->shards_num);
  std::vector<std::vector<uint32_t>> by_shard(static_cast<size_t>(shards));
  for (size_t r = 0; r < rows.num_rows; ++r) {
    by_shard[static_cast<size_t>(ShardOf(rows.pks[r], shards))].push_back(static_cast<uint32_t>(r));
  }
  std::vector<std::function<Result<bool>()>> tasks;
  for (int32_t s = 0; s < shards; ++s) {
    const auto& indices = by_shard[static_cast<size_t>(s)];
    if (indices.empty()) continue;
    rpc::WriteRequest request;
    request.collection_id = c->id;
    request.partition_id = partition->id;
    request.kind = upsert ? rpc::WriteKind::kUpsert : rpc::WriteKind::kInsert;
    request.num_rows = indices.size();
    if (indices.size() == rows.num_rows) {
      request.columns = segment::EncodeColumns(c->schema.fields, rows.columns);
    } else {
      request.columns = segment::EncodeColumns(c->schema.fields,
                                               SelectRows(c->schema.fields, rows.columns, indices));
    }
    tasks.push_back([this, c, s, request = std::move(request), &args]() -> Result<bool> {
      VDB_RETURN_IF_ERROR(WriteShard(*c, s, std::move(request), args.deadline_us));
      return true;
    });
  }
  for (auto& result : RunAll(std::move(tasks))) VDB_RETURN_IF_ERROR(result.status());

  json ids = json::array();
  for (const PrimaryKey& key : rows.pks) ids.push_back(PkJson(key, args.allow_int64));
  proxy_->metrics().AddRows(upsert ? "upserted" : "inserted", rows.num_rows);
  if (upsert) return json{{"upsertCount", rows.num_rows}, {"upsertIds", std::move(ids)}};
  return json{{"insertCount", rows.num_rows}, {"insertIds", std::move(ids)}};
}

Result<json> EntityService::Delete(ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", /*required=*/true));
  VDB_ASSIGN_OR_RETURN(std::string filter, call.body.String("filter", /*required=*/true));
  VDB_ASSIGN_OR_RETURN(std::string partition_name, call.body.String("partitionName"));
  VDB_ASSIGN_OR_RETURN(auto catalog, proxy_->ReadyCatalog());
  VDB_ASSIGN_OR_RETURN(const rpc::CollectionInfo* c,
                       Proxy::FindCollection(*catalog, call.db_name, name));
  if (!partition_name.empty() && c->FindPartition(partition_name) == nullptr) {
    return PartitionNotFound(partition_name);
  }
  VDB_ASSIGN_OR_RETURN(PkFilter parsed, ParsePkFilter(filter, *c->schema.PrimaryKeyField()));
  if (parsed.match_all) return MissingParam("filter");
  const int32_t shards = std::max(1, c->shards_num);
  std::vector<std::vector<PrimaryKey>> by_shard(static_cast<size_t>(shards));
  for (const PrimaryKey& key : parsed.pks) {
    by_shard[static_cast<size_t>(ShardOf(key, shards))].push_back(key);
  }
  std::vector<std::function<Result<bool>()>> tasks;
  for (int32_t s = 0; s < shards; ++s) {
    if (by_shard[static_cast<size_t>(s)].empty()) continue;
    tasks.push_back(
        [this, c, s, keys = std::move(by_shard[static_cast<size_t>(s)]), &call]() -> Result<bool> {
          VDB_RETURN_IF_ERROR(DeleteShard(*c, s, keys, call.deadline_us));
          return true;
        });
  }
  for (auto& result : RunAll(std::move(tasks))) VDB_RETURN_IF_ERROR(result.status());
  proxy_->metrics().AddRows("deleted", parsed.pks.size());
  return json{{"deleteCount", parsed.pks.size()}};
}

// The `id` of get: a scalar or a list of the primary key's type.
Result<std::vector<PrimaryKey>> ParseIds(const json* id, const FieldSchema& pk) {
  if (id == nullptr) return MissingParam("id");
  std::vector<const json*> values;
  if (id->is_array()) {
    for (const json& v : *id) values.push_back(&v);
  } else {
    values.push_back(id);
  }
  std::vector<PrimaryKey> out;
  std::set<PrimaryKey> seen;
  for (const json* v : values) {
    PrimaryKey key;
    if (pk.type == DataType::kInt64) {
      std::optional<int64_t> i = LooseInt(*v);
      if (!i) {
        return rpc::WithMilvusCode(
            kMilvusBadId, Status::InvalidArgument("fail to deal the id, error: " + v->dump() +
                                                  " is not an Int64 key"));
      }
      key = *i;
    } else {
      if (!v->is_string()) {
        return rpc::WithMilvusCode(
            kMilvusBadId, Status::InvalidArgument("fail to deal the id, error: " + v->dump() +
                                                  " is not a VarChar key"));
      }
      key = v->get<std::string>();
    }
    if (seen.insert(key).second) out.push_back(std::move(key));
  }
  return out;
}

Result<std::vector<std::string>> OutputFieldNames(const JsonBody& body, bool star_default) {
  VDB_ASSIGN_OR_RETURN(std::vector<std::string> names, body.StringList("outputFields"));
  if (names.empty() && star_default) names.push_back("*");
  return names;
}

Result<json> EntityService::Get(ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(std::vector<std::string> names, OutputFieldNames(call.body, true));
  const json* id = call.body.Find("id");
  return ReadWithRetry(call, true, [&](ReadContext& ctx) -> Result<json> {
    const CollectionSchema& schema = ctx.collection->schema;
    VDB_ASSIGN_OR_RETURN(std::vector<PrimaryKey> pks, ParseIds(id, *schema.PrimaryKeyField()));
    VDB_ASSIGN_OR_RETURN(OutputSpec spec, ResolveOutputFields(schema, names, true));
    VDB_ASSIGN_OR_RETURN(auto rows, FetchRows(ctx, pks, spec, call.deadline_us, call.allow_int64));
    json out = json::array();
    for (auto& [key, row] : rows) out.push_back(std::move(row));
    call.extra["cost"] = 0;
    proxy_->metrics().AddRows("returned", out.size());
    return out;
  });
}

Result<json> EntityService::Query(ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(std::vector<std::string> names, OutputFieldNames(call.body, true));
  VDB_ASSIGN_OR_RETURN(std::string filter, call.body.String("filter"));
  VDB_ASSIGN_OR_RETURN(std::optional<int64_t> limit, call.body.Int("limit"));
  VDB_ASSIGN_OR_RETURN(std::optional<int64_t> offset, call.body.Int("offset"));
  bool count_star = std::find(names.begin(), names.end(), "count(*)") != names.end();
  if (count_star) names.erase(std::remove(names.begin(), names.end(), "count(*)"), names.end());
  int64_t lim = limit.value_or(100);
  int64_t off = offset.value_or(0);
  if (!count_star && (lim <= 0 || off < 0 || lim + off > kMaxTopK)) {
    return Unexpected(StatusCode::kInvalidArgument,
                      "invalid max query result window, (offset+limit) should be in range [1, " +
                          std::to_string(kMaxTopK) + "], but got offset=" + std::to_string(off) +
                          " limit=" + std::to_string(lim));
  }
  return ReadWithRetry(call, true, [&](ReadContext& ctx) -> Result<json> {
    const CollectionSchema& schema = ctx.collection->schema;
    const FieldSchema& pk = *schema.PrimaryKeyField();
    VDB_ASSIGN_OR_RETURN(PkFilter parsed, ParsePkFilter(filter, pk));
    call.extra["cost"] = 0;
    if (count_star) {
      int64_t n = 0;
      if (parsed.match_all) {
        VDB_ASSIGN_OR_RETURN(uint64_t total, Count(ctx, call.deadline_us));
        n = static_cast<int64_t>(total);
      } else {
        OutputSpec pk_only;
        pk_only.fields.push_back(&pk);
        VDB_ASSIGN_OR_RETURN(
            auto rows, FetchRows(ctx, parsed.pks, pk_only, call.deadline_us, call.allow_int64));
        n = static_cast<int64_t>(rows.size());
      }
      return json::array({json{{"count(*)", n}}});
    }
    VDB_ASSIGN_OR_RETURN(OutputSpec spec, ResolveOutputFields(schema, names, true));
    std::vector<PrimaryKey> keys = parsed.pks;
    size_t skip = static_cast<size_t>(off);
    if (parsed.match_all) {
      // A scan in primary-key order: stable pages, and no vector field needed. Only the page's
      // own keys are fetched.
      VDB_ASSIGN_OR_RETURN(keys, ScanPks(ctx, off + lim, call.deadline_us));
      keys.erase(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(std::min(skip, keys.size())));
      skip = 0;
    }
    VDB_ASSIGN_OR_RETURN(auto rows, FetchRows(ctx, keys, spec, call.deadline_us, call.allow_int64));
    json out = json::array();
    for (size_t i = skip; i < rows.size() && out.size() < size_t(lim); ++i) {
      out.push_back(std::move(rows[i].second));
    }
    proxy_->metrics().AddRows("returned", out.size());
    return out;
  });
}

// searchParams: {metricType, params{...}, other keys merged into params}; returns ef/nprobe.
Result<int64_t> ParseSearchParams(const JsonBody& body, const std::string& index_metric) {
  VDB_ASSIGN_OR_RETURN(const json* sp, body.Object("searchParams"));
  if (sp == nullptr) return int64_t{0};
  if (const json* metric = FindMember(*sp, "metricType")) {
    if (!metric->is_string()) return BadJson("searchParams.metricType must be a string");
    std::string m = metric->get<std::string>();
    if (!m.empty() && !index_metric.empty() && m != index_metric) {
      return InvalidParam("metric type not match: invalid parameter[expected=" + index_metric +
                          "][actual=" + m + "]");
    }
  }
  int64_t ef = 0;
  auto take = [&](const json& obj) {
    for (const char* key : {"ef", "nprobe", "search_list"}) {
      if (const json* v = FindMember(obj, key)) {
        if (std::optional<int64_t> i = LooseInt(*v)) ef = std::max(ef, *i);
      }
    }
  };
  take(*sp);
  if (const json* params = FindMember(*sp, "params")) {
    if (!params->is_object()) return BadJson("searchParams.params must be an object");
    take(*params);
  }
  return ef;
}

Result<json> EntityService::Search(ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(const json* data, call.body.Array("data"));
  if (data == nullptr || data->empty()) return MissingParam("data");
  VDB_ASSIGN_OR_RETURN(std::string anns, call.body.String("annsField"));
  VDB_ASSIGN_OR_RETURN(std::string filter, call.body.String("filter"));
  VDB_ASSIGN_OR_RETURN(std::optional<int64_t> limit, call.body.Int("limit"));
  VDB_ASSIGN_OR_RETURN(std::optional<int64_t> offset, call.body.Int("offset"));
  VDB_ASSIGN_OR_RETURN(std::vector<std::string> names, OutputFieldNames(call.body, false));
  int64_t lim = limit.value_or(100);
  int64_t off = offset.value_or(0);
  if (lim <= 0 || lim > kMaxTopK) {
    return Unexpected(StatusCode::kInvalidArgument,
                      "invalid limit " + std::to_string(lim) + ", should be in range [1, 16384]");
  }
  if (off < 0 || off > kMaxTopK || lim + off > kMaxTopK) {
    return Unexpected(
        StatusCode::kInvalidArgument,
        "invalid offset " + std::to_string(off) + ", offset + limit should be in range [1, 16384]");
  }
  return ReadWithRetry(call, true, [&](ReadContext& ctx) -> Result<json> {
    const CollectionSchema& schema = ctx.collection->schema;
    const FieldSchema& pk = *schema.PrimaryKeyField();
    const FieldSchema* vec = nullptr;
    if (anns.empty()) {
      for (const FieldSchema& f : schema.fields) {
        if (!IsVector(f.type)) continue;
        if (vec != nullptr) {
          return InvalidParam(
              "search without annsField, but already found multiple vector "
              "fields: [" +
              vec->name + ", " + f.name + "]");
        }
        vec = &f;
      }
    } else {
      vec = schema.FindField(anns);
      if (vec == nullptr || !IsVector(vec->type)) {
        return InvalidParam("annsField " + anns + " is not a vector field");
      }
    }
    if (vec == nullptr) return InvalidParam("collection has no vector field");
    if (vec->type != DataType::kFloatVector) {
      return InvalidParam("search on " + std::string(DataTypeName(vec->type)) +
                          " fields is not supported");
    }
    VDB_ASSIGN_OR_RETURN(PkFilter parsed, ParsePkFilter(filter, pk));
    if (!parsed.match_all) {
      return ParsePkFilter("<search filters are not supported yet>", pk).status();
    }
    const rpc::IndexInfo* index = ctx.collection->FindIndexOnField(vec->id);
    std::string metric = index ? index->metric_type : "";
    VDB_ASSIGN_OR_RETURN(int64_t ef, ParseSearchParams(call.body, metric));
    rpc::SearchRequest search;
    search.collection_id = ctx.collection->id;
    search.field_id = vec->id;
    search.metric = MetricCode(metric);
    search.nq = static_cast<int64_t>(data->size());
    search.dim = vec->dim;
    search.k = lim + off;
    search.ef = ef;
    search.vectors.reserve(data->size() * static_cast<size_t>(vec->dim));
    for (const json& q : *data) {
      if (!q.is_array() || static_cast<int64_t>(q.size()) != vec->dim) {
        return InvalidParam("vector dimension mismatch, expected vector size(byte) " +
                            std::to_string(vec->dim * 4) + ", actual " +
                            std::to_string(q.is_array() ? q.size() * 4 : 0));
      }
      for (const json& x : q) {
        if (!x.is_number()) return BadJson("search data must hold numbers");
        search.vectors.push_back(x.get<float>());
      }
    }
    VDB_ASSIGN_OR_RETURN(auto hits, SearchHits(ctx, search, call.deadline_us));
    VDB_ASSIGN_OR_RETURN(OutputSpec spec, ResolveOutputFields(schema, names, false));
    std::map<PrimaryKey, json> fetched;
    bool need_fetch = spec.needs_meta();
    for (const FieldSchema* f : spec.fields) need_fetch |= !f->primary_key;
    if (need_fetch) {
      std::vector<PrimaryKey> keys;
      std::set<PrimaryKey> seen;
      for (const auto& q : hits) {
        for (size_t i = static_cast<size_t>(off); i < q.size(); ++i) {
          if (seen.insert(q[i].pk).second) keys.push_back(q[i].pk);
        }
      }
      VDB_ASSIGN_OR_RETURN(auto rows,
                           FetchRows(ctx, keys, spec, call.deadline_us, call.allow_int64));
      for (auto& [key, row] : rows) fetched.emplace(key, std::move(row));
    }
    json out = json::array();
    json topks = json::array();
    for (const auto& q : hits) {
      int64_t n = 0;
      for (size_t i = static_cast<size_t>(off); i < q.size() && n < lim; ++i, ++n) {
        json row = json::object();
        row[pk.name] = PkJson(q[i].pk, call.allow_int64);
        row["distance"] = q[i].distance;
        auto it = fetched.find(q[i].pk);
        if (it != fetched.end()) {
          for (auto f = it->second.begin(); f != it->second.end(); ++f) {
            if (f.key() != pk.name) row[f.key()] = *f;
          }
        }
        out.push_back(std::move(row));
      }
      topks.push_back(n);
    }
    call.extra["cost"] = 0;
    proxy_->metrics().AddRows("searched", topks.size());
    proxy_->metrics().AddRows("returned", out.size());
    call.extra["topks"] = std::move(topks);
    return out;
  });
}

Result<int64_t> EntityService::CountRows(const rpc::CollectionInfo& collection,
                                         std::optional<PartitionId> partition,
                                         uint64_t deadline_us) {
  ReadContext ctx;
  VDB_ASSIGN_OR_RETURN(ctx.catalog, proxy_->ReadyCatalog());
  ctx.collection = ctx.catalog->FindCollection(collection.id);
  if (ctx.collection == nullptr) ctx.collection = &collection;
  if (partition) ctx.partitions.push_back(*partition);
  VDB_ASSIGN_OR_RETURN(ctx.channels, PlanChannels(*ctx.catalog, *ctx.collection));
  ctx.read_ts = 0;  // Eventually
  VDB_ASSIGN_OR_RETURN(uint64_t n, Count(ctx, deadline_us));
  return static_cast<int64_t>(n);
}

}  // namespace

void RegisterEntityRoutes(Proxy& proxy, rpc::HttpServer& /*server*/) {
  auto service = std::make_shared<EntityService>(&proxy);
  // Inserts skip the generic JSON body parse: their vectors are decoded straight from the text.
  proxy.RouteRaw("entities/insert", [service](const RawCall& call, rpc::Response* response) {
    return service->InsertRaw(call, response, false);
  });
  proxy.RouteRaw("entities/upsert", [service](const RawCall& call, rpc::Response* response) {
    return service->InsertRaw(call, response, true);
  });
  proxy.Route("entities/delete", [service](ApiCall& call) { return service->Delete(call); });
  proxy.Route("entities/get", [service](ApiCall& call) { return service->Get(call); });
  proxy.Route("entities/query", [service](ApiCall& call) { return service->Query(call); });
  proxy.Route("entities/search", [service](ApiCall& call) { return service->Search(call); });
  proxy.SetRowCounter([service](const rpc::CollectionInfo& collection,
                                std::optional<PartitionId> partition, uint64_t deadline_us) {
    return service->CountRows(collection, partition, deadline_us);
  });
}

}  // namespace vdb::proxy
