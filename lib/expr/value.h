// Value: one scalar, list or JSON object seen by the filter language (literals, constants folded
// by the binder, and per-row values in the evaluator), with the comparison and arithmetic rules
// they share. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace vdb::expr {

// Persisted in encoded plans: values must not change.
enum class ValueType : uint8_t {
  kNull = 0,
  kBool = 1,
  kInt = 2,
  kFloat = 3,
  kString = 4,
  kList = 5,
  kObject = 6
};

struct Value {
  ValueType type = ValueType::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<Value> list;  // kList elements

  static Value Null() { return Value(); }
  static Value Bool(bool v) {
    Value out;
    out.type = ValueType::kBool;
    out.b = v;
    return out;
  }
  static Value Int(int64_t v) {
    Value out;
    out.type = ValueType::kInt;
    out.i = v;
    return out;
  }
  static Value Float(double v) {
    Value out;
    out.type = ValueType::kFloat;
    out.d = v;
    return out;
  }
  static Value String(std::string v) {
    Value out;
    out.type = ValueType::kString;
    out.s = std::move(v);
    return out;
  }
  static Value List(std::vector<Value> v) {
    Value out;
    out.type = ValueType::kList;
    out.list = std::move(v);
    return out;
  }
  bool is_null() const { return type == ValueType::kNull; }
  bool is_number() const { return type == ValueType::kInt || type == ValueType::kFloat; }
  double AsDouble() const { return type == ValueType::kInt ? static_cast<double>(i) : d; }

  bool operator==(const Value&) const = default;
};

// Operators of the language; persisted in encoded plans, values must not change.
enum class Op : uint8_t {
  kNone = 0,
  kOr,
  kAnd,
  kBitOr,
  kBitXor,
  kBitAnd,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
  kShl,
  kShr,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kNeg,
  kNot,
  kBitNot,
  kLast = kBitNot,
};
std::string_view OpName(Op op);
bool IsComparison(Op op);  // == != < <= > >=

// A comparison under SQL-like rules: numbers compare across int and float, strings with strings,
// bools with bools (== and != only for lists); anything else, or a null side, is false.
bool CompareValues(Op op, const Value& a, const Value& b);
// Equality as `in` and json_contains use it (numbers across int and float).
bool ValuesEqual(const Value& a, const Value& b);
// Arithmetic and bitwise operators (binary and unary, b ignored for unary); null when an operand
// is null or not a number, on integer division by zero, or on a bad shift.
Value ApplyArith(Op op, const Value& a, const Value& b);
// The two halves of ApplyArith: both operands integers, or both taken as doubles. IntArith
// returns a float for kPow.
Value IntArith(Op op, int64_t a, int64_t b);
Value FloatArith(Op op, double a, double b);
// `like` with % (any run), _ (one byte) and \ escaping either.
bool LikeMatch(std::string_view pattern, std::string_view text);

}  // namespace vdb::expr
