// BinaryClient: what the typed data-plane clients (StreamClient, QueryClient) share: one
// HttpClient to a node, and CallAndDecode, the round trip each call makes (post an encoded request
// to a route, decode the binary answer). Errors: the HttpClient's (what the node returned;
// kUnavailable / kDeadlineExceeded when it cannot be reached in time), or the decoder's
// (kCorruption) with the node's address added as context.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "rpc/http.h"

namespace vdb::rpc {

// Posts `body` to `path` on `http` and decodes the answer with `decode`
// (Result<M>(const std::string&)).
template <typename M, typename Decode>
Result<M> CallAndDecode(HttpClient* http, std::string_view path, const std::string& body,
                        int64_t timeout_ms, Decode decode) {
  VDB_ASSIGN_OR_RETURN(std::string answer, http->Call(std::string(path), body, timeout_ms));
  Result<M> m = decode(answer);
  if (!m.ok()) return m.status().WithContext("answer from " + http->address());
  return m;
}

// Base of the typed clients. Thread-safe (HttpClient is).
class BinaryClient {
 public:
  BinaryClient(const BinaryClient&) = delete;
  BinaryClient& operator=(const BinaryClient&) = delete;

  const std::string& address() const { return http_.address(); }

 protected:
  // `address` as HttpClient takes it ("127.0.0.1:9100").
  BinaryClient(std::string address, HttpClientOptions options)
      : http_(std::move(address), options) {}
  ~BinaryClient() = default;

  template <typename M, typename Decode>
  Result<M> Call(std::string_view path, const std::string& body, int64_t timeout_ms,
                 Decode decode) {
    return CallAndDecode<M>(&http_, path, body, timeout_ms, decode);
  }

 private:
  HttpClient http_;
};

}  // namespace vdb::rpc
