#include "rpc/query_client.h"

namespace vdb::rpc {

Result<SearchPartial> QueryClient::Search(const QuerySearchRequest& request, int64_t timeout_ms) {
  return Call<SearchPartial>(kQuerySearchPath, EncodeQuerySearchRequest(request), timeout_ms,
                             DecodeSearchPartial);
}

Result<GetResponse> QueryClient::Get(const QueryGetRequest& request, int64_t timeout_ms) {
  return Call<GetResponse>(kQueryGetPath, EncodeQueryGetRequest(request), timeout_ms,
                           DecodeGetResponse);
}

Result<CountResponse> QueryClient::Count(const QueryCountRequest& request, int64_t timeout_ms) {
  return Call<CountResponse>(kQueryCountPath, EncodeQueryCountRequest(request), timeout_ms,
                             DecodeCountResponse);
}

Result<ScanResponse> QueryClient::Scan(const QueryScanRequest& request, int64_t timeout_ms) {
  return Call<ScanResponse>(kQueryScanPath, EncodeQueryScanRequest(request), timeout_ms,
                            DecodeScanResponse);
}

}  // namespace vdb::rpc
