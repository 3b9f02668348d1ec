#include "rpc/coord_client.h"

#include <nlohmann/json.hpp>
#include <utility>

namespace vdb::rpc {

namespace {

using json = nlohmann::json;

constexpr std::string_view kPrefix = "/internal/coord/";

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Status Malformed(const std::string& path, std::string_view what) {
  return Status::Internal("coordinator answer to " + path + ": " + std::string(what));
}

Result<json> ParseAnswer(const std::string& path, const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Malformed(path, "not a JSON object");
  return j;
}

Result<int64_t> IntMember(const std::string& path, const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return Malformed(path, std::string("no integer \"") + key + "\"");
  }
  return it->get<int64_t>();
}

Result<uint64_t> UintMember(const std::string& path, const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) {
    return Malformed(path, std::string("no unsigned integer \"") + key + "\"");
  }
  return it->get<uint64_t>();
}

// The object member `key` as text, for the rpc/catalog.h decoders.
Result<std::string> ObjectMember(const std::string& path, const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) {
    return Malformed(path, std::string("no object \"") + key + "\"");
  }
  return Dump(*it);
}

// Decodes with a rpc/catalog.h decoder; its kInvalidArgument becomes kInternal (the server's
// answer was bad, not the caller's input).
template <typename T>
Result<T> Decode(const std::string& path, Result<T> decoded) {
  if (!decoded.ok()) return Malformed(path, decoded.status().message());
  return decoded;
}

json Base(const std::string& db_name) { return {{"db_name", db_name}}; }
json Coll(const std::string& db_name, const std::string& collection_name) {
  return {{"db_name", db_name}, {"collection_name", collection_name}};
}

}  // namespace

CoordClient::CoordClient(std::string address, CoordClientOptions options)
    : options_(options), http_(std::move(address), options.http) {}

Result<std::string> CoordClient::Call(const std::string& path, const std::string& body,
                                      int64_t timeout_ms) {
  return http_.Call(std::string(kPrefix) + path, body,
                    timeout_ms > 0 ? timeout_ms : options_.call_timeout_ms);
}

// Helpers shared by the typed calls: post `request` to `path` and read one member.
namespace {

template <typename F>
auto Ask(CoordClient* client,
         Result<std::string> (CoordClient::*call)(const std::string&, const std::string&, int64_t),
         const std::string& path, const json& request, F read)
    -> decltype(read(std::declval<const json&>())) {
  VDB_ASSIGN_OR_RETURN(std::string text, (client->*call)(path, Dump(request), 0));
  VDB_ASSIGN_OR_RETURN(json answer, ParseAnswer(path, text));
  return read(answer);
}

}  // namespace

#define VDB_COORD_ASK(path, request, read) Ask(this, &CoordClient::Call, path, request, read)

namespace {

auto ReadRevision(const std::string& path) {
  return
      [path](const json& j) -> Result<CatalogRevision> { return IntMember(path, j, "revision"); };
}

auto ReadNames(const std::string& path) {
  return [path](const json& j) -> Result<std::vector<std::string>> {
    auto it = j.find("names");
    if (it == j.end() || !it->is_array()) return Malformed(path, "no array \"names\"");
    std::vector<std::string> names;
    for (const auto& v : *it) {
      if (!v.is_string()) return Malformed(path, "a name is not a string");
      names.push_back(v.get<std::string>());
    }
    return names;
  };
}

auto ReadHas(const std::string& path) {
  return [path](const json& j) -> Result<bool> {
    auto it = j.find("has");
    if (it == j.end() || !it->is_boolean()) return Malformed(path, "no boolean \"has\"");
    return it->get<bool>();
  };
}

}  // namespace

Result<CatalogRevision> CoordClient::Heartbeat(NodeRole role, NodeId id,
                                               const std::string& address) {
  json req = {{"role", std::string(NodeRoleName(role))}, {"id", id.value()}, {"address", address}};
  return VDB_COORD_ASK("heartbeat", req, ReadRevision("heartbeat"));
}

Result<std::optional<Catalog>> CoordClient::GetCatalog(CatalogRevision since, int64_t wait_ms) {
  const std::string path = "catalog";
  json req = {{"since", since}, {"timeout_ms", wait_ms}};
  VDB_ASSIGN_OR_RETURN(std::string text, Call(path, Dump(req), options_.call_timeout_ms + wait_ms));
  VDB_ASSIGN_OR_RETURN(json answer, ParseAnswer(path, text));
  auto it = answer.find("catalog");
  if (it == answer.end() || it->is_null()) return std::optional<Catalog>();
  if (!it->is_object()) return Malformed(path, "\"catalog\" is not an object");
  VDB_ASSIGN_OR_RETURN(Catalog cat, Decode(path, DecodeCatalog(Dump(*it))));
  return std::optional<Catalog>(std::move(cat));
}

Result<Timestamp> CoordClient::AllocateTimestamps(int64_t count) {
  return VDB_COORD_ASK("tso", json({{"count", count}}),
                       [](const json& j) { return UintMember("tso", j, "ts"); });
}

Result<int64_t> CoordClient::AllocateIds(int64_t count) {
  return VDB_COORD_ASK("ids", json({{"count", count}}),
                       [](const json& j) { return IntMember("ids", j, "first"); });
}

Result<CatalogRevision> CoordClient::CommitSegment(const SegmentInfo& segment, Lsn checkpoint_lsn,
                                                   Timestamp checkpoint_ts, NodeId from_node) {
  json req = {{"segment", json::parse(EncodeSegment(segment), nullptr, false)},
              {"checkpoint_lsn", checkpoint_lsn.value()},
              {"checkpoint_ts", checkpoint_ts},
              {"node_id", from_node.value()}};
  return VDB_COORD_ASK("segments/commit", req, ReadRevision("segments/commit"));
}

Result<std::optional<IndexJob>> CoordClient::ClaimJob(NodeId node) {
  const std::string path = "jobs/claim";
  return VDB_COORD_ASK(path, json({{"node_id", node.value()}}),
                       [&path](const json& j) -> Result<std::optional<IndexJob>> {
                         auto it = j.find("job");
                         if (it == j.end() || it->is_null()) return std::optional<IndexJob>();
                         if (!it->is_object()) return Malformed(path, "\"job\" not an object");
                         VDB_ASSIGN_OR_RETURN(IndexJob job,
                                              Decode(path, DecodeIndexJob(Dump(*it))));
                         return std::optional<IndexJob>(std::move(job));
                       });
}

Result<CatalogRevision> CoordClient::FinishJob(int64_t job_id, NodeId node,
                                               const std::vector<std::string>& object_keys) {
  json req = {{"job_id", job_id}, {"node_id", node.value()}, {"objects", object_keys}};
  return VDB_COORD_ASK("jobs/finish", req, ReadRevision("jobs/finish"));
}

Result<CatalogRevision> CoordClient::FailJob(int64_t job_id, NodeId node, const std::string& reason,
                                             bool permanent) {
  json req = {
      {"job_id", job_id}, {"node_id", node.value()}, {"reason", reason}, {"permanent", permanent}};
  return VDB_COORD_ASK("jobs/fail", req, ReadRevision("jobs/fail"));
}

// --- DDL --------------------------------------------------------------------------------------

Result<CatalogRevision> CoordClient::CreateDatabase(const std::string& db_name,
                                                    const StringMap& properties) {
  json req = Base(db_name);
  req["properties"] = properties;
  return VDB_COORD_ASK("ddl/create_database", req, ReadRevision("ddl/create_database"));
}

Result<CatalogRevision> CoordClient::DropDatabase(const std::string& db_name) {
  return VDB_COORD_ASK("ddl/drop_database", Base(db_name), ReadRevision("ddl/drop_database"));
}

Result<std::vector<std::string>> CoordClient::ListDatabases() {
  return VDB_COORD_ASK("ddl/list_databases", json::object(), ReadNames("ddl/list_databases"));
}

Result<DatabaseInfo> CoordClient::DescribeDatabase(const std::string& db_name) {
  const std::string path = "ddl/describe_database";
  return VDB_COORD_ASK(path, Base(db_name), [&path](const json& j) -> Result<DatabaseInfo> {
    VDB_ASSIGN_OR_RETURN(std::string text, ObjectMember(path, j, "database"));
    return Decode(path, DecodeDatabase(text));
  });
}

Result<CatalogRevision> CoordClient::CreateCollection(const std::string& db_name,
                                                      const CollectionSchema& schema,
                                                      const CreateCollectionParams& params) {
  json req = Base(db_name);
  req["schema"] = json::parse(EncodeSchema(schema), nullptr, false);
  req["shards_num"] = params.shards_num;
  req["consistency_level"] = params.consistency_level;
  req["description"] = params.description;
  req["properties"] = params.properties;
  return VDB_COORD_ASK("ddl/create_collection", req, ReadRevision("ddl/create_collection"));
}

Result<CatalogRevision> CoordClient::DropCollection(const std::string& db_name,
                                                    const std::string& name) {
  return VDB_COORD_ASK("ddl/drop_collection", Coll(db_name, name),
                       ReadRevision("ddl/drop_collection"));
}

Result<CollectionInfo> CoordClient::DescribeCollection(const std::string& db_name,
                                                       const std::string& name) {
  const std::string path = "ddl/describe_collection";
  return VDB_COORD_ASK(path, Coll(db_name, name), [&path](const json& j) -> Result<CollectionInfo> {
    VDB_ASSIGN_OR_RETURN(std::string text, ObjectMember(path, j, "collection"));
    return Decode(path, DecodeCollection(text));
  });
}

Result<std::vector<std::string>> CoordClient::ListCollections(const std::string& db_name) {
  return VDB_COORD_ASK("ddl/list_collections", Base(db_name), ReadNames("ddl/list_collections"));
}

Result<bool> CoordClient::HasCollection(const std::string& db_name, const std::string& name) {
  return VDB_COORD_ASK("ddl/has_collection", Coll(db_name, name), ReadHas("ddl/has_collection"));
}

Result<CatalogRevision> CoordClient::RenameCollection(const std::string& db_name,
                                                      const std::string& old_name,
                                                      const std::string& new_db_name,
                                                      const std::string& new_name) {
  json req = Coll(db_name, old_name);
  req["new_db_name"] = new_db_name;
  req["new_collection_name"] = new_name;
  return VDB_COORD_ASK("ddl/rename_collection", req, ReadRevision("ddl/rename_collection"));
}

Result<CatalogRevision> CoordClient::LoadCollection(const std::string& db_name,
                                                    const std::string& name) {
  return VDB_COORD_ASK("ddl/load_collection", Coll(db_name, name),
                       ReadRevision("ddl/load_collection"));
}

Result<CatalogRevision> CoordClient::ReleaseCollection(const std::string& db_name,
                                                       const std::string& name) {
  return VDB_COORD_ASK("ddl/release_collection", Coll(db_name, name),
                       ReadRevision("ddl/release_collection"));
}

Result<CatalogRevision> CoordClient::LoadPartitions(
    const std::string& db_name, const std::string& name,
    const std::vector<std::string>& partition_names) {
  json req = Coll(db_name, name);
  req["partition_names"] = partition_names;
  return VDB_COORD_ASK("ddl/load_partitions", req, ReadRevision("ddl/load_partitions"));
}

Result<CatalogRevision> CoordClient::ReleasePartitions(
    const std::string& db_name, const std::string& name,
    const std::vector<std::string>& partition_names) {
  json req = Coll(db_name, name);
  req["partition_names"] = partition_names;
  return VDB_COORD_ASK("ddl/release_partitions", req, ReadRevision("ddl/release_partitions"));
}

Result<LoadStatus> CoordClient::GetLoadState(const std::string& db_name, const std::string& name,
                                             const std::vector<std::string>& partition_names) {
  const std::string path = "ddl/get_load_state";
  json req = Coll(db_name, name);
  if (!partition_names.empty()) req["partition_names"] = partition_names;
  return VDB_COORD_ASK(path, req, [&path](const json& j) -> Result<LoadStatus> {
    auto it = j.find("load_state");
    if (it == j.end() || !it->is_string()) return Malformed(path, "no string \"load_state\"");
    LoadStatus out;
    std::string name = it->get<std::string>();
    bool known = false;
    for (LoadState s : {LoadState::kNotLoad, LoadState::kLoading, LoadState::kLoaded}) {
      if (LoadStateName(s) == name) {
        out.state = s;
        known = true;
      }
    }
    if (!known) return Malformed(path, "unknown load state \"" + name + "\"");
    VDB_ASSIGN_OR_RETURN(int64_t progress, IntMember(path, j, "progress"));
    out.progress = static_cast<int>(progress);
    return out;
  });
}

Result<CatalogRevision> CoordClient::CreatePartition(const std::string& db_name,
                                                     const std::string& collection_name,
                                                     const std::string& partition_name) {
  json req = Coll(db_name, collection_name);
  req["partition_name"] = partition_name;
  return VDB_COORD_ASK("ddl/create_partition", req, ReadRevision("ddl/create_partition"));
}

Result<CatalogRevision> CoordClient::DropPartition(const std::string& db_name,
                                                   const std::string& collection_name,
                                                   const std::string& partition_name) {
  json req = Coll(db_name, collection_name);
  req["partition_name"] = partition_name;
  return VDB_COORD_ASK("ddl/drop_partition", req, ReadRevision("ddl/drop_partition"));
}

Result<std::vector<std::string>> CoordClient::ListPartitions(const std::string& db_name,
                                                             const std::string& collection_name) {
  return VDB_COORD_ASK("ddl/list_partitions", Coll(db_name, collection_name),
                       ReadNames("ddl/list_partitions"));
}

Result<bool> CoordClient::HasPartition(const std::string& db_name,
                                       const std::string& collection_name,
                                       const std::string& partition_name) {
  json req = Coll(db_name, collection_name);
  req["partition_name"] = partition_name;
  return VDB_COORD_ASK("ddl/has_partition", req, ReadHas("ddl/has_partition"));
}

Result<CatalogRevision> CoordClient::CreateAlias(const std::string& db_name,
                                                 const std::string& collection_name,
                                                 const std::string& alias_name) {
  json req = Coll(db_name, collection_name);
  req["alias_name"] = alias_name;
  return VDB_COORD_ASK("ddl/create_alias", req, ReadRevision("ddl/create_alias"));
}

Result<CatalogRevision> CoordClient::AlterAlias(const std::string& db_name,
                                                const std::string& collection_name,
                                                const std::string& alias_name) {
  json req = Coll(db_name, collection_name);
  req["alias_name"] = alias_name;
  return VDB_COORD_ASK("ddl/alter_alias", req, ReadRevision("ddl/alter_alias"));
}

Result<CatalogRevision> CoordClient::DropAlias(const std::string& db_name,
                                               const std::string& alias_name) {
  json req = Base(db_name);
  req["alias_name"] = alias_name;
  return VDB_COORD_ASK("ddl/drop_alias", req, ReadRevision("ddl/drop_alias"));
}

Result<AliasDescription> CoordClient::DescribeAlias(const std::string& db_name,
                                                    const std::string& alias_name) {
  const std::string path = "ddl/describe_alias";
  json req = Base(db_name);
  req["alias_name"] = alias_name;
  return VDB_COORD_ASK(path, req, [&path](const json& j) -> Result<AliasDescription> {
    AliasDescription d;
    for (auto [key, out] : {std::pair<const char*, std::string*>{"db_name", &d.db_name},
                            {"collection_name", &d.collection_name},
                            {"alias_name", &d.alias_name}}) {
      auto it = j.find(key);
      if (it == j.end() || !it->is_string()) {
        return Malformed(path, std::string("no string \"") + key + "\"");
      }
      *out = it->get<std::string>();
    }
    return d;
  });
}

Result<std::vector<std::string>> CoordClient::ListAliases(const std::string& db_name,
                                                          const std::string& collection_name) {
  json req = Base(db_name);
  if (!collection_name.empty()) req["collection_name"] = collection_name;
  return VDB_COORD_ASK("ddl/list_aliases", req, ReadNames("ddl/list_aliases"));
}

Result<CatalogRevision> CoordClient::CreateIndex(const std::string& db_name,
                                                 const std::string& collection_name,
                                                 const IndexParams& params) {
  json req = Coll(db_name, collection_name);
  req["field_name"] = params.field_name;
  req["index_name"] = params.index_name;
  req["index_type"] = params.index_type;
  req["metric_type"] = params.metric_type;
  req["params"] = params.params;
  return VDB_COORD_ASK("ddl/create_index", req, ReadRevision("ddl/create_index"));
}

Result<CatalogRevision> CoordClient::DropIndex(const std::string& db_name,
                                               const std::string& collection_name,
                                               const std::string& index_name) {
  json req = Coll(db_name, collection_name);
  req["index_name"] = index_name;
  return VDB_COORD_ASK("ddl/drop_index", req, ReadRevision("ddl/drop_index"));
}

Result<std::vector<std::string>> CoordClient::ListIndexes(const std::string& db_name,
                                                          const std::string& collection_name) {
  return VDB_COORD_ASK("ddl/list_indexes", Coll(db_name, collection_name),
                       ReadNames("ddl/list_indexes"));
}

Result<IndexInfo> CoordClient::DescribeIndex(const std::string& db_name,
                                             const std::string& collection_name,
                                             const std::string& index_name) {
  const std::string path = "ddl/describe_index";
  json req = Coll(db_name, collection_name);
  req["index_name"] = index_name;
  return VDB_COORD_ASK(path, req, [&path](const json& j) -> Result<IndexInfo> {
    VDB_ASSIGN_OR_RETURN(std::string text, ObjectMember(path, j, "index"));
    return Decode(path, DecodeIndex(text));
  });
}

#undef VDB_COORD_ASK

}  // namespace vdb::rpc
