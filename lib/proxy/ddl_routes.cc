#include "proxy/ddl_routes.h"

#include <algorithm>
#include <set>

#include "common/env.h"
#include "proxy/collection_json.h"
#include "proxy/proxy.h"
#include "rpc/stream_client.h"

namespace vdb::proxy {

using nlohmann::json;
using rpc::CatalogRevision;
using CatalogPtr = std::shared_ptr<const rpc::Catalog>;

namespace {

// Replies {} once the cache holds the DDL's revision (the client reads its own DDL).
Result<json> AfterDdl(Proxy& proxy, const ApiCall& call, const Result<CatalogRevision>& rev) {
  VDB_RETURN_IF_ERROR(rev.status());
  VDB_RETURN_IF_ERROR(proxy.WaitForRevision(*rev, call.deadline_us));
  return json::object();
}

// Rows of the sealed (flushed, not dropped) segments of a collection, or of one partition.
int64_t SealedRows(const rpc::Catalog& catalog, const rpc::CollectionInfo& c,
                   std::optional<PartitionId> partition) {
  int64_t rows = 0;
  for (const rpc::SegmentInfo& s : catalog.segments) {
    if (s.collection_id != c.id || s.state == rpc::SegmentState::kDropped) continue;
    if (partition && s.partition_id != *partition) continue;
    rows += s.rows;
  }
  return rows;
}

// Live rows: the entity routes' counter when installed (it sees growing data too), else the
// sealed rows only.
Result<int64_t> RowCount(Proxy& proxy, const ApiCall& call, const rpc::Catalog& catalog,
                         const rpc::CollectionInfo& c, std::optional<PartitionId> partition) {
  if (proxy.row_counter()) return proxy.row_counter()(c, partition, call.deadline_us);
  return SealedRows(catalog, c, partition);
}

Result<const rpc::PartitionInfo*> FindPartition(const rpc::CollectionInfo& c,
                                                const std::string& name) {
  const rpc::PartitionInfo* p = c.FindPartition(name);
  if (p == nullptr) return PartitionNotFound(name);
  return p;
}

struct CollectionRef {
  CatalogPtr catalog;
  const rpc::CollectionInfo* collection = nullptr;
};

// The body's collectionName (required) looked up in the current snapshot.
Result<CollectionRef> RequireCollection(Proxy& proxy, const ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
  CollectionRef ref;
  VDB_ASSIGN_OR_RETURN(ref.catalog, proxy.ReadyCatalog());
  VDB_ASSIGN_OR_RETURN(ref.collection, Proxy::FindCollection(*ref.catalog, call.db_name, name));
  return ref;
}

// --- databases -------------------------------------------------------------------------------

void RegisterDatabaseRoutes(Proxy& proxy) {
  proxy.Route("databases/create", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, call.body.String("dbName", true));
    VDB_ASSIGN_OR_RETURN(const json* props, call.body.Object("properties"));
    rpc::StringMap properties;
    if (props != nullptr) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        properties[it.key()] = ValueToString(*it);
      }
    }
    return AfterDdl(proxy, call, proxy.coord().CreateDatabase(db, properties));
  });
  proxy.Route("databases/drop", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, call.body.String("dbName", true));
    return AfterDdl(proxy, call, proxy.coord().DropDatabase(db));
  });
  proxy.Route("databases/list", [&proxy](ApiCall&) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(CatalogPtr cat, proxy.ReadyCatalog());
    json names = json::array();
    for (const rpc::DatabaseInfo& d : cat->databases) names.push_back(d.name);
    return names;
  });
  proxy.Route("databases/describe", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("dbName", true));
    VDB_ASSIGN_OR_RETURN(CatalogPtr cat, proxy.ReadyCatalog());
    VDB_ASSIGN_OR_RETURN(const rpc::DatabaseInfo* db, Proxy::FindDatabase(*cat, name));
    json props = json::array();
    for (const auto& [k, v] : db->properties) props.push_back({{"key", k}, {"value", v}});
    return json{{"dbName", db->name}, {"dbID", db->id.value()}, {"properties", props}};
  });
}

// --- collections -----------------------------------------------------------------------------

Result<json> CreateCollection(Proxy& proxy, ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(CreateCollectionRequest req, ParseCreateCollection(call.body));
  rpc::CoordClient& coord = proxy.coord();
  const std::string name = req.schema.name;
  VDB_ASSIGN_OR_RETURN(CatalogRevision rev,
                       coord.CreateCollection(call.db_name, req.schema, req.params));
  Status failed;
  for (const rpc::IndexParams& index : req.indexes) {
    auto r = coord.CreateIndex(call.db_name, name, index);
    if (!r.ok()) {
      failed = r.status();
      break;
    }
    rev = std::max(rev, *r);
  }
  if (failed.ok() && req.load) {
    auto r = coord.LoadCollection(call.db_name, name);
    if (r.ok()) {
      rev = std::max(rev, *r);
    } else {
      failed = rpc::WithMilvusCode(rpc::kMilvusUnexpected, r.status());
    }
  }
  // The collection exists even when an index or the load failed: let the client see it.
  VDB_RETURN_IF_ERROR(proxy.WaitForRevision(rev, call.deadline_us));
  VDB_RETURN_IF_ERROR(failed);
  return json::object();
}

Result<json> Flush(Proxy& proxy, ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
  std::set<std::string> addresses;
  for (const rpc::ChannelInfo* ch : ref.catalog->ChannelsOf(ref.collection->id)) {
    if (ch->streaming_address.empty()) {
      return rpc::WithMilvusCode(
          2, Status::Unavailable("channel " + ch->name + " has no streaming node to flush it"));
    }
    addresses.insert(ch->streaming_address);
  }
  for (const std::string& address : addresses) {
    rpc::StreamClient client(address);
    rpc::FlushRequest request;
    request.collection_id = ref.collection->id;
    uint64_t now = proxy.env()->MonotonicMicros();
    int64_t timeout_ms =
        call.deadline_us > now ? static_cast<int64_t>((call.deadline_us - now) / 1000) : 1;
    timeout_ms = std::min(timeout_ms, proxy.options().stream_call_timeout_ms);
    VDB_RETURN_IF_ERROR(client.Flush(request, std::max<int64_t>(timeout_ms, 1)).status());
  }
  return json::object();
}

void RegisterCollectionRoutes(Proxy& proxy) {
  proxy.Route("collections/create",
              [&proxy](ApiCall& call) { return CreateCollection(proxy, call); });
  proxy.Route("collections/describe", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
    call.extra["message"] = "";
    return DescribeCollectionJson(*ref.collection);
  });
  proxy.Route("collections/list", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(CatalogPtr cat, proxy.ReadyCatalog());
    VDB_ASSIGN_OR_RETURN(const rpc::DatabaseInfo* db, Proxy::FindDatabase(*cat, call.db_name));
    json names = json::array();
    for (const rpc::CollectionInfo& c : cat->collections) {
      if (c.db_id == db->id) names.push_back(c.name);
    }
    return names;
  });
  proxy.Route("collections/has", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(CatalogPtr cat, proxy.ReadyCatalog());
    VDB_RETURN_IF_ERROR(Proxy::FindDatabase(*cat, call.db_name).status());
    return json{{"has", cat->FindCollection(call.db_name, name) != nullptr}};
  });
  proxy.Route("collections/drop", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    return AfterDdl(proxy, call, proxy.coord().DropCollection(call.db_name, name));
  });
  proxy.Route("collections/rename", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(std::string new_name, call.body.String("newCollectionName", true));
    VDB_ASSIGN_OR_RETURN(std::string new_db, call.body.String("newDbName"));
    return AfterDdl(proxy, call,
                    proxy.coord().RenameCollection(call.db_name, name, new_db, new_name));
  });
  proxy.Route("collections/load", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    return AfterDdl(proxy, call, proxy.coord().LoadCollection(call.db_name, name));
  });
  // refresh_load (A) re-reads segments in Milvus; vdb's query nodes follow the catalog, so it
  // is a load that is already satisfied.
  proxy.Route("collections/refresh_load", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    return AfterDdl(proxy, call, proxy.coord().LoadCollection(call.db_name, name));
  });
  proxy.Route("collections/release", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    return AfterDdl(proxy, call, proxy.coord().ReleaseCollection(call.db_name, name));
  });
  proxy.Route("collections/get_load_state", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
    VDB_ASSIGN_OR_RETURN(std::vector<std::string> partitions,
                         call.body.StringList("partitionNames"));
    for (const std::string& p : partitions) {
      VDB_RETURN_IF_ERROR(FindPartition(*ref.collection, p).status());
    }
    VDB_ASSIGN_OR_RETURN(rpc::LoadStatus load, proxy.coord().GetLoadState(
                                                   call.db_name, ref.collection->name, partitions));
    call.extra["message"] = "";
    json out = {{"loadState", "LoadState" + std::string(rpc::LoadStateName(load.state))}};
    if (load.state != rpc::LoadState::kNotLoad) out["loadProgress"] = load.progress;
    return out;
  });
  proxy.Route("collections/get_stats", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
    VDB_ASSIGN_OR_RETURN(int64_t rows,
                         RowCount(proxy, call, *ref.catalog, *ref.collection, std::nullopt));
    return json{{"rowCount", rows}};
  });
  proxy.Route("collections/flush", [&proxy](ApiCall& call) { return Flush(proxy, call); });
}

// --- partitions ------------------------------------------------------------------------------

// partitions/load and /release: the named partitions join or leave the loaded set; releasing
// the last loaded one releases the collection, loading some of a released collection loads it
// with just those.
Result<json> LoadPartitions(Proxy& proxy, ApiCall& call, bool load) {
  VDB_ASSIGN_OR_RETURN(std::vector<std::string> names,
                       call.body.StringList("partitionNames", true));
  VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
  for (const std::string& p : names) {
    VDB_RETURN_IF_ERROR(FindPartition(*ref.collection, p).status());
  }
  const std::string& name = ref.collection->name;
  return AfterDdl(proxy, call,
                  load ? proxy.coord().LoadPartitions(call.db_name, name, names)
                       : proxy.coord().ReleasePartitions(call.db_name, name, names));
}

void RegisterPartitionRoutes(Proxy& proxy) {
  proxy.Route("partitions/list", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
    json names = json::array();
    for (const rpc::PartitionInfo& p : ref.collection->partitions) names.push_back(p.name);
    return names;
  });
  proxy.Route("partitions/has", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string partition, call.body.String("partitionName", true));
    VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
    return json{{"has", ref.collection->FindPartition(partition) != nullptr}};
  });
  proxy.Route("partitions/create", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(std::string partition, call.body.String("partitionName", true));
    return AfterDdl(proxy, call, proxy.coord().CreatePartition(call.db_name, name, partition));
  });
  proxy.Route("partitions/drop", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(std::string partition, call.body.String("partitionName", true));
    return AfterDdl(proxy, call, proxy.coord().DropPartition(call.db_name, name, partition));
  });
  proxy.Route("partitions/get_stats", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string partition, call.body.String("partitionName", true));
    VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
    VDB_ASSIGN_OR_RETURN(const rpc::PartitionInfo* p, FindPartition(*ref.collection, partition));
    VDB_ASSIGN_OR_RETURN(int64_t rows, RowCount(proxy, call, *ref.catalog, *ref.collection, p->id));
    return json{{"rowCount", rows}};
  });
  proxy.Route("partitions/load",
              [&proxy](ApiCall& call) { return LoadPartitions(proxy, call, true); });
  proxy.Route("partitions/release",
              [&proxy](ApiCall& call) { return LoadPartitions(proxy, call, false); });
}

// --- aliases ---------------------------------------------------------------------------------

void RegisterAliasRoutes(Proxy& proxy) {
  proxy.Route("aliases/create", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(std::string alias, call.body.String("aliasName", true));
    return AfterDdl(proxy, call, proxy.coord().CreateAlias(call.db_name, name, alias));
  });
  proxy.Route("aliases/alter", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(std::string alias, call.body.String("aliasName", true));
    return AfterDdl(proxy, call, proxy.coord().AlterAlias(call.db_name, name, alias));
  });
  proxy.Route("aliases/drop", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string alias, call.body.String("aliasName", true));
    return AfterDdl(proxy, call, proxy.coord().DropAlias(call.db_name, alias));
  });
  proxy.Route("aliases/describe", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string alias, call.body.String("aliasName", true));
    VDB_ASSIGN_OR_RETURN(CatalogPtr cat, proxy.ReadyCatalog());
    VDB_ASSIGN_OR_RETURN(const rpc::DatabaseInfo* db, Proxy::FindDatabase(*cat, call.db_name));
    for (const rpc::CollectionInfo& c : cat->collections) {
      if (c.db_id != db->id) continue;
      if (std::find(c.aliases.begin(), c.aliases.end(), alias) != c.aliases.end()) {
        return json{{"dbName", db->name}, {"collectionName", c.name}, {"aliasName", alias}};
      }
    }
    return rpc::WithMilvusCode(
        kMilvusAliasNotFound,
        Status::NotFound("alias not found[database=" + db->name + "][alias=" + alias + "]"));
  });
  proxy.Route("aliases/list", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName"));
    VDB_ASSIGN_OR_RETURN(CatalogPtr cat, proxy.ReadyCatalog());
    VDB_ASSIGN_OR_RETURN(const rpc::DatabaseInfo* db, Proxy::FindDatabase(*cat, call.db_name));
    std::vector<std::string> aliases;
    if (!name.empty()) {
      VDB_ASSIGN_OR_RETURN(const rpc::CollectionInfo* c,
                           Proxy::FindCollection(*cat, call.db_name, name));
      aliases = c->aliases;
    } else {
      for (const rpc::CollectionInfo& c : cat->collections) {
        if (c.db_id == db->id) aliases.insert(aliases.end(), c.aliases.begin(), c.aliases.end());
      }
      std::sort(aliases.begin(), aliases.end());
    }
    return json(aliases);
  });
}

// --- indexes ---------------------------------------------------------------------------------

Result<json> DescribeIndex(Proxy& proxy, ApiCall& call) {
  VDB_ASSIGN_OR_RETURN(std::string index_name, call.body.String("indexName", true));
  VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
  const rpc::CollectionInfo& c = *ref.collection;
  const rpc::IndexInfo* index = c.FindIndex(index_name);
  if (index == nullptr) {
    return rpc::WithMilvusCode(kMilvusIndexNotFound,
                               Status::NotFound("index not found[indexName=" + index_name + "]"));
  }
  int64_t total = 0;
  int64_t indexed = 0;
  for (const rpc::SegmentInfo& s : ref.catalog->segments) {
    if (s.collection_id != c.id || s.state == rpc::SegmentState::kDropped) continue;
    total += s.rows;
    if (s.index_objects.count(index->name) != 0) indexed += s.rows;
  }
  return json::array({DescribeIndexJson(c, *index, total, indexed)});
}

void RegisterIndexRoutes(Proxy& proxy) {
  proxy.Route("indexes/create", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(const json* entries, call.body.Array("indexParams"));
    if (entries == nullptr || entries->empty()) return MissingParam("indexParams");
    CatalogRevision rev = 0;
    for (const json& entry : *entries) {
      VDB_ASSIGN_OR_RETURN(rpc::IndexParams params, ParseIndexParams(entry));
      VDB_ASSIGN_OR_RETURN(CatalogRevision r,
                           proxy.coord().CreateIndex(call.db_name, name, params));
      rev = std::max(rev, r);
    }
    return AfterDdl(proxy, call, rev);
  });
  proxy.Route("indexes/list", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(CollectionRef ref, RequireCollection(proxy, call));
    json names = json::array();
    for (const rpc::IndexInfo& index : ref.collection->indexes) names.push_back(index.name);
    return names;
  });
  proxy.Route("indexes/describe", [&proxy](ApiCall& call) { return DescribeIndex(proxy, call); });
  proxy.Route("indexes/drop", [&proxy](ApiCall& call) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string name, call.body.String("collectionName", true));
    VDB_ASSIGN_OR_RETURN(std::string index, call.body.String("indexName", true));
    return AfterDdl(proxy, call, proxy.coord().DropIndex(call.db_name, name, index));
  });
}

}  // namespace

void RegisterDdlRoutes(Proxy& proxy) {
  RegisterDatabaseRoutes(proxy);
  RegisterCollectionRoutes(proxy);
  RegisterPartitionRoutes(proxy);
  RegisterAliasRoutes(proxy);
  RegisterIndexRoutes(proxy);
}

}  // namespace vdb::proxy
