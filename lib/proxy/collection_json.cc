#include "proxy/collection_json.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace vdb::proxy {

using nlohmann::json;

namespace {

constexpr std::string_view kConsistencyLevels[] = {"Strong", "Session", "Bounded", "Eventually",
                                                   "Customized"};

json KeyValues(const rpc::StringMap& map) {
  json out = json::array();
  for (const auto& [k, v] : map) out.push_back({{"key", k}, {"value", v}});
  return out;
}

// A type parameter given as a string or a number ("128" or 128).
Result<int64_t> IntParam(const json& value, std::string_view field, std::string_view key) {
  std::optional<int64_t> v = LooseInt(value);
  if (!v) {
    return InvalidParam("field " + std::string(field) + ": " + std::string(key) +
                        " must be an integer, got " + value.dump());
  }
  return *v;
}

// Applies a create request's params{} (shared by both forms) to `out`.
Status ApplyCollectionParams(const json* params, CreateCollectionRequest* out) {
  if (params == nullptr) return Status::OK();
  if (const json* v = FindMember(*params, "shardsNum")) {
    std::optional<int64_t> n = LooseInt(*v);
    if (!n || *n < 0 || *n > 1024) return InvalidParam("shardsNum must be an integer in [1, 16]");
    out->params.shards_num = static_cast<int32_t>(*n);
  }
  if (const json* v = FindMember(*params, "consistencyLevel")) {
    std::string level = v->is_string() ? v->get<std::string>() : v->dump();
    bool ok = false;
    for (std::string_view l : kConsistencyLevels) ok = ok || level == l;
    if (!ok) {
      return InvalidParam(
          "consistencyLevel can only be [Strong, Session, Bounded, Eventually, "
          "Customized], default: Bounded");
    }
    out->params.consistency_level = level;
  }
  if (const json* v = FindMember(*params, "ttlSeconds")) {
    if (!LooseInt(*v)) return InvalidParam("ttlSeconds must be an integer");
    out->params.properties["collection.ttl.seconds"] = std::to_string(*LooseInt(*v));
  }
  if (const json* v = FindMember(*params, "partitionKeyIsolation")) {
    std::optional<bool> b = LooseBool(*v);
    if (!b) return InvalidParam("partitionKeyIsolation must be a bool");
    out->params.properties["partitionkey.isolation"] = *b ? "true" : "false";
  }
  if (const json* v = FindMember(*params, "mmap.enabled")) {
    std::optional<bool> b = LooseBool(*v);
    if (!b) return InvalidParam("mmap.enabled must be a bool");
    out->params.properties["mmap.enabled"] = *b ? "true" : "false";
  }
  return Status::OK();
}

Status ParseQuickForm(const JsonBody& body, const json* params, CreateCollectionRequest* out) {
  VDB_ASSIGN_OR_RETURN(std::optional<int64_t> dim, body.Int("dimension"));
  if (!dim || *dim == 0) {
    return InvalidParam(
        "dimension is required for quickly create collection(default metric type: COSINE)"
        "[expected=collectionName & dimension][actual=collectionName]");
  }
  VDB_ASSIGN_OR_RETURN(std::string metric, body.String("metricType"));
  VDB_ASSIGN_OR_RETURN(std::string id_type, body.String("idType"));
  VDB_ASSIGN_OR_RETURN(std::optional<bool> auto_id, body.Bool("autoID"));
  VDB_ASSIGN_OR_RETURN(std::string pk_name, body.String("primaryFieldName"));
  VDB_ASSIGN_OR_RETURN(std::string vec_name, body.String("vectorFieldName"));

  FieldSchema pk;
  pk.name = pk_name.empty() ? "id" : pk_name;
  pk.primary_key = true;
  pk.auto_id = auto_id.value_or(false);
  if (id_type.empty() || id_type == "Int64" || id_type == "Int") {
    pk.type = DataType::kInt64;
  } else if (id_type == "VarChar" || id_type == "Varchar") {
    pk.type = DataType::kVarChar;
    pk.max_length = kMaxVarCharLength;
    if (params != nullptr) {
      if (const json* v = FindMember(*params, "max_length")) {
        VDB_ASSIGN_OR_RETURN(pk.max_length, IntParam(*v, pk.name, "max_length"));
      }
    }
  } else {
    return InvalidParam("idType can only be [Int64, VarChar], default: Int64");
  }
  FieldSchema vec;
  vec.name = vec_name.empty() ? "vector" : vec_name;
  vec.type = DataType::kFloatVector;
  vec.dim = *dim;
  out->schema.fields = {pk, vec};

  out->schema.enable_dynamic_field = true;
  const json* dynamic = params == nullptr ? nullptr : FindMember(*params, "enableDynamicField");
  if (dynamic == nullptr) dynamic = body.Find("enableDynamicField");
  if (dynamic != nullptr) {
    std::optional<bool> b = LooseBool(*dynamic);
    if (!b) return InvalidParam("enableDynamicField must be a bool");
    out->schema.enable_dynamic_field = *b;
  }

  rpc::IndexParams index;
  index.field_name = vec.name;
  index.index_name = vec.name;
  index.index_type = "AUTOINDEX";
  index.metric_type = metric.empty() ? "COSINE" : metric;
  out->indexes.push_back(index);
  out->load = true;
  return Status::OK();
}

Result<FieldSchema> ParseField(const json& f, bool auto_id) {
  if (!f.is_object()) return BadJson("schema.fields entries must be objects");
  JsonBody fb(f);
  FieldSchema field;
  VDB_ASSIGN_OR_RETURN(field.name, fb.String("fieldName", /*required=*/true));
  VDB_ASSIGN_OR_RETURN(std::string type_name, fb.String("dataType", /*required=*/true));
  VDB_ASSIGN_OR_RETURN(field.type, ParseRestDataType(type_name));
  VDB_ASSIGN_OR_RETURN(std::optional<bool> primary, fb.Bool("isPrimary"));
  VDB_ASSIGN_OR_RETURN(std::optional<bool> partition_key, fb.Bool("isPartitionKey"));
  VDB_ASSIGN_OR_RETURN(std::optional<bool> nullable, fb.Bool("nullable"));
  // isClusteringKey is accepted (type-checked) but has no effect in vdb.
  VDB_RETURN_IF_ERROR(fb.Bool("isClusteringKey").status());
  field.primary_key = primary.value_or(false);
  field.auto_id = field.primary_key && auto_id;
  field.partition_key = partition_key.value_or(false);
  field.nullable = nullable.value_or(false);
  if (field.partition_key && field.nullable) {
    return InvalidParam("partition key field not support nullable[field=" + field.name + "]");
  }
  if (IsVector(field.type) && field.nullable) {
    return InvalidParam("vector type not support null[field=" + field.name + "]");
  }
  if (field.type == DataType::kArray) {
    VDB_ASSIGN_OR_RETURN(std::string element, fb.String("elementDataType", /*required=*/true));
    VDB_ASSIGN_OR_RETURN(field.element_type, ParseRestDataType(element));
  }
  VDB_ASSIGN_OR_RETURN(const json* type_params, fb.Object("elementTypeParams"));
  if (type_params != nullptr) {
    for (auto it = type_params->begin(); it != type_params->end(); ++it) {
      const std::string& key = it.key();
      if (key == "dim") {
        VDB_ASSIGN_OR_RETURN(field.dim, IntParam(*it, field.name, key));
      } else if (key == "max_length") {
        VDB_ASSIGN_OR_RETURN(field.max_length, IntParam(*it, field.name, key));
      } else if (key == "max_capacity") {
        VDB_ASSIGN_OR_RETURN(field.max_capacity, IntParam(*it, field.name, key));
      }
      // Other keys (enable_analyzer, mmap_enabled, ...) have no effect in vdb.
    }
  }
  if (field.type == DataType::kVarChar && field.max_length == 0) {
    return InvalidParam("type param(max_length) should be specified for the field(" + field.name +
                        ")");
  }
  if (IsDenseVector(field.type) && field.dim == 0) {
    return InvalidParam("dimension is not defined in field type params of field " + field.name);
  }
  if (const json* dv = fb.Find("defaultValue")) {
    VDB_ASSIGN_OR_RETURN(std::string encoded, EncodeDefaultValue(field, *dv));
    field.default_value = std::move(encoded);
  }
  return field;
}

Status ParseCustomForm(const JsonBody& body, const json& schema, CreateCollectionRequest* out) {
  JsonBody sb(schema);
  VDB_ASSIGN_OR_RETURN(std::optional<bool> auto_id, sb.Bool("autoID"));
  VDB_ASSIGN_OR_RETURN(std::optional<bool> dynamic, sb.Bool("enableDynamicField"));
  VDB_ASSIGN_OR_RETURN(const json* fields, sb.Array("fields"));
  VDB_ASSIGN_OR_RETURN(const json* functions, sb.Array("functions"));
  if (functions != nullptr && !functions->empty()) {
    return InvalidParam("schema functions are not supported");
  }
  out->schema.enable_dynamic_field = dynamic.value_or(false);
  for (const json& f : *fields) {
    VDB_ASSIGN_OR_RETURN(FieldSchema field, ParseField(f, auto_id.value_or(false)));
    out->schema.fields.push_back(std::move(field));
  }
  VDB_ASSIGN_OR_RETURN(const json* indexes, body.Array("indexParams"));
  if (indexes != nullptr) {
    for (const json& entry : *indexes) {
      VDB_ASSIGN_OR_RETURN(rpc::IndexParams index, ParseIndexParams(entry));
      if (out->schema.FindField(index.field_name) == nullptr) {
        return rpc::WithMilvusCode(
            rpc::kMilvusMissingParam,
            Status::InvalidArgument("missing required parameters, error: `" + index.field_name +
                                    "` hasn't defined in schema"));
      }
      out->indexes.push_back(std::move(index));
    }
    out->load = !out->indexes.empty();
  }
  return Status::OK();
}

template <typename T>
std::string RawBytes(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

template <typename T>
T FromBytes(const std::string& s) {
  T v{};
  if (s.size() == sizeof(T)) std::memcpy(&v, s.data(), sizeof(T));
  return v;
}

}  // namespace

Result<DataType> ParseRestDataType(std::string_view name) {
  static constexpr std::pair<std::string_view, DataType> kTypes[] = {
      {"Bool", DataType::kBool},
      {"Int8", DataType::kInt8},
      {"Int16", DataType::kInt16},
      {"Int32", DataType::kInt32},
      {"Int64", DataType::kInt64},
      {"Float", DataType::kFloat},
      {"Double", DataType::kDouble},
      {"VarChar", DataType::kVarChar},
      {"String", DataType::kVarChar},
      {"JSON", DataType::kJson},
      {"Array", DataType::kArray},
      {"BinaryVector", DataType::kBinaryVector},
      {"FloatVector", DataType::kFloatVector},
      {"Float16Vector", DataType::kFloat16Vector},
      {"BFloat16Vector", DataType::kBFloat16Vector},
      {"SparseFloatVector", DataType::kSparseFloatVector},
  };
  for (const auto& [n, t] : kTypes) {
    if (n == name) return t;
  }
  for (std::string_view n : {"Timestamptz", "Geometry", "Text", "Int8Vector"}) {
    if (n == name) return InvalidParam("data type " + std::string(name) + " is not supported");
  }
  return InvalidParam("data type " + std::string(name) + " is invalid(case sensitive)");
}

Result<CreateCollectionRequest> ParseCreateCollection(const JsonBody& body) {
  CreateCollectionRequest out;
  VDB_ASSIGN_OR_RETURN(out.schema.name, body.String("collectionName", /*required=*/true));
  VDB_ASSIGN_OR_RETURN(out.params.description, body.String("description"));
  VDB_ASSIGN_OR_RETURN(const json* params, body.Object("params"));
  VDB_ASSIGN_OR_RETURN(const json* schema, body.Object("schema"));
  const json* fields = schema == nullptr ? nullptr : FindMember(*schema, "fields");
  if (fields != nullptr && !fields->is_array()) {
    return BadJson("schema.fields must be an array");
  }
  if (fields == nullptr || fields->empty()) {
    VDB_RETURN_IF_ERROR(ParseQuickForm(body, params, &out));
  } else {
    VDB_RETURN_IF_ERROR(ParseCustomForm(body, *schema, &out));
  }
  VDB_RETURN_IF_ERROR(ApplyCollectionParams(params, &out));
  return out;
}

Result<rpc::IndexParams> ParseIndexParams(const json& entry) {
  if (!entry.is_object()) return BadJson("indexParams entries must be objects");
  JsonBody eb(entry);
  rpc::IndexParams out;
  VDB_ASSIGN_OR_RETURN(out.field_name, eb.String("fieldName", /*required=*/true));
  VDB_ASSIGN_OR_RETURN(out.index_name, eb.String("indexName"));
  VDB_ASSIGN_OR_RETURN(out.metric_type, eb.String("metricType"));
  VDB_ASSIGN_OR_RETURN(out.index_type, eb.String("indexType"));
  VDB_ASSIGN_OR_RETURN(const json* params, eb.Object("params"));
  if (params != nullptr) {
    for (auto it = params->begin(); it != params->end(); ++it) {
      if (it->is_null()) continue;
      std::string value = ValueToString(*it);
      if (it.key() == "index_type") {
        if (out.index_type.empty()) out.index_type = value;
      } else if (it.key() == "metric_type") {
        if (out.metric_type.empty()) out.metric_type = value;
      } else {
        out.params[it.key()] = value;
      }
    }
  }
  return out;
}

Result<std::string> EncodeDefaultValue(const FieldSchema& field, const json& value) {
  if (field.primary_key) {
    return InvalidParam("primary field not support default_value[field=" + field.name + "]");
  }
  auto fail = [&]() {
    return InvalidParam("convert defaultValue fail[field=" + field.name +
                        "][value=" + value.dump() + "]");
  };
  switch (field.type) {
    case DataType::kBool:
      if (!value.is_boolean()) return fail();
      return std::string(1, value.get<bool>() ? '\1' : '\0');
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64: {
      if (!value.is_number_integer()) return fail();
      int64_t v = value.get<int64_t>();
      if (field.type == DataType::kInt8) {
        if (v < INT8_MIN || v > INT8_MAX) return fail();
        return RawBytes(static_cast<int8_t>(v));
      }
      if (field.type == DataType::kInt16) {
        if (v < INT16_MIN || v > INT16_MAX) return fail();
        return RawBytes(static_cast<int16_t>(v));
      }
      if (field.type == DataType::kInt32) {
        if (v < INT32_MIN || v > INT32_MAX) return fail();
        return RawBytes(static_cast<int32_t>(v));
      }
      return RawBytes(v);
    }
    case DataType::kFloat:
      if (!value.is_number()) return fail();
      return RawBytes(value.get<float>());
    case DataType::kDouble:
      if (!value.is_number()) return fail();
      return RawBytes(value.get<double>());
    case DataType::kVarChar: {
      if (!value.is_string()) return fail();
      std::string s = value.get<std::string>();
      if (field.max_length > 0 && static_cast<int64_t>(s.size()) > field.max_length) return fail();
      return s;
    }
    default:
      return fail();
  }
}

json DefaultValueJson(const FieldSchema& field, const std::string& encoded) {
  json data;
  switch (field.type) {
    case DataType::kBool:
      data["BoolData"] = !encoded.empty() && encoded[0] != 0;
      break;
    case DataType::kInt8:
      data["IntData"] = FromBytes<int8_t>(encoded);
      break;
    case DataType::kInt16:
      data["IntData"] = FromBytes<int16_t>(encoded);
      break;
    case DataType::kInt32:
      data["IntData"] = FromBytes<int32_t>(encoded);
      break;
    case DataType::kInt64:
      data["LongData"] = FromBytes<int64_t>(encoded);
      break;
    case DataType::kFloat:
      data["FloatData"] = FromBytes<float>(encoded);
      break;
    case DataType::kDouble:
      data["DoubleData"] = FromBytes<double>(encoded);
      break;
    default:
      data["StringData"] = encoded;
      break;
  }
  return json{{"Data", data}};
}

json DescribeCollectionJson(const rpc::CollectionInfo& c) {
  json fields = json::array();
  bool auto_id = false;
  for (const FieldSchema& f : c.schema.fields) {
    if (f.name == kDynamicFieldName) continue;
    json params = json::array();
    if (IsDenseVector(f.type)) params.push_back({{"key", "dim"}, {"value", std::to_string(f.dim)}});
    if (f.type == DataType::kVarChar ||
        (f.type == DataType::kArray && f.element_type == DataType::kVarChar)) {
      params.push_back({{"key", "max_length"}, {"value", std::to_string(f.max_length)}});
    }
    if (f.type == DataType::kArray) {
      params.push_back({{"key", "max_capacity"}, {"value", std::to_string(f.max_capacity)}});
    }
    json entry = {{"name", f.name},
                  {"id", f.id.value()},
                  {"type", std::string(DataTypeName(f.type))},
                  {"primaryKey", f.primary_key},
                  {"partitionKey", f.partition_key},
                  {"clusteringKey", false},
                  {"autoId", f.auto_id},
                  {"nullable", f.nullable},
                  {"description", ""},
                  {"isFunctionOutput", false},
                  {"params", params}};
    if (f.type == DataType::kArray) {
      entry["elementType"] = std::string(DataTypeName(f.element_type));
    }
    if (f.default_value) entry["defaultValue"] = DefaultValueJson(f, *f.default_value);
    auto_id = auto_id || (f.primary_key && f.auto_id);
    fields.push_back(std::move(entry));
  }
  json indexes = json::array();
  for (const rpc::IndexInfo& index : c.indexes) {
    const FieldSchema* f = c.schema.FindField(index.field_id);
    indexes.push_back({{"fieldName", f == nullptr ? "" : f->name},
                       {"indexName", index.name},
                       {"metricType", index.metric_type}});
  }
  return json{{"collectionName", c.name},
              {"collectionID", c.id.value()},
              {"description", c.description},
              {"autoId", auto_id},
              {"fields", fields},
              {"functions", json::array()},
              {"aliases", c.aliases},
              {"indexes", indexes},
              {"load", "LoadState" + std::string(rpc::LoadStateName(c.load_state))},
              {"shardsNum", c.shards_num},
              {"partitionsNum", c.partitions.size()},
              {"consistencyLevel", c.consistency_level},
              {"enableDynamicField", c.schema.enable_dynamic_field},
              {"properties", KeyValues(c.properties)}};
}

json DescribeIndexJson(const rpc::CollectionInfo& c, const rpc::IndexInfo& index,
                       int64_t total_rows, int64_t indexed_rows) {
  const FieldSchema* f = c.schema.FindField(index.field_id);
  rpc::StringMap all = index.params;
  all["index_type"] = index.index_type;
  if (!index.metric_type.empty()) all["metric_type"] = index.metric_type;
  if (index.state == rpc::IndexState::kFinished) indexed_rows = total_rows;
  std::string mmap = "false";
  if (auto it = index.params.find("mmap.enabled"); it != index.params.end()) mmap = it->second;
  return json{{"indexName", index.name},
              {"fieldName", f == nullptr ? "" : f->name},
              {"indexType", index.index_type},
              {"metricType", index.metric_type},
              {"totalRows", total_rows},
              {"indexedRows", indexed_rows},
              {"pendingRows", total_rows - indexed_rows},
              {"indexState", std::string(rpc::IndexStateName(index.state))},
              {"failReason", index.fail_reason},  // set when indexState is "Failed"
              {"mmap.enabled", mmap},
              {"indexoffsetcache.enabled", "false"},
              {"minIndexVersion", 0},
              {"maxIndexVersion", 0},
              {"indexParams", KeyValues(all)}};
}

}  // namespace vdb::proxy
