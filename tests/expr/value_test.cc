#include "expr/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace vdb::expr {
namespace {

TEST(ValueTest, LikeWildcardsAndEscapes) {
  EXPECT_TRUE(LikeMatch("ab%", "abc"));
  EXPECT_TRUE(LikeMatch("ab%", "ab"));
  EXPECT_FALSE(LikeMatch("ab%", "a"));
  EXPECT_TRUE(LikeMatch("%bc", "abc"));
  EXPECT_TRUE(LikeMatch("%b%", "abc"));
  EXPECT_FALSE(LikeMatch("%d%", "abc"));
  EXPECT_TRUE(LikeMatch("a_c", "abc"));
  EXPECT_FALSE(LikeMatch("a_c", "ac"));
  EXPECT_TRUE(LikeMatch("%", ""));
  EXPECT_FALSE(LikeMatch("_", ""));
  EXPECT_TRUE(LikeMatch("a\\%", "a%"));
  EXPECT_FALSE(LikeMatch("a\\%", "ab"));
  EXPECT_TRUE(LikeMatch("a\\_b", "a_b"));
  EXPECT_FALSE(LikeMatch("a\\_b", "axb"));
  EXPECT_TRUE(LikeMatch("%a%b%c%", "xxaxxbxxcxx"));
  EXPECT_FALSE(LikeMatch("%a%b%c%", "xxaxxcxxbxx"));
  std::string long_a(5000, 'a');
  EXPECT_FALSE(LikeMatch("%a%a%a%a%a%b", long_a));  // no exponential backtracking
}

TEST(ValueTest, ArithmeticEdgeCasesAreNullNotUndefined) {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(ApplyArith(Op::kDiv, Value::Int(1), Value::Int(0)).is_null());
  EXPECT_TRUE(ApplyArith(Op::kMod, Value::Int(1), Value::Int(0)).is_null());
  EXPECT_TRUE(ApplyArith(Op::kDiv, Value::Int(kMin), Value::Int(-1)).is_null());
  EXPECT_TRUE(ApplyArith(Op::kShl, Value::Int(1), Value::Int(64)).is_null());
  EXPECT_TRUE(ApplyArith(Op::kShr, Value::Int(1), Value::Int(-1)).is_null());
  EXPECT_TRUE(ApplyArith(Op::kDiv, Value::Float(1), Value::Int(0)).is_null());
  EXPECT_EQ(ApplyArith(Op::kAdd, Value::Int(kMax), Value::Int(1)), Value::Int(kMin));  // wraps
  EXPECT_EQ(ApplyArith(Op::kNeg, Value::Int(kMin), Value()), Value::Int(kMin));
  EXPECT_EQ(ApplyArith(Op::kDiv, Value::Int(7), Value::Int(2)), Value::Int(3));
  EXPECT_EQ(ApplyArith(Op::kDiv, Value::Int(7), Value::Float(2)), Value::Float(3.5));
  EXPECT_EQ(ApplyArith(Op::kPow, Value::Int(2), Value::Int(10)), Value::Float(1024));
  EXPECT_EQ(ApplyArith(Op::kBitNot, Value::Int(0), Value()), Value::Int(-1));
  EXPECT_TRUE(ApplyArith(Op::kAdd, Value::String("a"), Value::Int(1)).is_null());
}

TEST(ValueTest, ComparisonsAcrossTypes) {
  EXPECT_TRUE(CompareValues(Op::kEq, Value::Int(2), Value::Float(2.0)));
  EXPECT_TRUE(CompareValues(Op::kLt, Value::Int(2), Value::Float(2.5)));
  EXPECT_FALSE(CompareValues(Op::kEq, Value::Int(1), Value::String("1")));
  EXPECT_FALSE(CompareValues(Op::kNe, Value::Int(1), Value::String("1")));
  EXPECT_TRUE(CompareValues(Op::kLt, Value::String("a"), Value::String("b")));
  EXPECT_FALSE(CompareValues(Op::kLt, Value::Bool(false), Value::Bool(true)));
  EXPECT_TRUE(CompareValues(Op::kNe, Value::Bool(false), Value::Bool(true)));
  EXPECT_FALSE(CompareValues(Op::kEq, Value::Null(), Value::Null()));
  EXPECT_TRUE(CompareValues(Op::kEq, Value::List({Value::Int(1)}), Value::List({Value::Float(1)})));
  // int64 compared exactly, not through double
  EXPECT_TRUE(CompareValues(Op::kLt, Value::Int(9007199254740992), Value::Int(9007199254740993)));
}

}  // namespace
}  // namespace vdb::expr
