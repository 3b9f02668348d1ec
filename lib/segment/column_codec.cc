#include "segment/column_codec.h"

#include "common/coding.h"

namespace vdb::segment {
namespace {

size_t RowWidth(const FieldSchema& field) {
  if (IsFixedWidth(field.type)) return ElementWidth(field.type);
  if (IsDenseVector(field.type)) return VectorRowBytes(field.type, field.dim);
  return 0;
}

Status Truncated(std::string_view what) {
  return Status::Corruption("column batch: truncated or malformed " + std::string(what));
}

// Reads one column's values for `field` into a fresh ColumnData.
Status DecodeValues(const FieldSchema& field, uint64_t rows, std::string_view* in,
                    ColumnData* out) {
  const std::string name = "column of field \"" + field.name + "\"";
  std::string_view validity;
  if (field.nullable) {
    if (!GetLengthPrefixed(in, &validity)) return Truncated(name + " validity");
    if (validity.size() != (rows + 7) / 8) return Status::Corruption(name + ": bad validity size");
  }
  auto valid = [&](uint64_t r) {
    return !field.nullable || ((static_cast<uint8_t>(validity[r / 8]) >> (r % 8)) & 1) != 0;
  };
  ColumnData column(field);
  size_t width = RowWidth(field);
  if (width != 0) {
    std::string_view values;
    if (!GetLengthPrefixed(in, &values)) return Truncated(name + " values");
    if (values.size() / width != rows || values.size() % width != 0) {
      return Status::Corruption(name + ": " + std::to_string(values.size()) + " value bytes for " +
                                std::to_string(rows) + " rows");
    }
    column.AppendRawFixedRows(values, rows, reinterpret_cast<const uint8_t*>(validity.data()));
    *out = std::move(column);
    return Status::OK();
  }
  // Every row takes at least one byte of length, so rows > remaining input is malformed; this
  // bounds the allocation below by the input size.
  if (rows > in->size()) return Truncated(name + " row lengths");
  std::vector<uint64_t> lengths(rows);
  uint64_t total = 0;
  for (uint64_t r = 0; r < rows; ++r) {
    if (!GetVarint64(in, &lengths[r])) return Truncated(name + " row lengths");
    if (lengths[r] > in->size()) return Truncated(name + " row lengths");
    total += lengths[r];
  }
  std::string_view bytes;
  if (!GetLengthPrefixed(in, &bytes)) return Truncated(name + " rows");
  if (bytes.size() != total) return Status::Corruption(name + ": row lengths do not add up");
  column.Reserve(rows, total);
  size_t pos = 0;
  for (uint64_t r = 0; r < rows; ++r) {
    column.AppendRawRow(bytes.substr(pos, lengths[r]), valid(r));
    pos += lengths[r];
  }
  *out = std::move(column);
  return Status::OK();
}

// VarChar array elements obey the field's max_length, as in a VarChar field (the JSON insert
// path enforces it too; a binary batch must not get around it).
Status CheckArrayElementLengths(const FieldSchema& field, const ColumnData& elements, size_t row) {
  if (field.element_type != DataType::kVarChar || field.max_length <= 0) return Status::OK();
  for (size_t e = 0; e < elements.size(); ++e) {
    size_t bytes = elements.GetString(e).size();
    if (bytes > static_cast<uint64_t>(field.max_length)) {
      return Status::InvalidArgument(
          "column of field \"" + field.name + "\": row " + std::to_string(row) + " element " +
          std::to_string(e) + " is " + std::to_string(bytes) + " bytes, more than max_length " +
          std::to_string(field.max_length));
    }
  }
  return Status::OK();
}

}  // namespace

std::string EncodeColumns(const std::vector<FieldSchema>& fields,
                          const std::vector<ColumnData>& columns) {
  VDB_CHECK(fields.size() == columns.size());
  size_t rows = columns.empty() ? 0 : columns[0].size();
  std::string out;
  PutFixed8(&out, kColumnCodecVersion);
  PutVarint64(&out, rows);
  PutVarint32(&out, static_cast<uint32_t>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) {
    const FieldSchema& field = fields[i];
    const ColumnData& column = columns[i];
    VDB_CHECK(column.size() == rows && column.type() == field.type);
    PutVarsint64(&out, field.id.value());
    PutFixed8(&out, static_cast<uint8_t>(field.type));
    PutFixed8(&out, static_cast<uint8_t>(field.element_type));
    PutFixed8(&out, column.nullable() ? 1 : 0);
    PutVarint64(&out, static_cast<uint64_t>(column.dim()));
    if (column.nullable()) PutLengthPrefixed(&out, column.validity());
    if (!column.is_variable()) {
      PutLengthPrefixed(&out, column.values());
      continue;
    }
    const auto& offsets = column.offsets();
    for (size_t r = 0; r < rows; ++r) PutVarint64(&out, offsets[r + 1] - offsets[r]);
    PutLengthPrefixed(&out, column.values());
  }
  return out;
}

Result<std::vector<ColumnData>> DecodeColumns(const std::vector<FieldSchema>& fields,
                                              std::string_view bytes, size_t* num_rows) {
  std::string_view in = bytes;
  uint8_t version = 0;
  uint64_t rows = 0;
  uint32_t count = 0;
  if (!GetFixed8(&in, &version) || !GetVarint64(&in, &rows) || !GetVarint32(&in, &count)) {
    return Truncated("header");
  }
  if (version != kColumnCodecVersion) {
    return Status::Corruption("column batch: unknown version " + std::to_string(version));
  }
  if (count != fields.size()) {
    return Status::InvalidArgument("column batch has " + std::to_string(count) +
                                   " columns, the schema " + std::to_string(fields.size()));
  }
  std::vector<ColumnData> columns(fields.size());
  std::vector<bool> seen(fields.size(), false);
  for (uint32_t c = 0; c < count; ++c) {
    int64_t field_id = 0;
    uint8_t type = 0, element_type = 0, flags = 0;
    uint64_t dim = 0;
    if (!GetVarsint64(&in, &field_id) || !GetFixed8(&in, &type) || !GetFixed8(&in, &element_type) ||
        !GetFixed8(&in, &flags) || !GetVarint64(&in, &dim)) {
      return Truncated("column header");
    }
    size_t index = fields.size();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].id.value() == field_id) index = i;
    }
    if (index == fields.size() || seen[index]) {
      return Status::InvalidArgument("column batch: unexpected or repeated field id " +
                                     std::to_string(field_id));
    }
    const FieldSchema& field = fields[index];
    bool dense = IsDenseVector(field.type);
    if (type != static_cast<uint8_t>(field.type) ||
        element_type != static_cast<uint8_t>(field.element_type) ||
        ((flags & 1) != 0) != field.nullable || (flags & ~1) != 0 ||
        (dense && dim != static_cast<uint64_t>(field.dim)) || (!dense && dim != 0)) {
      return Status::InvalidArgument("column of field \"" + field.name +
                                     "\": type, dim or nullability differs from the schema");
    }
    VDB_RETURN_IF_ERROR(DecodeValues(field, rows, &in, &columns[index]));
    VDB_RETURN_IF_ERROR(CheckColumnForField(field, columns[index], rows));
    seen[index] = true;
  }
  if (!in.empty()) return Status::Corruption("column batch: trailing bytes");
  *num_rows = rows;
  return columns;
}

Status CheckColumnForField(const FieldSchema& field, const ColumnData& column, size_t rows) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("column of field \"" + field.name + "\": " + why);
  };
  if (column.type() != field.type || column.element_type() != field.element_type ||
      column.nullable() != field.nullable ||
      (IsDenseVector(field.type) && column.dim() != field.dim)) {
    return bad("type, dim or nullability differs from the schema");
  }
  if (column.size() != rows) {
    return bad(std::to_string(column.size()) + " rows, expected " + std::to_string(rows));
  }
  if (!column.is_variable()) return Status::OK();
  for (size_t r = 0; r < column.size(); ++r) {
    size_t bytes = column.RowBytes(r).size();
    if (bytes > UINT32_MAX) return bad("row " + std::to_string(r) + " is 4 GiB or more");
    if (field.type == DataType::kVarChar && field.max_length > 0 &&
        bytes > static_cast<uint64_t>(field.max_length)) {
      return bad("row " + std::to_string(r) + " is " + std::to_string(bytes) +
                 " bytes, more than max_length " + std::to_string(field.max_length));
    }
  }
  Status rows_ok = column.ValidateRows("column of field \"" + field.name + "\"");
  if (!rows_ok.ok()) return Status::InvalidArgument(rows_ok.message());
  if (field.type == DataType::kArray) {
    for (size_t r = 0; r < column.size(); ++r) {
      if (column.IsNull(r)) continue;
      ColumnData elements = column.GetArray(r);
      if (elements.size() > static_cast<size_t>(field.max_capacity)) {
        return bad("row " + std::to_string(r) + " has more than max_capacity " +
                   std::to_string(field.max_capacity) + " elements");
      }
      VDB_RETURN_IF_ERROR(CheckArrayElementLengths(field, elements, r));
    }
  }
  return Status::OK();
}

}  // namespace vdb::segment
