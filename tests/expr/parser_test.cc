#include <gtest/gtest.h>

#include <string>

#include "expr/ast.h"

namespace vdb::expr {
namespace {

std::string P(std::string_view text) {
  auto r = Parse(text);
  if (!r.ok()) return "ERROR: " + r.status().message();
  return NodeToString(**r);
}

TEST(ParserTest, PrecedenceFollowsMilvus) {
  EXPECT_EQ(P("a + b * c"), "(a + (b * c))");
  EXPECT_EQ(P("a * b + c"), "((a * b) + c)");
  EXPECT_EQ(P("-a ** 2"), "(- (a ** 2))");
  EXPECT_EQ(P("a ** b ** c"), "(a ** (b ** c))");
  EXPECT_EQ(P("a << 1 + 2"), "(a << (1 + 2))");
  EXPECT_EQ(P("a < b == c < d"), "((a < b) == (c < d))");
  EXPECT_EQ(P("a & b ^ c | d"), "(((a & b) ^ c) | d)");
  EXPECT_EQ(P("a == 1 & b"), "((a == 1) & b)");
  EXPECT_EQ(P("a or b and c"), "(a or (b and c))");
  EXPECT_EQ(P("a || b && c OR d AND e"), "((a or (b and c)) or (d and e))");
  EXPECT_EQ(P("not a and b"), "((not a) and b)");
  EXPECT_EQ(P("!a || ~b"), "((not a) or (~ b))");
  EXPECT_EQ(P("(a or b) and c"), "((a or b) and c)");
  EXPECT_EQ(P("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(P("a in [1, 2] == true"), "((a in [1, 2]) == true)");
  EXPECT_EQ(P("a + 1 in [2]"), "((a + 1) in [2])");
  EXPECT_EQ(P("x not in [1]"), "(x not in [1])");
  EXPECT_EQ(P("a % 2 * 3"), "((a % 2) * 3)");
}

TEST(ParserTest, IntegerLiteralForms) {
  EXPECT_EQ(P("x == 0x1F"), "(x == 31)");
  EXPECT_EQ(P("x == 0X1f"), "(x == 31)");
  EXPECT_EQ(P("x == 0o17"), "(x == 15)");
  EXPECT_EQ(P("x == 017"), "(x == 15)");
  EXPECT_EQ(P("x == 0b101"), "(x == 5)");
  EXPECT_EQ(P("x == 0"), "(x == 0)");
  EXPECT_EQ(P("x == 9223372036854775807"), "(x == 9223372036854775807)");
  EXPECT_EQ(P("x == -9223372036854775808"), "(x == (- -9223372036854775808))");
  EXPECT_NE(P("x == 99999999999999999999").find("ERROR"), std::string::npos);
  EXPECT_NE(P("x == 0b102").find("ERROR"), std::string::npos);
  EXPECT_NE(P("x == 019").find("ERROR"), std::string::npos);
  EXPECT_NE(P("x == 0x").find("ERROR"), std::string::npos);
}

TEST(ParserTest, FloatBoolStringAndListLiterals) {
  EXPECT_EQ(P("x > 1.5"), "(x > 1.500000)");
  EXPECT_EQ(P("x > .5"), "(x > 0.500000)");
  EXPECT_EQ(P("x > 1e3"), "(x > 1000.000000)");
  EXPECT_EQ(P("x > 2.5E-1"), "(x > 0.250000)");
  EXPECT_EQ(P("x == true or x == True or x == TRUE"),
            "(((x == true) or (x == true)) or (x == true))");
  EXPECT_EQ(P("x == false or x == False or x == FALSE"),
            "(((x == false) or (x == false)) or (x == false))");
  EXPECT_EQ(P("s == \"a\\\"b\""), "(s == \"a\"b\")");
  EXPECT_EQ(P("s == 'it\\'s'"), "(s == \"it's\")");
  EXPECT_EQ(P("s == 'a\"b'"), "(s == \"a\"b\")");
  EXPECT_EQ(P("s == \"tab\\t\""), "(s == \"tab\t\")");
  EXPECT_EQ(P("x in [1, 2.5, \"s\", [3]]"), "(x in [1, 2.500000, \"s\", [3]])");
  EXPECT_EQ(P("x in []"), "(x in [])");
  EXPECT_EQ(P("x in [1, 2,]"), "(x in [1, 2])");
}

TEST(ParserTest, IdentifiersPathsAndSpecialForms) {
  EXPECT_EQ(P("$meta[\"k\"] > 1"), "($meta[\"k\"] > 1)");
  EXPECT_EQ(P("f[\"a\"][0][\"b\"] == 1"), "(f[\"a\"][0][\"b\"] == 1)");
  EXPECT_EQ(P("1 < x <= 9"), "((1 < x) and (x <= 9))");
  EXPECT_EQ(P("s like \"ab%\""), "(s like \"ab%\")");
  EXPECT_EQ(P("s LIKE 'a\\%b'"), "(s like \"a\\%b\")");
  EXPECT_EQ(P("x is null"), "(x is null)");
  EXPECT_EQ(P("x IS NOT NULL"), "(x is not null)");
  EXPECT_EQ(P("exists f[\"k\"]"), "(exists f[\"k\"])");
  EXPECT_EQ(P("EXISTS f[\"k\"] and a"), "((exists f[\"k\"]) and a)");
  EXPECT_EQ(P("exists(f[\"k\"]) or a"), "((exists f[\"k\"]) or a)");
  EXPECT_EQ(P("json_contains(f, 1)"), "json_contains(f, 1)");
  EXPECT_EQ(P("ARRAY_CONTAINS_ALL(a, [1, 2])"), "array_contains_all(a, [1, 2])");
  EXPECT_EQ(P("array_length(a) == 2"), "(array_length(a) == 2)");
  EXPECT_EQ(P("x in {ids} and y > {lo}"), "((x in {ids}) and (y > {lo}))");
  EXPECT_EQ(P("text_match(s, 'a b')"), "text_match(s, \"a b\")");
}

TEST(ParserTest, ErrorsNamePositionAndToken) {
  auto r = Parse("a > 1 and and b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "failed to create query plan: unexpected 'and' at position 10");
  r = Parse("a > (1 + 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "failed to create query plan: expected ')' but got end of input at position 10");
  r = Parse("a # 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "failed to create query plan: unexpected character '#' at position 2");
  r = Parse("s == \"abc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unterminated string at position 5"), std::string::npos);
  for (const char* bad : {"", "a >", "a b", "(", ")", "[1, 2", "a like 3", "x is 1", "{x", "f[",
                          "f[-1]", "a not b", "1 2", "a = 1", "a in", "$", "{}"}) {
    auto e = Parse(bad);
    EXPECT_FALSE(e.ok()) << bad;
    if (!e.ok()) {
      EXPECT_EQ(e.status().message().rfind("failed to create query plan: ", 0), 0u) << bad;
      EXPECT_NE(e.status().message().find("position"), std::string::npos) << bad;
    }
  }
}

TEST(ParserTest, LimitsStopDeepNesting) {
  std::string deep(5000, '(');
  deep += "a";
  deep += std::string(5000, ')');
  auto r = Parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
  std::string chain = "a";
  for (int k = 0; k < 5000; ++k) chain += " + a";
  r = Parse(chain);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
  std::string nots(5000, '!');
  EXPECT_FALSE(Parse(nots + "a").ok());
  std::string shallow(100, '(');
  EXPECT_TRUE(Parse(shallow + "a" + std::string(100, ')')).ok());
  EXPECT_FALSE(Parse(std::string(kMaxExprBytes + 1, ' ')).ok());
  std::string list = "x in [";
  for (size_t k = 0; k <= kMaxListSize; ++k) list += "0,";
  r = Parse(list + "]");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("list too long"), std::string::npos);
}

}  // namespace
}  // namespace vdb::expr
