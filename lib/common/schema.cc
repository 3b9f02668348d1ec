#include "common/schema.h"

#include <algorithm>
#include <array>
#include <set>

namespace vdb {
namespace {

struct TypeName {
  DataType type;
  std::string_view name;
};

constexpr std::array<TypeName, 16> kTypeNames = {{
    {DataType::kNone, "None"},
    {DataType::kBool, "Bool"},
    {DataType::kInt8, "Int8"},
    {DataType::kInt16, "Int16"},
    {DataType::kInt32, "Int32"},
    {DataType::kInt64, "Int64"},
    {DataType::kFloat, "Float"},
    {DataType::kDouble, "Double"},
    {DataType::kVarChar, "VarChar"},
    {DataType::kArray, "Array"},
    {DataType::kJson, "JSON"},
    {DataType::kBinaryVector, "BinaryVector"},
    {DataType::kFloatVector, "FloatVector"},
    {DataType::kFloat16Vector, "Float16Vector"},
    {DataType::kBFloat16Vector, "BFloat16Vector"},
    {DataType::kSparseFloatVector, "SparseFloatVector"},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

Status BadField(const FieldSchema& f, const std::string& why) {
  return Status::InvalidArgument("field \"" + f.name + "\": " + why);
}

Status ValidateVarCharLength(const FieldSchema& f) {
  if (f.max_length < 1 || f.max_length > kMaxVarCharLength) {
    return BadField(f, "max_length " + std::to_string(f.max_length) + " is outside [1, " +
                           std::to_string(kMaxVarCharLength) + "]");
  }
  return Status::OK();
}

Status ValidateField(const FieldSchema& f) {
  if (f.name != "$meta") VDB_RETURN_IF_ERROR(ValidateName(f.name, "field name"));
  if (f.id.value() < 0) return BadField(f, "negative field id " + f.id.ToString());
  if (!IsKnownDataType(static_cast<uint8_t>(f.type)) || f.type == DataType::kNone) {
    return BadField(f, "no data type");
  }
  if (f.auto_id && !f.primary_key)
    return BadField(f, "auto_id on a field that is not the primary key");
  if (f.primary_key) {
    if (f.type != DataType::kInt64 && f.type != DataType::kVarChar) {
      return BadField(
          f, "primary key must be Int64 or VarChar, not " + std::string(DataTypeName(f.type)));
    }
    if (f.nullable) return BadField(f, "primary key cannot be nullable");
  }
  if (f.partition_key) {
    if (f.primary_key) return BadField(f, "the primary key cannot be the partition key");
    if (f.type != DataType::kInt64 && f.type != DataType::kVarChar) {
      return BadField(f, "partition key must be Int64 or VarChar");
    }
    if (f.nullable) return BadField(f, "partition key cannot be nullable");
  }
  if (IsVector(f.type) && f.nullable) return BadField(f, "vector fields cannot be nullable");
  if (IsDenseVector(f.type)) {
    if (f.dim < kMinVectorDim || f.dim > kMaxVectorDim) {
      return BadField(f, "dim " + std::to_string(f.dim) + " is outside [" +
                             std::to_string(kMinVectorDim) + ", " + std::to_string(kMaxVectorDim) +
                             "]");
    }
    if (f.type == DataType::kBinaryVector && f.dim % 8 != 0) {
      return BadField(f, "binary vector dim " + std::to_string(f.dim) + " is not a multiple of 8");
    }
  }
  if (f.type == DataType::kVarChar) VDB_RETURN_IF_ERROR(ValidateVarCharLength(f));
  if (f.type == DataType::kArray) {
    if (!IsFixedWidth(f.element_type) && f.element_type != DataType::kVarChar) {
      return BadField(f, "array element type must be a fixed-width scalar or VarChar, not " +
                             std::string(DataTypeName(f.element_type)));
    }
    if (f.max_capacity < 1 || f.max_capacity > kMaxArrayCapacity) {
      return BadField(f, "max_capacity " + std::to_string(f.max_capacity) + " is outside [1, " +
                             std::to_string(kMaxArrayCapacity) + "]");
    }
    if (f.element_type == DataType::kVarChar) VDB_RETURN_IF_ERROR(ValidateVarCharLength(f));
  } else if (f.element_type != DataType::kNone) {
    return BadField(f, "element_type is only for arrays");
  }
  return Status::OK();
}

}  // namespace

std::string_view DataTypeName(DataType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "Unknown";
}

Result<DataType> ParseDataType(std::string_view name) {
  if (EqualsIgnoreCase(name, "String")) return DataType::kVarChar;
  for (const auto& t : kTypeNames) {
    if (t.type != DataType::kNone && EqualsIgnoreCase(t.name, name)) return t.type;
  }
  return Status::InvalidArgument("unknown data type \"" + std::string(name) + "\"");
}

bool IsKnownDataType(uint8_t value) {
  for (const auto& t : kTypeNames) {
    if (static_cast<uint8_t>(t.type) == value) return t.type != DataType::kNone;
  }
  return false;
}

bool IsVector(DataType type) {
  return type == DataType::kBinaryVector || type == DataType::kFloatVector ||
         type == DataType::kFloat16Vector || type == DataType::kBFloat16Vector ||
         type == DataType::kSparseFloatVector;
}

bool IsDenseVector(DataType type) { return IsVector(type) && type != DataType::kSparseFloatVector; }

bool IsIntegral(DataType type) {
  return type == DataType::kInt8 || type == DataType::kInt16 || type == DataType::kInt32 ||
         type == DataType::kInt64;
}

bool IsNumeric(DataType type) {
  return IsIntegral(type) || type == DataType::kFloat || type == DataType::kDouble;
}

bool IsFixedWidth(DataType type) { return ElementWidth(type) != 0; }

size_t ElementWidth(DataType type) {
  switch (type) {
    case DataType::kBool:
    case DataType::kInt8:
      return 1;
    case DataType::kInt16:
      return 2;
    case DataType::kInt32:
    case DataType::kFloat:
      return 4;
    case DataType::kInt64:
    case DataType::kDouble:
      return 8;
    default:
      return 0;
  }
}

size_t VectorRowBytes(DataType type, int64_t dim) {
  if (dim <= 0) return 0;
  auto d = static_cast<size_t>(dim);
  switch (type) {
    case DataType::kFloatVector:
      return d * 4;
    case DataType::kBinaryVector:
      return d / 8;
    case DataType::kFloat16Vector:
    case DataType::kBFloat16Vector:
      return d * 2;
    default:
      return 0;
  }
}

std::string PrimaryKeyToString(const PrimaryKey& pk) {
  if (const auto* i = std::get_if<int64_t>(&pk)) return std::to_string(*i);
  return "\"" + std::get<std::string>(pk) + "\"";
}

Status ValidateName(std::string_view name, std::string_view what) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(name) + "\": " + why);
  };
  if (name.empty()) return bad("empty");
  if (name.size() > kMaxNameLength) {
    return bad("longer than " + std::to_string(kMaxNameLength) + " bytes");
  }
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name[0])) return bad("must start with a letter or '_'");
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) {
      return bad("only letters, digits and '_' are allowed");
    }
  }
  return Status::OK();
}

const FieldSchema* CollectionSchema::FindField(std::string_view field_name) const {
  for (const auto& f : fields) {
    if (f.name == field_name) return &f;
  }
  return nullptr;
}

const FieldSchema* CollectionSchema::FindField(FieldId id) const {
  for (const auto& f : fields) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const FieldSchema* CollectionSchema::PrimaryKeyField() const {
  for (const auto& f : fields) {
    if (f.primary_key) return &f;
  }
  return nullptr;
}

Status CollectionSchema::Validate() const {
  VDB_RETURN_IF_ERROR(ValidateName(name, "collection name"));
  if (fields.empty()) return Status::InvalidArgument("collection \"" + name + "\": no fields");
  std::set<std::string_view> names;
  std::set<FieldId> ids;
  int primary_keys = 0, partition_keys = 0, vectors = 0;
  for (const auto& f : fields) {
    VDB_RETURN_IF_ERROR(ValidateField(f));
    if (!names.insert(f.name).second) return BadField(f, "duplicate field name");
    if (!ids.insert(f.id).second) return BadField(f, "duplicate field id " + f.id.ToString());
    primary_keys += f.primary_key ? 1 : 0;
    partition_keys += f.partition_key ? 1 : 0;
    vectors += IsVector(f.type) ? 1 : 0;
  }
  if (primary_keys != 1) {
    return Status::InvalidArgument("collection \"" + name + "\": " + std::to_string(primary_keys) +
                                   " primary key fields, expected exactly one");
  }
  if (partition_keys > 1) {
    return Status::InvalidArgument("collection \"" + name + "\": more than one partition key");
  }
  if (vectors == 0) {
    return Status::InvalidArgument("collection \"" + name + "\": no vector field");
  }
  return Status::OK();
}

}  // namespace vdb
