#include "rpc/stream_client.h"

#include <utility>

namespace vdb::rpc {
namespace {

// Posts `body` to `path` and decodes the answer with `decode`.
template <typename M, typename Decode>
Result<M> CallAndDecode(HttpClient* http, std::string_view path, const std::string& body,
                        int64_t timeout_ms, Decode decode) {
  VDB_ASSIGN_OR_RETURN(std::string answer, http->Call(std::string(path), body, timeout_ms));
  Result<M> m = decode(answer);
  if (!m.ok()) return m.status().WithContext("answer from " + http->address());
  return m;
}

}  // namespace

StreamClient::StreamClient(std::string address, HttpClientOptions options)
    : http_(std::move(address), options) {}

Result<WriteResponse> StreamClient::Write(const WriteRequest& request, int64_t timeout_ms) {
  return CallAndDecode<WriteResponse>(&http_, kStreamWritePath, EncodeWriteRequest(request),
                                      timeout_ms, DecodeWriteResponse);
}

Result<WriteResponse> StreamClient::Delete(const DeleteRequest& request, int64_t timeout_ms) {
  return CallAndDecode<WriteResponse>(&http_, kStreamDeletePath, EncodeDeleteRequest(request),
                                      timeout_ms, DecodeWriteResponse);
}

Result<SearchPartial> StreamClient::Search(const SearchRequest& request, int64_t timeout_ms) {
  return CallAndDecode<SearchPartial>(&http_, kStreamSearchPath, EncodeSearchRequest(request),
                                      timeout_ms, DecodeSearchPartial);
}

Result<GetResponse> StreamClient::Get(const GetRequest& request, int64_t timeout_ms) {
  return CallAndDecode<GetResponse>(&http_, kStreamGetPath, EncodeGetRequest(request), timeout_ms,
                                    DecodeGetResponse);
}

Result<CountResponse> StreamClient::Count(const CountRequest& request, int64_t timeout_ms) {
  return CallAndDecode<CountResponse>(&http_, kStreamCountPath, EncodeCountRequest(request),
                                      timeout_ms, DecodeCountResponse);
}

Result<DeletesResponse> StreamClient::Deletes(const DeletesRequest& request, int64_t timeout_ms) {
  return CallAndDecode<DeletesResponse>(&http_, kStreamDeletesPath, EncodeDeletesRequest(request),
                                        timeout_ms, DecodeDeletesResponse);
}

Result<FlushResponse> StreamClient::Flush(const FlushRequest& request, int64_t timeout_ms) {
  return CallAndDecode<FlushResponse>(&http_, kStreamFlushPath, EncodeFlushRequest(request),
                                      timeout_ms, DecodeFlushResponse);
}

}  // namespace vdb::rpc
