#include "rpc/catalog.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

namespace vdb::rpc {

namespace {

using json = nlohmann::json;

// --- Reading JSON without exceptions -------------------------------------------------------
// Every getter names the member's path ("catalog.collections[1].schema") in its error.

Status Bad(const std::string& where, std::string_view what) {
  return Status::InvalidArgument(where + ": " + std::string(what));
}

std::string At(const std::string& where, std::string_view key) {
  return where + "." + std::string(key);
}

// The member `key` of object `o`, or nullptr when absent or null.
const json* Member(const json& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return nullptr;
  return &*it;
}

Status Missing(const std::string& where, std::string_view key) {
  return Bad(At(where, key), "missing");
}

Status GetI64(const json& o, const std::string& where, std::string_view key, int64_t* out,
              bool required = false) {
  const json* m = Member(o, key);
  if (m == nullptr) return required ? Missing(where, key) : Status::OK();
  if (m->is_number_integer()) {
    if (m->is_number_unsigned() && m->get<uint64_t>() > uint64_t{INT64_MAX}) {
      return Bad(At(where, key), "out of range");
    }
    *out = m->get<int64_t>();
    return Status::OK();
  }
  return Bad(At(where, key), "not an integer");
}

Status GetU64(const json& o, const std::string& where, std::string_view key, uint64_t* out,
              bool required = false) {
  const json* m = Member(o, key);
  if (m == nullptr) return required ? Missing(where, key) : Status::OK();
  if (m->is_number_unsigned()) {
    *out = m->get<uint64_t>();
    return Status::OK();
  }
  if (m->is_number_integer()) return Bad(At(where, key), "negative");
  return Bad(At(where, key), "not an integer");
}

Status GetI32(const json& o, const std::string& where, std::string_view key, int32_t* out,
              bool required = false) {
  int64_t v = *out;
  VDB_RETURN_IF_ERROR(GetI64(o, where, key, &v, required));
  if (v < INT32_MIN || v > INT32_MAX) return Bad(At(where, key), "out of range");
  *out = static_cast<int32_t>(v);
  return Status::OK();
}

template <typename Id>
Status GetId(const json& o, const std::string& where, std::string_view key, Id* out,
             bool required = false) {
  typename Id::rep_type v = out->value();
  if constexpr (std::is_unsigned_v<typename Id::rep_type>) {
    VDB_RETURN_IF_ERROR(GetU64(o, where, key, &v, required));
  } else {
    VDB_RETURN_IF_ERROR(GetI64(o, where, key, &v, required));
  }
  *out = Id(v);
  return Status::OK();
}

Status GetStr(const json& o, const std::string& where, std::string_view key, std::string* out,
              bool required = false) {
  const json* m = Member(o, key);
  if (m == nullptr) return required ? Missing(where, key) : Status::OK();
  if (!m->is_string()) return Bad(At(where, key), "not a string");
  *out = m->get<std::string>();
  return Status::OK();
}

Status GetBool(const json& o, const std::string& where, std::string_view key, bool* out) {
  const json* m = Member(o, key);
  if (m == nullptr) return Status::OK();
  if (!m->is_boolean()) return Bad(At(where, key), "not a boolean");
  *out = m->get<bool>();
  return Status::OK();
}

Status GetStrMap(const json& o, const std::string& where, std::string_view key, StringMap* out) {
  const json* m = Member(o, key);
  if (m == nullptr) return Status::OK();
  if (!m->is_object()) return Bad(At(where, key), "not an object");
  out->clear();
  for (auto it = m->begin(); it != m->end(); ++it) {
    if (!it.value().is_string()) return Bad(At(At(where, key), it.key()), "not a string");
    (*out)[it.key()] = it.value().get<std::string>();
  }
  return Status::OK();
}

Status GetStrList(const json& o, const std::string& where, std::string_view key,
                  std::vector<std::string>* out) {
  const json* m = Member(o, key);
  if (m == nullptr) return Status::OK();
  if (!m->is_array()) return Bad(At(where, key), "not an array");
  out->clear();
  for (size_t i = 0; i < m->size(); ++i) {
    if (!(*m)[i].is_string()) {
      return Bad(At(where, key) + "[" + std::to_string(i) + "]", "not a string");
    }
    out->push_back((*m)[i].get<std::string>());
  }
  return Status::OK();
}

// Decodes each element of the array member `key` with `decode(element, where, &item)`.
template <typename T, typename F>
Status GetList(const json& o, const std::string& where, std::string_view key, std::vector<T>* out,
               F decode) {
  const json* m = Member(o, key);
  if (m == nullptr) return Status::OK();
  if (!m->is_array()) return Bad(At(where, key), "not an array");
  out->clear();
  for (size_t i = 0; i < m->size(); ++i) {
    std::string item_where = At(where, key) + "[" + std::to_string(i) + "]";
    if (!(*m)[i].is_object()) return Bad(item_where, "not an object");
    T item;
    VDB_RETURN_IF_ERROR(decode((*m)[i], item_where, &item));
    out->push_back(std::move(item));
  }
  return Status::OK();
}

template <typename E, size_t N>
Status GetEnum(const json& o, const std::string& where, std::string_view key, E* out,
               const std::array<E, N>& values, std::string_view (*name)(E)) {
  std::string text;
  VDB_RETURN_IF_ERROR(GetStr(o, where, key, &text));
  if (text.empty()) return Status::OK();
  for (E v : values) {
    if (name(v) == text) {
      *out = v;
      return Status::OK();
    }
  }
  return Bad(At(where, key), "unknown value \"" + text + "\"");
}

// Also reads "None", which the encoders write for an unset type (ParseDataType refuses it, so
// without this an IndexJob or field without a type would encode to text that does not decode).
Status GetDataType(const json& o, const std::string& where, std::string_view key, DataType* out) {
  std::string text;
  VDB_RETURN_IF_ERROR(GetStr(o, where, key, &text));
  if (text.empty()) return Status::OK();
  if (text == DataTypeName(DataType::kNone)) {
    *out = DataType::kNone;
    return Status::OK();
  }
  auto parsed = ParseDataType(text);
  if (!parsed.ok()) return Bad(At(where, key), parsed.status().message());
  *out = *parsed;
  return Status::OK();
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

constexpr std::array<LoadState, 3> kLoadStates = {LoadState::kNotLoad, LoadState::kLoading,
                                                  LoadState::kLoaded};
constexpr std::array<SegmentState, 3> kSegmentStates = {
    SegmentState::kFlushed, SegmentState::kIndexed, SegmentState::kDropped};
constexpr std::array<IndexState, 3> kIndexStates = {IndexState::kInProgress, IndexState::kFinished,
                                                    IndexState::kFailed};
constexpr std::array<NodeRole, 4> kNodeRoles = {NodeRole::kProxy, NodeRole::kStreaming,
                                                NodeRole::kQuery, NodeRole::kData};

// --- Per-type codecs -------------------------------------------------------------------------

json FieldToJson(const FieldSchema& f) {
  json j = {{"id", f.id.value()},
            {"name", f.name},
            {"type", std::string(DataTypeName(f.type))},
            {"primary_key", f.primary_key},
            {"auto_id", f.auto_id},
            {"nullable", f.nullable},
            {"partition_key", f.partition_key},
            {"dim", f.dim},
            {"max_length", f.max_length},
            {"max_capacity", f.max_capacity}};
  if (f.element_type != DataType::kNone) {
    j["element_type"] = std::string(DataTypeName(f.element_type));
  }
  if (f.default_value) j["default_value_hex"] = HexEncode(*f.default_value);
  return j;
}

Status FieldFromJson(const json& j, const std::string& w, FieldSchema* f) {
  VDB_RETURN_IF_ERROR(GetId(j, w, "id", &f->id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "name", &f->name, true));
  if (Member(j, "type") == nullptr) return Missing(w, "type");
  VDB_RETURN_IF_ERROR(GetDataType(j, w, "type", &f->type));
  VDB_RETURN_IF_ERROR(GetDataType(j, w, "element_type", &f->element_type));
  VDB_RETURN_IF_ERROR(GetBool(j, w, "primary_key", &f->primary_key));
  VDB_RETURN_IF_ERROR(GetBool(j, w, "auto_id", &f->auto_id));
  VDB_RETURN_IF_ERROR(GetBool(j, w, "nullable", &f->nullable));
  VDB_RETURN_IF_ERROR(GetBool(j, w, "partition_key", &f->partition_key));
  VDB_RETURN_IF_ERROR(GetI64(j, w, "dim", &f->dim));
  VDB_RETURN_IF_ERROR(GetI64(j, w, "max_length", &f->max_length));
  VDB_RETURN_IF_ERROR(GetI64(j, w, "max_capacity", &f->max_capacity));
  std::string hex;
  if (Member(j, "default_value_hex") != nullptr) {
    VDB_RETURN_IF_ERROR(GetStr(j, w, "default_value_hex", &hex));
    std::string bytes;
    if (!HexDecode(hex, &bytes)) return Bad(At(w, "default_value_hex"), "not hex");
    f->default_value = std::move(bytes);
  }
  return Status::OK();
}

json SchemaToJson(const CollectionSchema& s) {
  json fields = json::array();
  for (const auto& f : s.fields) fields.push_back(FieldToJson(f));
  return {{"name", s.name},
          {"fields", std::move(fields)},
          {"enable_dynamic_field", s.enable_dynamic_field}};
}

Status SchemaFromJson(const json& j, const std::string& w, CollectionSchema* s) {
  VDB_RETURN_IF_ERROR(GetStr(j, w, "name", &s->name));
  VDB_RETURN_IF_ERROR(GetList(j, w, "fields", &s->fields, FieldFromJson));
  return GetBool(j, w, "enable_dynamic_field", &s->enable_dynamic_field);
}

json DatabaseToJson(const DatabaseInfo& d) {
  return {{"id", d.id.value()}, {"name", d.name}, {"properties", d.properties}};
}

Status DatabaseFromJson(const json& j, const std::string& w, DatabaseInfo* d) {
  VDB_RETURN_IF_ERROR(GetId(j, w, "id", &d->id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "name", &d->name, true));
  return GetStrMap(j, w, "properties", &d->properties);
}

// Members added after the first release are written only when set and optional when read, so
// records stored before them decode unchanged: "fail_reason" here, "index_failures" in segments.
json IndexToJson(const IndexInfo& x) {
  json j = {{"name", x.name},
            {"field_id", x.field_id.value()},
            {"index_type", x.index_type},
            {"metric_type", x.metric_type},
            {"params", x.params},
            {"state", std::string(IndexStateName(x.state))}};
  if (!x.fail_reason.empty()) j["fail_reason"] = x.fail_reason;
  return j;
}

Status IndexFromJson(const json& j, const std::string& w, IndexInfo* x) {
  VDB_RETURN_IF_ERROR(GetStr(j, w, "name", &x->name, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "field_id", &x->field_id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "index_type", &x->index_type));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "metric_type", &x->metric_type));
  VDB_RETURN_IF_ERROR(GetStrMap(j, w, "params", &x->params));
  VDB_RETURN_IF_ERROR(GetEnum(j, w, "state", &x->state, kIndexStates, IndexStateName));
  return GetStr(j, w, "fail_reason", &x->fail_reason);
}

Status PartitionFromJson(const json& j, const std::string& w, PartitionInfo* p) {
  VDB_RETURN_IF_ERROR(GetId(j, w, "id", &p->id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "name", &p->name, true));
  const json* released = Member(j, "released");
  if (released == nullptr) return Status::OK();
  if (!released->is_boolean()) return Bad(At(w, "released"), "not a boolean");
  p->released = released->get<bool>();
  return Status::OK();
}

json CollectionToJson(const CollectionInfo& c) {
  json partitions = json::array();
  for (const auto& p : c.partitions) {
    json one = {{"id", p.id.value()}, {"name", p.name}};
    if (p.released) one["released"] = true;  // written only when set: older catalogs still load
    partitions.push_back(std::move(one));
  }
  json indexes = json::array();
  for (const auto& x : c.indexes) indexes.push_back(IndexToJson(x));
  return {{"id", c.id.value()},
          {"db_id", c.db_id.value()},
          {"name", c.name},
          {"schema", SchemaToJson(c.schema)},
          {"description", c.description},
          {"shards_num", c.shards_num},
          {"consistency_level", c.consistency_level},
          {"properties", c.properties},
          {"created_ts", c.created_ts},
          {"load_state", std::string(LoadStateName(c.load_state))},
          {"partitions", std::move(partitions)},
          {"aliases", c.aliases},
          {"indexes", std::move(indexes)}};
}

Status CollectionFromJson(const json& j, const std::string& w, CollectionInfo* c) {
  VDB_RETURN_IF_ERROR(GetId(j, w, "id", &c->id, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "db_id", &c->db_id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "name", &c->name, true));
  const json* schema = Member(j, "schema");
  if (schema == nullptr) return Missing(w, "schema");
  if (!schema->is_object()) return Bad(At(w, "schema"), "not an object");
  VDB_RETURN_IF_ERROR(SchemaFromJson(*schema, At(w, "schema"), &c->schema));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "description", &c->description));
  VDB_RETURN_IF_ERROR(GetI32(j, w, "shards_num", &c->shards_num));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "consistency_level", &c->consistency_level));
  VDB_RETURN_IF_ERROR(GetStrMap(j, w, "properties", &c->properties));
  VDB_RETURN_IF_ERROR(GetU64(j, w, "created_ts", &c->created_ts));
  VDB_RETURN_IF_ERROR(GetEnum(j, w, "load_state", &c->load_state, kLoadStates, LoadStateName));
  VDB_RETURN_IF_ERROR(GetList(j, w, "partitions", &c->partitions, PartitionFromJson));
  VDB_RETURN_IF_ERROR(GetStrList(j, w, "aliases", &c->aliases));
  return GetList(j, w, "indexes", &c->indexes, IndexFromJson);
}

json ChannelToJson(const ChannelInfo& c) {
  return {{"name", c.name},
          {"collection_id", c.collection_id.value()},
          {"shard", c.shard},
          {"streaming_node_id", c.streaming_node_id.value()},
          {"streaming_address", c.streaming_address},
          {"checkpoint_lsn", c.checkpoint_lsn.value()},
          {"checkpoint_ts", c.checkpoint_ts}};
}

Status ChannelFromJson(const json& j, const std::string& w, ChannelInfo* c) {
  VDB_RETURN_IF_ERROR(GetStr(j, w, "name", &c->name, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "collection_id", &c->collection_id, true));
  VDB_RETURN_IF_ERROR(GetI32(j, w, "shard", &c->shard));
  VDB_RETURN_IF_ERROR(GetId(j, w, "streaming_node_id", &c->streaming_node_id));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "streaming_address", &c->streaming_address));
  VDB_RETURN_IF_ERROR(GetId(j, w, "checkpoint_lsn", &c->checkpoint_lsn));
  return GetU64(j, w, "checkpoint_ts", &c->checkpoint_ts);
}

json SegmentToJson(const SegmentInfo& s) {
  json index_objects = json::object();
  for (const auto& [name, keys] : s.index_objects) index_objects[name] = keys;
  json j = {{"id", s.id.value()},
            {"collection_id", s.collection_id.value()},
            {"partition_id", s.partition_id.value()},
            {"channel", s.channel},
            {"rows", s.rows},
            {"ts_min", s.ts_min},
            {"ts_max", s.ts_max},
            {"object_prefix", s.object_prefix},
            {"state", std::string(SegmentStateName(s.state))},
            {"index_objects", std::move(index_objects)},
            {"query_node_id", s.query_node_id.value()},
            {"query_address", s.query_address}};
  if (!s.index_failures.empty()) j["index_failures"] = s.index_failures;
  return j;
}

Status SegmentFromJson(const json& j, const std::string& w, SegmentInfo* s) {
  VDB_RETURN_IF_ERROR(GetId(j, w, "id", &s->id, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "collection_id", &s->collection_id, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "partition_id", &s->partition_id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "channel", &s->channel, true));
  VDB_RETURN_IF_ERROR(GetI64(j, w, "rows", &s->rows));
  if (s->rows < 0) return Bad(At(w, "rows"), "negative");
  VDB_RETURN_IF_ERROR(GetU64(j, w, "ts_min", &s->ts_min));
  VDB_RETURN_IF_ERROR(GetU64(j, w, "ts_max", &s->ts_max));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "object_prefix", &s->object_prefix));
  VDB_RETURN_IF_ERROR(GetEnum(j, w, "state", &s->state, kSegmentStates, SegmentStateName));
  if (const json* m = Member(j, "index_objects")) {
    if (!m->is_object()) return Bad(At(w, "index_objects"), "not an object");
    s->index_objects.clear();
    for (auto it = m->begin(); it != m->end(); ++it) {
      std::vector<std::string> keys;
      VDB_RETURN_IF_ERROR(GetStrList(*m, At(w, "index_objects"), it.key(), &keys));
      s->index_objects[it.key()] = std::move(keys);
    }
  }
  VDB_RETURN_IF_ERROR(GetId(j, w, "query_node_id", &s->query_node_id));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "query_address", &s->query_address));
  return GetStrMap(j, w, "index_failures", &s->index_failures);
}

json NodeToJson(const NodeInfo& n) {
  return {{"role", std::string(NodeRoleName(n.role))},
          {"id", n.id.value()},
          {"address", n.address},
          {"alive", n.alive}};
}

Status NodeFromJson(const json& j, const std::string& w, NodeInfo* n) {
  if (Member(j, "role") == nullptr) return Missing(w, "role");
  VDB_RETURN_IF_ERROR(GetEnum(j, w, "role", &n->role, kNodeRoles, NodeRoleName));
  VDB_RETURN_IF_ERROR(GetId(j, w, "id", &n->id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "address", &n->address));
  return GetBool(j, w, "alive", &n->alive);
}

json IndexJobToJson(const IndexJob& x) {
  return {{"job_id", x.job_id},
          {"collection_id", x.collection_id.value()},
          {"segment_id", x.segment_id.value()},
          {"channel", x.channel},
          {"object_prefix", x.object_prefix},
          {"rows", x.rows},
          {"index_name", x.index_name},
          {"field_id", x.field_id.value()},
          {"field_type", std::string(DataTypeName(x.field_type))},
          {"dim", x.dim},
          {"index_type", x.index_type},
          {"metric_type", x.metric_type},
          {"params", x.params},
          {"lease_ms", x.lease_ms}};
}

Status IndexJobFromJson(const json& j, const std::string& w, IndexJob* x) {
  VDB_RETURN_IF_ERROR(GetI64(j, w, "job_id", &x->job_id, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "collection_id", &x->collection_id, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "segment_id", &x->segment_id, true));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "channel", &x->channel));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "object_prefix", &x->object_prefix));
  VDB_RETURN_IF_ERROR(GetI64(j, w, "rows", &x->rows));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "index_name", &x->index_name, true));
  VDB_RETURN_IF_ERROR(GetId(j, w, "field_id", &x->field_id, true));
  VDB_RETURN_IF_ERROR(GetDataType(j, w, "field_type", &x->field_type));
  VDB_RETURN_IF_ERROR(GetI64(j, w, "dim", &x->dim));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "index_type", &x->index_type));
  VDB_RETURN_IF_ERROR(GetStr(j, w, "metric_type", &x->metric_type));
  VDB_RETURN_IF_ERROR(GetStrMap(j, w, "params", &x->params));
  return GetU64(j, w, "lease_ms", &x->lease_ms);
}

json CatalogToJson(const Catalog& c) {
  json j = json::object();
  j["revision"] = c.revision;
  auto list = [](const auto& items, auto to_json) {
    json a = json::array();
    for (const auto& item : items) a.push_back(to_json(item));
    return a;
  };
  j["databases"] = list(c.databases, DatabaseToJson);
  j["collections"] = list(c.collections, CollectionToJson);
  j["channels"] = list(c.channels, ChannelToJson);
  j["segments"] = list(c.segments, SegmentToJson);
  j["nodes"] = list(c.nodes, NodeToJson);
  return j;
}

Status CatalogFromJson(const json& j, const std::string& w, Catalog* c) {
  VDB_RETURN_IF_ERROR(GetI64(j, w, "revision", &c->revision, true));
  VDB_RETURN_IF_ERROR(GetList(j, w, "databases", &c->databases, DatabaseFromJson));
  VDB_RETURN_IF_ERROR(GetList(j, w, "collections", &c->collections, CollectionFromJson));
  VDB_RETURN_IF_ERROR(GetList(j, w, "channels", &c->channels, ChannelFromJson));
  VDB_RETURN_IF_ERROR(GetList(j, w, "segments", &c->segments, SegmentFromJson));
  return GetList(j, w, "nodes", &c->nodes, NodeFromJson);
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Parses `text` as a JSON object and decodes it with `from_json`.
template <typename T, typename F>
Result<T> DecodeObject(std::string_view text, const char* what, F from_json) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument(std::string(what) + ": malformed JSON");
  if (!j.is_object()) return Status::InvalidArgument(std::string(what) + ": not an object");
  T value;
  VDB_RETURN_IF_ERROR(from_json(j, std::string(what), &value));
  return value;
}

template <typename T, typename Pred>
const T* FindIf(const std::vector<T>& items, Pred pred) {
  auto it = std::find_if(items.begin(), items.end(), pred);
  return it == items.end() ? nullptr : &*it;
}

constexpr std::string_view kMilvusMarker = "[milvus=";

}  // namespace

std::string_view LoadStateName(LoadState state) {
  switch (state) {
    case LoadState::kNotLoad:
      return "NotLoad";
    case LoadState::kLoading:
      return "Loading";
    case LoadState::kLoaded:
      return "Loaded";
  }
  return "Unknown";
}

std::string_view SegmentStateName(SegmentState state) {
  switch (state) {
    case SegmentState::kFlushed:
      return "Flushed";
    case SegmentState::kIndexed:
      return "Indexed";
    case SegmentState::kDropped:
      return "Dropped";
  }
  return "Unknown";
}

std::string_view IndexStateName(IndexState state) {
  switch (state) {
    case IndexState::kInProgress:
      return "InProgress";
    case IndexState::kFinished:
      return "Finished";
    case IndexState::kFailed:
      return "Failed";
  }
  return "Unknown";
}

std::string_view NodeRoleName(NodeRole role) {
  switch (role) {
    case NodeRole::kProxy:
      return "proxy";
    case NodeRole::kStreaming:
      return "streaming";
    case NodeRole::kQuery:
      return "query";
    case NodeRole::kData:
      return "data";
  }
  return "unknown";
}

Result<NodeRole> ParseNodeRole(std::string_view name) {
  for (NodeRole role : kNodeRoles) {
    if (NodeRoleName(role) == name) return role;
  }
  return Status::InvalidArgument("unknown node role \"" + std::string(name) + "\"");
}

std::string ChannelName(CollectionId collection_id, int32_t shard) {
  return "c" + collection_id.ToString() + "s" + std::to_string(shard);
}

const PartitionInfo* CollectionInfo::FindPartition(std::string_view partition_name) const {
  return FindIf(partitions, [&](const PartitionInfo& p) { return p.name == partition_name; });
}
const PartitionInfo* CollectionInfo::FindPartition(PartitionId pid) const {
  return FindIf(partitions, [&](const PartitionInfo& p) { return p.id == pid; });
}
bool CollectionInfo::PartitionLoaded(PartitionId pid) const {
  const PartitionInfo* p = FindPartition(pid);
  return p != nullptr && load_state != LoadState::kNotLoad && !p->released;
}
std::vector<PartitionId> CollectionInfo::LoadedPartitionIds() const {
  std::vector<PartitionId> ids;
  if (load_state == LoadState::kNotLoad) return ids;
  for (const PartitionInfo& p : partitions) {
    if (!p.released) ids.push_back(p.id);
  }
  return ids;
}
const IndexInfo* CollectionInfo::FindIndex(std::string_view index_name) const {
  return FindIf(indexes, [&](const IndexInfo& x) { return x.name == index_name; });
}
const IndexInfo* CollectionInfo::FindIndexOnField(FieldId field_id) const {
  return FindIf(indexes, [&](const IndexInfo& x) { return x.field_id == field_id; });
}

const DatabaseInfo* Catalog::FindDatabase(std::string_view name) const {
  return FindIf(databases, [&](const DatabaseInfo& d) { return d.name == name; });
}
const DatabaseInfo* Catalog::FindDatabase(DatabaseId id) const {
  return FindIf(databases, [&](const DatabaseInfo& d) { return d.id == id; });
}
const CollectionInfo* Catalog::FindCollection(std::string_view db_name,
                                              std::string_view name) const {
  const DatabaseInfo* db = FindDatabase(db_name);
  if (db == nullptr) return nullptr;
  const CollectionInfo* c = FindIf(
      collections, [&](const CollectionInfo& x) { return x.db_id == db->id && x.name == name; });
  if (c != nullptr) return c;
  return FindIf(collections, [&](const CollectionInfo& x) {
    return x.db_id == db->id &&
           std::find(x.aliases.begin(), x.aliases.end(), name) != x.aliases.end();
  });
}
const CollectionInfo* Catalog::FindCollection(CollectionId id) const {
  return FindIf(collections, [&](const CollectionInfo& c) { return c.id == id; });
}
const ChannelInfo* Catalog::FindChannel(std::string_view channel_name) const {
  return FindIf(channels, [&](const ChannelInfo& c) { return c.name == channel_name; });
}
const SegmentInfo* Catalog::FindSegment(SegmentId id) const {
  return FindIf(segments, [&](const SegmentInfo& s) { return s.id == id; });
}
std::vector<const ChannelInfo*> Catalog::ChannelsOf(CollectionId collection_id) const {
  std::vector<const ChannelInfo*> out;
  for (const auto& c : channels) {
    if (c.collection_id == collection_id) out.push_back(&c);
  }
  return out;
}
std::vector<const SegmentInfo*> Catalog::SegmentsOf(std::string_view channel_name) const {
  std::vector<const SegmentInfo*> out;
  for (const auto& s : segments) {
    if (s.channel == channel_name && s.state != SegmentState::kDropped) out.push_back(&s);
  }
  return out;
}
const NodeInfo* Catalog::FindNode(NodeRole role, NodeId id) const {
  return FindIf(nodes, [&](const NodeInfo& n) { return n.role == role && n.id == id; });
}

std::string EncodeCatalog(const Catalog& catalog) { return Dump(CatalogToJson(catalog)); }
Result<Catalog> DecodeCatalog(std::string_view text) {
  return DecodeObject<Catalog>(text, "catalog", CatalogFromJson);
}
std::string EncodeSchema(const CollectionSchema& schema) { return Dump(SchemaToJson(schema)); }
Result<CollectionSchema> DecodeSchema(std::string_view text) {
  return DecodeObject<CollectionSchema>(text, "schema", SchemaFromJson);
}
std::string EncodeDatabase(const DatabaseInfo& d) { return Dump(DatabaseToJson(d)); }
Result<DatabaseInfo> DecodeDatabase(std::string_view text) {
  return DecodeObject<DatabaseInfo>(text, "database", DatabaseFromJson);
}
std::string EncodeCollection(const CollectionInfo& c) { return Dump(CollectionToJson(c)); }
Result<CollectionInfo> DecodeCollection(std::string_view text) {
  return DecodeObject<CollectionInfo>(text, "collection", CollectionFromJson);
}
std::string EncodeIndex(const IndexInfo& x) { return Dump(IndexToJson(x)); }
Result<IndexInfo> DecodeIndex(std::string_view text) {
  return DecodeObject<IndexInfo>(text, "index", IndexFromJson);
}
std::string EncodeChannel(const ChannelInfo& c) { return Dump(ChannelToJson(c)); }
Result<ChannelInfo> DecodeChannel(std::string_view text) {
  return DecodeObject<ChannelInfo>(text, "channel", ChannelFromJson);
}
std::string EncodeSegment(const SegmentInfo& s) { return Dump(SegmentToJson(s)); }
Result<SegmentInfo> DecodeSegment(std::string_view text) {
  return DecodeObject<SegmentInfo>(text, "segment", SegmentFromJson);
}
std::string EncodeIndexJob(const IndexJob& x) { return Dump(IndexJobToJson(x)); }
Result<IndexJob> DecodeIndexJob(std::string_view text) {
  return DecodeObject<IndexJob>(text, "index job", IndexJobFromJson);
}

Status WithMilvusCode(int milvus_code, const Status& status) {
  if (status.ok()) return status;
  return Status(status.code(), std::string(kMilvusMarker) + std::to_string(milvus_code) + "] " +
                                   MilvusMessageOf(status));
}

namespace {
// Finds the first well-formed marker in `message` (context such as "POST http://...: " may have
// been prepended on the way): sets *code and *rest_pos (where the origin's message starts).
bool ParseMarker(std::string_view message, int* code, size_t* rest_pos) {
  for (size_t at = message.find(kMilvusMarker); at != std::string_view::npos;
       at = message.find(kMilvusMarker, at + 1)) {
    size_t i = at + kMilvusMarker.size();
    int64_t value = 0;
    size_t digits = 0;
    while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i])) &&
           digits < 9) {
      value = value * 10 + (message[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || message.substr(i, 2) != "] ") continue;
    *code = static_cast<int>(value);
    *rest_pos = i + 2;
    return true;
  }
  return false;
}
}  // namespace

int MilvusCodeOf(const Status& status, ObjectKind kind) {
  if (status.ok()) return kMilvusOk;
  int code = 0;
  size_t rest = 0;
  if (ParseMarker(status.message(), &code, &rest) && code != 0) return code;
  return MilvusCodeFor(status.code(), kind);
}

std::string MilvusMessageOf(const Status& status) {
  int code = 0;
  size_t rest = 0;
  if (ParseMarker(status.message(), &code, &rest)) return status.message().substr(rest);
  return status.message();
}

}  // namespace vdb::rpc
