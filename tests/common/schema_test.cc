#include "common/schema.h"

#include <gtest/gtest.h>

#include <functional>

namespace vdb {
namespace {

FieldSchema Field(int64_t id, std::string name, DataType type) {
  FieldSchema f;
  f.id = FieldId(id);
  f.name = std::move(name);
  f.type = type;
  return f;
}

CollectionSchema Valid() {
  CollectionSchema s;
  s.name = "books";
  FieldSchema pk = Field(100, "id", DataType::kInt64);
  pk.primary_key = true;
  FieldSchema vec = Field(101, "vec", DataType::kFloatVector);
  vec.dim = 8;
  FieldSchema title = Field(102, "title", DataType::kVarChar);
  title.max_length = 64;
  s.fields = {pk, vec, title};
  return s;
}

TEST(SchemaTest, DataTypeNamesRoundTrip) {
  for (DataType t :
       {DataType::kBool, DataType::kInt8, DataType::kInt16, DataType::kInt32, DataType::kInt64,
        DataType::kFloat, DataType::kDouble, DataType::kVarChar, DataType::kJson, DataType::kArray,
        DataType::kFloatVector, DataType::kBinaryVector, DataType::kFloat16Vector,
        DataType::kBFloat16Vector, DataType::kSparseFloatVector}) {
    auto parsed = ParseDataType(DataTypeName(t));
    ASSERT_TRUE(parsed.ok()) << DataTypeName(t);
    EXPECT_EQ(*parsed, t);
    EXPECT_TRUE(IsKnownDataType(static_cast<uint8_t>(t)));
  }
  EXPECT_EQ(DataTypeName(DataType::kInt64), "Int64");
  EXPECT_EQ(DataTypeName(DataType::kVarChar), "VarChar");
  EXPECT_EQ(DataTypeName(DataType::kFloatVector), "FloatVector");
  EXPECT_EQ(*ParseDataType("int64"), DataType::kInt64);
  EXPECT_EQ(*ParseDataType("String"), DataType::kVarChar);
  EXPECT_EQ(ParseDataType("Int128").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ParseDataType("Int128").status().message().find("Int128"), std::string::npos);
  EXPECT_FALSE(IsKnownDataType(0));
  EXPECT_FALSE(IsKnownDataType(7));
  // Persisted values are Milvus's.
  EXPECT_EQ(static_cast<int>(DataType::kFloatVector), 101);
  EXPECT_EQ(static_cast<int>(DataType::kVarChar), 21);
}

TEST(SchemaTest, Predicates) {
  EXPECT_TRUE(IsVector(DataType::kSparseFloatVector));
  EXPECT_FALSE(IsDenseVector(DataType::kSparseFloatVector));
  EXPECT_TRUE(IsDenseVector(DataType::kBFloat16Vector));
  EXPECT_TRUE(IsFixedWidth(DataType::kBool));
  EXPECT_FALSE(IsFixedWidth(DataType::kVarChar));
  EXPECT_EQ(ElementWidth(DataType::kInt16), 2u);
  EXPECT_EQ(ElementWidth(DataType::kDouble), 8u);
  EXPECT_EQ(ElementWidth(DataType::kJson), 0u);
  EXPECT_EQ(VectorRowBytes(DataType::kFloatVector, 128), 512u);
  EXPECT_EQ(VectorRowBytes(DataType::kBinaryVector, 128), 16u);
  EXPECT_EQ(VectorRowBytes(DataType::kFloat16Vector, 4), 8u);
  EXPECT_TRUE(IsNumeric(DataType::kFloat));
  EXPECT_FALSE(IsIntegral(DataType::kFloat));
}

TEST(SchemaTest, LookupsByNameAndId) {
  CollectionSchema s = Valid();
  ASSERT_NE(s.FindField("title"), nullptr);
  EXPECT_EQ(s.FindField("title")->id, FieldId(102));
  EXPECT_EQ(s.FindField(FieldId(101))->name, "vec");
  EXPECT_EQ(s.FindField("nope"), nullptr);
  EXPECT_EQ(s.PrimaryKeyField()->name, "id");
}

TEST(SchemaTest, ValidateAcceptsGoodSchema) { EXPECT_TRUE(Valid().Validate().ok()); }

TEST(SchemaTest, ValidateNamesTheBadField) {
  struct Case {
    std::function<void(CollectionSchema*)> edit;
    std::string expect;
  };
  std::vector<Case> cases = {
      {[](auto* s) { s->fields[1].dim = 1; }, "vec"},
      {[](auto* s) { s->fields[1].dim = 32769; }, "vec"},
      {[](auto* s) { s->fields[2].max_length = 0; }, "title"},
      {[](auto* s) { s->fields[2].max_length = 65536; }, "title"},
      {[](auto* s) { s->fields[2].name = "9lives"; }, "9lives"},
      {[](auto* s) { s->fields[2].name = "vec"; }, "vec"},
      {[](auto* s) { s->fields[2].id = FieldId(101); }, "title"},
      {[](auto* s) { s->fields[0].type = DataType::kFloat; }, "id"},
      {[](auto* s) { s->fields[2].primary_key = true; }, "primary key"},
      {[](auto* s) { s->fields[0].primary_key = false; }, "primary key"},
      {[](auto* s) { s->fields[2].auto_id = true; }, "title"},
      {[](auto* s) { s->fields[1].nullable = true; }, "vec"},
      {[](auto* s) { s->fields[0].nullable = true; }, "id"},
      {[](auto* s) {
         s->fields[1].type = DataType::kBinaryVector;
         s->fields[1].dim = 12;
       },
       "vec"},
      {[](auto* s) { s->name = "bad name"; }, "bad name"},
      {[](auto* s) { s->fields.erase(s->fields.begin() + 1); }, "no vector field"},
      {[](auto* s) {
         FieldSchema a = Field(103, "tags", DataType::kArray);
         a.element_type = DataType::kJson;
         a.max_capacity = 4;
         s->fields.push_back(a);
       },
       "tags"},
      {[](auto* s) {
         FieldSchema a = Field(103, "tags", DataType::kArray);
         a.element_type = DataType::kInt32;
         a.max_capacity = 0;
         s->fields.push_back(a);
       },
       "tags"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    CollectionSchema s = Valid();
    cases[i].edit(&s);
    Status st = s.Validate();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "case " << i;
    EXPECT_NE(st.message().find(cases[i].expect), std::string::npos)
        << "case " << i << ": " << st.message();
  }
  CollectionSchema binary = Valid();
  binary.fields[1].type = DataType::kBinaryVector;
  binary.fields[1].dim = 16;
  EXPECT_TRUE(binary.Validate().ok());
}

}  // namespace
}  // namespace vdb
