// Per-segment statistics ("stats.bin", layout in format.h): row count, primary-key range and
// bloom filter, min/max of numeric scalar columns, null counts. Lets the query layer skip
// segments: a key lookup outside [min, max] or absent from the bloom filter cannot match.
// Value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/schema.h"
#include "segment/bloom_filter.h"
#include "segment/column_data.h"

namespace vdb::segment {

struct FieldStats {
  enum class Kind : uint8_t { kNone = 0, kInt = 1, kDouble = 2 };
  FieldId field_id;
  DataType type = DataType::kNone;
  uint64_t null_count = 0;
  // Bool and Int8..Int64 have int bounds, Float and Double double bounds (NaN ignored); kNone
  // for other types and when every value is null.
  Kind kind = Kind::kNone;
  int64_t min_int = 0, max_int = 0;
  double min_double = 0, max_double = 0;
  bool operator==(const FieldStats&) const = default;
};

struct SegmentStats {
  uint64_t row_count = 0;
  DataType pk_type = DataType::kInt64;
  std::optional<PrimaryKey> min_pk, max_pk;  // unset when the segment is empty
  BloomFilter pk_filter;
  std::vector<FieldStats> fields;  // in schema order

  const FieldStats* Find(FieldId id) const;
  bool operator==(const SegmentStats&) const = default;
};

// REQUIRES: `columns` match `schema.fields` one to one with equal row counts (the writer checks).
SegmentStats ComputeStats(const CollectionSchema& schema, const std::vector<ColumnData>& columns,
                          double bloom_fp_rate);

std::string EncodeStats(const SegmentStats& stats, int zstd_level);
// kCorruption naming `what` on damage.
Result<SegmentStats> DecodeStats(std::string_view bytes, std::string_view what);

}  // namespace vdb::segment
