#include "expr/evaluator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "expr/plan.h"
#include "expr/test_table.h"

namespace vdb::expr {
namespace {

using test::Row;
using test::TestSchema;
using test::TestTable;

// Rows matching `filter`, or the error message.
std::vector<int64_t> Match(const TestTable& table, std::string_view filter,
                           const nlohmann::json& params = nullptr) {
  auto plan = Bind(TestSchema(), filter, params);
  EXPECT_TRUE(plan.ok()) << filter << ": " << plan.status().ToString();
  if (!plan.ok()) return {-999};
  std::vector<uint64_t> bitmap;
  Status s = Evaluate(*plan, table.Views(), table.size(), &bitmap);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<int64_t> ids;
  for (size_t r = 0; r < table.size(); ++r) {
    if (test::Bit(bitmap, r)) ids.push_back(table.rows()[r].id);
  }
  return ids;
}

TestTable SmallTable() {
  TestTable t;
  Row r;
  r.id = 1, r.i32 = 10, r.f = 1.5, r.s = "apple", r.b = true, r.arr = {1, 2, 3};
  r.sarr = {"x", "y"}, r.j = R"({"a": 1, "tags": ["red", "blue"], "o": {"k": 2}})";
  r.meta = R"({"uid": 5, "name": "ann"})", r.i8 = -1;
  t.Append(r);
  r = Row();
  r.id = 2, r.i32 = std::nullopt, r.f = -2, r.s = std::nullopt, r.b = false, r.arr = {};
  r.j = R"({"a": "str"})", r.meta = R"({"uid": 7})", r.i8 = 5;
  t.Append(r);
  r = Row();
  r.id = 3, r.i32 = -4, r.f = 0, r.s = "a_%b", r.b = true, r.arr = {7}, r.sarr = {"y"};
  r.j = "not json", r.meta = "{}", r.i8 = 0;
  t.Append(r);
  return t;
}

using Ids = std::vector<int64_t>;

TEST(EvaluatorTest, ComparisonsAndLogic) {
  TestTable t = SmallTable();
  EXPECT_EQ(Match(t, "id > 1"), (Ids{2, 3}));
  EXPECT_EQ(Match(t, "1 < id <= 2"), (Ids{2}));
  EXPECT_EQ(Match(t, "f >= 0 and b"), (Ids{1, 3}));
  EXPECT_EQ(Match(t, "id == 1 or i8 == 5"), (Ids{1, 2}));
  EXPECT_EQ(Match(t, "id in [3, 1]"), (Ids{1, 3}));
  EXPECT_EQ(Match(t, "id not in [3, 1]"), (Ids{2}));
  EXPECT_EQ(Match(t, "(id + 1) * 2 == 6"), (Ids{2}));
  EXPECT_EQ(Match(t, "id % 2 == 1 && !(id == 3)"), (Ids{1}));
  EXPECT_EQ(Match(t, "(id & 1) == 1"), (Ids{1, 3}));
  EXPECT_EQ(Match(t, "id << 2 == 8 or id >> 1 == 1 and (id ^ 1) == 2"), (Ids{2, 3}));
  EXPECT_FALSE(Bind(TestSchema(), "id & 1 == 1", nullptr).ok());  // & binds looser than ==
}

TEST(EvaluatorTest, NullSemantics) {
  TestTable t = SmallTable();
  EXPECT_EQ(Match(t, "i32 > 0"), (Ids{1}));
  EXPECT_EQ(Match(t, "not (i32 > 0)"), (Ids{3}));  // null stays unknown under not
  EXPECT_EQ(Match(t, "i32 is null"), (Ids{2}));
  EXPECT_EQ(Match(t, "i32 is not null"), (Ids{1, 3}));
  EXPECT_EQ(Match(t, "i32 > 0 or id == 2"), (Ids{1, 2}));
  EXPECT_EQ(Match(t, "s is null"), (Ids{2}));
  EXPECT_EQ(Match(t, "i32 == null"), (Ids{}));
  EXPECT_EQ(Match(t, "i32 in [10, -4]"), (Ids{1, 3}));
}

TEST(EvaluatorTest, StringsAndLike) {
  TestTable t = SmallTable();
  EXPECT_EQ(Match(t, "s == \"apple\""), (Ids{1}));
  EXPECT_EQ(Match(t, "s like \"ap%\""), (Ids{1}));
  EXPECT_EQ(Match(t, "s like \"%le\""), (Ids{1}));
  EXPECT_EQ(Match(t, "s like \"%p%\""), (Ids{1}));
  EXPECT_EQ(Match(t, "s like \"a_%\""), (Ids{1, 3}));
  EXPECT_EQ(Match(t, "s like \"a\\_\\%b\""), (Ids{3}));
  EXPECT_EQ(Match(t, "s like \"a\\_%\""), (Ids{3}));
  EXPECT_EQ(Match(t, "s > \"b\""), (Ids{}));
  EXPECT_EQ(Match(t, "s < \"b\""), (Ids{1, 3}));
}

TEST(EvaluatorTest, JsonAndDynamicKeys) {
  TestTable t = SmallTable();
  EXPECT_EQ(Match(t, "j[\"a\"] == 1"), (Ids{1}));
  EXPECT_EQ(Match(t, "j[\"a\"] == \"str\""), (Ids{2}));
  EXPECT_EQ(Match(t, "j[\"o\"][\"k\"] >= 2"), (Ids{1}));
  EXPECT_EQ(Match(t, "j[\"tags\"][1] == \"blue\""), (Ids{1}));
  EXPECT_EQ(Match(t, "exists j[\"a\"]"), (Ids{1, 2}));
  EXPECT_EQ(Match(t, "json_contains(j[\"tags\"], \"red\")"), (Ids{1}));
  EXPECT_EQ(Match(t, "json_contains_all(j[\"tags\"], [\"red\", \"blue\"])"), (Ids{1}));
  EXPECT_EQ(Match(t, "json_contains_any(j[\"tags\"], [\"green\", \"blue\"])"), (Ids{1}));
  EXPECT_EQ(Match(t, "array_length(j[\"tags\"]) == 2"), (Ids{1}));
  EXPECT_EQ(Match(t, "uid > 5"), (Ids{2}));
  EXPECT_EQ(Match(t, "$meta[\"uid\"] >= 5"), (Ids{1, 2}));
  EXPECT_EQ(Match(t, "name like \"a%\""), (Ids{1}));
  EXPECT_EQ(Match(t, "uid + 1 == 6"), (Ids{1}));
  EXPECT_EQ(Match(t, "uid is null"), (Ids{3}));
  // Several paths of one JSON field share one parse per row.
  EXPECT_EQ(Match(t, "j[\"a\"] == 1 or j[\"a\"] == \"str\" or j[\"o\"][\"k\"] == 9"), (Ids{1, 2}));
  EXPECT_EQ(Match(t, "uid > 5 and $meta[\"uid\"] < 10 and not exists name"), (Ids{2}));
}

TEST(EvaluatorTest, Arrays) {
  TestTable t = SmallTable();
  EXPECT_EQ(Match(t, "array_contains(arr, 2)"), (Ids{1}));
  EXPECT_EQ(Match(t, "array_contains_all(arr, [1, 3])"), (Ids{1}));
  EXPECT_EQ(Match(t, "array_contains_any(arr, [7, 3])"), (Ids{1, 3}));
  EXPECT_EQ(Match(t, "array_length(arr) == 0"), (Ids{2}));
  EXPECT_EQ(Match(t, "arr[0] == 7"), (Ids{3}));
  EXPECT_EQ(Match(t, "arr[5] == 7"), (Ids{}));
  EXPECT_EQ(Match(t, "array_contains(sarr, \"y\")"), (Ids{1, 3}));
  EXPECT_EQ(Match(t, "sarr[0] == \"x\""), (Ids{1}));
  EXPECT_EQ(Match(t, "arr == [1, 2, 3]"), (Ids{1}));
}

TEST(EvaluatorTest, TemplatesAndConstants) {
  TestTable t = SmallTable();
  EXPECT_EQ(Match(t, "id in {ids}", {{"ids", {2, 3}}}), (Ids{2, 3}));
  EXPECT_EQ(Match(t, "1 == 1"), (Ids{1, 2, 3}));
  EXPECT_EQ(Match(t, "1 == 2"), (Ids{}));
}

TEST(EvaluatorTest, BadColumnsAreErrors) {
  auto plan = Bind(TestSchema(), "id > 1", nullptr);
  ASSERT_TRUE(plan.ok());
  std::vector<uint64_t> bitmap;
  ColumnViewMap empty;
  EXPECT_EQ(Evaluate(*plan, empty, 3, &bitmap).code(), StatusCode::kNotFound);
  ColumnViewMap wrong;
  int64_t values[3] = {1, 2, 3};
  ColumnView view;
  view.type = DataType::kInt32;
  view.values = values;
  view.rows = 3;
  wrong.Add(FieldId(100), view);
  EXPECT_EQ(Evaluate(*plan, wrong, 3, &bitmap).code(), StatusCode::kInvalidArgument);
  view.type = DataType::kInt64;
  view.rows = 2;
  wrong.Add(FieldId(100), view);
  EXPECT_EQ(Evaluate(*plan, wrong, 3, &bitmap).code(), StatusCode::kInvalidArgument);
  view.rows = 3;
  wrong.Add(FieldId(100), view);
  ASSERT_TRUE(Evaluate(*plan, wrong, 3, &bitmap).ok());
  EXPECT_EQ(bitmap, std::vector<uint64_t>{0b110});
  bitmap.assign(5, ~uint64_t{0});
  ASSERT_TRUE(Evaluate(*plan, wrong, 0, &bitmap).ok());
  EXPECT_TRUE(bitmap.empty());
}

TEST(EvaluatorTest, BitmapSpansWords) {
  TestTable t;
  for (int k = 0; k < 130; ++k) {
    Row r;
    r.id = k;
    t.Append(r);
  }
  auto ids = Match(t, "id % 64 == 63 or id == 128");
  EXPECT_EQ(ids, (Ids{63, 127, 128}));
}

// Property test: random expressions over random rows, checked against a row-at-a-time
// reference written independently here. Truth values: 1 true, 0 false, -1 unknown (null).
struct Gen {
  std::mt19937 rng;
  explicit Gen(uint32_t seed) : rng(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

  using Ref = std::function<int(const Row&)>;
  struct Expr {
    std::string text;
    Ref ref;
  };

  static int Cmp(int op, double a, double b) {
    switch (op) {
      case 0:
        return a < b;
      case 1:
        return a <= b;
      case 2:
        return a > b;
      case 3:
        return a >= b;
      case 4:
        return a == b;
      default:
        return a != b;
    }
  }
  static constexpr const char* kOps[] = {"<", "<=", ">", ">=", "==", "!="};

  Expr Leaf() {
    int op = Int(0, 5);
    int c = Int(-5, 5);
    std::string cs = std::to_string(c);
    switch (Int(0, 11)) {
      case 0:
        return {"id " + std::string(kOps[op]) + " " + cs,
                [=](const Row& r) { return Cmp(op, double(r.id), c); }};
      case 1:
        return {"i32 " + std::string(kOps[op]) + " " + cs,
                [=](const Row& r) { return r.i32 ? Cmp(op, *r.i32, c) : -1; }};
      case 2: {
        std::string lit = cs + ".5";  // -1.5 for c == -1
        double v = std::stod(lit);
        return {"f " + std::string(kOps[op]) + " " + lit,
                [=](const Row& r) { return Cmp(op, r.f, v); }};
      }
      case 3: {
        int c2 = Int(-5, 5);
        bool neg = Int(0, 1);
        std::string text = "id " + std::string(neg ? "not in" : "in") + " [" + cs + ", " +
                           std::to_string(c2) + "]";
        return {text, [=](const Row& r) { return int((r.id == c || r.id == c2) != neg); }};
      }
      case 4: {
        static const char* kPatterns[] = {"a%", "%b", "_b%", "%a%", "ab"};
        int p = Int(0, 4);
        return {"s like \"" + std::string(kPatterns[p]) + "\"", [=](const Row& r) -> int {
                  if (!r.s) return -1;
                  const std::string& s = *r.s;
                  switch (p) {
                    case 0:
                      return !s.empty() && s[0] == 'a';
                    case 1:
                      return !s.empty() && s.back() == 'b';
                    case 2:
                      return s.size() >= 2 && s[1] == 'b';
                    case 3:
                      return s.find('a') != std::string::npos;
                    default:
                      return s == "ab";
                  }
                }};
      }
      case 5:
        return {"b", [](const Row& r) { return int(r.b); }};
      case 6: {
        bool neg = Int(0, 1);
        return {neg ? "i32 is not null" : "i32 is null",
                [=](const Row& r) { return int(r.i32.has_value() != !neg); }};
      }
      case 7:
        return {"array_contains(arr, " + cs + ")", [=](const Row& r) {
                  for (int64_t v : r.arr) {
                    if (v == c) return 1;
                  }
                  return 0;
                }};
      case 8:
        return {"array_length(arr) " + std::string(kOps[op]) + " " + std::to_string(c + 5),
                [=](const Row& r) { return Cmp(op, double(r.arr.size()), c + 5); }};
      case 9:
        return {"(id + " + cs + ") % 3 == 0",
                [=](const Row& r) { return int((r.id + c) % 3 == 0); }};
      case 10:
        return {"id * 2 " + std::string(kOps[op]) + " i32",
                [=](const Row& r) { return r.i32 ? Cmp(op, double(r.id * 2), *r.i32) : -1; }};
      default:
        return {"j[\"a\"] " + std::string(kOps[op]) + " " + cs, [=](const Row& r) -> int {
                  auto doc = nlohmann::json::parse(r.j);
                  if (!doc.contains("a") || doc["a"].is_null()) return -1;
                  if (!doc["a"].is_number()) return 0;
                  return Cmp(op, doc["a"].get<double>(), c);
                }};
    }
  }

  Expr Make(int depth) {
    if (depth == 0 || Int(0, 3) == 0) return Leaf();
    switch (Int(0, 2)) {
      case 0: {
        Expr a = Make(depth - 1), b = Make(depth - 1);
        return {"(" + a.text + ") and (" + b.text + ")", [a, b](const Row& r) {
                  int x = a.ref(r), y = b.ref(r);
                  return x == 0 || y == 0 ? 0 : (x < 0 || y < 0 ? -1 : 1);
                }};
      }
      case 1: {
        Expr a = Make(depth - 1), b = Make(depth - 1);
        return {"(" + a.text + ") or (" + b.text + ")", [a, b](const Row& r) {
                  int x = a.ref(r), y = b.ref(r);
                  return x == 1 || y == 1 ? 1 : (x < 0 || y < 0 ? -1 : 0);
                }};
      }
      default: {
        Expr a = Make(depth - 1);
        return {"not (" + a.text + ")", [a](const Row& r) {
                  int x = a.ref(r);
                  return x < 0 ? -1 : 1 - x;
                }};
      }
    }
  }

  Row RandomRow() {
    static const char* kStrings[] = {"", "a", "ab", "ba", "abb", "cab", "xbz"};
    Row r;
    r.id = Int(-6, 6);
    if (Int(0, 3) != 0) r.i32 = Int(-8, 8);
    r.f = Int(-12, 12) / 2.0;
    if (Int(0, 4) != 0) r.s = kStrings[Int(0, 6)];
    r.b = Int(0, 1);
    r.i8 = static_cast<int8_t>(Int(-128, 127));
    for (int k = Int(0, 4); k > 0; --k) r.arr.push_back(Int(-5, 5));
    switch (Int(0, 3)) {
      case 0:
        r.j = "{}";
        break;
      case 1:
        r.j = R"({"a": "s"})";
        break;
      case 2:
        r.j = R"({"a": null})";
        break;
      default:
        r.j = "{\"a\": " + std::to_string(Int(-5, 5)) + "}";
        break;
    }
    return r;
  }
};

TEST(EvaluatorTest, MatchesReferenceOnRandomExpressions) {
  const uint32_t seed = 20261130;
  Gen gen(seed);
  TestTable table;
  for (int k = 0; k < 200; ++k) table.Append(gen.RandomRow());
  ColumnViewMap views = table.Views();
  for (int iter = 0; iter < 400; ++iter) {
    Gen::Expr e = gen.Make(4);
    auto plan = Bind(TestSchema(), e.text, nullptr);
    ASSERT_TRUE(plan.ok()) << "seed " << seed << " iter " << iter << ": " << e.text << ": "
                           << plan.status().ToString();
    std::vector<uint64_t> bitmap;
    ASSERT_TRUE(Evaluate(*plan, views, table.size(), &bitmap).ok());
    auto decoded = DecodePlan(EncodePlan(*plan));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    std::vector<uint64_t> again;
    ASSERT_TRUE(Evaluate(*decoded, views, table.size(), &again).ok());
    ASSERT_EQ(bitmap, again) << e.text;
    EvalOptions small;
    small.batch_rows = 64;  // 200 rows: four batches, the last one partial
    ASSERT_TRUE(Evaluate(*plan, views, table.size(), &again, small).ok());
    ASSERT_EQ(bitmap, again) << "batched: " << e.text;
    for (size_t r = 0; r < table.size(); ++r) {
      ASSERT_EQ(test::Bit(bitmap, r), e.ref(table.rows()[r]) == 1)
          << "seed " << seed << " iter " << iter << " row " << r << ": " << e.text;
    }
  }
}

// Comparisons, in, like and is null on a plain column read the column view directly; the same
// node over a shared column (read by two parents) goes through the generic per-value path.
// Both must agree.
TEST(EvaluatorTest, FastPathsAgreeWithGenericPath) {
  Gen gen(7);
  TestTable table;
  for (int k = 0; k < 300; ++k) table.Append(gen.RandomRow());
  ColumnViewMap views = table.Views();
  const char* filters[] = {
      "id > 3",         "3 < id",
      "i32 <= 2",       "i8 > 300",
      "i8 < -200",      "i8 >= 100",
      "f == 2",         "id == 2.0",
      "id == 2.5",      "id in [1.0, 2.5, 3]",
      "f in [1, 1.5]",  "s like \"a%\"",
      "s == \"ab\"",    "s in [\"ab\", \"x\"]",
      "s > \"b\"",      "i32 not in [1, 2]",
      "id != 3",        "s != 'ab'",
      "i32 is null",    "i32 is not null",
      "f < -1",         "i8 in [-1, 0, 1]",
      "s not in ['a']", "-2.5 >= f",
  };
  for (const char* f : filters) {
    auto plan = Bind(TestSchema(), f, nullptr);
    ASSERT_TRUE(plan.ok()) << f;
    std::vector<PlanNode> nodes = plan->nodes();
    uint32_t root = plan->root();
    uint32_t col = 0;
    while (nodes[col].kind != PlanKind::kColumn) ++col;
    PlanNode extra;  // (col is null) or true: always true, and reads the column a second time
    extra.kind = PlanKind::kIsNull;
    extra.result = StaticType::kBool;
    extra.children = {col};
    nodes.push_back(extra);
    PlanNode t;
    t.kind = PlanKind::kConst;
    t.value = Value::Bool(true);
    nodes.push_back(t);
    PlanNode either;
    either.kind = PlanKind::kBinary;
    either.op = Op::kOr;
    either.children = {static_cast<uint32_t>(nodes.size() - 2),
                       static_cast<uint32_t>(nodes.size() - 1)};
    nodes.push_back(either);
    PlanNode both;
    both.kind = PlanKind::kBinary;
    both.op = Op::kAnd;
    both.children = {root, static_cast<uint32_t>(nodes.size() - 1)};
    nodes.push_back(both);
    Plan generic(std::move(nodes), plan->fields());
    std::vector<uint64_t> fast_bits, generic_bits;
    ASSERT_TRUE(Evaluate(*plan, views, table.size(), &fast_bits).ok());
    ASSERT_TRUE(Evaluate(generic, views, table.size(), &generic_bits).ok());
    EXPECT_EQ(fast_bits, generic_bits) << f;
    size_t matched = 0;
    for (uint64_t w : fast_bits) matched += static_cast<size_t>(__builtin_popcountll(w));
    EXPECT_LT(matched, table.size() + 1) << f;
  }
}

}  // namespace
}  // namespace vdb::expr
