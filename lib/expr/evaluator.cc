// Evaluator: walks the plan's nodes in order (children come first), computing each node for
// every row before moving on, so the per-row work is a tight loop per node.
#include "expr/evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>

#include "common/coding.h"
#include "expr/eval_ops.h"

namespace vdb::expr {

namespace internal {

StaticType StaticTypeOf(const Value& v) {
  switch (v.type) {
    case ValueType::kNull:
      return StaticType::kNull;
    case ValueType::kBool:
      return StaticType::kBool;
    case ValueType::kInt:
      return StaticType::kInt;
    case ValueType::kFloat:
      return StaticType::kFloat;
    case ValueType::kString:
      return StaticType::kString;
    case ValueType::kList:
      return StaticType::kArray;
    case ValueType::kObject:
      return StaticType::kAny;
  }
  return StaticType::kAny;
}

namespace {

bool ListContains(const Value& list, const Value& v) {
  for (const Value& e : list.list) {
    if (ValuesEqual(e, v)) return true;
  }
  return false;
}

Value ApplyCall(const PlanNode& node, const Value* const* args) {
  const Value& target = *args[0];
  if (target.type != ValueType::kList) return Value::Null();
  switch (node.func) {
    case Func::kArrayLength:
      return Value::Int(static_cast<int64_t>(target.list.size()));
    case Func::kJsonContains:
    case Func::kArrayContains:
      return Value::Bool(ListContains(target, *args[1]));
    case Func::kJsonContainsAll:
    case Func::kArrayContainsAll:
      for (const Value& v : args[1]->list) {
        if (!ListContains(target, v)) return Value::Bool(false);
      }
      return Value::Bool(true);
    case Func::kJsonContainsAny:
    case Func::kArrayContainsAny:
      for (const Value& v : args[1]->list) {
        if (ListContains(target, v)) return Value::Bool(true);
      }
      return Value::Bool(false);
    case Func::kNone:
      break;
  }
  return Value::Null();
}

}  // namespace

Value ApplyNode(const PlanNode& node, const Value* const* args) {
  switch (node.kind) {
    case PlanKind::kConst:
      return node.value;
    case PlanKind::kColumn:
      return Value::Null();  // read by the evaluator, never applied
    case PlanKind::kUnary: {
      if (node.op != Op::kNot) return ApplyArith(node.op, *args[0], Value());
      int t = Truth(*args[0]);
      return FromTruth(t < 0 ? t : 1 - t);
    }
    case PlanKind::kBinary: {
      const Value& a = *args[0];
      const Value& b = *args[1];
      if (node.op == Op::kAnd || node.op == Op::kOr) {
        int x = Truth(a), y = Truth(b);
        if (node.op == Op::kAnd) return FromTruth(x == 0 || y == 0 ? 0 : (x < 0 || y < 0 ? -1 : 1));
        return FromTruth(x == 1 || y == 1 ? 1 : (x < 0 || y < 0 ? -1 : 0));
      }
      if (IsComparison(node.op)) {
        if (a.is_null() || b.is_null()) return Value::Null();
        return Value::Bool(CompareValues(node.op, a, b));
      }
      return ApplyArith(node.op, a, b);
    }
    case PlanKind::kIn:
      if (args[0]->is_null()) return Value::Null();
      return Value::Bool(ListContains(node.value, *args[0]) == (node.op == Op::kIn));
    case PlanKind::kLike:
      if (args[0]->is_null()) return Value::Null();
      return Value::Bool(args[0]->type == ValueType::kString &&
                         LikeMatch(node.value.s, args[0]->s));
    case PlanKind::kIsNull:
      return Value::Bool(args[0]->is_null() != node.negated);
    case PlanKind::kExists:
      return Value::Bool(!args[0]->is_null());
    case PlanKind::kCall:
      return ApplyCall(node, args);
  }
  return Value::Null();
}

}  // namespace internal

Result<ColumnView> ColumnViewMap::Column(FieldId field) const {
  auto it = views_.find(field.value());
  if (it == views_.end()) {
    return Status::NotFound("filter: no column for field " + std::to_string(field.value()));
  }
  return it->second;
}

namespace {

constexpr int kMaxJsonDepth = 64;

Value JsonToValue(const nlohmann::json& j, int depth) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > uint64_t{INT64_MAX}) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value::Float(j.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      if (depth >= kMaxJsonDepth) return Value::Null();
      std::vector<Value> list;
      list.reserve(j.size());
      for (const auto& e : j) list.push_back(JsonToValue(e, depth + 1));
      return Value::List(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      Value v;
      v.type = ValueType::kObject;
      return v;
    }
    default:
      return Value::Null();
  }
}

bool IsValid(const ColumnView& view, size_t row) {
  return view.validity == nullptr || (view.validity[row / 8] >> (row % 8)) & 1;
}

template <typename T>
T Load(const void* values, size_t row) {
  T v;
  std::memcpy(&v, static_cast<const char*>(values) + row * sizeof(T), sizeof(T));
  return v;
}

Value LoadScalar(DataType type, const void* values, size_t row) {
  switch (type) {
    case DataType::kBool:
      return Value::Bool(Load<uint8_t>(values, row) != 0);
    case DataType::kInt8:
      return Value::Int(Load<int8_t>(values, row));
    case DataType::kInt16:
      return Value::Int(Load<int16_t>(values, row));
    case DataType::kInt32:
      return Value::Int(Load<int32_t>(values, row));
    case DataType::kInt64:
      return Value::Int(Load<int64_t>(values, row));
    case DataType::kFloat:
      return Value::Float(Load<float>(values, row));
    case DataType::kDouble:
      return Value::Float(Load<double>(values, row));
    default:
      return Value::Null();
  }
}

// One array row's elements; null when the bytes do not decode.
Value DecodeArray(DataType element_type, std::string_view bytes) {
  std::vector<Value> list;
  if (element_type == DataType::kVarChar) {
    std::string_view in = bytes, s;
    while (!in.empty()) {
      if (!GetLengthPrefixed(&in, &s)) return Value::Null();
      list.push_back(Value::String(std::string(s)));
    }
    return Value::List(std::move(list));
  }
  size_t width = ElementWidth(element_type);
  if (width == 0 || bytes.size() % width != 0) return Value::Null();
  list.reserve(bytes.size() / width);
  for (size_t k = 0; k < bytes.size() / width; ++k) {
    list.push_back(LoadScalar(element_type, bytes.data(), k));
  }
  return Value::List(std::move(list));
}

// A discarded document (text that did not parse) yields null like a missing key.
Value JsonPathValue(const nlohmann::json& doc, const std::vector<PathStep>& path) {
  if (doc.is_discarded()) return Value::Null();
  const nlohmann::json* cur = &doc;
  for (const PathStep& step : path) {
    if (step.is_index) {
      if (!cur->is_array() || static_cast<uint64_t>(step.index) >= cur->size()) return Value();
      cur = &(*cur)[static_cast<size_t>(step.index)];
    } else {
      if (!cur->is_object()) return Value::Null();
      auto it = cur->find(step.key);
      if (it == cur->end()) return Value::Null();
      cur = &*it;
    }
  }
  return JsonToValue(*cur, 0);
}

nlohmann::json ParseJson(std::string_view text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// Parsed JSON documents of one field for the rows of a batch, shared by the nodes that read
// several paths of the same field so each row is parsed once.
using JsonDocs = std::vector<nlohmann::json>;

Status CheckView(const PlanNode& node, const ColumnView& view, size_t rows) {
  std::string what = "filter: column of field " + std::to_string(node.field.value());
  if (view.type != node.type ||
      (node.type == DataType::kArray && view.element_type != node.element_type)) {
    return Status::InvalidArgument(what + " has type " + std::string(DataTypeName(view.type)) +
                                   ", the plan expects " + std::string(DataTypeName(node.type)));
  }
  if (view.rows < rows) {
    return Status::InvalidArgument(what + " has " + std::to_string(view.rows) + " rows, need " +
                                   std::to_string(rows));
  }
  if (rows == 0) return Status::OK();
  bool fixed = IsFixedWidth(view.type);
  if ((fixed && view.values == nullptr) ||
      (!fixed && (view.offsets == nullptr || (view.bytes == nullptr && view.offsets[rows] > 0)))) {
    return Status::InvalidArgument(what + " has no data");
  }
  if (!fixed) {
    for (size_t r = 0; r < rows; ++r) {
      if (view.offsets[r] > view.offsets[r + 1]) {
        return Status::InvalidArgument(what + ": offsets decrease at row " + std::to_string(r));
      }
    }
  }
  return Status::OK();
}

// `docs`: for JSON columns, the shared parsed documents (filled on first use), or nullptr to
// parse each row here.
Status ReadColumn(const PlanNode& node, const ColumnSource& source, size_t rows, JsonDocs* docs,
                  std::vector<Value>* out) {
  VDB_ASSIGN_OR_RETURN(ColumnView view, source.Column(node.field));
  VDB_RETURN_IF_ERROR(CheckView(node, view, rows));
  out->assign(rows, Value());
  auto row_bytes = [&](size_t r) {
    return std::string_view(view.bytes + view.offsets[r], view.offsets[r + 1] - view.offsets[r]);
  };
  if (docs != nullptr && docs->empty()) {
    docs->resize(rows);
    for (size_t r = 0; r < rows; ++r) {
      if (IsValid(view, r)) (*docs)[r] = ParseJson(row_bytes(r));
    }
  }
  for (size_t r = 0; r < rows; ++r) {
    if (!IsValid(view, r)) continue;
    switch (node.type) {
      case DataType::kVarChar:
        (*out)[r] = Value::String(std::string(row_bytes(r)));
        break;
      case DataType::kJson:
        (*out)[r] = docs != nullptr ? JsonPathValue((*docs)[r], node.path)
                                    : JsonPathValue(ParseJson(row_bytes(r)), node.path);
        break;
      case DataType::kArray: {
        Value list = DecodeArray(node.element_type, row_bytes(r));
        if (!node.path.empty()) {
          size_t k = static_cast<size_t>(node.path[0].index);
          list = k < list.list.size() ? std::move(list.list[k]) : Value::Null();
        }
        (*out)[r] = std::move(list);
        break;
      }
      default:
        (*out)[r] = LoadScalar(node.type, view.values, r);
        break;
    }
  }
  return Status::OK();
}

// Calls f with the comparison functor for op, so the row loop inside f has no switch.
template <typename F>
void WithComparator(Op op, F f) {
  switch (op) {
    case Op::kEq:
      return f(std::equal_to<>());
    case Op::kNe:
      return f(std::not_equal_to<>());
    case Op::kLt:
      return f(std::less<>());
    case Op::kLe:
      return f(std::less_equal<>());
    case Op::kGt:
      return f(std::greater<>());
    case Op::kGe:
      return f(std::greater_equal<>());
    default:
      return;
  }
}

// One node's result for every row: either per-row values, or (for boolean nodes) a truth
// vector (1 true, 0 false, -1 unknown), which is much cheaper to build and combine.
struct NodeResult {
  bool is_truth = false;
  std::vector<int8_t> truth;
  std::vector<Value> values;
  bool is_const = false;  // values holds one value that stands for every row
  // Numbers: ints or floats (is_float), with valid[r] == 0 for a null row.
  bool is_number = false;
  bool is_float = false;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<uint8_t> valid;
};

// A numeric operand seen row by row: a number column or a constant (stride 0).
struct NumOperand {
  bool is_float = false;
  const int64_t* ints = nullptr;
  const double* floats = nullptr;
  const uint8_t* valid = nullptr;  // nullptr: every row has a value
  size_t stride = 1;

  bool ok(size_t r) const { return valid == nullptr || valid[r * stride] != 0; }
  int64_t i(size_t r) const { return ints[r * stride]; }
  double d(size_t r) const {
    return is_float ? floats[r * stride] : static_cast<double>(ints[r * stride]);
  }
};

bool AsNumOperand(const NodeResult& r, NumOperand* out) {
  if (r.is_const && r.values[0].is_number()) {
    out->is_float = r.values[0].type == ValueType::kFloat;
    out->ints = &r.values[0].i;
    out->floats = &r.values[0].d;
    out->valid = nullptr;
    out->stride = 0;
    return true;
  }
  if (!r.is_number) return false;
  out->is_float = r.is_float;
  out->ints = r.ints.data();
  out->floats = r.floats.data();
  out->valid = r.valid.data();
  out->stride = 1;
  return true;
}

Status ReadNumbers(const PlanNode& node, const ColumnSource& source, size_t rows, NodeResult* out) {
  VDB_ASSIGN_OR_RETURN(ColumnView view, source.Column(node.field));
  VDB_RETURN_IF_ERROR(CheckView(node, view, rows));
  out->is_number = true;
  out->is_float = node.type == DataType::kFloat || node.type == DataType::kDouble;
  out->valid.assign(rows, 1);
  if (out->is_float) {
    out->floats.resize(rows);
    for (size_t r = 0; r < rows; ++r) out->floats[r] = LoadScalar(node.type, view.values, r).d;
  } else {
    out->ints.resize(rows);
    for (size_t r = 0; r < rows; ++r) out->ints[r] = LoadScalar(node.type, view.values, r).i;
  }
  if (view.validity != nullptr) {
    for (size_t r = 0; r < rows; ++r) out->valid[r] = IsValid(view, r) ? 1 : 0;
  }
  return Status::OK();
}

bool IsArithmetic(const PlanNode& n) {
  if (n.kind == PlanKind::kUnary) return n.op == Op::kNeg || n.op == Op::kBitNot;
  return n.kind == PlanKind::kBinary && !IsComparison(n.op) && n.op != Op::kAnd &&
         n.op != Op::kOr && n.op != Op::kIn && n.op != Op::kNotIn;
}

// Arithmetic over number columns with the same rules as ApplyArith.
void NumericArith(Op op, const NumOperand& a, const NumOperand* b, size_t rows, NodeResult* out) {
  bool all_int = !a.is_float && (b == nullptr || !b->is_float);
  out->is_number = true;
  out->is_float = !all_int || op == Op::kPow;
  out->ints.assign(out->is_float ? 0 : rows, 0);
  out->floats.assign(out->is_float ? rows : 0, 0);
  out->valid.assign(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    if (!a.ok(r) || (b != nullptr && !b->ok(r))) continue;
    Value v =
        all_int ? IntArith(op, a.i(r), b ? b->i(r) : 0) : FloatArith(op, a.d(r), b ? b->d(r) : 0);
    if (v.is_null()) continue;
    out->valid[r] = 1;
    if (out->is_float) {
      out->floats[r] = v.AsDouble();
    } else {
      out->ints[r] = v.i;
    }
  }
}

void NumericCompare(Op op, const NumOperand& a, const NumOperand& b, size_t rows,
                    std::vector<int8_t>* out) {
  out->assign(rows, -1);
  bool ints = !a.is_float && !b.is_float;
  WithComparator(op, [&](auto cmp) {
    for (size_t r = 0; r < rows; ++r) {
      if (!a.ok(r) || !b.ok(r)) continue;
      (*out)[r] = (ints ? cmp(a.i(r), b.i(r)) : cmp(a.d(r), b.d(r))) ? 1 : 0;
    }
  });
}

using internal::FromTruth;
using internal::Truth;

bool IsBooleanNode(const PlanNode& n) {
  switch (n.kind) {
    case PlanKind::kBinary:
      return IsComparison(n.op) || n.op == Op::kAnd || n.op == Op::kOr;
    case PlanKind::kUnary:
      return n.op == Op::kNot;
    case PlanKind::kIn:
    case PlanKind::kLike:
    case PlanKind::kIsNull:
    case PlanKind::kExists:
      return true;
    case PlanKind::kCall:
      return n.func != Func::kArrayLength;
    default:
      return false;
  }
}

// A plain column (no path) whose only reader is its parent, so the parent may read the raw view.
bool IsDirectColumn(const PlanNode& c, int uses) {
  return c.kind == PlanKind::kColumn && c.path.empty() && uses == 1 &&
         (IsNumeric(c.type) || c.type == DataType::kVarChar);
}

Op Flip(Op op) {
  switch (op) {
    case Op::kLt:
      return Op::kGt;
    case Op::kLe:
      return Op::kGe;
    case Op::kGt:
      return Op::kLt;
    case Op::kGe:
      return Op::kLe;
    default:
      return op;
  }
}

// Which fast path, if any, evaluates node n straight from a column view: the column child's
// index, or -1. *flip: the column is the right operand of a comparison.
int FastColumnChild(const std::vector<PlanNode>& nodes, const std::vector<int>& uses, size_t n,
                    bool* flip) {
  const PlanNode& node = nodes[n];
  *flip = false;
  if (node.kind == PlanKind::kBinary && IsComparison(node.op)) {
    uint32_t a = node.children[0], b = node.children[1];
    if (nodes[a].kind == PlanKind::kConst) std::swap(a, b), *flip = true;
    const PlanNode& col = nodes[a];
    const Value& c = nodes[b].value;
    if (nodes[b].kind != PlanKind::kConst || !IsDirectColumn(col, uses[a])) return -1;
    if (IsNumeric(col.type) ? c.is_number() : c.type == ValueType::kString) {
      return static_cast<int>(a);
    }
    return -1;
  }
  if (node.kind == PlanKind::kIn || node.kind == PlanKind::kLike ||
      node.kind == PlanKind::kIsNull) {
    uint32_t a = node.children[0];
    if (!IsDirectColumn(nodes[a], uses[a])) return -1;
    if (node.kind == PlanKind::kLike && nodes[a].type != DataType::kVarChar) return -1;
    return static_cast<int>(a);
  }
  return -1;
}

template <typename T, typename Pred>
void ScanFixed(const ColumnView& view, size_t rows, Pred pred, std::vector<int8_t>* out) {
  const T* values = static_cast<const T*>(view.values);
  int8_t* dst = out->data();
  for (size_t r = 0; r < rows; ++r) {
    T v;
    std::memcpy(&v, values + r, sizeof(T));
    dst[r] = pred(v) ? 1 : 0;
  }
}

template <typename Pred>
void ScanNumeric(const ColumnView& view, size_t rows, Pred pred, std::vector<int8_t>* out) {
  switch (view.type) {
    case DataType::kInt8:
      return ScanFixed<int8_t>(view, rows, pred, out);
    case DataType::kInt16:
      return ScanFixed<int16_t>(view, rows, pred, out);
    case DataType::kInt32:
      return ScanFixed<int32_t>(view, rows, pred, out);
    case DataType::kInt64:
      return ScanFixed<int64_t>(view, rows, pred, out);
    case DataType::kFloat:
      return ScanFixed<float>(view, rows, pred, out);
    case DataType::kDouble:
      return ScanFixed<double>(view, rows, pred, out);
    default:
      return;
  }
}

template <typename Pred>
void ScanStrings(const ColumnView& view, size_t rows, Pred pred, std::vector<int8_t>* out) {
  for (size_t r = 0; r < rows; ++r) {
    std::string_view s(view.bytes + view.offsets[r], view.offsets[r + 1] - view.offsets[r]);
    (*out)[r] = pred(s) ? 1 : 0;
  }
}

void CompareFast(const ColumnView& view, Op op, const Value& c, size_t rows,
                 std::vector<int8_t>* out) {
  if (view.type == DataType::kVarChar) {
    std::string_view want = c.s;
    return WithComparator(op, [&](auto cmp) {
      ScanStrings(
          view, rows, [&](std::string_view s) { return cmp(s, want); }, out);
    });
  }
  if (IsIntegral(view.type) && c.type == ValueType::kInt) {
    int64_t want = c.i;
    return WithComparator(op, [&](auto cmp) {
      ScanNumeric(
          view, rows, [&](auto v) { return cmp(static_cast<int64_t>(v), want); }, out);
    });
  }
  double want = c.AsDouble();
  WithComparator(op, [&](auto cmp) {
    ScanNumeric(
        view, rows, [&](auto v) { return cmp(static_cast<double>(v), want); }, out);
  });
}

// The hash set of an `in` list, built once per Evaluate call and shared by its batches.
struct InSet {
  bool built = false;
  std::unordered_set<std::string_view> strings;
  std::unordered_set<int64_t> ints;
  std::unordered_set<double> doubles;

  void Build(const PlanNode& node) {
    built = true;
    for (const Value& v : node.value.list) {
      if (v.type == ValueType::kString) strings.insert(v.s);
      if (v.type == ValueType::kInt) ints.insert(v.i);
      // A float equals an integer only when it is integral and in range.
      if (v.type == ValueType::kFloat && v.d == std::floor(v.d) && v.d >= -9.2e18 &&
          v.d <= 9.2e18) {
        ints.insert(static_cast<int64_t>(v.d));
      }
      if (v.is_number()) doubles.insert(v.AsDouble());
    }
  }
};

void InFast(const ColumnView& view, const PlanNode& node, InSet* set, size_t rows,
            std::vector<int8_t>* out) {
  if (!set->built) set->Build(node);
  bool in = node.op == Op::kIn;
  if (view.type == DataType::kVarChar) {
    return ScanStrings(
        view, rows, [&](std::string_view s) { return (set->strings.count(s) > 0) == in; }, out);
  }
  if (IsIntegral(view.type)) {
    return ScanNumeric(
        view, rows, [&](auto v) { return (set->ints.count(static_cast<int64_t>(v)) > 0) == in; },
        out);
  }
  ScanNumeric(
      view, rows, [&](auto v) { return (set->doubles.count(static_cast<double>(v)) > 0) == in; },
      out);
}

Status EvalFast(const PlanNode& node, const PlanNode& col, bool flip, const Value* constant,
                InSet* in_set, const ColumnSource& columns, size_t rows, std::vector<int8_t>* out) {
  VDB_ASSIGN_OR_RETURN(ColumnView view, columns.Column(col.field));
  VDB_RETURN_IF_ERROR(CheckView(col, view, rows));
  out->assign(rows, 0);
  if (node.kind == PlanKind::kIsNull) {
    for (size_t r = 0; r < rows; ++r) (*out)[r] = IsValid(view, r) == node.negated ? 1 : 0;
    return Status::OK();
  }
  if (node.kind == PlanKind::kLike) {
    const std::string& pattern = node.value.s;
    ScanStrings(
        view, rows, [&](std::string_view s) { return LikeMatch(pattern, s); }, out);
  } else if (node.kind == PlanKind::kIn) {
    InFast(view, node, in_set, rows, out);
  } else {
    CompareFast(view, flip ? Flip(node.op) : node.op, *constant, rows, out);
  }
  if (view.validity != nullptr) {
    for (size_t r = 0; r < rows; ++r) {
      if (!IsValid(view, r)) (*out)[r] = -1;
    }
  }
  return Status::OK();
}

// Truth vector of a child, converting values if needed.
const std::vector<int8_t>& TruthOf(NodeResult* r, size_t rows) {
  if (r->is_number) {
    r->truth.assign(rows, -1);  // numbers are not truth values
    r->is_truth = true;
    r->is_number = false;
  } else if (r->is_const) {
    r->truth.assign(rows, static_cast<int8_t>(Truth(r->values[0])));
    r->is_truth = true;
    r->is_const = false;
    std::vector<Value>().swap(r->values);
  } else if (!r->is_truth) {
    r->truth.resize(rows);
    for (size_t k = 0; k < rows; ++k) r->truth[k] = static_cast<int8_t>(Truth(r->values[k]));
    r->is_truth = true;
    std::vector<Value>().swap(r->values);
  }
  return r->truth;
}

// Values of a child, converting a truth vector if needed.
// A constant's single value is returned as is (size 1): callers index it with row 0.
const std::vector<Value>& ValuesOf(NodeResult* r, size_t rows) {
  if (r->is_number) {
    r->values.assign(rows, Value());
    for (size_t k = 0; k < rows; ++k) {
      if (r->valid[k] == 0) continue;
      r->values[k] = r->is_float ? Value::Float(r->floats[k]) : Value::Int(r->ints[k]);
    }
    r->is_number = false;
  } else if (!r->is_const && r->values.size() != rows) {
    r->values.resize(rows);
    for (size_t k = 0; k < rows; ++k) r->values[k] = FromTruth(r->truth[k]);
  }
  return r->values;
}

void EvalLogical(const PlanNode& node, std::vector<NodeResult>* results, size_t rows,
                 std::vector<int8_t>* out) {
  out->resize(rows);
  const std::vector<int8_t>& a = TruthOf(&(*results)[node.children[0]], rows);
  if (node.kind == PlanKind::kUnary) {
    for (size_t r = 0; r < rows; ++r) (*out)[r] = static_cast<int8_t>(a[r] < 0 ? -1 : 1 - a[r]);
    return;
  }
  const std::vector<int8_t>& b = TruthOf(&(*results)[node.children[1]], rows);
  if (node.op == Op::kAnd) {
    for (size_t r = 0; r < rows; ++r) {
      (*out)[r] = static_cast<int8_t>(a[r] == 0 || b[r] == 0 ? 0 : (a[r] < 0 || b[r] < 0 ? -1 : 1));
    }
  } else {
    for (size_t r = 0; r < rows; ++r) {
      (*out)[r] = static_cast<int8_t>(a[r] == 1 || b[r] == 1 ? 1 : (a[r] < 0 || b[r] < 0 ? -1 : 0));
    }
  }
}

// True when every child of an arithmetic or comparison node is a number column or constant.
bool NumericOperands(const PlanNode& node, const std::vector<NodeResult>& results, NumOperand* a,
                     NumOperand* b) {
  if (node.kind != PlanKind::kUnary && node.kind != PlanKind::kBinary) return false;
  if (!AsNumOperand(results[node.children[0]], a)) return false;
  return node.children.size() == 1 || AsNumOperand(results[node.children[1]], b);
}

// The rows [begin, begin + rows) of another source, as views starting at row 0. REQUIRES: begin
// is a multiple of 8, so validity bitmaps slice on a byte boundary.
class SlicedSource : public ColumnSource {
 public:
  SlicedSource(const ColumnSource& base, size_t begin, size_t rows)
      : base_(base), begin_(begin), rows_(rows) {}

  Result<ColumnView> Column(FieldId field) const override {
    VDB_ASSIGN_OR_RETURN(ColumnView view, base_.Column(field));
    if (view.rows < begin_ + rows_) {
      return Status::InvalidArgument("filter: column of field " + std::to_string(field.value()) +
                                     " has " + std::to_string(view.rows) + " rows, need " +
                                     std::to_string(begin_ + rows_));
    }
    if (IsFixedWidth(view.type)) {
      if (view.values != nullptr) {
        view.values = static_cast<const char*>(view.values) + begin_ * ElementWidth(view.type);
      }
    } else if (view.offsets != nullptr) {
      view.offsets += begin_;  // offsets are absolute positions in bytes: bytes stays put
    }
    if (view.validity != nullptr) view.validity += begin_ / 8;
    view.rows -= begin_;
    return view;
  }

 private:
  const ColumnSource& base_;
  size_t begin_;
  size_t rows_;
};

// Evaluates rows [0, rows) of `columns` into bitmap words starting at `words`.
// What Evaluate works out about a plan once, before its batches.
struct PlanAnalysis {
  std::vector<size_t> last_use;       // the last reader of each node: free its result after that
  std::vector<int> fast;              // column child read directly by the node's fast path, or -1
  std::vector<uint8_t> flipped;       // fast comparisons with the column on the right
  std::vector<uint8_t> skipped;       // children of fast paths that are never materialized
  std::map<int64_t, int> json_reads;  // JSON column nodes per field

  explicit PlanAnalysis(const std::vector<PlanNode>& nodes)
      : last_use(nodes.size(), 0),
        fast(nodes.size(), -1),
        flipped(nodes.size(), 0),
        skipped(nodes.size(), 0) {
    std::vector<int> uses(nodes.size(), 0);
    for (size_t n = 0; n < nodes.size(); ++n) {
      for (uint32_t c : nodes[n].children) last_use[c] = n, ++uses[c];
    }
    for (size_t n = 0; n < nodes.size(); ++n) {
      bool flip = false;
      fast[n] = FastColumnChild(nodes, uses, n, &flip);
      flipped[n] = flip;
      if (fast[n] < 0) continue;
      for (uint32_t c : nodes[n].children) skipped[c] = uses[c] == 1;
    }
    for (const PlanNode& node : nodes) {
      if (node.kind == PlanKind::kColumn && node.type == DataType::kJson) {
        ++json_reads[node.field.value()];
      }
    }
  }
};

// Any node through ApplyNode, one row at a time over its children's values.
void EvalGeneric(const PlanNode& node, std::vector<NodeResult>* results, size_t rows,
                 NodeResult* out) {
  std::vector<const std::vector<Value>*> inputs;
  std::vector<size_t> strides;  // 0 for constants
  for (uint32_t c : node.children) {
    inputs.push_back(&ValuesOf(&(*results)[c], rows));
    strides.push_back((*results)[c].is_const ? 0 : 1);
  }
  std::vector<const Value*> args(inputs.size());
  bool boolean = IsBooleanNode(node);
  out->is_truth = boolean;
  (boolean ? out->truth.resize(rows) : out->values.resize(rows));
  for (size_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < inputs.size(); ++k) args[k] = &(*inputs[k])[r * strides[k]];
    Value v = internal::ApplyNode(node, args.data());
    if (boolean) {
      out->truth[r] = static_cast<int8_t>(Truth(v));
    } else {
      out->values[r] = std::move(v);
    }
  }
}

// Evaluates rows [0, rows) of `columns` into bitmap words starting at `words`.
Status EvaluateBatch(const Plan& plan, const PlanAnalysis& info, const ColumnSource& columns,
                     size_t rows, std::vector<InSet>* in_sets, uint64_t* words) {
  const auto& nodes = plan.nodes();
  std::vector<NodeResult> results(nodes.size());
  std::map<int64_t, JsonDocs> json_docs;
  NumOperand num_a, num_b;
  for (size_t n = 0; n < nodes.size(); ++n) {
    const PlanNode& node = nodes[n];
    NodeResult& out = results[n];
    if (info.skipped[n]) continue;
    if (info.fast[n] >= 0) {
      const PlanNode& col = nodes[static_cast<size_t>(info.fast[n])];
      const Value* constant = node.kind == PlanKind::kBinary
                                  ? &nodes[node.children[info.flipped[n] ? 0 : 1]].value
                                  : nullptr;
      out.is_truth = true;
      VDB_RETURN_IF_ERROR(EvalFast(node, col, info.flipped[n], constant, &(*in_sets)[n], columns,
                                   rows, &out.truth));
    } else if (node.kind == PlanKind::kColumn && node.path.empty() && IsNumeric(node.type)) {
      VDB_RETURN_IF_ERROR(ReadNumbers(node, columns, rows, &out));
    } else if (node.kind == PlanKind::kColumn) {
      auto reads = info.json_reads.find(node.field.value());
      JsonDocs* docs =
          node.type == DataType::kJson && reads != info.json_reads.end() && reads->second > 1
              ? &json_docs[node.field.value()]
              : nullptr;
      VDB_RETURN_IF_ERROR(ReadColumn(node, columns, rows, docs, &out.values));
    } else if (NumericOperands(node, results, &num_a, &num_b) && IsArithmetic(node)) {
      NumericArith(node.op, num_a, node.children.size() == 2 ? &num_b : nullptr, rows, &out);
    } else if (node.kind == PlanKind::kBinary && IsComparison(node.op) &&
               NumericOperands(node, results, &num_a, &num_b)) {
      out.is_truth = true;
      NumericCompare(node.op, num_a, num_b, rows, &out.truth);
    } else if (node.kind == PlanKind::kConst) {
      out.values.assign(1, node.value);
      out.is_const = true;
    } else if ((node.kind == PlanKind::kBinary && (node.op == Op::kAnd || node.op == Op::kOr)) ||
               (node.kind == PlanKind::kUnary && node.op == Op::kNot)) {
      out.is_truth = true;
      EvalLogical(node, &results, rows, &out.truth);
    } else {
      EvalGeneric(node, &results, rows, &out);
    }
    for (uint32_t c : node.children) {
      if (info.last_use[c] == n) results[c] = NodeResult();
    }
  }
  const std::vector<int8_t>& top = TruthOf(&results.back(), rows);
  for (size_t r = 0; r < rows; ++r) {
    if (top[r] == 1) words[r / 64] |= uint64_t{1} << (r % 64);
  }
  return Status::OK();
}

}  // namespace

Status Evaluate(const Plan& plan, const ColumnSource& columns, size_t rows,
                std::vector<uint64_t>* bitmap, const EvalOptions& options) {
  bitmap->assign((rows + 63) / 64, 0);
  if (plan.nodes().empty()) return Status::InvalidArgument("filter: empty plan");
  // Whole bitmap words per batch, so batches never share a word or split a validity byte.
  size_t batch = std::max<size_t>(64, (options.batch_rows + 63) / 64 * 64);
  PlanAnalysis info(plan.nodes());
  std::vector<InSet> in_sets(plan.nodes().size());
  for (size_t begin = 0; begin < rows || begin == 0; begin += batch) {
    size_t count = std::min(batch, rows - begin);
    SlicedSource slice(columns, begin, count);
    VDB_RETURN_IF_ERROR(
        EvaluateBatch(plan, info, slice, count, &in_sets, bitmap->data() + begin / 64));
    if (count == 0) break;
  }
  return Status::OK();
}

}  // namespace vdb::expr
