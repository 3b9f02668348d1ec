#include "rpc/stream_client.h"

namespace vdb::rpc {

Result<WriteResponse> StreamClient::Write(const WriteRequest& request, int64_t timeout_ms) {
  return Call<WriteResponse>(kStreamWritePath, EncodeWriteRequest(request), timeout_ms,
                             DecodeWriteResponse);
}

Result<WriteResponse> StreamClient::Delete(const DeleteRequest& request, int64_t timeout_ms) {
  return Call<WriteResponse>(kStreamDeletePath, EncodeDeleteRequest(request), timeout_ms,
                             DecodeWriteResponse);
}

Result<SearchPartial> StreamClient::Search(const SearchRequest& request, int64_t timeout_ms) {
  return Call<SearchPartial>(kStreamSearchPath, EncodeSearchRequest(request), timeout_ms,
                             DecodeSearchPartial);
}

Result<GetResponse> StreamClient::Get(const GetRequest& request, int64_t timeout_ms) {
  return Call<GetResponse>(kStreamGetPath, EncodeGetRequest(request), timeout_ms,
                           DecodeGetResponse);
}

Result<CountResponse> StreamClient::Count(const CountRequest& request, int64_t timeout_ms) {
  return Call<CountResponse>(kStreamCountPath, EncodeCountRequest(request), timeout_ms,
                             DecodeCountResponse);
}

Result<ScanResponse> StreamClient::Scan(const ScanRequest& request, int64_t timeout_ms) {
  return Call<ScanResponse>(kStreamScanPath, EncodeScanRequest(request), timeout_ms,
                            DecodeScanResponse);
}

Result<DeletesResponse> StreamClient::Deletes(const DeletesRequest& request, int64_t timeout_ms) {
  return Call<DeletesResponse>(kStreamDeletesPath, EncodeDeletesRequest(request), timeout_ms,
                               DecodeDeletesResponse);
}

Result<FlushResponse> StreamClient::Flush(const FlushRequest& request, int64_t timeout_ms) {
  return Call<FlushResponse>(kStreamFlushPath, EncodeFlushRequest(request), timeout_ms,
                             DecodeFlushResponse);
}

}  // namespace vdb::rpc
