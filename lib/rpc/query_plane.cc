#include "rpc/query_plane.h"

#include "rpc/wire.h"

namespace vdb::rpc {
namespace {

void PutSegmentIds(WireWriter* w, const std::vector<SegmentId>& ids) {
  std::vector<int64_t> raw;
  raw.reserve(ids.size());
  for (SegmentId id : ids) raw.push_back(id.value());
  w->PutI64s(raw);
}

std::string EncodeWrapped(const std::string& inner, const std::vector<SegmentId>& ids) {
  WireWriter w;
  w.PutString(inner);
  PutSegmentIds(&w, ids);
  return w.Finish();
}

// Splits a wrapped request into the inner message (decoded with `decode`) and the segment ids.
template <typename Inner, typename Decode>
Status DecodeWrapped(std::string_view bytes, Decode decode, Inner* inner,
                     std::vector<SegmentId>* ids) {
  WireReader r(bytes);
  std::string_view inner_bytes;
  VDB_RETURN_IF_ERROR(r.GetString("request", &inner_bytes));
  std::vector<int64_t> raw;
  VDB_RETURN_IF_ERROR(r.GetI64s("segment_ids", &raw));
  VDB_RETURN_IF_ERROR(r.ExpectEnd());
  VDB_ASSIGN_OR_RETURN(*inner, decode(inner_bytes));
  ids->clear();
  ids->reserve(raw.size());
  for (int64_t v : raw) ids->emplace_back(v);
  return Status::OK();
}

}  // namespace

std::string EncodeQuerySearchRequest(const QuerySearchRequest& m) {
  return EncodeWrapped(EncodeSearchRequest(m.search), m.segment_ids);
}

Result<QuerySearchRequest> DecodeQuerySearchRequest(std::string_view bytes) {
  QuerySearchRequest m;
  VDB_RETURN_IF_ERROR(DecodeWrapped(bytes, DecodeSearchRequest, &m.search, &m.segment_ids));
  return m;
}

std::string EncodeQueryGetRequest(const QueryGetRequest& m) {
  return EncodeWrapped(EncodeGetRequest(m.get), m.segment_ids);
}

Result<QueryGetRequest> DecodeQueryGetRequest(std::string_view bytes) {
  QueryGetRequest m;
  VDB_RETURN_IF_ERROR(DecodeWrapped(bytes, DecodeGetRequest, &m.get, &m.segment_ids));
  return m;
}

std::string EncodeQueryCountRequest(const QueryCountRequest& m) {
  return EncodeWrapped(EncodeCountRequest(m.count), m.segment_ids);
}

Result<QueryCountRequest> DecodeQueryCountRequest(std::string_view bytes) {
  QueryCountRequest m;
  VDB_RETURN_IF_ERROR(DecodeWrapped(bytes, DecodeCountRequest, &m.count, &m.segment_ids));
  return m;
}

std::string EncodeQueryScanRequest(const QueryScanRequest& m) {
  return EncodeWrapped(EncodeScanRequest(m.scan), m.segment_ids);
}

Result<QueryScanRequest> DecodeQueryScanRequest(std::string_view bytes) {
  QueryScanRequest m;
  VDB_RETURN_IF_ERROR(DecodeWrapped(bytes, DecodeScanRequest, &m.scan, &m.segment_ids));
  return m;
}

}  // namespace vdb::rpc
