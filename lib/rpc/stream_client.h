// StreamClient: typed calls to a streaming node's data-plane routes (rpc/data_plane.h) over one
// HttpClient (BinaryClient). Thread-safe (HttpClient is). Errors: what the node returned, with its
// code and message; kUnavailable / kDeadlineExceeded when it cannot be reached in time; kCorruption
// for a malformed answer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/result.h"
#include "rpc/binary_call.h"
#include "rpc/data_plane.h"
#include "rpc/http.h"

namespace vdb::rpc {

class StreamClient : public BinaryClient {
 public:
  // `address` as HttpClient takes it ("127.0.0.1:9100").
  explicit StreamClient(std::string address, HttpClientOptions options = {})
      : BinaryClient(std::move(address), options) {}

  Result<WriteResponse> Write(const WriteRequest& request, int64_t timeout_ms);
  Result<WriteResponse> Delete(const DeleteRequest& request, int64_t timeout_ms);
  Result<SearchPartial> Search(const SearchRequest& request, int64_t timeout_ms);
  Result<GetResponse> Get(const GetRequest& request, int64_t timeout_ms);
  Result<CountResponse> Count(const CountRequest& request, int64_t timeout_ms);
  Result<ScanResponse> Scan(const ScanRequest& request, int64_t timeout_ms);
  Result<DeletesResponse> Deletes(const DeletesRequest& request, int64_t timeout_ms);
  Result<FlushResponse> Flush(const FlushRequest& request, int64_t timeout_ms);
};

}  // namespace vdb::rpc
