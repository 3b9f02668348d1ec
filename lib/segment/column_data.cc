#include "segment/column_data.h"

#include <cstring>

#include "common/check.h"
#include "common/coding.h"

namespace vdb::segment {
namespace {

size_t RowWidthOf(DataType type, int64_t dim) {
  if (IsFixedWidth(type)) return ElementWidth(type);
  if (IsDenseVector(type)) return VectorRowBytes(type, dim);
  return 0;
}

}  // namespace

ColumnData::ColumnData(const FieldSchema& field)
    : ColumnData(field.type, field.dim, field.nullable, field.element_type) {}

ColumnData::ColumnData(DataType type, int64_t dim, bool nullable, DataType element_type)
    : type_(type),
      element_type_(element_type),
      dim_(IsDenseVector(type) ? dim : 0),
      nullable_(nullable),
      row_width_(RowWidthOf(type, dim)) {
  // A dense vector must have a usable dim; schemas validate this before columns are made.
  VDB_CHECK(!IsDenseVector(type) || row_width_ > 0);
}

bool ColumnData::IsNull(size_t row) const {
  VDB_DCHECK(row < rows_);
  if (!nullable_) return false;
  return (static_cast<uint8_t>(validity_[row / 8]) >> (row % 8) & 1) == 0;
}

void ColumnData::PushValidity(bool valid) {
  if (!nullable_) {
    VDB_CHECK(valid);
    return;
  }
  if (rows_ % 8 == 0) validity_.push_back('\0');
  if (valid) {
    validity_.back() =
        static_cast<char>(static_cast<uint8_t>(validity_.back()) | 1u << (rows_ % 8));
  } else {
    ++null_count_;
  }
}

void ColumnData::AppendRawRow(std::string_view bytes, bool valid) {
  if (row_width_ != 0) {
    VDB_CHECK(bytes.size() == row_width_);
    values_.append(bytes);
  } else {
    values_.append(bytes);
    offsets_.push_back(values_.size());
  }
  PushValidity(valid);
  ++rows_;
}

void ColumnData::AppendRawFixedRows(std::string_view bytes, size_t count,
                                    const uint8_t* valid_bits) {
  VDB_CHECK(row_width_ != 0 && bytes.size() == count * row_width_);
  values_.append(bytes);
  if (!nullable_) {
    rows_ += count;
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    PushValidity((valid_bits[i / 8] >> (i % 8) & 1) != 0);
    ++rows_;
  }
}

void ColumnData::Reserve(size_t rows, size_t value_bytes) {
  values_.reserve(value_bytes);
  if (row_width_ == 0) offsets_.reserve(rows + 1);
  if (nullable_) validity_.reserve((rows + 7) / 8);
}

void ColumnData::AppendNull() {
  VDB_CHECK(nullable_);
  AppendRawRow(std::string(row_width_, '\0'), false);
}

void ColumnData::AppendBool(bool v) {
  VDB_CHECK(type_ == DataType::kBool);
  char b = v ? 1 : 0;
  AppendRawRow(std::string_view(&b, 1), true);
}

void ColumnData::AppendInt(int64_t v) {
  VDB_CHECK(IsIntegral(type_));
  char buf[8];
  EncodeFixed64(buf,
                static_cast<uint64_t>(v));  // little-endian: the low bytes are the narrow value
  AppendRawRow(std::string_view(buf, row_width_), true);
}

void ColumnData::AppendFloat(float v) {
  VDB_CHECK(type_ == DataType::kFloat);
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  char buf[4];
  EncodeFixed32(buf, bits);
  AppendRawRow(std::string_view(buf, 4), true);
}

void ColumnData::AppendDouble(double v) {
  VDB_CHECK(type_ == DataType::kDouble);
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  char buf[8];
  EncodeFixed64(buf, bits);
  AppendRawRow(std::string_view(buf, 8), true);
}

void ColumnData::AppendString(std::string_view v) {
  VDB_CHECK(type_ == DataType::kVarChar || type_ == DataType::kJson);
  AppendRawRow(v, true);
}

void ColumnData::AppendFloatVector(const float* v) {
  VDB_CHECK(type_ == DataType::kFloatVector);
  // Stored little-endian; on the little-endian hosts we support that is the in-memory layout.
  AppendRawRow(std::string_view(reinterpret_cast<const char*>(v), row_width_), true);
}

void ColumnData::AppendVectorBytes(std::string_view row) {
  VDB_CHECK(IsDenseVector(type_));
  AppendRawRow(row, true);
}

void ColumnData::AppendSparse(const std::vector<SparseEntry>& row) {
  VDB_CHECK(type_ == DataType::kSparseFloatVector);
  std::string bytes;
  bytes.reserve(row.size() * 8);
  for (const auto& e : row) {
    PutFixed32(&bytes, e.index);
    PutFloat(&bytes, e.value);
  }
  AppendRawRow(bytes, true);
}

void ColumnData::AppendArray(const ColumnData& elements) {
  VDB_CHECK(type_ == DataType::kArray && elements.type() == element_type_ && !elements.nullable());
  if (element_type_ == DataType::kVarChar) {
    std::string bytes;
    for (size_t i = 0; i < elements.size(); ++i) PutLengthPrefixed(&bytes, elements.GetString(i));
    AppendRawRow(bytes, true);
  } else {
    AppendRawRow(elements.values(), true);
  }
}

void ColumnData::AppendRows(const ColumnData& other, size_t begin, size_t count) {
  VDB_CHECK(other.type_ == type_ && other.dim_ == dim_ && other.element_type_ == element_type_);
  VDB_CHECK(begin + count <= other.rows_);
  for (size_t i = begin; i < begin + count; ++i) AppendRawRow(other.RowBytes(i), !other.IsNull(i));
}

std::string_view ColumnData::RowBytes(size_t row) const {
  VDB_CHECK(row < rows_);
  if (row_width_ != 0) return std::string_view(values_).substr(row * row_width_, row_width_);
  return std::string_view(values_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
}

bool ColumnData::GetBool(size_t row) const {
  VDB_CHECK(type_ == DataType::kBool);
  return RowBytes(row)[0] != 0;
}

int64_t ColumnData::GetInt(size_t row) const {
  VDB_CHECK(IsIntegral(type_));
  std::string_view b = RowBytes(row);
  switch (type_) {
    case DataType::kInt8:
      return static_cast<int8_t>(b[0]);
    case DataType::kInt16:
      return static_cast<int16_t>(static_cast<uint8_t>(b[0]) | static_cast<uint8_t>(b[1]) << 8);
    case DataType::kInt32:
      return static_cast<int32_t>(DecodeFixed32(b.data()));
    default:
      return static_cast<int64_t>(DecodeFixed64(b.data()));
  }
}

float ColumnData::GetFloat(size_t row) const {
  VDB_CHECK(type_ == DataType::kFloat);
  uint32_t bits = DecodeFixed32(RowBytes(row).data());
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

double ColumnData::GetDouble(size_t row) const {
  VDB_CHECK(type_ == DataType::kDouble);
  uint64_t bits = DecodeFixed64(RowBytes(row).data());
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

std::string_view ColumnData::GetString(size_t row) const {
  VDB_CHECK(type_ == DataType::kVarChar || type_ == DataType::kJson);
  return RowBytes(row);
}

const float* ColumnData::GetFloatVector(size_t row) const {
  VDB_CHECK(type_ == DataType::kFloatVector);
  return reinterpret_cast<const float*>(RowBytes(row).data());
}

std::string_view ColumnData::GetVectorBytes(size_t row) const {
  VDB_CHECK(IsDenseVector(type_));
  return RowBytes(row);
}

std::vector<SparseEntry> ColumnData::GetSparse(size_t row) const {
  VDB_CHECK(type_ == DataType::kSparseFloatVector);
  std::string_view b = RowBytes(row);
  std::vector<SparseEntry> out;
  out.reserve(b.size() / 8);
  uint32_t index = 0;
  float value = 0;
  while (GetFixed32(&b, &index) && ::vdb::GetFloat(&b, &value)) out.push_back({index, value});
  return out;
}

ColumnData ColumnData::GetArray(size_t row) const {
  VDB_CHECK(type_ == DataType::kArray);
  ColumnData out(element_type_);
  std::string_view b = RowBytes(row);
  if (element_type_ == DataType::kVarChar) {
    std::string_view s;
    while (GetLengthPrefixed(&b, &s)) out.AppendRawRow(s, true);
  } else {
    size_t width = out.row_width();
    for (size_t off = 0; off + width <= b.size(); off += width) {
      out.AppendRawRow(b.substr(off, width), true);
    }
  }
  return out;
}

Status ColumnData::ValidateRows(std::string_view what) const {
  if (row_width_ != 0) return Status::OK();
  auto bad = [&](size_t row, const std::string& why) {
    return Status::Corruption(std::string(what) + ": row " + std::to_string(row) + ": " + why);
  };
  for (size_t row = 0; row < rows_; ++row) {
    std::string_view b = RowBytes(row);
    if (type_ == DataType::kSparseFloatVector && b.size() % 8 != 0) {
      return bad(row, "sparse vector of " + std::to_string(b.size()) + " bytes");
    }
    if (type_ != DataType::kArray) continue;
    if (element_type_ == DataType::kVarChar) {
      std::string_view s;
      while (!b.empty()) {
        if (!GetLengthPrefixed(&b, &s)) return bad(row, "malformed VarChar array element");
      }
    } else if (size_t width = ElementWidth(element_type_); width == 0 || b.size() % width != 0) {
      return bad(row, "array of " + std::to_string(b.size()) + " bytes for element type " +
                          std::string(DataTypeName(element_type_)));
    }
  }
  return Status::OK();
}

bool ColumnData::operator==(const ColumnData& other) const {
  return type_ == other.type_ && element_type_ == other.element_type_ && dim_ == other.dim_ &&
         nullable_ == other.nullable_ && rows_ == other.rows_ && null_count_ == other.null_count_ &&
         values_ == other.values_ && offsets_ == other.offsets_ && validity_ == other.validity_;
}

}  // namespace vdb::segment
