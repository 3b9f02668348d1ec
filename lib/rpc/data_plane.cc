#include "rpc/data_plane.h"

#include "common/check.h"
#include "rpc/wire.h"

namespace vdb::rpc {
namespace {

template <typename Id>
void PutIds(WireWriter* w, const std::vector<Id>& ids) {
  std::vector<int64_t> raw;
  raw.reserve(ids.size());
  for (const Id& id : ids) raw.push_back(static_cast<int64_t>(id.value()));
  w->PutI64s(raw);
}

template <typename Id>
Status GetIds(WireReader* r, std::string_view field, std::vector<Id>* ids) {
  std::vector<int64_t> raw;
  VDB_RETURN_IF_ERROR(r->GetI64s(field, &raw));
  ids->clear();
  ids->reserve(raw.size());
  for (int64_t v : raw) ids->emplace_back(static_cast<typename Id::rep_type>(v));
  return Status::OK();
}

template <typename Id>
Status GetId(WireReader* r, std::string_view field, Id* id) {
  int64_t v = 0;
  VDB_RETURN_IF_ERROR(r->GetI64(field, &v));
  *id = Id(static_cast<typename Id::rep_type>(v));
  return Status::OK();
}

Status BadValue(std::string_view what) {
  return Status::Corruption("data-plane message: bad " + std::string(what));
}

// Decodes `bytes` with `fn(reader, message)` and requires every byte consumed.
template <typename M, typename Fn>
Result<M> DecodeWith(std::string_view bytes, Fn fn) {
  WireReader r(bytes);
  M m;
  VDB_RETURN_IF_ERROR(fn(&r, &m));
  VDB_RETURN_IF_ERROR(r.ExpectEnd());
  return m;
}

}  // namespace

void PutPks(WireWriter* w, const std::vector<PrimaryKey>& pks) {
  if (pks.empty()) {
    w->PutU8(0);
    return;
  }
  if (std::holds_alternative<int64_t>(pks[0])) {
    w->PutU8(1);
    std::vector<int64_t> ints;
    ints.reserve(pks.size());
    for (const auto& pk : pks) {
      VDB_CHECK(std::holds_alternative<int64_t>(pk));
      ints.push_back(std::get<int64_t>(pk));
    }
    w->PutI64s(ints);
    return;
  }
  w->PutU8(2);
  w->PutU64(pks.size());
  for (const auto& pk : pks) {
    VDB_CHECK(std::holds_alternative<std::string>(pk));
    w->PutString(std::get<std::string>(pk));
  }
}

Status GetPks(WireReader* r, std::string_view field, std::vector<PrimaryKey>* pks) {
  uint8_t kind = 0;
  VDB_RETURN_IF_ERROR(r->GetU8(field, &kind));
  pks->clear();
  if (kind == 0) return Status::OK();
  if (kind == 1) {
    std::vector<int64_t> ints;
    VDB_RETURN_IF_ERROR(r->GetI64s(field, &ints));
    pks->reserve(ints.size());
    for (int64_t v : ints) pks->emplace_back(v);
    return Status::OK();
  }
  if (kind != 2) return BadValue(std::string(field) + " kind");
  uint64_t count = 0;
  VDB_RETURN_IF_ERROR(r->GetU64(field, &count));
  // No reserve: a lying count fails on the first missing string, each taking at least a byte.
  for (uint64_t i = 0; i < count; ++i) {
    std::string v;
    VDB_RETURN_IF_ERROR(r->GetString(field, &v));
    pks->emplace_back(std::move(v));
  }
  return Status::OK();
}

std::string EncodeWriteRequest(const WriteRequest& m) {
  WireWriter w;
  w.PutI64(m.collection_id.value());
  w.PutString(m.channel);
  w.PutI64(m.partition_id.value());
  w.PutU8(static_cast<uint8_t>(m.kind));
  w.PutU64(m.num_rows);
  w.PutString(m.columns);
  return w.Finish();
}

Result<WriteRequest> DecodeWriteRequest(std::string_view bytes) {
  return DecodeWith<WriteRequest>(bytes, [](WireReader* r, WriteRequest* m) -> Status {
    VDB_RETURN_IF_ERROR(GetId(r, "collection_id", &m->collection_id));
    VDB_RETURN_IF_ERROR(r->GetString("channel", &m->channel));
    VDB_RETURN_IF_ERROR(GetId(r, "partition_id", &m->partition_id));
    uint8_t kind = 0;
    VDB_RETURN_IF_ERROR(r->GetU8("kind", &kind));
    if (kind > 1) return BadValue("write kind");
    m->kind = static_cast<WriteKind>(kind);
    VDB_RETURN_IF_ERROR(r->GetU64("num_rows", &m->num_rows));
    return r->GetString("columns", &m->columns);
  });
}

std::string EncodeWriteResponse(const WriteResponse& m) {
  WireWriter w;
  w.PutU64(m.ts);
  w.PutU64(m.count);
  return w.Finish();
}

Result<WriteResponse> DecodeWriteResponse(std::string_view bytes) {
  return DecodeWith<WriteResponse>(bytes, [](WireReader* r, WriteResponse* m) -> Status {
    VDB_RETURN_IF_ERROR(r->GetU64("ts", &m->ts));
    return r->GetU64("count", &m->count);
  });
}

std::string EncodeDeleteRequest(const DeleteRequest& m) {
  WireWriter w;
  w.PutI64(m.collection_id.value());
  w.PutString(m.channel);
  PutPks(&w, m.pks);
  return w.Finish();
}

Result<DeleteRequest> DecodeDeleteRequest(std::string_view bytes) {
  return DecodeWith<DeleteRequest>(bytes, [](WireReader* r, DeleteRequest* m) -> Status {
    VDB_RETURN_IF_ERROR(GetId(r, "collection_id", &m->collection_id));
    VDB_RETURN_IF_ERROR(r->GetString("channel", &m->channel));
    return GetPks(r, "pks", &m->pks);
  });
}

std::string EncodeSearchRequest(const SearchRequest& m) {
  WireWriter w;
  w.PutI64(m.collection_id.value());
  w.PutString(m.channel);
  w.PutI64(m.field_id.value());
  w.PutU8(m.metric);
  w.PutI64(m.nq);
  w.PutI64(m.dim);
  w.PutFloats(m.vectors);
  w.PutI64(m.k);
  w.PutU64(m.read_ts);
  PutIds(&w, m.exclude_segment_ids);
  PutIds(&w, m.partition_ids);
  w.PutI64(m.ef);
  return w.Finish();
}

Result<SearchRequest> DecodeSearchRequest(std::string_view bytes) {
  return DecodeWith<SearchRequest>(bytes, [](WireReader* r, SearchRequest* m) -> Status {
    VDB_RETURN_IF_ERROR(GetId(r, "collection_id", &m->collection_id));
    VDB_RETURN_IF_ERROR(r->GetString("channel", &m->channel));
    VDB_RETURN_IF_ERROR(GetId(r, "field_id", &m->field_id));
    VDB_RETURN_IF_ERROR(r->GetU8("metric", &m->metric));
    VDB_RETURN_IF_ERROR(r->GetI64("nq", &m->nq));
    VDB_RETURN_IF_ERROR(r->GetI64("dim", &m->dim));
    VDB_RETURN_IF_ERROR(r->GetFloats("vectors", &m->vectors));
    if (m->nq < 0 || m->dim < 1 || m->dim > kMaxVectorDim ||
        static_cast<uint64_t>(m->nq) != m->vectors.size() / static_cast<uint64_t>(m->dim) ||
        m->vectors.size() % static_cast<uint64_t>(m->dim) != 0) {
      return BadValue("nq, dim or vector count");
    }
    VDB_RETURN_IF_ERROR(r->GetI64("k", &m->k));
    VDB_RETURN_IF_ERROR(r->GetU64("read_ts", &m->read_ts));
    VDB_RETURN_IF_ERROR(GetIds(r, "exclude_segment_ids", &m->exclude_segment_ids));
    VDB_RETURN_IF_ERROR(GetIds(r, "partition_ids", &m->partition_ids));
    return r->GetI64("ef", &m->ef);
  });
}

std::string EncodeSearchPartial(const SearchPartial& m) {
  WireWriter w;
  w.PutU64(m.hits.size());
  for (const auto& hits : m.hits) {
    std::vector<PrimaryKey> pks;
    std::vector<float> distances;
    std::vector<int64_t> ts, segments, rows;
    for (const SearchHit& h : hits) {
      pks.push_back(h.pk);
      distances.push_back(h.distance);
      ts.push_back(static_cast<int64_t>(h.ts));
      segments.push_back(h.segment_id.value());
      rows.push_back(h.row);
    }
    PutPks(&w, pks);
    w.PutFloats(distances);
    w.PutI64s(ts);
    w.PutI64s(segments);
    w.PutI64s(rows);
  }
  return w.Finish();
}

Result<SearchPartial> DecodeSearchPartial(std::string_view bytes) {
  return DecodeWith<SearchPartial>(bytes, [](WireReader* r, SearchPartial* m) -> Status {
    uint64_t nq = 0;
    VDB_RETURN_IF_ERROR(r->GetU64("nq", &nq));
    for (uint64_t q = 0; q < nq; ++q) {  // each query takes at least a byte: bounded by input
      std::vector<PrimaryKey> pks;
      std::vector<float> distances;
      std::vector<int64_t> ts, segments, rows;
      VDB_RETURN_IF_ERROR(GetPks(r, "hit pks", &pks));
      VDB_RETURN_IF_ERROR(r->GetFloats("hit distances", &distances));
      VDB_RETURN_IF_ERROR(r->GetI64s("hit ts", &ts));
      VDB_RETURN_IF_ERROR(r->GetI64s("hit segments", &segments));
      VDB_RETURN_IF_ERROR(r->GetI64s("hit rows", &rows));
      size_t n = pks.size();
      if (distances.size() != n || ts.size() != n || segments.size() != n || rows.size() != n) {
        return BadValue("hit list lengths");
      }
      std::vector<SearchHit> hits(n);
      for (size_t i = 0; i < n; ++i) {
        hits[i] = SearchHit{std::move(pks[i]), distances[i], static_cast<Timestamp>(ts[i]),
                            SegmentId(segments[i]), rows[i]};
      }
      m->hits.push_back(std::move(hits));
    }
    return Status::OK();
  });
}

std::string EncodeGetRequest(const GetRequest& m) {
  WireWriter w;
  w.PutI64(m.collection_id.value());
  w.PutString(m.channel);
  PutPks(&w, m.pks);
  w.PutU64(m.read_ts);
  PutIds(&w, m.output_field_ids);
  PutIds(&w, m.partition_ids);
  PutIds(&w, m.exclude_segment_ids);
  return w.Finish();
}

Result<GetRequest> DecodeGetRequest(std::string_view bytes) {
  return DecodeWith<GetRequest>(bytes, [](WireReader* r, GetRequest* m) -> Status {
    VDB_RETURN_IF_ERROR(GetId(r, "collection_id", &m->collection_id));
    VDB_RETURN_IF_ERROR(r->GetString("channel", &m->channel));
    VDB_RETURN_IF_ERROR(GetPks(r, "pks", &m->pks));
    VDB_RETURN_IF_ERROR(r->GetU64("read_ts", &m->read_ts));
    VDB_RETURN_IF_ERROR(GetIds(r, "output_field_ids", &m->output_field_ids));
    VDB_RETURN_IF_ERROR(GetIds(r, "partition_ids", &m->partition_ids));
    return GetIds(r, "exclude_segment_ids", &m->exclude_segment_ids);
  });
}

std::string EncodeGetResponse(const GetResponse& m) {
  WireWriter w;
  PutPks(&w, m.pks);
  std::vector<int64_t> ts(m.ts.begin(), m.ts.end());
  w.PutI64s(ts);
  w.PutString(m.columns);
  return w.Finish();
}

Result<GetResponse> DecodeGetResponse(std::string_view bytes) {
  return DecodeWith<GetResponse>(bytes, [](WireReader* r, GetResponse* m) -> Status {
    VDB_RETURN_IF_ERROR(GetPks(r, "pks", &m->pks));
    std::vector<int64_t> ts;
    VDB_RETURN_IF_ERROR(r->GetI64s("ts", &ts));
    if (ts.size() != m->pks.size()) return BadValue("ts count");
    m->ts.assign(ts.begin(), ts.end());
    return r->GetString("columns", &m->columns);
  });
}

namespace {

// The scope every whole-channel read (count, scan) starts with: collection, channel, read
// timestamp, the sealed segments served elsewhere and the partitions.
template <typename Request>
void PutReadScope(WireWriter* w, const Request& m) {
  w->PutI64(m.collection_id.value());
  w->PutString(m.channel);
  w->PutU64(m.read_ts);
  PutIds(w, m.exclude_segment_ids);
  PutIds(w, m.partition_ids);
}

template <typename Request>
Status GetReadScope(WireReader* r, Request* m) {
  VDB_RETURN_IF_ERROR(GetId(r, "collection_id", &m->collection_id));
  VDB_RETURN_IF_ERROR(r->GetString("channel", &m->channel));
  VDB_RETURN_IF_ERROR(r->GetU64("read_ts", &m->read_ts));
  VDB_RETURN_IF_ERROR(GetIds(r, "exclude_segment_ids", &m->exclude_segment_ids));
  return GetIds(r, "partition_ids", &m->partition_ids);
}

}  // namespace

std::string EncodeCountRequest(const CountRequest& m) {
  WireWriter w;
  PutReadScope(&w, m);
  return w.Finish();
}

Result<CountRequest> DecodeCountRequest(std::string_view bytes) {
  return DecodeWith<CountRequest>(
      bytes, [](WireReader* r, CountRequest* m) -> Status { return GetReadScope(r, m); });
}

std::string EncodeCountResponse(const CountResponse& m) {
  WireWriter w;
  w.PutU64(m.count);
  return w.Finish();
}

Result<CountResponse> DecodeCountResponse(std::string_view bytes) {
  return DecodeWith<CountResponse>(bytes, [](WireReader* r, CountResponse* m) -> Status {
    return r->GetU64("count", &m->count);
  });
}

std::string EncodeScanRequest(const ScanRequest& m) {
  WireWriter w;
  PutReadScope(&w, m);
  w.PutI64(m.limit);
  // `after` as a key list of zero or one keys.
  std::vector<PrimaryKey> after;
  if (m.after) after.push_back(*m.after);
  PutPks(&w, after);
  return w.Finish();
}

Result<ScanRequest> DecodeScanRequest(std::string_view bytes) {
  return DecodeWith<ScanRequest>(bytes, [](WireReader* r, ScanRequest* m) -> Status {
    VDB_RETURN_IF_ERROR(GetReadScope(r, m));
    VDB_RETURN_IF_ERROR(r->GetI64("limit", &m->limit));
    if (m->limit < 1 || m->limit > kMaxScanLimit) return BadValue("limit");
    std::vector<PrimaryKey> after;
    VDB_RETURN_IF_ERROR(GetPks(r, "after", &after));
    if (after.size() > 1) return BadValue("after count");
    if (!after.empty()) m->after = std::move(after[0]);
    return Status::OK();
  });
}

std::string EncodeScanResponse(const ScanResponse& m) {
  WireWriter w;
  PutPks(&w, m.pks);
  return w.Finish();
}

Result<ScanResponse> DecodeScanResponse(std::string_view bytes) {
  return DecodeWith<ScanResponse>(bytes, [](WireReader* r, ScanResponse* m) -> Status {
    VDB_RETURN_IF_ERROR(GetPks(r, "pks", &m->pks));
    for (size_t i = 1; i < m->pks.size(); ++i) {
      if (!(m->pks[i - 1] < m->pks[i])) return BadValue("pks order");
    }
    return Status::OK();
  });
}

std::string EncodeDeletesRequest(const DeletesRequest& m) {
  WireWriter w;
  w.PutString(m.channel);
  w.PutU64(m.after_ts);
  w.PutU64(m.until_ts);
  return w.Finish();
}

Result<DeletesRequest> DecodeDeletesRequest(std::string_view bytes) {
  return DecodeWith<DeletesRequest>(bytes, [](WireReader* r, DeletesRequest* m) -> Status {
    VDB_RETURN_IF_ERROR(r->GetString("channel", &m->channel));
    VDB_RETURN_IF_ERROR(r->GetU64("after_ts", &m->after_ts));
    return r->GetU64("until_ts", &m->until_ts);
  });
}

std::string EncodeDeletesResponse(const DeletesResponse& m) {
  WireWriter w;
  std::vector<PrimaryKey> pks;
  std::vector<int64_t> ts;
  for (const auto& d : m.deletes) {
    pks.push_back(d.pk);
    ts.push_back(static_cast<int64_t>(d.ts));
  }
  PutPks(&w, pks);
  w.PutI64s(ts);
  return w.Finish();
}

Result<DeletesResponse> DecodeDeletesResponse(std::string_view bytes) {
  return DecodeWith<DeletesResponse>(bytes, [](WireReader* r, DeletesResponse* m) -> Status {
    std::vector<PrimaryKey> pks;
    std::vector<int64_t> ts;
    VDB_RETURN_IF_ERROR(GetPks(r, "pks", &pks));
    VDB_RETURN_IF_ERROR(r->GetI64s("ts", &ts));
    if (ts.size() != pks.size()) return BadValue("ts count");
    for (size_t i = 0; i < pks.size(); ++i) {
      m->deletes.push_back(DeleteEntry{std::move(pks[i]), static_cast<Timestamp>(ts[i])});
    }
    return Status::OK();
  });
}

std::string EncodeFlushRequest(const FlushRequest& m) {
  WireWriter w;
  w.PutI64(m.collection_id.value());
  return w.Finish();
}

Result<FlushRequest> DecodeFlushRequest(std::string_view bytes) {
  return DecodeWith<FlushRequest>(bytes, [](WireReader* r, FlushRequest* m) -> Status {
    return GetId(r, "collection_id", &m->collection_id);
  });
}

std::string EncodeFlushResponse(const FlushResponse&) { return std::string(); }

Result<FlushResponse> DecodeFlushResponse(std::string_view bytes) {
  return DecodeWith<FlushResponse>(
      bytes, [](WireReader*, FlushResponse*) -> Status { return Status::OK(); });
}

}  // namespace vdb::rpc
