// Converting entity rows between Milvus's REST JSON (milvus-rest-v2.md §5) and column batches
// (segment/column_data.h): parsing insert/upsert rows per the collection schema, and rendering
// rows of get/query/search output. Also the stable shard hash of a primary key. Pure functions;
// thread-safe. Errors carry Milvus codes: 1804 for rows that do not fit the schema, 1100 for an
// over-long VarChar.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/schema.h"
#include "segment/column_data.h"

namespace vdb::proxy {

// The shard of a primary key: CRC32C (common/crc32c.h) of the key's bytes modulo `shards` — an
// int64 as its 8 little-endian bytes, a VarChar as its UTF-8 bytes. Stable across processes and
// versions: every insert, upsert and delete of a key reaches the same channel.
int32_t ShardOf(const PrimaryKey& pk, int32_t shards);

// Rows parsed into one column per schema field (schema order) plus each row's key.
struct ParsedRows {
  std::vector<segment::ColumnData> columns;
  std::vector<PrimaryKey> pks;
  size_t num_rows = 0;
};

// Parses `rows` (a JSON array of objects). When the primary key is auto_id and `auto_ids` is not
// empty, it holds one id per row (a key given in a row is ignored); with `auto_ids` empty (upsert)
// every row must carry its key. Extra keys go to the "$meta" JSON field when the
// schema enables dynamic fields and has one; otherwise 1804.
Result<ParsedRows> ParseRows(const CollectionSchema& schema, const nlohmann::json& rows,
                             const std::vector<int64_t>& auto_ids);

// Builds a ParsedRows one row at a time; ParseRows and the fast insert body reader share it.
// A float vector may be appended ahead of its row's other members (AppendFloatVector), so
// callers can decode vectors straight from the request text.
class RowBuilder {
 public:
  // `schema` and `auto_ids` must outlive the builder.
  RowBuilder(const CollectionSchema& schema, const std::vector<int64_t>& auto_ids,
             size_t expected_rows);
  RowBuilder(const RowBuilder&) = delete;
  RowBuilder& operator=(const RowBuilder&) = delete;

  // The column of the FloatVector field `name`, or -1.
  int FloatVectorColumn(std::string_view name) const;
  // Appends the next row's value of FloatVector column `column`; 1804 for a wrong length or a
  // second value in one row.
  Status AppendFloatVector(int column, const float* values, size_t count);
  // Completes the next row from `row` (the members not appended ahead).
  Status AddRow(const nlohmann::json& row);
  size_t num_rows() const { return out_.num_rows; }
  Result<ParsedRows> Finish();

 private:
  const CollectionSchema& schema_;
  const std::vector<int64_t>& auto_ids_;
  ParsedRows out_;
  std::vector<bool> prefilled_;  // columns of the current row appended ahead
  int meta_index_ = -1;
  int pk_index_ = -1;
  bool use_auto_ids_ = false;
};

// Rows [indices] of `columns` as a new batch.
std::vector<segment::ColumnData> SelectRows(const std::vector<FieldSchema>& fields,
                                            const std::vector<segment::ColumnData>& columns,
                                            const std::vector<uint32_t>& indices);

// Which fields and dynamic keys an output row carries.
struct OutputSpec {
  std::vector<const FieldSchema*> fields;  // schema order; never includes "$meta"
  bool all_dynamic = false;                // "*": every dynamic key
  std::vector<std::string> dynamic_keys;   // named dynamic keys
  bool needs_meta() const { return all_dynamic || !dynamic_keys.empty(); }
};

// Resolves outputFields: "*" = every field and every dynamic key; a field name; else a dynamic
// key when the schema has dynamic fields, or 1100 "field X not exist". The primary key is added
// when `with_pk`; vectors are included only when asked for (or by "*").
Result<OutputSpec> ResolveOutputFields(const CollectionSchema& schema,
                                       const std::vector<std::string>& names, bool with_pk);

// One value in Milvus's output shape: Int64 as a string when !allow_int64, JSON as its text,
// arrays as plain JSON arrays, binary / float16 / bfloat16 vectors as base64, sparse as a map,
// null for a null row.
nlohmann::json CellJson(const FieldSchema& field, const segment::ColumnData& column, size_t row,
                        bool allow_int64);
// A primary key as output JSON.
nlohmann::json PkJson(const PrimaryKey& pk, bool allow_int64);

// Adds the spec's fields of row `row` to `out`. `columns[i]` belongs to `fields[i]`; fields not
// in `fields` are skipped. Dynamic keys come from the "$meta" column when present.
void AppendOutputRow(const OutputSpec& spec, const std::vector<FieldSchema>& fields,
                     const std::vector<segment::ColumnData>& columns, size_t row, bool allow_int64,
                     nlohmann::json* out);

}  // namespace vdb::proxy
