#include "proxy/entities_rows.h"

#include <cmath>
#include <cstring>
#include <set>

#include "common/crc32c.h"
#include "proxy/request.h"
#include "rpc/catalog.h"
#include "segment/growing_segment.h"

namespace vdb::proxy {

using nlohmann::json;
using segment::ColumnData;

int32_t ShardOf(const PrimaryKey& pk, int32_t shards) {
  if (shards <= 1) return 0;
  uint32_t crc = 0;
  if (const int64_t* v = std::get_if<int64_t>(&pk)) {
    char bytes[8];
    uint64_t u = static_cast<uint64_t>(*v);
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((u >> (8 * i)) & 0xff);
    crc = crc32c::Value(bytes, sizeof(bytes));
  } else {
    crc = crc32c::Value(std::get<std::string>(pk));
  }
  return static_cast<int32_t>(crc % static_cast<uint32_t>(shards));
}

namespace {

Status RowError(size_t row, std::string_view detail) {
  return rpc::WithMilvusCode(
      kMilvusInsertDataError,
      Status::InvalidArgument("fail to deal the insert data, error: row " + std::to_string(row) +
                              ": " + std::string(detail)));
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift;
    if ((mant >> (shift - 1)) & 1) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  if (mant & 0x1000) ++half;  // round half up; carries into the exponent correctly
  return static_cast<uint16_t>(half);
}

uint16_t FloatToBFloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if (std::isnan(f)) return 0x7fc0;
  x += 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

std::optional<double> Number(const json& v) {
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

// Appends one scalar element value of `type` to `col` (arrays' elements and plain scalars).
Status AppendScalar(const FieldSchema& field, DataType type, const json& v, ColumnData* col,
                    size_t row) {
  switch (type) {
    case DataType::kBool:
      if (!v.is_boolean()) return RowError(row, "field " + field.name + " expects a bool");
      col->AppendBool(v.get<bool>());
      return Status::OK();
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64: {
      std::optional<int64_t> i = LooseInt(v);
      if (!i) return RowError(row, "field " + field.name + " expects an integer");
      int bits = static_cast<int>(ElementWidth(type)) * 8;
      if (bits < 64) {
        int64_t lim = int64_t{1} << (bits - 1);
        if (*i < -lim || *i >= lim) {
          return RowError(row,
                          "value " + std::to_string(*i) + " out of range for field " + field.name);
        }
      }
      col->AppendInt(*i);
      return Status::OK();
    }
    case DataType::kFloat:
    case DataType::kDouble: {
      std::optional<double> d = Number(v);
      if (!d) return RowError(row, "field " + field.name + " expects a number");
      if (type == DataType::kFloat) {
        col->AppendFloat(static_cast<float>(*d));
      } else {
        col->AppendDouble(*d);
      }
      return Status::OK();
    }
    case DataType::kVarChar: {
      if (!v.is_string()) return RowError(row, "field " + field.name + " expects a string");
      const std::string& s = v.get_ref<const std::string&>();
      if (static_cast<int64_t>(s.size()) > field.max_length) {
        return InvalidParam("length of varchar field " + field.name + " exceeds max length, row " +
                            std::to_string(row) + " has length " + std::to_string(s.size()) +
                            ", max length " + std::to_string(field.max_length));
      }
      col->AppendString(s);
      return Status::OK();
    }
    default:
      return RowError(row, "field " + field.name + " has an unsupported element type");
  }
}

Status AppendVector(const FieldSchema& field, const json& v, ColumnData* col, size_t row) {
  const std::string dim_error = "the dim (" + std::to_string(field.dim) + ") of field " +
                                field.name + " is not equal to the vector's length";
  switch (field.type) {
    case DataType::kFloatVector:
    case DataType::kFloat16Vector:
    case DataType::kBFloat16Vector: {
      if (!v.is_array()) return RowError(row, "field " + field.name + " expects a number array");
      if (static_cast<int64_t>(v.size()) != field.dim) return RowError(row, dim_error);
      if (field.type == DataType::kFloatVector) {
        float buf[512];
        std::vector<float> heap;
        float* out = buf;
        if (field.dim > 512) {
          heap.resize(static_cast<size_t>(field.dim));
          out = heap.data();
        }
        size_t i = 0;
        for (const json& e : v) {
          if (!e.is_number()) return RowError(row, "field " + field.name + " expects numbers");
          out[i++] = e.get<float>();
        }
        col->AppendFloatVector(out);
        return Status::OK();
      }
      std::string bytes;
      bytes.reserve(v.size() * 2);
      for (const json& e : v) {
        if (!e.is_number()) return RowError(row, "field " + field.name + " expects numbers");
        float f = e.get<float>();
        uint16_t h = field.type == DataType::kFloat16Vector ? FloatToHalf(f) : FloatToBFloat16(f);
        bytes.push_back(static_cast<char>(h & 0xff));
        bytes.push_back(static_cast<char>(h >> 8));
      }
      col->AppendVectorBytes(bytes);
      return Status::OK();
    }
    case DataType::kBinaryVector: {
      if (!v.is_array()) return RowError(row, "field " + field.name + " expects a byte array");
      if (static_cast<int64_t>(v.size()) * 8 != field.dim) return RowError(row, dim_error);
      std::string bytes;
      for (const json& e : v) {
        std::optional<int64_t> b = LooseInt(e);
        if (!b || *b < 0 || *b > 255) return RowError(row, "field " + field.name + ": bad byte");
        bytes.push_back(static_cast<char>(*b));
      }
      col->AppendVectorBytes(bytes);
      return Status::OK();
    }
    case DataType::kSparseFloatVector: {
      std::vector<segment::SparseEntry> entries;
      const json* indices = FindMember(v, "indices");
      const json* values = FindMember(v, "values");
      if (indices != nullptr && values != nullptr && indices->is_array() && values->is_array()) {
        if (indices->size() != values->size()) return RowError(row, "sparse length mismatch");
        for (size_t i = 0; i < indices->size(); ++i) {
          std::optional<int64_t> idx = LooseInt((*indices)[i]);
          std::optional<double> val = Number((*values)[i]);
          if (!idx || !val || *idx < 0 || *idx > UINT32_MAX) {
            return RowError(row, "bad sparse entry");
          }
          entries.push_back({static_cast<uint32_t>(*idx), static_cast<float>(*val)});
        }
      } else if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
          std::optional<int64_t> idx = LooseInt(json(it.key()));
          std::optional<double> val = Number(*it);
          if (!idx || !val || *idx < 0 || *idx > UINT32_MAX) {
            return RowError(row, "bad sparse entry");
          }
          entries.push_back({static_cast<uint32_t>(*idx), static_cast<float>(*val)});
        }
      } else {
        return RowError(row, "field " + field.name + " expects a sparse vector object");
      }
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.index < b.index; });
      col->AppendSparse(entries);
      return Status::OK();
    }
    default:
      return RowError(row, "field " + field.name + " has an unsupported type");
  }
}

Status AppendValue(const FieldSchema& field, const json& v, ColumnData* col, size_t row) {
  if (IsVector(field.type)) return AppendVector(field, v, col, row);
  if (field.type == DataType::kJson) {
    col->AppendString(v.dump());
    return Status::OK();
  }
  if (field.type == DataType::kArray) {
    if (!v.is_array()) return RowError(row, "field " + field.name + " expects an array");
    if (static_cast<int64_t>(v.size()) > field.max_capacity) {
      return RowError(row, "array field " + field.name + " holds more than max_capacity " +
                               std::to_string(field.max_capacity) + " elements");
    }
    ColumnData elements(field.element_type);
    for (const json& e : v)
      VDB_RETURN_IF_ERROR(AppendScalar(field, field.element_type, e, &elements, row));
    col->AppendArray(elements);
    return Status::OK();
  }
  return AppendScalar(field, field.type, v, col, row);
}

}  // namespace

RowBuilder::RowBuilder(const CollectionSchema& schema, const std::vector<int64_t>& auto_ids,
                       size_t expected_rows)
    : schema_(schema), auto_ids_(auto_ids) {
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    const FieldSchema& field = schema.fields[f];
    out_.columns.emplace_back(field);
    if (field.name == kDynamicFieldName) meta_index_ = static_cast<int>(f);
    if (field.primary_key) pk_index_ = static_cast<int>(f);
    out_.columns.back().Reserve(expected_rows,
                                field.type == DataType::kFloatVector
                                    ? expected_rows * static_cast<size_t>(field.dim) * 4
                                    : 0);
  }
  use_auto_ids_ =
      pk_index_ >= 0 && schema.fields[static_cast<size_t>(pk_index_)].auto_id && !auto_ids.empty();
  out_.pks.reserve(expected_rows);
  prefilled_.assign(schema.fields.size(), false);
}

int RowBuilder::FloatVectorColumn(std::string_view name) const {
  for (size_t f = 0; f < schema_.fields.size(); ++f) {
    if (schema_.fields[f].type == DataType::kFloatVector && schema_.fields[f].name == name) {
      return static_cast<int>(f);
    }
  }
  return -1;
}

Status RowBuilder::AppendFloatVector(int column, const float* values, size_t count) {
  const size_t r = out_.num_rows;
  const FieldSchema& field = schema_.fields[static_cast<size_t>(column)];
  if (prefilled_[static_cast<size_t>(column)]) {
    return RowError(r, "field " + field.name + " appears twice");
  }
  if (static_cast<int64_t>(count) != field.dim) {
    return RowError(r, "the dim (" + std::to_string(field.dim) + ") of field " + field.name +
                           " is not equal to the vector's length (" + std::to_string(count) + ")");
  }
  out_.columns[static_cast<size_t>(column)].AppendFloatVector(values);
  prefilled_[static_cast<size_t>(column)] = true;
  return Status::OK();
}

Status RowBuilder::AddRow(const json& row) {
  const size_t r = out_.num_rows;
  if (pk_index_ < 0) return Status::Internal("collection " + schema_.name + " has no primary key");
  if (use_auto_ids_ && r >= auto_ids_.size()) {
    return Status::Internal("auto ids do not match the row count");
  }
  if (!row.is_object()) return RowError(r, "a row must be a JSON object");
  size_t known = 0;
  for (size_t f = 0; f < schema_.fields.size(); ++f) {
    const FieldSchema& field = schema_.fields[f];
    ColumnData* col = &out_.columns[f];
    if (static_cast<int>(f) == meta_index_) continue;
    auto it = row.find(field.name);
    if (it != row.end()) ++known;
    if (prefilled_[f]) {
      if (it != row.end()) return RowError(r, "field " + field.name + " appears twice");
      continue;
    }
    if (field.primary_key && use_auto_ids_) {
      col->AppendInt(auto_ids_[r]);
      continue;
    }
    if (it == row.end() || it->is_null()) {
      if (field.default_value) {
        col->AppendRawRow(*field.default_value, true);
      } else if (field.nullable) {
        col->AppendNull();
      } else {
        return RowError(r, "field " + field.name +
                               " is missing or null, but it is not nullable and has no default "
                               "value");
      }
      continue;
    }
    VDB_RETURN_IF_ERROR(AppendValue(field, *it, col, r));
  }
  json dynamic = json::object();
  if (known < row.size()) {
    for (auto it = row.begin(); it != row.end(); ++it) {
      if (it.key() == kDynamicFieldName) {
        return RowError(r, "$meta is a reserved key and cannot be inserted");
      }
      if (schema_.FindField(it.key()) != nullptr) continue;
      if (!schema_.enable_dynamic_field) {
        return RowError(r,
                        "has pass more field without dynamic schema, please check it: " + it.key());
      }
      if (meta_index_ < 0) {
        return RowError(r, "collection " + schema_.name +
                               " has no $meta field to hold the dynamic key " + it.key());
      }
      dynamic[it.key()] = *it;
    }
  }
  if (meta_index_ >= 0) {
    out_.columns[static_cast<size_t>(meta_index_)].AppendString(dynamic.dump());
  }
  out_.pks.push_back(segment::PrimaryKeyAt(out_.columns[static_cast<size_t>(pk_index_)], r));
  prefilled_.assign(schema_.fields.size(), false);
  ++out_.num_rows;
  return Status::OK();
}

Result<ParsedRows> RowBuilder::Finish() {
  if (use_auto_ids_ && out_.num_rows != auto_ids_.size()) {
    return Status::Internal("auto ids do not match the row count");
  }
  return std::move(out_);
}

Result<ParsedRows> ParseRows(const CollectionSchema& schema, const json& rows,
                             const std::vector<int64_t>& auto_ids) {
  if (!rows.is_array()) return BadJson("data must be an array of rows");
  RowBuilder builder(schema, auto_ids, rows.size());
  for (const json& row : rows) VDB_RETURN_IF_ERROR(builder.AddRow(row));
  return builder.Finish();
}

std::vector<ColumnData> SelectRows(const std::vector<FieldSchema>& fields,
                                   const std::vector<ColumnData>& columns,
                                   const std::vector<uint32_t>& indices) {
  std::vector<ColumnData> out;
  out.reserve(fields.size());
  for (size_t f = 0; f < fields.size(); ++f) {
    out.emplace_back(fields[f]);
    const ColumnData& src = columns[f];
    out.back().Reserve(indices.size(), src.row_width() * indices.size());
    for (uint32_t i : indices) out.back().AppendRows(src, i, 1);
  }
  return out;
}

Result<OutputSpec> ResolveOutputFields(const CollectionSchema& schema,
                                       const std::vector<std::string>& names, bool with_pk) {
  OutputSpec spec;
  std::set<std::string> wanted;
  bool all = false;
  for (const std::string& name : names) {
    if (name == "*") {
      all = true;
    } else if (const FieldSchema* f = schema.FindField(name);
               f != nullptr && name != kDynamicFieldName) {
      wanted.insert(name);
    } else if (schema.enable_dynamic_field) {
      if (name == kDynamicFieldName) {
        spec.all_dynamic = true;
      } else {
        spec.dynamic_keys.push_back(name);
      }
    } else {
      return InvalidParam("field " + name + " not exist");
    }
  }
  if (all) spec.all_dynamic = schema.enable_dynamic_field;
  for (const FieldSchema& f : schema.fields) {
    if (f.name == kDynamicFieldName) continue;
    if (all || wanted.count(f.name) != 0 || (with_pk && f.primary_key)) spec.fields.push_back(&f);
  }
  return spec;
}

namespace {

std::string Base64(std::string_view bytes) {
  static const char* kTable = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                 uint8_t(bytes[i + 2]);
    out.push_back(kTable[(n >> 18) & 63]);
    out.push_back(kTable[(n >> 12) & 63]);
    out.push_back(kTable[(n >> 6) & 63]);
    out.push_back(kTable[n & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out.push_back(kTable[(n >> 18) & 63]);
    out.push_back(kTable[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kTable[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

json ScalarJson(DataType type, const ColumnData& col, size_t row, bool allow_int64) {
  switch (type) {
    case DataType::kBool:
      return col.GetBool(row);
    case DataType::kInt64:
      return Int64Json(col.GetInt(row), allow_int64);
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
      return col.GetInt(row);
    case DataType::kFloat:
      return col.GetFloat(row);
    case DataType::kDouble:
      return col.GetDouble(row);
    case DataType::kVarChar:
    case DataType::kJson:
      return std::string(col.GetString(row));
    default:
      return nullptr;
  }
}

}  // namespace

json PkJson(const PrimaryKey& pk, bool allow_int64) {
  if (const int64_t* v = std::get_if<int64_t>(&pk)) return Int64Json(*v, allow_int64);
  return std::get<std::string>(pk);
}

json CellJson(const FieldSchema& field, const ColumnData& col, size_t row, bool allow_int64) {
  if (col.nullable() && col.IsNull(row)) return nullptr;
  switch (field.type) {
    case DataType::kFloatVector: {
      const float* v = col.GetFloatVector(row);
      return json(std::vector<float>(v, v + field.dim));
    }
    case DataType::kBinaryVector:
    case DataType::kFloat16Vector:
    case DataType::kBFloat16Vector:
      return Base64(col.GetVectorBytes(row));
    case DataType::kSparseFloatVector: {
      json out = json::object();
      for (const auto& e : col.GetSparse(row)) out[std::to_string(e.index)] = e.value;
      return out;
    }
    case DataType::kArray: {
      ColumnData elements = col.GetArray(row);
      json out = json::array();
      for (size_t i = 0; i < elements.size(); ++i) {
        out.push_back(ScalarJson(field.element_type, elements, i, allow_int64));
      }
      return out;
    }
    default:
      return ScalarJson(field.type, col, row, allow_int64);
  }
}

void AppendOutputRow(const OutputSpec& spec, const std::vector<FieldSchema>& fields,
                     const std::vector<ColumnData>& columns, size_t row, bool allow_int64,
                     json* out) {
  for (const FieldSchema* want : spec.fields) {
    for (size_t f = 0; f < fields.size(); ++f) {
      if (fields[f].id != want->id) continue;
      (*out)[want->name] = CellJson(*want, columns[f], row, allow_int64);
      break;
    }
  }
  if (!spec.needs_meta()) return;
  for (size_t f = 0; f < fields.size(); ++f) {
    if (fields[f].name != kDynamicFieldName) continue;
    if (columns[f].nullable() && columns[f].IsNull(row)) return;
    json meta = json::parse(columns[f].GetString(row), nullptr, /*allow_exceptions=*/false);
    if (!meta.is_object()) return;
    if (spec.all_dynamic) {
      for (auto it = meta.begin(); it != meta.end(); ++it) {
        if (!out->contains(it.key())) (*out)[it.key()] = *it;
      }
    } else {
      for (const std::string& key : spec.dynamic_keys) {
        auto it = meta.find(key);
        if (it != meta.end()) (*out)[key] = *it;
      }
    }
    return;
  }
}

}  // namespace vdb::proxy
