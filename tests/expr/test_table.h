// Test helpers for lib/expr: a fixed schema and an in-memory table that hands out ColumnViews
// laid out like segment::ColumnData.
#pragma once

#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/coding.h"
#include "common/schema.h"
#include "expr/evaluator.h"

namespace vdb::expr::test {

inline FieldSchema MakeField(int64_t id, const char* name, DataType type, bool nullable = false,
                             DataType element_type = DataType::kNone) {
  FieldSchema f;
  f.id = FieldId(id);
  f.name = name;
  f.type = type;
  f.nullable = nullable;
  f.element_type = element_type;
  if (type == DataType::kVarChar) f.max_length = 256;
  if (type == DataType::kArray) f.max_capacity = 16;
  if (type == DataType::kFloatVector) f.dim = 4;
  return f;
}

// id Int64 pk, i32 Int32 nullable, f Double, s VarChar nullable, b Bool, arr Array<Int64>,
// sarr Array<VarChar>, j JSON, $meta JSON (dynamic), vec FloatVector, i8 Int8.
inline CollectionSchema TestSchema(bool dynamic = true) {
  CollectionSchema s;
  s.name = "coll";
  s.enable_dynamic_field = dynamic;
  s.fields.push_back(MakeField(100, "id", DataType::kInt64));
  s.fields.back().primary_key = true;
  s.fields.push_back(MakeField(101, "i32", DataType::kInt32, true));
  s.fields.push_back(MakeField(102, "f", DataType::kDouble));
  s.fields.push_back(MakeField(103, "s", DataType::kVarChar, true));
  s.fields.push_back(MakeField(104, "b", DataType::kBool));
  s.fields.push_back(MakeField(105, "arr", DataType::kArray, false, DataType::kInt64));
  s.fields.push_back(MakeField(106, "sarr", DataType::kArray, false, DataType::kVarChar));
  s.fields.push_back(MakeField(107, "j", DataType::kJson));
  if (dynamic) s.fields.push_back(MakeField(108, "$meta", DataType::kJson));
  s.fields.push_back(MakeField(109, "vec", DataType::kFloatVector));
  s.fields.push_back(MakeField(110, "i8", DataType::kInt8));
  return s;
}

// One column's storage. Append rows, then View().
class TestColumn {
 public:
  TestColumn(DataType type, bool nullable, DataType element_type = DataType::kNone)
      : type_(type), element_type_(element_type), nullable_(nullable) {}

  template <typename T>
  void AppendFixed(std::optional<T> v) {
    T x = v.value_or(T{});
    values_.append(reinterpret_cast<const char*>(&x), sizeof(T));
    PushValid(v.has_value());
  }
  void AppendBytes(std::optional<std::string> v) {
    bytes_ += v.value_or("");
    offsets_.push_back(bytes_.size());
    PushValid(v.has_value());
  }
  void AppendIntArray(const std::vector<int64_t>& v) {
    std::string row(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int64_t));
    AppendBytes(row);
  }
  void AppendStringArray(const std::vector<std::string>& v) {
    std::string row;
    for (const auto& s : v) PutLengthPrefixed(&row, s);
    AppendBytes(row);
  }

  ColumnView View() const {
    ColumnView view;
    view.type = type_;
    view.element_type = element_type_;
    view.rows = rows_;
    if (IsFixedWidth(type_)) {
      view.values = values_.data();
    } else {
      view.offsets = offsets_.data();
      view.bytes = bytes_.data();
    }
    if (nullable_) view.validity = validity_.data();
    return view;
  }

 private:
  void PushValid(bool valid) {
    if (rows_ % 8 == 0) validity_.push_back(0);
    if (valid) validity_.back() = static_cast<uint8_t>(validity_.back() | (1u << (rows_ % 8)));
    ++rows_;
  }

  DataType type_;
  DataType element_type_;
  bool nullable_;
  size_t rows_ = 0;
  std::string values_;
  std::vector<uint64_t> offsets_{0};
  std::string bytes_;
  std::vector<uint8_t> validity_;
};

// Rows of the TestSchema columns the evaluator tests use.
struct Row {
  int64_t id = 0;
  std::optional<int32_t> i32;
  double f = 0;
  std::optional<std::string> s;
  bool b = false;
  std::vector<int64_t> arr;
  std::vector<std::string> sarr;
  std::string j = "{}";
  std::string meta = "{}";
  int8_t i8 = 0;
};

class TestTable {
 public:
  TestTable()
      : id_(DataType::kInt64, false),
        i32_(DataType::kInt32, true),
        f_(DataType::kDouble, false),
        s_(DataType::kVarChar, true),
        b_(DataType::kBool, false),
        arr_(DataType::kArray, false, DataType::kInt64),
        sarr_(DataType::kArray, false, DataType::kVarChar),
        j_(DataType::kJson, false),
        meta_(DataType::kJson, false),
        i8_(DataType::kInt8, false) {}

  void Append(const Row& r) {
    rows_.push_back(r);
    id_.AppendFixed<int64_t>(r.id);
    i32_.AppendFixed<int32_t>(r.i32);
    f_.AppendFixed<double>(r.f);
    s_.AppendBytes(r.s);
    b_.AppendFixed<uint8_t>(r.b ? 1 : 0);
    arr_.AppendIntArray(r.arr);
    sarr_.AppendStringArray(r.sarr);
    j_.AppendBytes(r.j);
    meta_.AppendBytes(r.meta);
    i8_.AppendFixed<int8_t>(r.i8);
  }

  ColumnViewMap Views() const {
    ColumnViewMap m;
    m.Add(FieldId(100), id_.View());
    m.Add(FieldId(101), i32_.View());
    m.Add(FieldId(102), f_.View());
    m.Add(FieldId(103), s_.View());
    m.Add(FieldId(104), b_.View());
    m.Add(FieldId(105), arr_.View());
    m.Add(FieldId(106), sarr_.View());
    m.Add(FieldId(107), j_.View());
    m.Add(FieldId(108), meta_.View());
    m.Add(FieldId(110), i8_.View());
    return m;
  }

  const std::vector<Row>& rows() const { return rows_; }
  size_t size() const { return rows_.size(); }

 private:
  std::vector<Row> rows_;
  TestColumn id_, i32_, f_, s_, b_, arr_, sarr_, j_, meta_, i8_;
};

inline bool Bit(const std::vector<uint64_t>& bitmap, size_t r) {
  return (bitmap[r / 64] >> (r % 64)) & 1;
}

}  // namespace vdb::expr::test
