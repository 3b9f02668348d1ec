// Fuzzes the fast insert-body reader (proxy/entities_insert_body.h), which walks request text by
// hand, against the DOM reader it must agree with (JsonBody::Parse + ParseRows): any input is a
// clean Status, never a crash; a body the fast reader accepts is accepted by the DOM reader too,
// with the same row count, keys and column bytes. The schema has every kind of field the
// reader treats specially: an int64 key, a float vector, a varchar, a nullable double, a JSON
// field, an int array and the dynamic field. Seeds in corpus/insert_body/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/schema.h"
#include "proxy/entities_insert_body.h"
#include "proxy/entities_rows.h"
#include "proxy/request.h"
#include "segment/column_codec.h"

namespace {

vdb::FieldSchema Field(vdb::FieldId id, std::string name, vdb::DataType type) {
  vdb::FieldSchema f;
  f.id = id;
  f.name = std::move(name);
  f.type = type;
  return f;
}

vdb::CollectionSchema MakeSchema() {
  using vdb::DataType;
  using vdb::FieldId;
  vdb::CollectionSchema s;
  s.name = "fuzz";
  s.enable_dynamic_field = true;
  vdb::FieldSchema id = Field(FieldId(100), "id", DataType::kInt64);
  id.primary_key = true;
  vdb::FieldSchema vec = Field(FieldId(101), "vector", DataType::kFloatVector);
  vec.dim = 3;
  vdb::FieldSchema tag = Field(FieldId(102), "tag", DataType::kVarChar);
  tag.max_length = 16;
  vdb::FieldSchema score = Field(FieldId(103), "score", DataType::kDouble);
  score.nullable = true;
  vdb::FieldSchema doc = Field(FieldId(104), "doc", DataType::kJson);
  vdb::FieldSchema nums = Field(FieldId(105), "nums", DataType::kArray);
  nums.element_type = DataType::kInt32;
  nums.max_capacity = 4;
  vdb::FieldSchema meta = Field(FieldId(106), std::string(vdb::kDynamicFieldName), DataType::kJson);
  s.fields = {id, vec, tag, score, doc, nums, meta};
  return s;
}

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::string shown;
  for (unsigned char c : input) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), c >= 0x20 && c < 0x7f && c != '\\' ? "%c" : "\\x%02x", c);
    shown += buf;
  }
  std::fprintf(stderr, "insert_body: %s\ninput: %s\n", what, shown.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vdb::CollectionSchema schema = MakeSchema();
  static const std::vector<int64_t> no_auto_ids;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto split = vdb::proxy::SplitInsertBody(text);
  if (!split.ok() || split->data.empty()) return 0;
  auto count = vdb::proxy::CountRows(split->data);
  if (!count.ok()) return 0;
  auto fast = vdb::proxy::ParseRowsText(schema, split->data, no_auto_ids);
  if (!fast.ok()) return 0;
  if (fast->num_rows != *count || fast->pks.size() != *count) Fail("row count differs", text);

  auto body = vdb::proxy::JsonBody::Parse(text);
  if (!body.ok()) Fail("fast reader accepted a body JsonBody::Parse refuses", text);
  const nlohmann::json* rows = body->Find("data");
  if (rows == nullptr) Fail("no data member for the DOM reader", text);
  auto dom = vdb::proxy::ParseRows(schema, *rows, no_auto_ids);
  if (!dom.ok()) Fail("fast reader accepted rows ParseRows refuses", text);
  if (dom->num_rows != fast->num_rows || dom->pks != fast->pks) Fail("keys differ", text);
  if (vdb::segment::EncodeColumns(schema.fields, dom->columns) !=
      vdb::segment::EncodeColumns(schema.fields, fast->columns)) {
    Fail("column bytes differ", text);
  }
  return 0;
}
