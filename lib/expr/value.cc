#include "expr/value.h"

#include <cmath>
#include <limits>

namespace vdb::expr {

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kNone:
      return "none";
    case Op::kOr:
      return "or";
    case Op::kAnd:
      return "and";
    case Op::kBitOr:
      return "|";
    case Op::kBitXor:
      return "^";
    case Op::kBitAnd:
      return "&";
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kIn:
      return "in";
    case Op::kNotIn:
      return "not in";
    case Op::kShl:
      return "<<";
    case Op::kShr:
      return ">>";
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kMod:
      return "%";
    case Op::kPow:
      return "**";
    case Op::kNeg:
      return "-";
    case Op::kNot:
      return "not";
    case Op::kBitNot:
      return "~";
  }
  return "?";
}

bool IsComparison(Op op) { return op >= Op::kEq && op <= Op::kGe; }

namespace {

template <typename T>
bool Ordered(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return a != b;
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return a <= b;
    case Op::kGt:
      return a > b;
    case Op::kGe:
      return a >= b;
    default:
      return false;
  }
}

}  // namespace

bool ValuesEqual(const Value& a, const Value& b) { return CompareValues(Op::kEq, a, b); }

bool CompareValues(Op op, const Value& a, const Value& b) {
  if (a.type == ValueType::kInt && b.type == ValueType::kInt) return Ordered(op, a.i, b.i);
  if (a.is_number() && b.is_number()) return Ordered(op, a.AsDouble(), b.AsDouble());
  if (a.type != b.type) return false;
  switch (a.type) {
    case ValueType::kString:
      return Ordered(op, a.s, b.s);
    case ValueType::kBool:
      return (op == Op::kEq || op == Op::kNe) && Ordered(op, a.b, b.b);
    case ValueType::kList: {
      if (op != Op::kEq && op != Op::kNe) return false;
      bool same = a.list.size() == b.list.size();
      for (size_t k = 0; same && k < a.list.size(); ++k) same = ValuesEqual(a.list[k], b.list[k]);
      return op == Op::kEq ? same : !same;
    }
    default:
      return false;
  }
}

Value IntArith(Op op, int64_t a, int64_t b) {
  // Wrapping arithmetic through uint64_t: overflow is defined, like Milvus's int64 math.
  auto ua = static_cast<uint64_t>(a);
  auto ub = static_cast<uint64_t>(b);
  switch (op) {
    case Op::kAdd:
      return Value::Int(static_cast<int64_t>(ua + ub));
    case Op::kSub:
      return Value::Int(static_cast<int64_t>(ua - ub));
    case Op::kMul:
      return Value::Int(static_cast<int64_t>(ua * ub));
    case Op::kDiv:
      if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1)) return Value::Null();
      return Value::Int(a / b);
    case Op::kMod:
      if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1)) return Value::Null();
      return Value::Int(a % b);
    case Op::kBitAnd:
      return Value::Int(a & b);
    case Op::kBitOr:
      return Value::Int(a | b);
    case Op::kBitXor:
      return Value::Int(a ^ b);
    case Op::kShl:
      if (b < 0 || b > 63) return Value::Null();
      return Value::Int(static_cast<int64_t>(ua << b));
    case Op::kShr:
      if (b < 0 || b > 63) return Value::Null();
      return Value::Int(a >> b);
    case Op::kPow:
      return Value::Float(std::pow(static_cast<double>(a), static_cast<double>(b)));
    case Op::kNeg:
      return Value::Int(static_cast<int64_t>(0 - ua));
    case Op::kBitNot:
      return Value::Int(~a);
    default:
      return Value::Null();
  }
}

Value FloatArith(Op op, double a, double b) {
  switch (op) {
    case Op::kAdd:
      return Value::Float(a + b);
    case Op::kSub:
      return Value::Float(a - b);
    case Op::kMul:
      return Value::Float(a * b);
    case Op::kDiv:
      return b == 0 ? Value::Null() : Value::Float(a / b);
    case Op::kMod:
      return b == 0 ? Value::Null() : Value::Float(std::fmod(a, b));
    case Op::kPow:
      return Value::Float(std::pow(a, b));
    case Op::kNeg:
      return Value::Float(-a);
    default:
      return Value::Null();
  }
}

Value ApplyArith(Op op, const Value& a, const Value& b) {
  bool unary = op == Op::kNeg || op == Op::kBitNot;
  if (!a.is_number() || (!unary && !b.is_number())) return Value::Null();
  if (a.type == ValueType::kInt && (unary || b.type == ValueType::kInt)) {
    return IntArith(op, a.i, unary ? 0 : b.i);
  }
  return FloatArith(op, a.AsDouble(), unary ? 0 : b.AsDouble());
}

bool LikeMatch(std::string_view pattern, std::string_view text) {
  // Iterative wildcard matching with one backtrack point: O(pattern * text) worst case, no
  // recursion, so hostile patterns cannot blow the stack.
  size_t p = 0, t = 0, star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      bool escaped = pattern[p] == '\\' && p + 1 < pattern.size();
      char want = escaped ? pattern[p + 1] : pattern[p];
      if ((!escaped && want == '_') || want == text[t]) {
        p += escaped ? 2 : 1;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace vdb::expr
