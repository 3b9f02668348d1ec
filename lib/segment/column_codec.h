// Column codec: a batch of columns (one ColumnData per field, n rows) as compact binary, for WAL
// payloads and as the insert body on the wire. Pure functions; thread-safe.
//
// Layout (little-endian, common/coding.h):
//   version u8 (kColumnCodecVersion), row count varint64, column count varint32, then per column:
//     field id varsint64, type u8, element type u8, flags u8 (bit 0 nullable), dim varint64,
//     [nullable: validity length-prefixed, exactly ceil(n / 8) bytes, LSB first]
//     fixed width and dense vectors: values length-prefixed, exactly n * row width bytes (vectors
//       raw little-endian, so a float vector column is a memcpy away from search)
//     variable: n varint64 row lengths, then the rows' bytes length-prefixed (their sum)
// Every length is checked against the remaining input and the field's limits before any copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/schema.h"
#include "segment/column_data.h"

namespace vdb::segment {

inline constexpr uint8_t kColumnCodecVersion = 1;

// REQUIRES: columns.size() == fields.size(), columns[i] built for fields[i], all of one length.
std::string EncodeColumns(const std::vector<FieldSchema>& fields,
                          const std::vector<ColumnData>& columns);

// Decodes bytes holding exactly one column for each of `fields` (in any order) and returns them
// in `fields`' order; *num_rows gets the row count. kCorruption for malformed or truncated bytes;
// kInvalidArgument for a column that is missing, repeated, unknown, of another type or dim than
// its field, or a row over the field's limits (VarChar max_length, array max_capacity, the
// max_length of VarChar array elements).
Result<std::vector<ColumnData>> DecodeColumns(const std::vector<FieldSchema>& fields,
                                              std::string_view bytes, size_t* num_rows);

// Checks one column against its field the way the segment writer will: type, dim, nullability,
// row count, VarChar max_length, array max_capacity, VarChar array elements' max_length,
// well-formed variable rows.
// kInvalidArgument naming the field.
Status CheckColumnForField(const FieldSchema& field, const ColumnData& column, size_t rows);

}  // namespace vdb::segment
