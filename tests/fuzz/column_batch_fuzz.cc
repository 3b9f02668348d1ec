// Fuzzes the column batch decoder (segment/column_codec.h), which reads insert bodies off the
// wire and out of WAL payloads, against a fixed schema holding every type the codec carries:
// fixed-width scalars (some nullable), VarChar and JSON (plain and nullable), arrays of Int32 and
// of VarChar, the four dense vector types and sparse vectors. Bad bytes must be kCorruption or
// kInvalidArgument, never a crash; a batch that decodes must respect the fields' limits, and
// encode to bytes that decode to equal columns and encode to the same bytes again. Seeds in
// corpus/column_batch/.
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

namespace {

vdb::FieldSchema Field(int64_t id, std::string name, vdb::DataType type, bool nullable = false) {
  vdb::FieldSchema f;
  f.id = vdb::FieldId(id);
  f.name = std::move(name);
  f.type = type;
  f.nullable = nullable;
  return f;
}

// Every column type the codec supports; the field ids are not in schema order on purpose.
std::vector<vdb::FieldSchema> MakeFields() {
  using vdb::DataType;
  std::vector<vdb::FieldSchema> f;
  f.push_back(Field(100, "id", DataType::kInt64));
  f.back().primary_key = true;
  f.push_back(Field(101, "flag", DataType::kBool));
  f.push_back(Field(102, "i8", DataType::kInt8));
  f.push_back(Field(103, "i16", DataType::kInt16, /*nullable=*/true));
  f.push_back(Field(104, "i32", DataType::kInt32));
  f.push_back(Field(105, "f32", DataType::kFloat));
  f.push_back(Field(106, "f64", DataType::kDouble, /*nullable=*/true));
  f.push_back(Field(107, "tag", DataType::kVarChar));
  f.back().max_length = 16;
  f.push_back(Field(108, "note", DataType::kVarChar, /*nullable=*/true));
  f.back().max_length = 4;
  f.push_back(Field(109, "doc", DataType::kJson));
  f.push_back(Field(110, "extra", DataType::kJson, /*nullable=*/true));
  f.push_back(Field(111, "nums", DataType::kArray));
  f.back().element_type = DataType::kInt32;
  f.back().max_capacity = 4;
  f.push_back(Field(112, "words", DataType::kArray, /*nullable=*/true));
  f.back().element_type = DataType::kVarChar;
  f.back().max_capacity = 3;
  f.back().max_length = 8;
  f.push_back(Field(113, "bits", DataType::kBinaryVector));
  f.back().dim = 16;
  f.push_back(Field(114, "vec", DataType::kFloatVector));
  f.back().dim = 4;
  f.push_back(Field(115, "half", DataType::kFloat16Vector));
  f.back().dim = 4;
  f.push_back(Field(116, "brain", DataType::kBFloat16Vector));
  f.back().dim = 2;
  f.push_back(Field(117, "sparse", DataType::kSparseFloatVector));
  f.push_back(Field(99, std::string(vdb::kDynamicFieldName), DataType::kJson));
  return f;
}

[[noreturn]] void Fail(const std::string& why, std::string_view input) {
  std::string shown;
  for (unsigned char c : input) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%02x", c);
    shown += buf;
  }
  std::fprintf(stderr, "column_batch: %s\ninput (hex): %s\n", why.c_str(), shown.c_str());
  std::abort();
}

// What the codec promises about a batch it accepts: every row within its field's limits, the
// ones the JSON insert path enforces too (VarChar max_length, also for array elements, and array
// max_capacity). Returns the first violation, or an empty string.
std::string LimitViolation(const std::vector<vdb::FieldSchema>& fields,
                           const std::vector<vdb::segment::ColumnData>& columns) {
  using vdb::DataType;
  for (size_t i = 0; i < fields.size(); ++i) {
    const vdb::FieldSchema& f = fields[i];
    const vdb::segment::ColumnData& c = columns[i];
    const auto max_length = static_cast<size_t>(f.max_length);
    for (size_t r = 0; r < c.size(); ++r) {
      if (c.IsNull(r)) continue;
      std::string where = f.name + " row " + std::to_string(r);
      if (f.type == DataType::kVarChar && c.GetString(r).size() > max_length) {
        return where + " is longer than max_length";
      }
      if (f.type != DataType::kArray) continue;
      vdb::segment::ColumnData elements = c.GetArray(r);
      if (elements.size() > static_cast<size_t>(f.max_capacity)) {
        return where + " exceeds max_capacity";
      }
      if (f.element_type != DataType::kVarChar) continue;
      for (size_t e = 0; e < elements.size(); ++e) {
        if (elements.GetString(e).size() > max_length) {
          return where + " has an element longer than max_length";
        }
      }
    }
  }
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<vdb::FieldSchema> fields = MakeFields();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t rows = 0;
  auto columns = vdb::segment::DecodeColumns(fields, bytes, &rows);
  if (!columns.ok()) {
    vdb::StatusCode code = columns.status().code();
    if (code != vdb::StatusCode::kCorruption && code != vdb::StatusCode::kInvalidArgument) {
      Fail("unexpected error " + columns.status().ToString(), bytes);
    }
    return 0;
  }
  if (std::string bad = LimitViolation(fields, *columns); !bad.empty()) {
    Fail("decoded batch breaks a limit: " + bad, bytes);
  }
  // The input may spell varints and order columns differently, so compare a second round trip.
  std::string once = vdb::segment::EncodeColumns(fields, *columns);
  size_t rows_again = 0;
  auto again = vdb::segment::DecodeColumns(fields, once, &rows_again);
  if (!again.ok()) Fail("encoded batch does not decode: " + again.status().ToString(), bytes);
  if (rows_again != rows || *again != *columns) Fail("columns differ after a round trip", bytes);
  if (vdb::segment::EncodeColumns(fields, *again) != once) Fail("encoding is not stable", bytes);
  return 0;
}
