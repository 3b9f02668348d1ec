// Fuzz target for the filter language: the input is filter text, parsed and bound against a
// fixed schema (with a fixed exprParams object); when it binds, the plan is evaluated on a few
// rows, encoded, decoded, compared and evaluated again. Errors must come back as a clean Status;
// crashes, sanitizer reports and a round trip that changes the plan or its result are bugs.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "common/schema.h"
#include "expr/evaluator.h"
#include "expr/plan.h"

namespace {

using vdb::DataType;
using vdb::FieldId;
using vdb::expr::ColumnView;

vdb::FieldSchema Field(int64_t id, const char* name, DataType type, bool nullable = false,
                       DataType element = DataType::kNone) {
  vdb::FieldSchema f;
  f.id = FieldId(id);
  f.name = name;
  f.type = type;
  f.nullable = nullable;
  f.element_type = element;
  f.dim = type == DataType::kFloatVector ? 4 : 0;
  return f;
}

struct Fixture {
  vdb::CollectionSchema schema;
  nlohmann::json params;
  vdb::expr::ColumnViewMap views;
  static constexpr size_t kRows = 4;
  int64_t id[kRows] = {1, -2, 3, INT64_MIN};
  int32_t i32[kRows] = {10, 0, -4, 7};
  uint8_t i32_valid = 0b1101;
  double f[kRows] = {1.5, -2, 0, 1e300};
  uint8_t b[kRows] = {1, 0, 1, 0};
  std::vector<uint64_t> s_off{0}, arr_off{0}, sarr_off{0}, j_off{0}, meta_off{0};
  std::string s_bytes, arr_bytes, sarr_bytes, j_bytes, meta_bytes;

  static void AddRow(std::vector<uint64_t>* off, std::string* bytes, std::string_view row) {
    bytes->append(row);
    off->push_back(bytes->size());
  }

  Fixture() {
    schema.name = "fuzz";
    schema.enable_dynamic_field = true;
    schema.fields = {Field(1, "id", DataType::kInt64),
                     Field(2, "i32", DataType::kInt32, true),
                     Field(3, "f", DataType::kDouble),
                     Field(4, "s", DataType::kVarChar),
                     Field(5, "b", DataType::kBool),
                     Field(6, "arr", DataType::kArray, false, DataType::kInt64),
                     Field(7, "sarr", DataType::kArray, false, DataType::kVarChar),
                     Field(8, "j", DataType::kJson),
                     Field(9, "$meta", DataType::kJson),
                     Field(10, "vec", DataType::kFloatVector)};
    schema.fields[0].primary_key = true;
    params = {{"a", 1}, {"b", "x"}, {"c", {1, 2, 3}}, {"d", 2.5}, {"e", true}};
    const char* strings[kRows] = {"apple", "", "a_%b", "zz"};
    const char* jsons[kRows] = {R"({"a": 1, "t": [1, "x", [2]], "o": {"k": null}})",
                                R"({"a": "s"})", "not json", R"([1, 2])"};
    const char* metas[kRows] = {R"({"uid": 5, "name": "ann"})", "{}", R"({"uid": 1.5})", "7"};
    for (size_t r = 0; r < kRows; ++r) {
      AddRow(&s_off, &s_bytes, strings[r]);
      std::string arr;
      for (size_t k = 0; k < r; ++k) vdb::PutFixed64(&arr, k * 3);
      AddRow(&arr_off, &arr_bytes, arr);
      std::string sarr;
      for (size_t k = 0; k < r; ++k) vdb::PutLengthPrefixed(&sarr, strings[k]);
      AddRow(&sarr_off, &sarr_bytes, sarr);
      AddRow(&j_off, &j_bytes, jsons[r]);
      AddRow(&meta_off, &meta_bytes, metas[r]);
    }
    Fixed(1, DataType::kInt64, id, nullptr);
    Fixed(2, DataType::kInt32, i32, &i32_valid);
    Fixed(3, DataType::kDouble, f, nullptr);
    Fixed(5, DataType::kBool, b, nullptr);
    Variable(4, DataType::kVarChar, DataType::kNone, s_off, s_bytes);
    Variable(6, DataType::kArray, DataType::kInt64, arr_off, arr_bytes);
    Variable(7, DataType::kArray, DataType::kVarChar, sarr_off, sarr_bytes);
    Variable(8, DataType::kJson, DataType::kNone, j_off, j_bytes);
    Variable(9, DataType::kJson, DataType::kNone, meta_off, meta_bytes);
  }
  void Fixed(int64_t id_value, DataType type, const void* values, const uint8_t* valid) {
    ColumnView v;
    v.type = type;
    v.values = values;
    v.validity = valid;
    v.rows = kRows;
    views.Add(FieldId(id_value), v);
  }
  void Variable(int64_t id_value, DataType type, DataType element, const std::vector<uint64_t>& off,
                const std::string& bytes) {
    ColumnView v;
    v.type = type;
    v.element_type = element;
    v.offsets = off.data();
    v.bytes = bytes.data();
    v.rows = kRows;
    views.Add(FieldId(id_value), v);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* fixture = new Fixture();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto plan = vdb::expr::Bind(fixture->schema, text, fixture->params);
  if (!plan.ok()) {
    std::string_view msg = plan.status().message();
    if (msg.rfind("failed to create query plan: ", 0) != 0) std::abort();
    return 0;
  }
  std::vector<uint64_t> bitmap;
  vdb::Status s = vdb::expr::Evaluate(*plan, fixture->views, Fixture::kRows, &bitmap);
  if (!s.ok()) std::abort();  // every column the schema allows in a filter is present
  (void)vdb::expr::ExtractPrimaryKeys(fixture->schema, *plan);
  std::string bytes = vdb::expr::EncodePlan(*plan);
  auto back = vdb::expr::DecodePlan(bytes);
  if (!back.ok() || !(*back == *plan)) std::abort();
  std::vector<uint64_t> again;
  if (!vdb::expr::Evaluate(*back, fixture->views, Fixture::kRows, &again).ok() || again != bitmap) {
    std::abort();
  }
  // A damaged plan must decode to an error or to something that evaluates without crashing.
  if (!bytes.empty()) {
    bytes[size % bytes.size()] = static_cast<char>(bytes[size % bytes.size()] ^ (1 + size % 255));
    auto damaged = vdb::expr::DecodePlan(bytes);
    if (damaged.ok()) {
      (void)vdb::expr::Evaluate(*damaged, fixture->views, Fixture::kRows, &again);
    }
  }
  return 0;
}
