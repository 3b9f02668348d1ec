// The syntax tree of a filter expression, as parsed and before names are resolved (see binder.h
// for the bound form). Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "expr/value.h"

namespace vdb::expr {

// Limits that keep any input from exhausting the stack or memory.
constexpr size_t kMaxExprBytes = 1 << 20;
constexpr int kMaxExprDepth = 1000;
constexpr size_t kMaxListSize = 1 << 18;  // room for large `pk in [...]` deletes

enum class NodeKind : uint8_t {
  kLiteral,      // value
  kList,         // children: elements
  kField,        // name (+ path): a field, a dynamic key, or $meta
  kPlaceholder,  // name: {name}, bound from exprParams
  kUnary,        // op, children[0]
  kBinary,       // op, children[0..1]; kIn/kNotIn take a list on the right
  kLike,         // children[0], value: the pattern
  kIsNull,       // children[0]; negated for `is not null`
  kExists,       // children[0]
  kCall,         // name: function, children: arguments
};

// One step of a JSON or array path: f["key"] or f[3].
struct PathStep {
  bool is_index = false;
  std::string key;
  int64_t index = 0;
  bool operator==(const PathStep&) const = default;
};

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  size_t pos = 0;  // byte offset of the node's first token
  Op op = Op::kNone;
  bool negated = false;
  Value value;
  std::string name;
  std::vector<PathStep> path;
  std::vector<std::unique_ptr<Node>> children;
  int height = 1;  // levels in this subtree, at most kMaxExprDepth

  std::unique_ptr<Node> Clone() const;
};

// Parses `text`. kInvalidArgument "failed to create query plan: ..." naming the byte position
// and the offending token on a syntax error or when a limit above is exceeded.
Result<std::unique_ptr<Node>> Parse(std::string_view text);

// Debug form of a tree, fully parenthesized: "((a + 1) > 2)". Used by tests.
std::string NodeToString(const Node& node);

}  // namespace vdb::expr
