// Fuzzes the binary data-plane decoders (rpc/data_plane.h, rpc/query_plane.h): the input's first
// byte picks the message, the rest is decoded. A message that decodes must encode back to the
// same bytes (every field is read and nothing is dropped); anything else must be a clean Status.
// Seeds in corpus/data_plane/ are encoded scan, count and get requests and a scan answer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rpc/data_plane.h"
#include "rpc/query_plane.h"

namespace {

// Decodes `bytes` with `decode`; on success re-encodes with `encode` and requires the same bytes.
template <typename Decode, typename Encode>
void RoundTrip(std::string_view bytes, Decode decode, Encode encode, const char* what) {
  auto m = decode(bytes);
  if (!m.ok()) {
    if (m.status().code() != vdb::StatusCode::kCorruption) {
      std::fprintf(stderr, "%s: decode failed with %s, not kCorruption\n", what,
                   m.status().ToString().c_str());
      std::abort();
    }
    return;
  }
  // Varints have more than one spelling, so compare a second round trip instead of the input.
  std::string once = encode(*m);
  auto again = decode(once);
  if (!again.ok() || encode(*again) != once) {
    std::fprintf(stderr, "%s: decoded message does not round-trip\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace vdb::rpc;
  switch (data[0] % 8) {
    case 0:
      RoundTrip(bytes, DecodeScanRequest, EncodeScanRequest, "ScanRequest");
      break;
    case 1:
      RoundTrip(bytes, DecodeScanResponse, EncodeScanResponse, "ScanResponse");
      break;
    case 2:
      RoundTrip(bytes, DecodeQueryScanRequest, EncodeQueryScanRequest, "QueryScanRequest");
      break;
    case 3:
      RoundTrip(bytes, DecodeCountRequest, EncodeCountRequest, "CountRequest");
      break;
    case 4:
      RoundTrip(bytes, DecodeGetRequest, EncodeGetRequest, "GetRequest");
      break;
    case 5:
      RoundTrip(bytes, DecodeGetResponse, EncodeGetResponse, "GetResponse");
      break;
    case 6:
      RoundTrip(bytes, DecodeDeleteRequest, EncodeDeleteRequest, "DeleteRequest");
      break;
    default:
      RoundTrip(bytes, DecodeDeletesResponse, EncodeDeletesResponse, "DeletesResponse");
      break;
  }
  return 0;
}
