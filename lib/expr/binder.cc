// Binder: resolves names against a schema, checks types, folds constants (see plan.h).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "expr/eval_ops.h"
#include "expr/plan.h"

namespace vdb::expr {

namespace {

constexpr std::string_view kPrefix = "failed to create query plan: ";

bool IsNumeric(StaticType t) { return t == StaticType::kInt || t == StaticType::kFloat; }

std::string_view TypeName(StaticType t) {
  switch (t) {
    case StaticType::kNull:
      return "null";
    case StaticType::kBool:
      return "bool";
    case StaticType::kInt:
      return "integer";
    case StaticType::kFloat:
      return "float";
    case StaticType::kString:
      return "string";
    case StaticType::kArray:
      return "array";
    case StaticType::kAny:
      return "json";
  }
  return "?";
}

StaticType ScalarStaticType(DataType type) {
  if (type == DataType::kBool) return StaticType::kBool;
  if (IsIntegral(type)) return StaticType::kInt;
  if (type == DataType::kFloat || type == DataType::kDouble) return StaticType::kFloat;
  if (type == DataType::kVarChar) return StaticType::kString;
  return StaticType::kNull;
}

Value FromJson(const nlohmann::json& j, int depth, bool* ok) {
  if (depth > 64) {
    *ok = false;
    return Value();
  }
  if (j.is_boolean()) return Value::Bool(j.get<bool>());
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t{INT64_MAX}) {
      return Value::Float(static_cast<double>(j.get<uint64_t>()));
    }
    return Value::Int(j.get<int64_t>());
  }
  if (j.is_number_float()) return Value::Float(j.get<double>());
  if (j.is_string()) return Value::String(j.get<std::string>());
  if (j.is_array()) {
    std::vector<Value> list;
    for (const auto& e : j) list.push_back(FromJson(e, depth + 1, ok));
    return Value::List(std::move(list));
  }
  if (j.is_object()) *ok = false;
  return Value();
}

class Binder {
 public:
  Binder(const CollectionSchema& schema, const nlohmann::json& params)
      : schema_(schema), params_(params) {}

  Result<Plan> Run(const Node& root) {
    VDB_ASSIGN_OR_RETURN(uint32_t top, BindNode(root));
    StaticType t = nodes_[top].result;
    if (t != StaticType::kBool && t != StaticType::kAny) {
      return Error(root, "filter must be a boolean expression, not " + std::string(TypeName(t)));
    }
    std::set<int64_t> ids;
    for (const auto& n : nodes_) {
      if (n.kind == PlanKind::kColumn) ids.insert(n.field.value());
    }
    std::vector<FieldId> fields;
    for (int64_t id : ids) fields.push_back(FieldId(id));
    return Plan(std::move(nodes_), std::move(fields));
  }

 private:
  Status Error(const Node& n, const std::string& msg) const {
    return Status::InvalidArgument(std::string(kPrefix) + msg + " at position " +
                                   std::to_string(n.pos));
  }

  uint32_t Add(PlanNode node) {
    nodes_.push_back(std::move(node));
    return static_cast<uint32_t>(nodes_.size() - 1);
  }

  uint32_t AddConst(Value v) {
    PlanNode n;
    n.kind = PlanKind::kConst;
    n.result = internal::StaticTypeOf(v);
    n.value = std::move(v);
    return Add(std::move(n));
  }

  // Replaces the subtree starting at `start` by its value when every child is constant.
  uint32_t MaybeFold(size_t start, PlanNode node) {
    bool all_const = true;
    std::vector<Value> args;
    for (uint32_t c : node.children) {
      all_const = all_const && nodes_[c].kind == PlanKind::kConst;
      if (all_const) args.push_back(nodes_[c].value);
    }
    if (!all_const) return Add(std::move(node));
    std::vector<const Value*> arg_ptrs;
    for (const Value& a : args) arg_ptrs.push_back(&a);
    Value v = internal::ApplyNode(node, arg_ptrs.data());
    nodes_.resize(start);
    StaticType declared = node.result;
    uint32_t id = AddConst(std::move(v));
    // A folded null keeps its operator's type so that `null_expr and x` still type-checks.
    if (nodes_[id].result == StaticType::kNull) nodes_[id].result = declared;
    return id;
  }

  Result<uint32_t> BindNode(const Node& n) {
    size_t start = nodes_.size();
    switch (n.kind) {
      case NodeKind::kLiteral:
        return AddConst(n.value);
      case NodeKind::kList:
        return BindList(n, start);
      case NodeKind::kPlaceholder:
        return BindPlaceholder(n);
      case NodeKind::kField:
        return BindField(n);
      case NodeKind::kUnary:
        return BindUnary(n, start);
      case NodeKind::kBinary:
        return BindBinary(n, start);
      case NodeKind::kLike:
        return BindLike(n, start);
      case NodeKind::kIsNull:
        return BindIsNull(n, start);
      case NodeKind::kExists:
        return BindExists(n);
      case NodeKind::kCall:
        return BindCall(n, start);
    }
    return Error(n, "unknown node");
  }

  Result<uint32_t> BindList(const Node& n, size_t start) {
    std::vector<Value> values;
    for (const auto& c : n.children) {
      VDB_ASSIGN_OR_RETURN(uint32_t id, BindNode(*c));
      if (nodes_[id].kind != PlanKind::kConst) return Error(*c, "list elements must be constants");
      values.push_back(nodes_[id].value);
    }
    nodes_.resize(start);
    return AddConst(Value::List(std::move(values)));
  }

  Result<uint32_t> BindPlaceholder(const Node& n) {
    if (!params_.is_object() || !params_.contains(n.name)) {
      return Error(n, "template variable {" + n.name + "} has no value in exprParams");
    }
    bool ok = true;
    Value v = FromJson(params_[n.name], 0, &ok);
    if (!ok) return Error(n, "template variable {" + n.name + "} is not a scalar or list");
    return AddConst(std::move(v));
  }

  Result<uint32_t> BindField(const Node& n) {
    PlanNode col;
    col.kind = PlanKind::kColumn;
    const FieldSchema* field = schema_.FindField(n.name);
    col.path = n.path;
    if (field == nullptr) {
      const FieldSchema* meta = schema_.FindField(kDynamicFieldName);
      if (!schema_.enable_dynamic_field || meta == nullptr) {
        return Error(n, "field " + n.name + " does not exist");
      }
      field = meta;
      PathStep key;
      key.key = n.name;
      col.path.insert(col.path.begin(), key);
    }
    col.field = field->id;
    col.type = field->type;
    col.element_type = field->element_type;
    col.nullable = field->nullable;
    if (IsVector(field->type)) {
      return Error(n, "vector field " + field->name + " cannot be used in a filter");
    }
    if (field->type == DataType::kJson) {
      col.result = StaticType::kAny;
    } else if (field->type == DataType::kArray) {
      if (col.path.size() > 1 || (col.path.size() == 1 && !col.path[0].is_index)) {
        return Error(n, "array field " + field->name + " takes one integer index");
      }
      col.result = col.path.empty() ? StaticType::kArray : ScalarStaticType(field->element_type);
    } else {
      if (!col.path.empty()) return Error(n, "field " + field->name + " is not JSON or array");
      col.result = ScalarStaticType(field->type);
      if (col.result == StaticType::kNull) {
        return Error(n, "field " + field->name + " of type " +
                            std::string(DataTypeName(field->type)) + " cannot be filtered");
      }
    }
    return Add(std::move(col));
  }

  Result<uint32_t> BindUnary(const Node& n, size_t start) {
    VDB_ASSIGN_OR_RETURN(uint32_t c, BindNode(*n.children[0]));
    StaticType t = nodes_[c].result;
    PlanNode u;
    u.kind = PlanKind::kUnary;
    u.op = n.op;
    u.children = {c};
    bool ok = t == StaticType::kAny || t == StaticType::kNull;
    if (n.op == Op::kNot) {
      ok = ok || t == StaticType::kBool;
      u.result = StaticType::kBool;
    } else if (n.op == Op::kNeg) {
      ok = ok || IsNumeric(t);
      u.result = t == StaticType::kNull ? StaticType::kAny : t;
    } else {
      ok = ok || t == StaticType::kInt;
      u.result = StaticType::kInt;
    }
    if (!ok) {
      return Error(n, "operator " + std::string(OpName(n.op)) + " does not apply to " +
                          std::string(TypeName(t)));
    }
    return MaybeFold(start, std::move(u));
  }

  bool IsNonNullableColumn(uint32_t id) const {
    const PlanNode& p = nodes_[id];
    return p.kind == PlanKind::kColumn && !p.nullable && p.type != DataType::kJson;
  }
  bool IsNullConst(uint32_t id) const {
    return nodes_[id].kind == PlanKind::kConst && nodes_[id].value.is_null();
  }

  static bool Comparable(StaticType a, StaticType b) {
    if (a == StaticType::kAny || b == StaticType::kAny) return true;
    if (a == StaticType::kNull || b == StaticType::kNull) return true;
    if (IsNumeric(a) && IsNumeric(b)) return true;
    return a == b;
  }

  Result<uint32_t> BindBinary(const Node& n, size_t start) {
    VDB_ASSIGN_OR_RETURN(uint32_t a, BindNode(*n.children[0]));
    VDB_ASSIGN_OR_RETURN(uint32_t b, BindNode(*n.children[1]));
    if (n.op == Op::kIn || n.op == Op::kNotIn) return BindIn(n, a, b, start);
    StaticType ta = nodes_[a].result, tb = nodes_[b].result;
    PlanNode p;
    p.kind = PlanKind::kBinary;
    p.op = n.op;
    p.children = {a, b};
    auto mismatch = [&]() {
      return Error(n, "cannot apply " + std::string(OpName(n.op)) + " to " +
                          std::string(TypeName(ta)) + " and " + std::string(TypeName(tb)));
    };
    auto fits = [](StaticType t, bool (*pred)(StaticType)) {
      return t == StaticType::kAny || t == StaticType::kNull || pred(t);
    };
    if (n.op == Op::kAnd || n.op == Op::kOr) {
      auto is_bool = [](StaticType t) { return t == StaticType::kBool; };
      if (!fits(ta, is_bool) || !fits(tb, is_bool)) return mismatch();
      p.result = StaticType::kBool;
    } else if (IsComparison(n.op)) {
      if ((IsNullConst(a) && IsNonNullableColumn(b)) ||
          (IsNullConst(b) && IsNonNullableColumn(a))) {
        return Error(n, "cannot compare a non-nullable field with null");
      }
      if (!Comparable(ta, tb)) return mismatch();
      bool ordered = n.op != Op::kEq && n.op != Op::kNe;
      if (ordered && (ta == StaticType::kBool || ta == StaticType::kArray)) return mismatch();
      p.result = StaticType::kBool;
    } else if (n.op == Op::kAdd || n.op == Op::kSub || n.op == Op::kMul || n.op == Op::kDiv ||
               n.op == Op::kMod || n.op == Op::kPow) {
      if (!fits(ta, IsNumeric) || !fits(tb, IsNumeric)) return mismatch();
      if (ta == StaticType::kInt && tb == StaticType::kInt && n.op != Op::kPow) {
        p.result = StaticType::kInt;
      } else if (IsNumeric(ta) && IsNumeric(tb)) {
        p.result = StaticType::kFloat;
      } else {
        p.result = StaticType::kAny;
      }
    } else {  // bitwise and shifts: integers only
      auto is_int = [](StaticType t) { return t == StaticType::kInt; };
      if (!fits(ta, is_int) || !fits(tb, is_int)) return mismatch();
      p.result = StaticType::kInt;
    }
    return MaybeFold(start, std::move(p));
  }

  Result<uint32_t> BindIn(const Node& n, uint32_t a, uint32_t b, size_t start) {
    if (nodes_[b].kind != PlanKind::kConst || nodes_[b].value.type != ValueType::kList) {
      return Error(*n.children[1], "the right side of in must be a list of constants");
    }
    StaticType ta = nodes_[a].result;
    for (const Value& v : nodes_[b].value.list) {
      if (!Comparable(ta, internal::StaticTypeOf(v)) || ta == StaticType::kArray) {
        return Error(*n.children[1], "list element of type " +
                                         std::string(TypeName(internal::StaticTypeOf(v))) +
                                         " does not match " + std::string(TypeName(ta)));
      }
    }
    PlanNode p;
    p.kind = PlanKind::kIn;
    p.op = n.op;
    p.result = StaticType::kBool;
    p.value = nodes_[b].value;
    p.children = {a};
    nodes_.pop_back();  // the list constant lives in p.value
    return MaybeFold(start, std::move(p));
  }

  Result<uint32_t> BindLike(const Node& n, size_t start) {
    VDB_ASSIGN_OR_RETURN(uint32_t c, BindNode(*n.children[0]));
    StaticType t = nodes_[c].result;
    if (t != StaticType::kString && t != StaticType::kAny) {
      return Error(n, "like applies to VarChar and JSON values, not " + std::string(TypeName(t)));
    }
    PlanNode p;
    p.kind = PlanKind::kLike;
    p.result = StaticType::kBool;
    p.value = n.value;
    p.children = {c};
    return MaybeFold(start, std::move(p));
  }

  Result<uint32_t> BindIsNull(const Node& n, size_t start) {
    VDB_ASSIGN_OR_RETURN(uint32_t c, BindNode(*n.children[0]));
    if (nodes_[c].kind != PlanKind::kColumn) return Error(n, "is null applies to fields only");
    PlanNode p;
    p.kind = PlanKind::kIsNull;
    p.negated = n.negated;
    p.result = StaticType::kBool;
    if (IsNonNullableColumn(c) && nodes_[c].path.empty()) {
      nodes_.resize(start);  // never null: a constant
      return AddConst(Value::Bool(n.negated));
    }
    p.children = {c};
    return Add(std::move(p));
  }

  Result<uint32_t> BindExists(const Node& n) {
    VDB_ASSIGN_OR_RETURN(uint32_t c, BindNode(*n.children[0]));
    if (nodes_[c].kind != PlanKind::kColumn || nodes_[c].type != DataType::kJson) {
      return Error(n, "exists applies to JSON fields and dynamic keys only");
    }
    PlanNode p;
    p.kind = PlanKind::kExists;
    p.result = StaticType::kBool;
    p.children = {c};
    return Add(std::move(p));
  }

  Result<uint32_t> BindCall(const Node& n, size_t start) {
    static const struct {
      std::string_view name;
      Func func;
      size_t args;
    } kFuncs[] = {
        {"json_contains", Func::kJsonContains, 2},
        {"json_contains_all", Func::kJsonContainsAll, 2},
        {"json_contains_any", Func::kJsonContainsAny, 2},
        {"array_contains", Func::kArrayContains, 2},
        {"array_contains_all", Func::kArrayContainsAll, 2},
        {"array_contains_any", Func::kArrayContainsAny, 2},
        {"array_length", Func::kArrayLength, 1},
    };
    if (n.name == "text_match" || n.name == "phrase_match" || n.name == "random_sample") {
      return Status::NotSupported(std::string(kPrefix) + n.name + " is not supported at position " +
                                  std::to_string(n.pos));
    }
    PlanNode p;
    p.kind = PlanKind::kCall;
    size_t want = 0;
    for (const auto& f : kFuncs) {
      if (f.name == n.name) p.func = f.func, want = f.args;
    }
    if (p.func == Func::kNone) return Error(n, "unknown function " + n.name);
    if (n.children.size() != want) {
      return Error(n, n.name + " takes " + std::to_string(want) + " arguments");
    }
    for (const auto& c : n.children) {
      VDB_ASSIGN_OR_RETURN(uint32_t id, BindNode(*c));
      p.children.push_back(id);
    }
    const PlanNode& target = nodes_[p.children[0]];
    bool is_json = p.func <= Func::kJsonContainsAny;
    bool target_ok =
        target.kind == PlanKind::kColumn &&
        (target.result == StaticType::kArray ||
         ((is_json || p.func == Func::kArrayLength) && target.result == StaticType::kAny));
    if (!target_ok) return Error(n, n.name + " needs an array or JSON field as first argument");
    if (want == 2) {
      const PlanNode& arg = nodes_[p.children[1]];
      if (arg.kind != PlanKind::kConst) return Error(n, n.name + " needs a constant argument");
      bool needs_list = p.func == Func::kJsonContainsAll || p.func == Func::kJsonContainsAny ||
                        p.func == Func::kArrayContainsAll || p.func == Func::kArrayContainsAny;
      if (needs_list && arg.value.type != ValueType::kList) {
        return Error(n, n.name + " needs a list as second argument");
      }
      if (target.result == StaticType::kArray) {
        StaticType elem = ScalarStaticType(target.element_type);
        auto check = [&](const Value& v) { return Comparable(elem, internal::StaticTypeOf(v)); };
        bool ok = needs_list ? std::all_of(arg.value.list.begin(), arg.value.list.end(), check)
                             : check(arg.value);
        if (!ok) return Error(n, n.name + ": value does not match the array's element type");
      }
    }
    p.result = p.func == Func::kArrayLength ? StaticType::kInt : StaticType::kBool;
    return MaybeFold(start, std::move(p));
  }

  const CollectionSchema& schema_;
  const nlohmann::json& params_;
  std::vector<PlanNode> nodes_;
};

}  // namespace

bool Plan::IsAlwaysTrue() const {
  if (nodes_.empty()) return false;
  const PlanNode& r = nodes_.back();
  return r.kind == PlanKind::kConst && r.value.type == ValueType::kBool && r.value.b;
}

Result<Plan> Bind(const CollectionSchema& schema, std::string_view filter,
                  const nlohmann::json& expr_params) {
  VDB_ASSIGN_OR_RETURN(auto root, Parse(filter));
  return Binder(schema, expr_params).Run(*root);
}

std::optional<std::vector<PrimaryKey>> ExtractPrimaryKeys(const CollectionSchema& schema,
                                                          const Plan& plan) {
  const FieldSchema* pk = schema.PrimaryKeyField();
  const auto& nodes = plan.nodes();
  if (pk == nullptr || nodes.empty()) return std::nullopt;
  auto is_pk = [&](uint32_t id) {
    const PlanNode& n = nodes[id];
    return n.kind == PlanKind::kColumn && n.field == pk->id && n.path.empty();
  };
  const PlanNode& top = nodes.back();
  std::vector<Value> values;
  if (top.kind == PlanKind::kIn && top.op == Op::kIn && is_pk(top.children[0])) {
    values = top.value.list;
  } else if (top.kind == PlanKind::kBinary && top.op == Op::kEq) {
    uint32_t a = top.children[0], b = top.children[1];
    if (is_pk(b)) std::swap(a, b);
    if (!is_pk(a) || nodes[b].kind != PlanKind::kConst) return std::nullopt;
    values.push_back(nodes[b].value);
  } else {
    return std::nullopt;
  }
  std::vector<PrimaryKey> keys;
  std::set<PrimaryKey> seen;
  for (const Value& v : values) {
    PrimaryKey key;
    if (pk->type == DataType::kInt64 && v.type == ValueType::kInt) {
      key = v.i;
    } else if (pk->type == DataType::kVarChar && v.type == ValueType::kString) {
      key = v.s;
    } else {
      return std::nullopt;  // e.g. a float that only compares equal
    }
    if (seen.insert(key).second) keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace vdb::expr
