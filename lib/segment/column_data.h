// ColumnData: the values of one field for n rows, in memory, laid out the way column files store
// them (see format.h): fixed-width values and dense vectors contiguous; VarChar, JSON, Array and
// sparse rows as offsets + bytes; an optional validity bitmap for nullable fields.
// A value type; not thread-safe while being appended to, safe to share once built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/schema.h"
#include "common/status.h"

namespace vdb::segment {

struct SparseEntry {
  uint32_t index = 0;
  float value = 0;
  bool operator==(const SparseEntry&) const = default;
};

class ColumnData {
 public:
  ColumnData() = default;
  // A column for `field`'s type, dim, element type and nullability.
  explicit ColumnData(const FieldSchema& field);
  explicit ColumnData(DataType type, int64_t dim = 0, bool nullable = false,
                      DataType element_type = DataType::kNone);

  DataType type() const { return type_; }
  DataType element_type() const { return element_type_; }
  int64_t dim() const { return dim_; }
  bool nullable() const { return nullable_; }
  size_t size() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  uint64_t null_count() const { return null_count_; }
  bool IsNull(size_t row) const;

  // Appending one row. Calling the wrong method for type() is a caller bug (VDB_CHECK).
  // REQUIRES: nullable(). A null row holds zeros / nothing.
  void AppendNull();
  void AppendBool(bool v);
  // Int8..Int64; the value is narrowed to the column's width.
  void AppendInt(int64_t v);
  void AppendFloat(float v);
  void AppendDouble(double v);
  // VarChar and JSON (JSON text).
  void AppendString(std::string_view v);
  // REQUIRES: type() == kFloatVector; `v` holds dim() floats.
  void AppendFloatVector(const float* v);
  // Any dense vector: exactly VectorRowBytes(type(), dim()) bytes.
  void AppendVectorBytes(std::string_view row);
  void AppendSparse(const std::vector<SparseEntry>& row);
  // REQUIRES: type() == kArray, elements.type() == element_type(), !elements.nullable().
  void AppendArray(const ColumnData& elements);
  // Appends `count` rows from `other` (same type, dim and element type) starting at `begin`.
  void AppendRows(const ColumnData& other, size_t begin, size_t count);

  // Reading one row. REQUIRES: row < size() and the method matches type().
  bool GetBool(size_t row) const;
  int64_t GetInt(size_t row) const;  // Int8..Int64, widened
  float GetFloat(size_t row) const;
  double GetDouble(size_t row) const;
  std::string_view GetString(size_t row) const;  // VarChar, JSON
  const float* GetFloatVector(size_t row) const;
  std::string_view GetVectorBytes(size_t row) const;
  std::vector<SparseEntry> GetSparse(size_t row) const;
  ColumnData GetArray(size_t row) const;

  // The stored bytes of one row, whatever the type.
  std::string_view RowBytes(size_t row) const;
  // Fixed-width and dense vector columns: every value, contiguous (size() * row width bytes).
  // Variable columns: every row's bytes, concatenated.
  std::string_view values() const { return values_; }
  // Variable columns only: size() + 1 byte offsets into values(), starting at 0.
  const std::vector<uint64_t>& offsets() const { return offsets_; }
  // Nullable columns only: ceil(size() / 8) bytes, bit i (LSB first) set when row i is valid.
  std::string_view validity() const { return validity_; }
  // Bytes per row of fixed-width and dense vector columns; 0 for variable ones.
  size_t row_width() const { return row_width_; }
  bool is_variable() const { return row_width_ == 0; }

  // Checks that every variable row decodes for its type (array element sizes and VarChar
  // prefixes, sparse pairs) and that rows respect `field`'s limits; kCorruption naming `what`.
  Status ValidateRows(std::string_view what) const;

  // Low-level appends used by decoders: one row's stored bytes (the row width for fixed types)
  // and its validity.
  void AppendRawRow(std::string_view bytes, bool valid);
  // `count` fixed-width rows at once; `valid_bits` (LSB first) is ignored unless nullable().
  void AppendRawFixedRows(std::string_view bytes, size_t count, const uint8_t* valid_bits);
  void Reserve(size_t rows, size_t value_bytes);

  bool operator==(const ColumnData& other) const;

 private:
  void PushValidity(bool valid);

  DataType type_ = DataType::kNone;
  DataType element_type_ = DataType::kNone;
  int64_t dim_ = 0;
  bool nullable_ = false;
  size_t row_width_ = 0;
  size_t rows_ = 0;
  uint64_t null_count_ = 0;
  std::string values_;
  std::vector<uint64_t> offsets_{0};  // variable columns only
  std::string validity_;              // nullable columns only
};

}  // namespace vdb::segment
