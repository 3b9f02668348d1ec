// Plan: a filter expression bound to a collection schema (names resolved to field ids, types
// checked, constants folded), ready to evaluate or to send to another node. Immutable value type
// once built: safe to share between threads.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/schema.h"
#include "expr/ast.h"
#include "expr/value.h"

namespace vdb::expr {

// Persisted in encoded plans: values must not change.
enum class PlanKind : uint8_t {
  kConst = 0,   // value
  kColumn = 1,  // field (+ path): one value per row
  kUnary = 2,   // op in {kNeg, kNot, kBitNot}, children[0]
  kBinary = 3,  // op: logical, comparison, arithmetic or bitwise, children[0..1]
  kIn = 4,      // children[0] in value (a list); op kIn or kNotIn
  kLike = 5,    // children[0] like value (a pattern string)
  kIsNull = 6,  // children[0] is null; negated: is not null
  kExists = 7,  // children[0] (a JSON path) is present
  kCall = 8,    // func, children: arguments
  kLast = kCall,
};

// Persisted in encoded plans: values must not change.
enum class Func : uint8_t {
  kNone = 0,
  kJsonContains = 1,
  kJsonContainsAll = 2,
  kJsonContainsAny = 3,
  kArrayContains = 4,
  kArrayContainsAll = 5,
  kArrayContainsAny = 6,
  kArrayLength = 7,
  kLast = kArrayLength,
};

// The static type of a node's per-row values. kAny: JSON, known only per row.
enum class StaticType : uint8_t {
  kNull = 0,
  kBool,
  kInt,
  kFloat,
  kString,
  kArray,
  kAny,
  kLast = kAny
};

struct PlanNode {
  PlanKind kind = PlanKind::kConst;
  Op op = Op::kNone;
  Func func = Func::kNone;
  bool negated = false;
  StaticType result = StaticType::kNull;
  Value value;
  // kColumn: the field and how its column is laid out.
  FieldId field{0};
  DataType type = DataType::kNone;
  DataType element_type = DataType::kNone;
  bool nullable = false;
  std::vector<PathStep> path;
  // Indexes into Plan::nodes(), each smaller than this node's own index.
  std::vector<uint32_t> children;

  bool operator==(const PlanNode&) const = default;
};

class Plan {
 public:
  Plan() = default;
  // REQUIRES: nodes is non-empty, topologically ordered (children before parents), root is the
  // last node. Use Bind or DecodePlan, which check this.
  Plan(std::vector<PlanNode> nodes, std::vector<FieldId> fields)
      : nodes_(std::move(nodes)), fields_(std::move(fields)) {}

  const std::vector<PlanNode>& nodes() const { return nodes_; }
  uint32_t root() const { return static_cast<uint32_t>(nodes_.size() - 1); }
  // The field ids whose columns Evaluate reads, sorted, without duplicates.
  const std::vector<FieldId>& fields() const { return fields_; }
  // True when the whole filter folded to the constant `true` (every row matches).
  bool IsAlwaysTrue() const;

  bool operator==(const Plan&) const = default;

 private:
  std::vector<PlanNode> nodes_;
  std::vector<FieldId> fields_;
};

// Parses and binds `filter` against `schema` (an empty filter is a syntax error: callers treat
// "no filter" as match-all before getting here). `expr_params` is a JSON object (or null) whose
// members fill {name} placeholders. Errors: kInvalidArgument "failed to create query plan: ..."
// for syntax, unknown names and type errors; kNotSupported (same prefix) for text_match,
// phrase_match and random_sample.
Result<Plan> Bind(const CollectionSchema& schema, std::string_view filter,
                  const nlohmann::json& expr_params);

// When `plan` is only `pk == v` or `pk in [...]` on the schema's primary key, the keys (in
// filter order, duplicates removed); std::nullopt otherwise.
std::optional<std::vector<PrimaryKey>> ExtractPrimaryKeys(const CollectionSchema& schema,
                                                          const Plan& plan);
inline bool IsPkOnly(const CollectionSchema& schema, const Plan& plan) {
  return ExtractPrimaryKeys(schema, plan).has_value();
}

// Bytes that DecodePlan turns back into an equal Plan (layout in plan_codec.cc).
std::string EncodePlan(const Plan& plan);
// Checks every tag, index and bound; kCorruption naming the offending node and field.
Result<Plan> DecodePlan(std::string_view bytes);

}  // namespace vdb::expr
