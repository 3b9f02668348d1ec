// The REST shapes of collections and indexes: parsing collections/create (quick form §4.1 and
// custom form §4.2 of milvus-rest-v2.md) and indexParams entries (§6) into the coordinator's
// types, and rendering collections/describe (§4.3) and indexes/describe (§6). Pure functions;
// thread-safe. Errors carry Milvus codes (1100 invalid parameter, 1801 wrong JSON type, 1802
// missing required member).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "common/result.h"
#include "common/schema.h"
#include "proxy/request.h"
#include "rpc/catalog.h"

namespace vdb::proxy {

// What collections/create asks for, in the order to apply it: create the collection, create
// each index, then load when `load` is set.
struct CreateCollectionRequest {
  CollectionSchema schema;  // name set; field ids left for the coordinator
  rpc::CreateCollectionParams params;
  std::vector<rpc::IndexParams> indexes;
  bool load = false;
};

// Parses the whole collections/create body (quick form when schema.fields is empty).
Result<CreateCollectionRequest> ParseCreateCollection(const JsonBody& body);

// Parses one indexParams entry: fieldName required (1802); indexName, metricType and indexType
// optional (the coordinator fills defaults); params{} values become strings, with index_type /
// metric_type inside params accepted as the type and metric.
Result<rpc::IndexParams> ParseIndexParams(const nlohmann::json& entry);

// Milvus's exact DataType spellings (§4.2); 1100 for anything else or for types vdb lacks.
Result<DataType> ParseRestDataType(std::string_view name);

// collections/describe "data" for `collection` (load state as the catalog has it).
nlohmann::json DescribeCollectionJson(const rpc::CollectionInfo& collection);

// One indexes/describe entry. `total_rows`: sealed rows of the collection; `indexed_rows`: rows
// of the sealed segments that have this index built.
nlohmann::json DescribeIndexJson(const rpc::CollectionInfo& collection, const rpc::IndexInfo& index,
                                 int64_t total_rows, int64_t indexed_rows);

// A default value as FieldSchema::default_value stores it (one value of the field's column),
// from the JSON of the request; 1100 "convert defaultValue fail" / "... not support
// default_value" when the field cannot have one or the value does not fit.
Result<std::string> EncodeDefaultValue(const FieldSchema& field, const nlohmann::json& value);
// Milvus's rendering of a stored default: {"Data":{"LongData":5}} and the like.
nlohmann::json DefaultValueJson(const FieldSchema& field, const std::string& encoded);

}  // namespace vdb::proxy
