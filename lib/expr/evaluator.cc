// Evaluator: walks the plan's nodes in order (children come first), computing each node for
// every row before moving on, so the per-row work is a tight loop per node.
#include "expr/evaluator.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

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

// Three-valued logic: a null (or non-bool) operand is unknown.
int Truth(const Value& v) { return v.type == ValueType::kBool ? (v.b ? 1 : 0) : -1; }
Value FromTruth(int t) { return t < 0 ? Value::Null() : Value::Bool(t == 1); }

bool ListContains(const Value& list, const Value& v) {
  for (const Value& e : list.list) {
    if (ValuesEqual(e, v)) return true;
  }
  return false;
}

Value ApplyCall(const PlanNode& node, const Value* args) {
  const Value& target = args[0];
  if (target.type != ValueType::kList) return Value::Null();
  switch (node.func) {
    case Func::kArrayLength:
      return Value::Int(static_cast<int64_t>(target.list.size()));
    case Func::kJsonContains:
    case Func::kArrayContains:
      return Value::Bool(ListContains(target, args[1]));
    case Func::kJsonContainsAll:
    case Func::kArrayContainsAll:
      for (const Value& v : args[1].list) {
        if (!ListContains(target, v)) return Value::Bool(false);
      }
      return Value::Bool(true);
    case Func::kJsonContainsAny:
    case Func::kArrayContainsAny:
      for (const Value& v : args[1].list) {
        if (ListContains(target, v)) return Value::Bool(true);
      }
      return Value::Bool(false);
    case Func::kNone:
      break;
  }
  return Value::Null();
}

}  // namespace

Value ApplyNode(const PlanNode& node, const Value* args) {
  switch (node.kind) {
    case PlanKind::kConst:
      return node.value;
    case PlanKind::kColumn:
      return Value::Null();  // read by the evaluator, never applied
    case PlanKind::kUnary: {
      if (node.op != Op::kNot) return ApplyArith(node.op, args[0], Value());
      int t = Truth(args[0]);
      return FromTruth(t < 0 ? t : 1 - t);
    }
    case PlanKind::kBinary: {
      if (node.op == Op::kAnd || node.op == Op::kOr) {
        int a = Truth(args[0]), b = Truth(args[1]);
        if (node.op == Op::kAnd) return FromTruth(a == 0 || b == 0 ? 0 : (a < 0 || b < 0 ? -1 : 1));
        return FromTruth(a == 1 || b == 1 ? 1 : (a < 0 || b < 0 ? -1 : 0));
      }
      if (IsComparison(node.op)) {
        if (args[0].is_null() || args[1].is_null()) return Value::Null();
        return Value::Bool(CompareValues(node.op, args[0], args[1]));
      }
      return ApplyArith(node.op, args[0], args[1]);
    }
    case PlanKind::kIn: {
      if (args[0].is_null()) return Value::Null();
      return Value::Bool(ListContains(node.value, args[0]) == (node.op == Op::kIn));
    }
    case PlanKind::kLike:
      if (args[0].is_null()) return Value::Null();
      return Value::Bool(args[0].type == ValueType::kString && LikeMatch(node.value.s, args[0].s));
    case PlanKind::kIsNull:
      return Value::Bool(args[0].is_null() != node.negated);
    case PlanKind::kExists:
      return Value::Bool(!args[0].is_null());
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

Value JsonPathValue(std::string_view text, const std::vector<PathStep>& path) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
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

Status ReadColumn(const PlanNode& node, const ColumnSource& source, size_t rows,
                  std::vector<Value>* out) {
  VDB_ASSIGN_OR_RETURN(ColumnView view, source.Column(node.field));
  VDB_RETURN_IF_ERROR(CheckView(node, view, rows));
  out->assign(rows, Value());
  auto row_bytes = [&](size_t r) {
    return std::string_view(view.bytes + view.offsets[r], view.offsets[r + 1] - view.offsets[r]);
  };
  for (size_t r = 0; r < rows; ++r) {
    if (!IsValid(view, r)) continue;
    switch (node.type) {
      case DataType::kVarChar:
        (*out)[r] = Value::String(std::string(row_bytes(r)));
        break;
      case DataType::kJson:
        (*out)[r] = JsonPathValue(row_bytes(r), node.path);
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

}  // namespace

Status Evaluate(const Plan& plan, const ColumnSource& columns, size_t rows,
                std::vector<uint64_t>* bitmap) {
  const auto& nodes = plan.nodes();
  bitmap->assign((rows + 63) / 64, 0);
  if (nodes.empty()) return Status::InvalidArgument("filter: empty plan");
  // The last node that reads each node's values, so they can be freed as soon as possible.
  std::vector<size_t> last_use(nodes.size(), 0);
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (uint32_t c : nodes[n].children) last_use[c] = n;
  }
  std::vector<std::vector<Value>> results(nodes.size());
  std::vector<Value> args;
  for (size_t n = 0; n < nodes.size(); ++n) {
    const PlanNode& node = nodes[n];
    std::vector<Value>& out = results[n];
    if (node.kind == PlanKind::kColumn) {
      VDB_RETURN_IF_ERROR(ReadColumn(node, columns, rows, &out));
    } else if (node.kind == PlanKind::kConst) {
      out.assign(rows, node.value);
    } else {
      out.resize(rows);
      args.resize(node.children.size());
      for (size_t r = 0; r < rows; ++r) {
        for (size_t k = 0; k < node.children.size(); ++k) args[k] = results[node.children[k]][r];
        out[r] = internal::ApplyNode(node, args.data());
      }
    }
    for (uint32_t c : node.children) {
      if (last_use[c] == n) std::vector<Value>().swap(results[c]);
    }
  }
  const std::vector<Value>& top = results.back();
  for (size_t r = 0; r < rows; ++r) {
    if (top[r].type == ValueType::kBool && top[r].b) (*bitmap)[r / 64] |= uint64_t{1} << (r % 64);
  }
  return Status::OK();
}

}  // namespace vdb::expr
