// Binary data-plane messages between the proxy / query nodes and a streaming node
// (lib/README.md "Data plane"): writes, deletes, search, get, count, scan, the deletes feed and
// flush. Encoded with rpc/wire.h; vectors travel as raw little-endian floats, row data as the
// opaque column batches of segment/column_codec.h. Every Decode* validates lengths and enums and
// returns kCorruption naming the field, never crashes. Plain value types and pure functions, plus
// ScanKeys (the bounded key collector every side of a scan uses; not thread-safe).
//
// Routes (POST, application/octet-stream bodies, errors as rpc::WriteInternalError):
//   /internal/stream/write    WriteRequest   -> WriteResponse
//   /internal/stream/delete   DeleteRequest  -> WriteResponse
//   /internal/stream/search   SearchRequest  -> SearchPartial
//   /internal/stream/get      GetRequest     -> GetResponse
//   /internal/stream/count    CountRequest   -> CountResponse
//   /internal/stream/scan     ScanRequest    -> ScanResponse
//   /internal/stream/deletes  DeletesRequest -> DeletesResponse
//   /internal/stream/flush    FlushRequest   -> FlushResponse
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/timestamp.h"

namespace vdb::rpc {

inline constexpr std::string_view kStreamWritePath = "/internal/stream/write";
inline constexpr std::string_view kStreamDeletePath = "/internal/stream/delete";
inline constexpr std::string_view kStreamSearchPath = "/internal/stream/search";
inline constexpr std::string_view kStreamGetPath = "/internal/stream/get";
inline constexpr std::string_view kStreamCountPath = "/internal/stream/count";
inline constexpr std::string_view kStreamScanPath = "/internal/stream/scan";
inline constexpr std::string_view kStreamDeletesPath = "/internal/stream/deletes";
inline constexpr std::string_view kStreamFlushPath = "/internal/stream/flush";

enum class WriteKind : uint8_t { kInsert = 0, kUpsert = 1 };

// A read at read_ts == 0 reads at the channel's current tsafe without waiting (Eventually).
struct WriteRequest {
  CollectionId collection_id;
  std::string channel;
  PartitionId partition_id;
  WriteKind kind = WriteKind::kInsert;
  uint64_t num_rows = 0;
  std::string columns;  // segment::EncodeColumns of every schema field
};

// The write's timestamp (durable once answered) and the rows or keys it covered.
struct WriteResponse {
  Timestamp ts = 0;
  uint64_t count = 0;
};

struct DeleteRequest {
  CollectionId collection_id;
  std::string channel;
  std::vector<PrimaryKey> pks;  // all int64 or all strings
};

struct SearchRequest {
  CollectionId collection_id;
  std::string channel;
  FieldId field_id;
  uint8_t metric = 0;  // index::Metric (L2 0, IP 1, COSINE 2)
  int64_t nq = 0;
  int64_t dim = 0;
  std::vector<float> vectors;  // nq * dim, row-major
  int64_t k = 10;
  Timestamp read_ts = 0;
  std::vector<SegmentId> exclude_segment_ids;  // sealed segments served by query nodes
  std::vector<PartitionId> partition_ids;      // empty: every partition
  int64_t ef = 0;                              // index knob; unused by brute force
};

struct SearchHit {
  PrimaryKey pk;
  float distance = 0;
  Timestamp ts = 0;
  SegmentId segment_id;  // 0: a growing segment
  int64_t row = 0;

  bool operator==(const SearchHit&) const = default;
};

// Per query, the local top-k, best first.
struct SearchPartial {
  std::vector<std::vector<SearchHit>> hits;
};

struct GetRequest {
  CollectionId collection_id;
  std::string channel;
  std::vector<PrimaryKey> pks;
  Timestamp read_ts = 0;
  std::vector<FieldId> output_field_ids;  // empty: every field
  std::vector<PartitionId> partition_ids;
  std::vector<SegmentId> exclude_segment_ids;
};

// The newest visible version of each key found: pks[i] was written at ts[i]; `columns` is a
// column batch of the output fields (in schema order) with one row per found key.
struct GetResponse {
  std::vector<PrimaryKey> pks;
  std::vector<Timestamp> ts;
  std::string columns;
};

struct CountRequest {
  CollectionId collection_id;
  std::string channel;
  Timestamp read_ts = 0;
  std::vector<SegmentId> exclude_segment_ids;
  std::vector<PartitionId> partition_ids;
};

struct CountResponse {
  uint64_t count = 0;
};

// Most keys one scan answer may carry.
inline constexpr int64_t kMaxScanLimit = 65536;

// The `limit` smallest distinct primary keys visible at read_ts (the newest version of the key is
// not deleted at read_ts) that are greater than `after` (every key when unset): one page of a
// scan in primary-key order. `after` names the last key of the previous page.
struct ScanRequest {
  CollectionId collection_id;
  std::string channel;
  Timestamp read_ts = 0;
  std::vector<SegmentId> exclude_segment_ids;  // sealed segments served by query nodes
  std::vector<PartitionId> partition_ids;      // empty: every partition
  int64_t limit = 0;                           // in [1, kMaxScanLimit]
  std::optional<PrimaryKey> after;
};

struct ScanResponse {
  std::vector<PrimaryKey> pks;  // ascending, distinct, at most `limit`
};

// Keeps the `limit` smallest distinct keys greater than `after` out of those added: how a node
// builds a ScanResponse and how the proxy merges them, in O(log limit) per accepted key without
// sorting every key. Not thread-safe.
class ScanKeys {
 public:
  ScanKeys(std::optional<PrimaryKey> after, size_t limit)
      : after_(std::move(after)), limit_(limit) {}

  // True when Add(pk) would keep `pk` (given the keys held now); cheap, so callers test it before
  // paying for a visibility check.
  bool Wants(const PrimaryKey& pk) const {
    if (limit_ == 0 || (after_ && !(*after_ < pk))) return false;
    return keys_.size() < limit_ || pk < *keys_.rbegin();
  }
  void Add(const PrimaryKey& pk) {
    if (!Wants(pk) || !keys_.insert(pk).second) return;
    if (keys_.size() > limit_) keys_.erase(std::prev(keys_.end()));
  }
  // The keys held, ascending.
  std::vector<PrimaryKey> Take() { return std::vector<PrimaryKey>(keys_.begin(), keys_.end()); }

 private:
  const std::optional<PrimaryKey> after_;
  const size_t limit_;
  std::set<PrimaryKey> keys_;
};

struct DeletesRequest {
  std::string channel;
  Timestamp after_ts = 0;
  Timestamp until_ts = 0;
};

struct DeleteEntry {
  PrimaryKey pk;
  Timestamp ts = 0;
  bool operator==(const DeleteEntry&) const = default;
};

struct DeletesResponse {
  std::vector<DeleteEntry> deletes;  // in timestamp order
};

struct FlushRequest {
  CollectionId collection_id;
};

struct FlushResponse {};

std::string EncodeWriteRequest(const WriteRequest& m);
Result<WriteRequest> DecodeWriteRequest(std::string_view bytes);
std::string EncodeWriteResponse(const WriteResponse& m);
Result<WriteResponse> DecodeWriteResponse(std::string_view bytes);
std::string EncodeDeleteRequest(const DeleteRequest& m);
Result<DeleteRequest> DecodeDeleteRequest(std::string_view bytes);
std::string EncodeSearchRequest(const SearchRequest& m);
Result<SearchRequest> DecodeSearchRequest(std::string_view bytes);
std::string EncodeSearchPartial(const SearchPartial& m);
Result<SearchPartial> DecodeSearchPartial(std::string_view bytes);
std::string EncodeGetRequest(const GetRequest& m);
Result<GetRequest> DecodeGetRequest(std::string_view bytes);
std::string EncodeGetResponse(const GetResponse& m);
Result<GetResponse> DecodeGetResponse(std::string_view bytes);
std::string EncodeCountRequest(const CountRequest& m);
Result<CountRequest> DecodeCountRequest(std::string_view bytes);
std::string EncodeCountResponse(const CountResponse& m);
Result<CountResponse> DecodeCountResponse(std::string_view bytes);
std::string EncodeScanRequest(const ScanRequest& m);
Result<ScanRequest> DecodeScanRequest(std::string_view bytes);
std::string EncodeScanResponse(const ScanResponse& m);
Result<ScanResponse> DecodeScanResponse(std::string_view bytes);
std::string EncodeDeletesRequest(const DeletesRequest& m);
Result<DeletesRequest> DecodeDeletesRequest(std::string_view bytes);
std::string EncodeDeletesResponse(const DeletesResponse& m);
Result<DeletesResponse> DecodeDeletesResponse(std::string_view bytes);
std::string EncodeFlushRequest(const FlushRequest& m);
Result<FlushRequest> DecodeFlushRequest(std::string_view bytes);
std::string EncodeFlushResponse(const FlushResponse& m);
Result<FlushResponse> DecodeFlushResponse(std::string_view bytes);

// Primary key lists inside messages: u8 kind (0 empty, 1 int64, 2 string), then i64s, or a u64
// count and that many strings. REQUIRES (PutPks): every key of one kind. Exposed for the
// streaming node's WAL payloads.
class WireWriter;
class WireReader;
void PutPks(WireWriter* w, const std::vector<PrimaryKey>& pks);
Status GetPks(WireReader* r, std::string_view field, std::vector<PrimaryKey>* pks);

}  // namespace vdb::rpc
