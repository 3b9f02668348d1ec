// Fuzzes the WAL payload decoders (streaming/wal_payload.h), which replay reads back from disk:
// the input's first byte picks insert, delete or seal, the rest is the payload. Bad bytes must be
// kCorruption, never a crash; a payload that decodes must encode to bytes that decode to an equal
// payload and encode to the same bytes again. An insert's columns are then decoded the way replay
// does, against a small schema (int64 key, float vector, nullable VarChar): a clean Status or a
// batch. Seeds in corpus/wal_payload/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/schema.h"
#include "segment/column_codec.h"
#include "streaming/wal_payload.h"

namespace {

using vdb::streaming::DeletePayload;
using vdb::streaming::InsertPayload;
using vdb::streaming::SealPayload;

std::vector<vdb::FieldSchema> MakeFields() {
  std::vector<vdb::FieldSchema> fields(3);
  fields[0].id = vdb::FieldId(100);
  fields[0].name = "id";
  fields[0].type = vdb::DataType::kInt64;
  fields[0].primary_key = true;
  fields[1].id = vdb::FieldId(101);
  fields[1].name = "vector";
  fields[1].type = vdb::DataType::kFloatVector;
  fields[1].dim = 2;
  fields[2].id = vdb::FieldId(102);
  fields[2].name = "tag";
  fields[2].type = vdb::DataType::kVarChar;
  fields[2].nullable = true;
  fields[2].max_length = 8;
  return fields;
}

[[noreturn]] void Fail(const char* what, const std::string& why, std::string_view input) {
  std::string shown;
  for (unsigned char c : input) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%02x", c);
    shown += buf;
  }
  std::fprintf(stderr, "wal_payload: %s: %s\ninput (hex): %s\n", what, why.c_str(), shown.c_str());
  std::abort();
}

bool Same(const InsertPayload& a, const InsertPayload& b) {
  return a.collection_id == b.collection_id && a.partition_id == b.partition_id &&
         a.upsert == b.upsert && a.columns == b.columns;
}
bool Same(const DeletePayload& a, const DeletePayload& b) {
  return a.collection_id == b.collection_id && a.pks == b.pks;
}
bool Same(const SealPayload& a, const SealPayload& b) { return a.segments == b.segments; }

// Decodes `bytes`; a failure must be kCorruption. Returns whether it decoded (into *out).
template <typename T, typename Decode, typename Encode>
bool RoundTrip(std::string_view bytes, Decode decode, Encode encode, const char* what, T* out) {
  auto m = decode(bytes);
  if (!m.ok()) {
    if (m.status().code() != vdb::StatusCode::kCorruption) {
      Fail(what, "not kCorruption: " + m.status().ToString(), bytes);
    }
    return false;
  }
  std::string once = encode(*m);
  auto again = decode(once);
  if (!again.ok()) {
    Fail(what, "encoded payload does not decode: " + again.status().ToString(), bytes);
  }
  if (!Same(*again, *m)) Fail(what, "decoded payload differs after a round trip", bytes);
  if (encode(*again) != once) Fail(what, "encoding is not stable", bytes);
  *out = std::move(*m);
  return true;
}

void CheckColumns(std::string_view columns, std::string_view input) {
  static const std::vector<vdb::FieldSchema> fields = MakeFields();
  size_t rows = 0;
  auto decoded = vdb::segment::DecodeColumns(fields, columns, &rows);
  if (decoded.ok()) {
    if (decoded->size() != fields.size()) Fail("insert", "wrong column count", input);
    for (const auto& c : *decoded) {
      if (c.size() != rows) Fail("insert", "column length differs from the row count", input);
    }
    return;
  }
  vdb::StatusCode code = decoded.status().code();
  if (code != vdb::StatusCode::kCorruption && code != vdb::StatusCode::kInvalidArgument) {
    Fail("insert", "columns: unexpected error " + decoded.status().ToString(), input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace vdb::streaming;
  switch (data[0] % 3) {
    case 0: {
      InsertPayload p;
      if (RoundTrip(bytes, DecodeInsertPayload, EncodeInsertPayload, "insert", &p)) {
        CheckColumns(p.columns, bytes);
      }
      break;
    }
    case 1: {
      DeletePayload p;
      RoundTrip(bytes, DecodeDeletePayload, EncodeDeletePayload, "delete", &p);
      break;
    }
    default: {
      SealPayload p;
      RoundTrip(bytes, DecodeSealPayload, EncodeSealPayload, "seal", &p);
      break;
    }
  }
  return 0;
}
