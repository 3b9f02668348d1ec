// Internal to lib/expr: the per-value semantics of plan nodes, shared by the binder (constant
// folding) and the evaluator so that both agree. Thread-compatible free functions.
#pragma once

#include "expr/plan.h"
#include "expr/value.h"

namespace vdb::expr::internal {

// The value of `node` (any kind but kColumn and kConst) given its children's values, in order.
// Logical results are Value::Bool or, when unknown (a null operand), Value::Null().
Value ApplyNode(const PlanNode& node, const Value* args);

StaticType StaticTypeOf(const Value& v);

}  // namespace vdb::expr::internal
