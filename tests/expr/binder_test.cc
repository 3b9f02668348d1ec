#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "expr/plan.h"
#include "expr/test_table.h"

namespace vdb::expr {
namespace {

using test::TestSchema;

Result<Plan> B(std::string_view filter, const nlohmann::json& params = nullptr,
               bool dynamic = true) {
  return Bind(TestSchema(dynamic), filter, params);
}

std::string Err(std::string_view filter, const nlohmann::json& params = nullptr,
                bool dynamic = true) {
  auto r = B(filter, params, dynamic);
  return r.ok() ? "OK" : r.status().message();
}

TEST(BinderTest, ResolvesFieldsAndRecordsThem) {
  auto plan = B("id > 3 and s like \"a%\" and j[\"k\"] == 1");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::vector<FieldId> want = {FieldId(100), FieldId(103), FieldId(107)};
  EXPECT_EQ(plan->fields(), want);
  auto one = B("i32 is null");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->fields(), std::vector<FieldId>{FieldId(101)});
}

TEST(BinderTest, DynamicKeysGoToMeta) {
  auto plan = B("uid > 0 and $meta[\"x\"][\"y\"] == 'a'");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->fields(), std::vector<FieldId>{FieldId(108)});
  const PlanNode& col = plan->nodes()[0];
  ASSERT_EQ(col.kind, PlanKind::kColumn);
  ASSERT_EQ(col.path.size(), 1u);
  EXPECT_EQ(col.path[0].key, "uid");
  EXPECT_EQ(Err("uid > 0", nullptr, /*dynamic=*/false),
            "failed to create query plan: field uid does not exist at position 0");
}

TEST(BinderTest, TypeChecks) {
  EXPECT_EQ(Err("id > 1.5"), "OK");  // int vs float promotes
  EXPECT_EQ(Err("f == 2"), "OK");
  EXPECT_EQ(Err("i8 + 1 < f * 2"), "OK");
  EXPECT_NE(Err("s > 1"), "OK");
  EXPECT_NE(Err("id == \"a\""), "OK");
  EXPECT_NE(Err("id like \"a%\""), "OK");
  EXPECT_EQ(Err("j[\"k\"] like \"a%\""), "OK");
  EXPECT_NE(Err("array_contains(id, 1)"), "OK");
  EXPECT_NE(Err("array_contains(j, 1)"), "OK");
  EXPECT_EQ(Err("array_contains(arr, 1)"), "OK");
  EXPECT_NE(Err("array_contains(arr, \"x\")"), "OK");
  EXPECT_EQ(Err("array_contains_any(sarr, [\"x\", \"y\"])"), "OK");
  EXPECT_NE(Err("array_contains_all(arr, 1)"), "OK");
  EXPECT_EQ(Err("json_contains(j[\"tags\"], \"x\")"), "OK");
  EXPECT_EQ(Err("array_length(arr) > 2"), "OK");
  EXPECT_EQ(Err("arr[0] > 2"), "OK");
  EXPECT_NE(Err("arr[\"k\"] > 2"), "OK");
  EXPECT_NE(Err("id[\"k\"] > 2"), "OK");
  EXPECT_NE(Err("vec > 1"), "OK");
  EXPECT_NE(Err("id == null"), "OK");
  EXPECT_EQ(Err("i32 == null"), "OK");
  EXPECT_NE(Err("id"), "OK");  // not a boolean
  EXPECT_EQ(Err("b"), "OK");
  EXPECT_NE(Err("s & 1"), "OK");
  EXPECT_NE(Err("f << 1 > 0"), "OK");
  EXPECT_NE(Err("not id"), "OK");
  EXPECT_NE(Err("b < true"), "OK");
  EXPECT_NE(Err("exists id"), "OK");
  EXPECT_EQ(Err("exists j[\"a\"]"), "OK");
  EXPECT_NE(Err("id in [1, \"a\"]"), "OK");
  EXPECT_NE(Err("id in [1, id]"), "OK");
  EXPECT_NE(Err("nosuch_func(id)"), "OK");
  EXPECT_NE(Err("array_length(arr, 1) > 0"), "OK");
  EXPECT_EQ(Err("s > 1").rfind("failed to create query plan: ", 0), 0u);
}

TEST(BinderTest, UnsupportedFunctionsAreClearErrors) {
  for (const char* f : {"text_match(s, 'a')", "phrase_match(s, 'a b', 1)", "random_sample(0.1)"}) {
    auto r = B(f);
    ASSERT_FALSE(r.ok()) << f;
    EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
    EXPECT_NE(r.status().message().find("is not supported"), std::string::npos);
  }
}

TEST(BinderTest, TemplateParams) {
  nlohmann::json params = {{"ids", {1, 2, 3}}, {"lo", 5}, {"name", "x"}};
  auto plan = B("id in {ids} and i32 > {lo} and s == {name}", params);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_NE(Err("id > {missing}", params).find("{missing}"), std::string::npos);
  EXPECT_NE(Err("id > {x}", nlohmann::json{{"x", {{"a", 1}}}}), "OK");
  EXPECT_NE(Err("id > {lo}", nullptr), "OK");
  EXPECT_NE(Err("s == {lo}", params), "OK");
}

TEST(BinderTest, FoldsConstants) {
  auto plan = B("1 + 2 * 3 == 7");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->nodes().size(), 1u);
  EXPECT_TRUE(plan->IsAlwaysTrue());
  EXPECT_TRUE(plan->fields().empty());
  auto cmp = B("id > 2 ** 3 - 1");
  ASSERT_TRUE(cmp.ok());
  ASSERT_EQ(cmp->nodes().size(), 3u);
  EXPECT_EQ(cmp->nodes()[1].value, Value::Float(7));
  auto never = B("id is null");  // id is not nullable
  ASSERT_TRUE(never.ok());
  EXPECT_EQ(never->nodes().size(), 1u);
  EXPECT_FALSE(never->IsAlwaysTrue());
}

TEST(BinderTest, ExtractsPrimaryKeys) {
  auto schema = TestSchema();
  auto keys = [&](std::string_view f) { return ExtractPrimaryKeys(schema, *Bind(schema, f, {})); };
  auto in = keys("id in [3, 1, 3, 2]");
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(*in, (std::vector<PrimaryKey>{int64_t{3}, int64_t{1}, int64_t{2}}));
  auto eq = keys("7 == id");
  ASSERT_TRUE(eq.has_value());
  EXPECT_EQ(*eq, std::vector<PrimaryKey>{int64_t{7}});
  EXPECT_FALSE(keys("id > 3").has_value());
  EXPECT_FALSE(keys("id in [1] and b").has_value());
  EXPECT_FALSE(keys("id not in [1]").has_value());
  EXPECT_FALSE(keys("i32 in [1]").has_value());
  EXPECT_FALSE(keys("id == 1.5").has_value());
  EXPECT_TRUE(IsPkOnly(schema, *Bind(schema, "id in [1, 2]", {})));
  auto none = keys("id in []");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(BinderTest, ExtractsVarCharPrimaryKeys) {
  CollectionSchema schema;
  schema.name = "c";
  schema.fields.push_back(test::MakeField(1, "pk", DataType::kVarChar));
  schema.fields.back().primary_key = true;
  schema.fields.push_back(test::MakeField(2, "n", DataType::kInt64));
  auto plan = Bind(schema, "pk in ['b', \"a\", 'b']", nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto keys = ExtractPrimaryKeys(schema, *plan);
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(*keys, (std::vector<PrimaryKey>{std::string("b"), std::string("a")}));
  EXPECT_FALSE(ExtractPrimaryKeys(schema, *Bind(schema, "n in [1]", nullptr)).has_value());
  EXPECT_FALSE(Bind(schema, "pk in [1]", nullptr).ok());  // a string key vs an integer
}

}  // namespace
}  // namespace vdb::expr
