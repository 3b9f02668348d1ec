#include "segment/delete_file.h"

#include <algorithm>

#include "common/check.h"
#include "common/coding.h"
#include "segment/blob_file.h"
#include "segment/format.h"

namespace vdb::segment {

std::string EncodeDeletes(DataType key_type, std::vector<DeleteRecord> records, int zstd_level) {
  VDB_CHECK(key_type == DataType::kInt64 || key_type == DataType::kVarChar);
  std::sort(records.begin(), records.end());
  std::string payload;
  PutFixed8(&payload, static_cast<uint8_t>(key_type));
  PutVarint64(&payload, records.size());
  for (const auto& r : records) {
    if (key_type == DataType::kInt64) {
      PutFixed64(&payload, static_cast<uint64_t>(std::get<int64_t>(r.pk)));
    } else {
      PutLengthPrefixed(&payload, std::get<std::string>(r.pk));
    }
    PutFixed64(&payload, r.ts);
  }
  return EncodeBlob(kDeletesMagic, payload, zstd_level);
}

Result<std::vector<DeleteRecord>> DecodeDeletes(std::string_view bytes, DataType key_type,
                                                std::string_view what) {
  VDB_ASSIGN_OR_RETURN(std::string payload, DecodeBlob(kDeletesMagic, bytes, what));
  auto bad = [&](const std::string& why) {
    return Status::Corruption(std::string(what) + ": " + why);
  };
  std::string_view in = payload;
  uint8_t type = 0;
  uint64_t count = 0;
  if (!GetFixed8(&in, &type) || !GetVarint64(&in, &count)) return bad("truncated header");
  if (type != static_cast<uint8_t>(key_type)) {
    return bad("key type " + std::to_string(type) + " does not match the schema");
  }
  // Each record takes at least 9 bytes, which bounds the reservation by the input.
  if (count > in.size() / 9) return bad("record count " + std::to_string(count) + " too large");
  std::vector<DeleteRecord> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    DeleteRecord r;
    if (key_type == DataType::kInt64) {
      uint64_t v = 0;
      if (!GetFixed64(&in, &v)) return bad("truncated record " + std::to_string(i));
      r.pk = static_cast<int64_t>(v);
    } else {
      std::string_view s;
      if (!GetLengthPrefixed(&in, &s)) return bad("truncated record " + std::to_string(i));
      r.pk = std::string(s);
    }
    if (!GetFixed64(&in, &r.ts)) return bad("truncated record " + std::to_string(i));
    if (!out.empty() && r < out.back()) return bad("records out of order at " + std::to_string(i));
    out.push_back(std::move(r));
  }
  if (!in.empty()) return bad(std::to_string(in.size()) + " trailing bytes");
  return out;
}

}  // namespace vdb::segment
