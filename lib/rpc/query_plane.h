// Binary data-plane messages between the proxy and a query node (lib/README.md "Data plane"):
// search, get, count and scan over sealed segments. They wrap the streaming node's messages
// (rpc/data_plane.h) and add the explicit list of sealed segments the proxy routes to this node:
// the proxy names exactly those, so a segment being handed over is counted once. Answers reuse
// SearchPartial, GetResponse, CountResponse and ScanResponse. Every Decode* validates lengths and
// returns kCorruption naming the field, never crashes. Plain value types and pure functions.
//
// Routes (POST, application/octet-stream bodies, errors as rpc::WriteInternalError):
//   /internal/query/search  QuerySearchRequest -> SearchPartial
//   /internal/query/get     QueryGetRequest    -> GetResponse
//   /internal/query/count   QueryCountRequest  -> CountResponse
//   /internal/query/scan    QueryScanRequest   -> ScanResponse
// A named segment the node does not serve (yet, or any more) fails the whole request with
// kUnavailable "segment S is not loaded on query node N": the proxy refreshes its catalog and
// retries.
//
// Layout of each request: the wrapped data-plane request as a wire string, then the segment ids
// as wire i64s.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "rpc/data_plane.h"

namespace vdb::rpc {

inline constexpr std::string_view kQuerySearchPath = "/internal/query/search";
inline constexpr std::string_view kQueryGetPath = "/internal/query/get";
inline constexpr std::string_view kQueryCountPath = "/internal/query/count";
inline constexpr std::string_view kQueryScanPath = "/internal/query/scan";

// `search.exclude_segment_ids` is ignored: the node serves exactly `segment_ids`, which must all
// be sealed segments of search.collection_id on search.channel. SearchHit.segment_id is the
// sealed segment and SearchHit.row its row.
struct QuerySearchRequest {
  SearchRequest search;
  std::vector<SegmentId> segment_ids;
};

// As QuerySearchRequest: `get.exclude_segment_ids` is ignored.
struct QueryGetRequest {
  GetRequest get;
  std::vector<SegmentId> segment_ids;
};

// As QuerySearchRequest: `count.exclude_segment_ids` is ignored.
struct QueryCountRequest {
  CountRequest count;
  std::vector<SegmentId> segment_ids;
};

// As QuerySearchRequest: `scan.exclude_segment_ids` is ignored.
struct QueryScanRequest {
  ScanRequest scan;
  std::vector<SegmentId> segment_ids;
};

std::string EncodeQuerySearchRequest(const QuerySearchRequest& m);
Result<QuerySearchRequest> DecodeQuerySearchRequest(std::string_view bytes);
std::string EncodeQueryGetRequest(const QueryGetRequest& m);
Result<QueryGetRequest> DecodeQueryGetRequest(std::string_view bytes);
std::string EncodeQueryCountRequest(const QueryCountRequest& m);
Result<QueryCountRequest> DecodeQueryCountRequest(std::string_view bytes);
std::string EncodeQueryScanRequest(const QueryScanRequest& m);
Result<QueryScanRequest> DecodeQueryScanRequest(std::string_view bytes);

}  // namespace vdb::rpc
