// EncodePlan / DecodePlan: the bytes a proxy sends to the nodes that evaluate a filter.
//
// Layout (all integers varints unless noted; "lp" = varint length + bytes):
//   u8 format version (kPlanFormatVersion)
//   node count, then per node:
//     u8 kind, u8 op, u8 func, u8 negated, u8 result static type
//     value: u8 ValueType, then bool u8 | int zig-zag varint | float f64 | string lp |
//            list: count + values   (nesting at most kMaxValueDepth)
//     field id zig-zag varint, u8 DataType, u8 element DataType, u8 nullable
//     path count, per step: u8 is_index, then index zig-zag varint or key lp
//     child count, per child: node index, strictly smaller than this node's index
//   field count, per field: id zig-zag varint (ascending)
// The root is the last node. Versioned so that an old node refuses a plan it cannot read
// instead of misreading it.
#include <algorithm>
#include <string>

#include "common/coding.h"
#include "expr/plan.h"

namespace vdb::expr {

namespace {

constexpr uint8_t kPlanFormatVersion = 1;
constexpr uint32_t kMaxPlanNodes = 1 << 20;
constexpr int kMaxValueDepth = 64;

void PutValue(std::string* out, const Value& v) {
  PutFixed8(out, static_cast<uint8_t>(v.type));
  switch (v.type) {
    case ValueType::kBool:
      PutFixed8(out, v.b ? 1 : 0);
      break;
    case ValueType::kInt:
      PutVarsint64(out, v.i);
      break;
    case ValueType::kFloat:
      PutDouble(out, v.d);
      break;
    case ValueType::kString:
      PutLengthPrefixed(out, v.s);
      break;
    case ValueType::kList:
      PutVarint64(out, v.list.size());
      for (const Value& e : v.list) PutValue(out, e);
      break;
    case ValueType::kNull:
    case ValueType::kObject:
      break;
  }
}

Status Bad(size_t node, std::string_view field) {
  return Status::Corruption("expr plan: node " + std::to_string(node) + ": bad " +
                            std::string(field));
}

bool GetValue(std::string_view* in, Value* v, int depth) {
  uint8_t type = 0;
  if (depth > kMaxValueDepth || !GetFixed8(in, &type) ||
      type > static_cast<uint8_t>(ValueType::kObject)) {
    return false;
  }
  *v = Value();
  v->type = static_cast<ValueType>(type);
  switch (v->type) {
    case ValueType::kBool: {
      uint8_t b = 0;
      if (!GetFixed8(in, &b) || b > 1) return false;
      v->b = b == 1;
      return true;
    }
    case ValueType::kInt:
      return GetVarsint64(in, &v->i);
    case ValueType::kFloat:
      return GetDouble(in, &v->d);
    case ValueType::kString: {
      std::string_view s;
      if (!GetLengthPrefixed(in, &s)) return false;
      v->s = std::string(s);
      return true;
    }
    case ValueType::kList: {
      uint64_t count = 0;
      if (!GetVarint64(in, &count) || count > in->size()) return false;  // >= 1 byte each
      v->list.resize(count);
      for (auto& e : v->list) {
        if (!GetValue(in, &e, depth + 1)) return false;
      }
      return true;
    }
    case ValueType::kNull:
    case ValueType::kObject:
      return true;
  }
  return false;
}

// Children each kind takes: [min, max].
bool ChildCountOk(PlanKind kind, size_t n) {
  switch (kind) {
    case PlanKind::kConst:
    case PlanKind::kColumn:
      return n == 0;
    case PlanKind::kBinary:
      return n == 2;
    case PlanKind::kCall:
      return n == 1 || n == 2;
    default:
      return n == 1;
  }
}

Status GetNode(std::string_view* in, size_t index, PlanNode* node) {
  uint8_t kind, op, func, negated, result, type, element_type, nullable;
  if (!GetFixed8(in, &kind) || kind > static_cast<uint8_t>(PlanKind::kLast)) {
    return Bad(index, "kind");
  }
  if (!GetFixed8(in, &op) || op > static_cast<uint8_t>(Op::kLast)) return Bad(index, "op");
  if (!GetFixed8(in, &func) || func > static_cast<uint8_t>(Func::kLast)) {
    return Bad(index, "func");
  }
  if (!GetFixed8(in, &negated) || negated > 1) return Bad(index, "negated flag");
  if (!GetFixed8(in, &result) || result > static_cast<uint8_t>(StaticType::kLast)) {
    return Bad(index, "result type");
  }
  node->kind = static_cast<PlanKind>(kind);
  node->op = static_cast<Op>(op);
  node->func = static_cast<Func>(func);
  node->negated = negated == 1;
  node->result = static_cast<StaticType>(result);
  if (!GetValue(in, &node->value, 0)) return Bad(index, "value");
  int64_t field = 0;
  if (!GetVarsint64(in, &field)) return Bad(index, "field id");
  node->field = FieldId(field);
  if (!GetFixed8(in, &type) || (type != 0 && !IsKnownDataType(type))) {
    return Bad(index, "data type");
  }
  if (!GetFixed8(in, &element_type) || (element_type != 0 && !IsKnownDataType(element_type))) {
    return Bad(index, "element type");
  }
  if (!GetFixed8(in, &nullable) || nullable > 1) return Bad(index, "nullable flag");
  node->type = static_cast<DataType>(type);
  node->element_type = static_cast<DataType>(element_type);
  node->nullable = nullable == 1;
  uint64_t steps = 0;
  if (!GetVarint64(in, &steps) || steps > in->size()) return Bad(index, "path length");
  node->path.resize(steps);
  for (auto& step : node->path) {
    uint8_t is_index = 0;
    std::string_view key;
    if (!GetFixed8(in, &is_index) || is_index > 1) return Bad(index, "path step");
    step.is_index = is_index == 1;
    if (step.is_index ? !GetVarsint64(in, &step.index) || step.index < 0
                      : !GetLengthPrefixed(in, &key)) {
      return Bad(index, "path step");
    }
    step.key = std::string(key);
  }
  uint64_t children = 0;
  if (!GetVarint64(in, &children) || !ChildCountOk(node->kind, children)) {
    return Bad(index, "child count");
  }
  node->children.resize(children);
  for (auto& c : node->children) {
    if (!GetVarint32(in, &c) || c >= index) return Bad(index, "child index");
  }
  return Status::OK();
}

// What the evaluator relies on beyond the byte syntax.
Status CheckSemantics(size_t index, const PlanNode& n) {
  if (n.kind == PlanKind::kColumn) {
    if (!IsNumeric(n.type) && n.type != DataType::kBool && n.type != DataType::kVarChar &&
        n.type != DataType::kJson && n.type != DataType::kArray) {
      return Bad(index, "column type");
    }
    if (n.type == DataType::kArray &&
        (n.path.size() > 1 || (n.path.size() == 1 && !n.path[0].is_index) ||
         (!IsFixedWidth(n.element_type) && n.element_type != DataType::kVarChar))) {
      return Bad(index, "array path");
    }
    if (n.type != DataType::kArray && n.type != DataType::kJson && !n.path.empty()) {
      return Bad(index, "path");
    }
  }
  if (n.kind == PlanKind::kIn &&
      (n.value.type != ValueType::kList || (n.op != Op::kIn && n.op != Op::kNotIn))) {
    return Bad(index, "in list");
  }
  if (n.kind == PlanKind::kLike && n.value.type != ValueType::kString) {
    return Bad(index, "like pattern");
  }
  if (n.kind == PlanKind::kCall &&
      (n.func == Func::kNone || n.children.size() != (n.func == Func::kArrayLength ? 1u : 2u))) {
    return Bad(index, "func");
  }
  if ((n.kind == PlanKind::kUnary || n.kind == PlanKind::kBinary) && n.op == Op::kNone) {
    return Bad(index, "op");
  }
  return Status::OK();
}

}  // namespace

std::string EncodePlan(const Plan& plan) {
  std::string out;
  PutFixed8(&out, kPlanFormatVersion);
  PutVarint64(&out, plan.nodes().size());
  for (const PlanNode& n : plan.nodes()) {
    PutFixed8(&out, static_cast<uint8_t>(n.kind));
    PutFixed8(&out, static_cast<uint8_t>(n.op));
    PutFixed8(&out, static_cast<uint8_t>(n.func));
    PutFixed8(&out, n.negated ? 1 : 0);
    PutFixed8(&out, static_cast<uint8_t>(n.result));
    PutValue(&out, n.value);
    PutVarsint64(&out, n.field.value());
    PutFixed8(&out, static_cast<uint8_t>(n.type));
    PutFixed8(&out, static_cast<uint8_t>(n.element_type));
    PutFixed8(&out, n.nullable ? 1 : 0);
    PutVarint64(&out, n.path.size());
    for (const PathStep& s : n.path) {
      PutFixed8(&out, s.is_index ? 1 : 0);
      if (s.is_index) {
        PutVarsint64(&out, s.index);
      } else {
        PutLengthPrefixed(&out, s.key);
      }
    }
    PutVarint64(&out, n.children.size());
    for (uint32_t c : n.children) PutVarint32(&out, c);
  }
  PutVarint64(&out, plan.fields().size());
  for (FieldId f : plan.fields()) PutVarsint64(&out, f.value());
  return out;
}

Result<Plan> DecodePlan(std::string_view bytes) {
  std::string_view in = bytes;
  uint8_t version = 0;
  if (!GetFixed8(&in, &version) || version != kPlanFormatVersion) {
    return Status::Corruption("expr plan: bad format version");
  }
  uint64_t count = 0;
  if (!GetVarint64(&in, &count) || count == 0 || count > kMaxPlanNodes || count > in.size()) {
    return Status::Corruption("expr plan: bad node count");
  }
  std::vector<PlanNode> nodes(count);
  for (size_t k = 0; k < count; ++k) {
    VDB_RETURN_IF_ERROR(GetNode(&in, k, &nodes[k]));
    VDB_RETURN_IF_ERROR(CheckSemantics(k, nodes[k]));
  }
  uint64_t field_count = 0;
  if (!GetVarint64(&in, &field_count) || field_count > in.size()) {
    return Status::Corruption("expr plan: bad field count");
  }
  std::vector<FieldId> fields;
  for (uint64_t k = 0; k < field_count; ++k) {
    int64_t id = 0;
    if (!GetVarsint64(&in, &id) || (!fields.empty() && id <= fields.back().value())) {
      return Status::Corruption("expr plan: bad field id list");
    }
    fields.push_back(FieldId(id));
  }
  for (const PlanNode& n : nodes) {
    if (n.kind == PlanKind::kColumn && !std::binary_search(fields.begin(), fields.end(), n.field)) {
      return Status::Corruption("expr plan: field " + std::to_string(n.field.value()) +
                                " read but not listed");
    }
  }
  if (!in.empty()) return Status::Corruption("expr plan: trailing bytes");
  return Plan(std::move(nodes), std::move(fields));
}

}  // namespace vdb::expr
