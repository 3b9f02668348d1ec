// Internal to lib/expr: the per-value semantics of plan nodes, shared by the binder (constant
// folding) and the evaluator so that both agree. Thread-compatible free functions.
#pragma once

#include "expr/plan.h"
#include "expr/value.h"

namespace vdb::expr::internal {

// The value of `node` (any kind but kColumn and kConst) given pointers to its children's
// values, in order. Logical results are Value::Bool or, when unknown (a null operand), null.
Value ApplyNode(const PlanNode& node, const Value* const* args);

StaticType StaticTypeOf(const Value& v);

// Three-valued logic: 1 true, 0 false, -1 unknown (a null or non-bool value).
inline int Truth(const Value& v) { return v.type == ValueType::kBool ? (v.b ? 1 : 0) : -1; }
inline Value FromTruth(int t) { return t < 0 ? Value::Null() : Value::Bool(t == 1); }

}  // namespace vdb::expr::internal
