// The data model: field types, field and collection schemas, primary keys. Pure data shared by
// every layer; no JSON here (codecs live beside the formats that persist them). Value types, safe
// to copy and share between threads once built.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/status.h"

namespace vdb {

// Persisted (segment files, manifests, meta store): the values are Milvus's schema.proto numbers
// and must never change.
enum class DataType : uint8_t {
  kNone = 0,
  kBool = 1,
  kInt8 = 2,
  kInt16 = 3,
  kInt32 = 4,
  kInt64 = 5,
  kFloat = 10,
  kDouble = 11,
  kVarChar = 21,
  kArray = 22,
  kJson = 23,
  kBinaryVector = 100,
  kFloatVector = 101,
  kFloat16Vector = 102,
  kBFloat16Vector = 103,
  kSparseFloatVector = 104,
};

// Milvus's spelling: "Bool", "Int64", "VarChar", "JSON", "FloatVector", "SparseFloatVector"...
// "None" for kNone and "Unknown" for values outside the enum.
std::string_view DataTypeName(DataType type);
// Parses a name as DataTypeName prints it (case-insensitive; "String" is VarChar, "Json" is
// JSON); kInvalidArgument naming the input otherwise.
Result<DataType> ParseDataType(std::string_view name);
// True for the enum's named values other than kNone (for checking bytes read from disk).
bool IsKnownDataType(uint8_t value);

bool IsVector(DataType type);       // the five vector types
bool IsDenseVector(DataType type);  // vectors with a fixed per-row size (all but sparse)
bool IsIntegral(DataType type);     // Int8..Int64
bool IsNumeric(DataType type);      // Int8..Int64, Float, Double
// Scalars stored in a fixed number of bytes per value: Bool, Int8..Int64, Float, Double.
bool IsFixedWidth(DataType type);
// Bytes per value of a fixed-width scalar (Bool is one byte); 0 for every other type.
size_t ElementWidth(DataType type);
// Bytes per row of a dense vector of `dim` dimensions (binary: dim / 8); 0 for other types.
size_t VectorRowBytes(DataType type, int64_t dim);

// A primary key value: int64 or varchar.
using PrimaryKey = std::variant<int64_t, std::string>;
std::string PrimaryKeyToString(const PrimaryKey& pk);

struct FieldSchema {
  FieldId id;
  std::string name;
  DataType type = DataType::kNone;
  DataType element_type = DataType::kNone;  // arrays only
  bool primary_key = false;
  bool auto_id = false;
  bool nullable = false;
  bool partition_key = false;
  int64_t dim = 0;           // dense vectors
  int64_t max_length = 0;    // VarChar, and VarChar array elements
  int64_t max_capacity = 0;  // arrays: most elements per row
  // The default for rows that omit the field, encoded like one value of the field's column
  // (see segment/column_data.h); unset when there is none.
  std::optional<std::string> default_value;

  bool operator==(const FieldSchema&) const = default;
};

// The hidden JSON field that holds the keys of a dynamic schema no field declares.
inline constexpr std::string_view kDynamicFieldName = "$meta";

constexpr int64_t kMinVectorDim = 2;
constexpr int64_t kMaxVectorDim = 32768;
constexpr int64_t kMaxVarCharLength = 65535;
constexpr int64_t kMaxArrayCapacity = 4096;
constexpr size_t kMaxNameLength = 255;

// Names of collections and fields: a letter or '_', then letters, digits or '_', at most
// kMaxNameLength bytes. Field names may also be "$meta" (the dynamic field). kInvalidArgument
// naming `what` (e.g. "field name") and the name.
Status ValidateName(std::string_view name, std::string_view what);

struct CollectionSchema {
  std::string name;
  std::vector<FieldSchema> fields;
  bool enable_dynamic_field = false;

  // nullptr when absent. Pointers are into `fields`: valid until it changes.
  const FieldSchema* FindField(std::string_view field_name) const;
  const FieldSchema* FindField(FieldId id) const;
  const FieldSchema* PrimaryKeyField() const;

  // Checks the schema: valid unique names and ids; exactly one primary key, Int64 or VarChar,
  // not nullable; auto_id only on the primary key; at least one vector field; dense vector dim in
  // [kMinVectorDim, kMaxVectorDim], binary dim a multiple of 8; vectors not nullable; VarChar
  // max_length in [1, kMaxVarCharLength]; arrays of a fixed-width or VarChar element type with
  // max_capacity in [1, kMaxArrayCapacity]; at most one partition key, Int64 or VarChar, not the
  // primary key. Returns kInvalidArgument naming the offending field.
  Status Validate() const;

  bool operator==(const CollectionSchema&) const = default;
};

}  // namespace vdb
