// QueryClient: typed calls to a query node's data-plane routes (rpc/query_plane.h) over one
// HttpClient (BinaryClient). Thread-safe (HttpClient is). Errors: what the node returned, with its
// code and message (kUnavailable for a segment it does not serve); kUnavailable / kDeadlineExceeded
// when it cannot be reached in time; kCorruption for a malformed answer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/result.h"
#include "rpc/binary_call.h"
#include "rpc/http.h"
#include "rpc/query_plane.h"

namespace vdb::rpc {

class QueryClient : public BinaryClient {
 public:
  // `address` as HttpClient takes it ("127.0.0.1:9200").
  explicit QueryClient(std::string address, HttpClientOptions options = {})
      : BinaryClient(std::move(address), options) {}

  Result<SearchPartial> Search(const QuerySearchRequest& request, int64_t timeout_ms);
  Result<GetResponse> Get(const QueryGetRequest& request, int64_t timeout_ms);
  Result<CountResponse> Count(const QueryCountRequest& request, int64_t timeout_ms);
  Result<ScanResponse> Scan(const QueryScanRequest& request, int64_t timeout_ms);
};

}  // namespace vdb::rpc
