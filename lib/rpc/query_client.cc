#include "rpc/query_client.h"

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

QueryClient::QueryClient(std::string address, HttpClientOptions options)
    : http_(std::move(address), options) {}

Result<SearchPartial> QueryClient::Search(const QuerySearchRequest& request, int64_t timeout_ms) {
  return CallAndDecode<SearchPartial>(&http_, kQuerySearchPath, EncodeQuerySearchRequest(request),
                                      timeout_ms, DecodeSearchPartial);
}

Result<GetResponse> QueryClient::Get(const QueryGetRequest& request, int64_t timeout_ms) {
  return CallAndDecode<GetResponse>(&http_, kQueryGetPath, EncodeQueryGetRequest(request),
                                    timeout_ms, DecodeGetResponse);
}

Result<CountResponse> QueryClient::Count(const QueryCountRequest& request, int64_t timeout_ms) {
  return CallAndDecode<CountResponse>(&http_, kQueryCountPath, EncodeQueryCountRequest(request),
                                      timeout_ms, DecodeCountResponse);
}

}  // namespace vdb::rpc
