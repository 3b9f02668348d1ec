#include "coord/coord_service.h"

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/logging.h"
#include "coord/coordinator.h"
#include "rpc/catalog.h"
#include "rpc/http.h"

namespace vdb::coord {

namespace {

using json = nlohmann::json;
using JsonHandler = std::function<Result<json>(const json& request)>;

constexpr std::string_view kPrefix = "/internal/coord/";

// --- Request fields ---------------------------------------------------------------------------

Status BadField(std::string_view key, std::string_view what) {
  return Status::InvalidArgument("request field \"" + std::string(key) +
                                 "\": " + std::string(what));
}

Result<std::string> Str(const json& j, std::string_view key, bool required = false,
                        std::string fallback = "") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return BadField(key, "missing");
    return fallback;
  }
  if (!it->is_string()) return BadField(key, "not a string");
  std::string value = it->get<std::string>();
  if (value.empty() && required) return BadField(key, "empty");
  return value.empty() ? fallback : value;
}

Result<int64_t> Int(const json& j, std::string_view key, bool required = false,
                    int64_t fallback = 0) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return BadField(key, "missing");
    return fallback;
  }
  if (!it->is_number_integer()) return BadField(key, "not an integer");
  if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX}) {
    return BadField(key, "out of range");
  }
  return it->get<int64_t>();
}

Result<bool> Bool(const json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  if (!it->is_boolean()) return BadField(key, "not a boolean");
  return it->get<bool>();
}

Result<uint64_t> Uint(const json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return uint64_t{0};
  if (!it->is_number_unsigned()) return BadField(key, "not a non-negative integer");
  return it->get<uint64_t>();
}

Result<rpc::StringMap> Map(const json& j, std::string_view key) {
  rpc::StringMap out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return BadField(key, "not an object");
  for (auto m = it->begin(); m != it->end(); ++m) {
    if (!m.value().is_string()) return BadField(key, "values must be strings");
    out[m.key()] = m.value().get<std::string>();
  }
  return out;
}

Result<std::vector<std::string>> Strings(const json& j, std::string_view key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return BadField(key, "not an array");
  for (const auto& v : *it) {
    if (!v.is_string()) return BadField(key, "elements must be strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// The member `key` as JSON text for the rpc/catalog.h decoders.
Result<std::string> Object(const json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return BadField(key, "missing");
  if (!it->is_object()) return BadField(key, "not an object");
  return it->dump();
}

Result<std::string> Db(const json& j) { return Str(j, "db_name", false, "default"); }
Result<std::string> Coll(const json& j) { return Str(j, "collection_name", true); }

json Revision(rpc::CatalogRevision revision) { return {{"revision", revision}}; }
json Names(const std::vector<std::string>& names) { return {{"names", names}}; }
json Parsed(const std::string& text) { return json::parse(text, nullptr, false); }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

rpc::Handler Wrap(JsonHandler handler) {
  return [handler = std::move(handler)](const rpc::Request& request,
                                        rpc::Response* response) -> Status {
    json body = request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return Status::InvalidArgument("request body is not a JSON object");
    }
    VDB_ASSIGN_OR_RETURN(json out, handler(body));
    response->body = Dump(out);
    return Status::OK();
  };
}

// Collection DDL that takes (db, collection) and returns a revision.
using CollWrite = Result<rpc::CatalogRevision> (Coordinator::*)(const std::string&,
                                                                const std::string&);
JsonHandler CollWriteHandler(Coordinator* c, CollWrite method) {
  return [c, method](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(auto rev, (c->*method)(db, coll));
    return Revision(rev);
  };
}

std::map<std::string, JsonHandler> DdlHandlers(Coordinator* c) {
  std::map<std::string, JsonHandler> h;
  h["create_database"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Str(j, "db_name", true));
    VDB_ASSIGN_OR_RETURN(auto props, Map(j, "properties"));
    VDB_ASSIGN_OR_RETURN(auto rev, c->CreateDatabase(db, props));
    return Revision(rev);
  };
  h["drop_database"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Str(j, "db_name", true));
    VDB_ASSIGN_OR_RETURN(auto rev, c->DropDatabase(db));
    return Revision(rev);
  };
  h["list_databases"] = [c](const json&) -> Result<json> { return Names(c->ListDatabases()); };
  h["describe_database"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Str(j, "db_name", true));
    VDB_ASSIGN_OR_RETURN(auto info, c->DescribeDatabase(db));
    return json{{"database", Parsed(rpc::EncodeDatabase(info))}};
  };
  h["create_collection"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string schema_text, Object(j, "schema"));
    VDB_ASSIGN_OR_RETURN(CollectionSchema schema, rpc::DecodeSchema(schema_text));
    rpc::CreateCollectionParams params;
    VDB_ASSIGN_OR_RETURN(int64_t shards, Int(j, "shards_num", false, 1));
    if (shards < INT32_MIN || shards > INT32_MAX) return BadField("shards_num", "out of range");
    params.shards_num = static_cast<int32_t>(shards);
    VDB_ASSIGN_OR_RETURN(params.consistency_level, Str(j, "consistency_level", false, "Bounded"));
    VDB_ASSIGN_OR_RETURN(params.description, Str(j, "description"));
    VDB_ASSIGN_OR_RETURN(params.properties, Map(j, "properties"));
    VDB_ASSIGN_OR_RETURN(auto rev, c->CreateCollection(db, std::move(schema), params));
    return Revision(rev);
  };
  h["drop_collection"] = CollWriteHandler(c, &Coordinator::DropCollection);
  h["load_collection"] = CollWriteHandler(c, &Coordinator::LoadCollection);
  h["release_collection"] = CollWriteHandler(c, &Coordinator::ReleaseCollection);
  h["describe_collection"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(auto info, c->DescribeCollection(db, coll));
    return json{{"collection", Parsed(rpc::EncodeCollection(info))}};
  };
  h["list_collections"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(auto names, c->ListCollections(db));
    return Names(names);
  };
  h["has_collection"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(bool has, c->HasCollection(db, coll));
    return json{{"has", has}};
  };
  h["rename_collection"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(std::string new_db, Str(j, "new_db_name"));
    VDB_ASSIGN_OR_RETURN(std::string new_name, Str(j, "new_collection_name", true));
    VDB_ASSIGN_OR_RETURN(auto rev, c->RenameCollection(db, coll, new_db, new_name));
    return Revision(rev);
  };
  h["get_load_state"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(std::vector<std::string> partitions, Strings(j, "partition_names"));
    VDB_ASSIGN_OR_RETURN(auto state, c->GetLoadState(db, coll, partitions));
    return json{{"load_state", std::string(rpc::LoadStateName(state.state))},
                {"progress", state.progress}};
  };
  auto partition_write = [c](auto method) -> JsonHandler {
    return [c, method](const json& j) -> Result<json> {
      VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
      VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
      VDB_ASSIGN_OR_RETURN(std::string part, Str(j, "partition_name", true));
      VDB_ASSIGN_OR_RETURN(auto rev, (c->*method)(db, coll, part));
      return Revision(rev);
    };
  };
  auto partitions_write = [c](auto method) -> JsonHandler {
    return [c, method](const json& j) -> Result<json> {
      VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
      VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
      VDB_ASSIGN_OR_RETURN(std::vector<std::string> parts, Strings(j, "partition_names"));
      VDB_ASSIGN_OR_RETURN(auto rev, (c->*method)(db, coll, parts));
      return Revision(rev);
    };
  };
  h["load_partitions"] = partitions_write(&Coordinator::LoadPartitions);
  h["release_partitions"] = partitions_write(&Coordinator::ReleasePartitions);
  h["create_partition"] = partition_write(&Coordinator::CreatePartition);
  h["drop_partition"] = partition_write(&Coordinator::DropPartition);
  h["list_partitions"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(auto names, c->ListPartitions(db, coll));
    return Names(names);
  };
  h["has_partition"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(std::string part, Str(j, "partition_name", true));
    VDB_ASSIGN_OR_RETURN(bool has, c->HasPartition(db, coll, part));
    return json{{"has", has}};
  };
  auto alias_write = [c](auto method) -> JsonHandler {
    return [c, method](const json& j) -> Result<json> {
      VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
      VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
      VDB_ASSIGN_OR_RETURN(std::string alias, Str(j, "alias_name", true));
      VDB_ASSIGN_OR_RETURN(auto rev, (c->*method)(db, coll, alias));
      return Revision(rev);
    };
  };
  h["create_alias"] = alias_write(&Coordinator::CreateAlias);
  h["alter_alias"] = alias_write(&Coordinator::AlterAlias);
  h["drop_alias"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string alias, Str(j, "alias_name", true));
    VDB_ASSIGN_OR_RETURN(auto rev, c->DropAlias(db, alias));
    return Revision(rev);
  };
  h["describe_alias"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string alias, Str(j, "alias_name", true));
    VDB_ASSIGN_OR_RETURN(auto d, c->DescribeAlias(db, alias));
    return json{{"db_name", d.db_name},
                {"collection_name", d.collection_name},
                {"alias_name", d.alias_name}};
  };
  h["list_aliases"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Str(j, "collection_name"));
    VDB_ASSIGN_OR_RETURN(auto names, c->ListAliases(db, coll));
    return Names(names);
  };
  h["create_index"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    rpc::IndexParams p;
    VDB_ASSIGN_OR_RETURN(p.field_name, Str(j, "field_name", true));
    VDB_ASSIGN_OR_RETURN(p.index_name, Str(j, "index_name"));
    VDB_ASSIGN_OR_RETURN(p.index_type, Str(j, "index_type"));
    VDB_ASSIGN_OR_RETURN(p.metric_type, Str(j, "metric_type"));
    VDB_ASSIGN_OR_RETURN(p.params, Map(j, "params"));
    VDB_ASSIGN_OR_RETURN(auto rev, c->CreateIndex(db, coll, p));
    return Revision(rev);
  };
  auto index_op = [c](auto method, auto to_json) -> JsonHandler {
    return [c, method, to_json](const json& j) -> Result<json> {
      VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
      VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
      VDB_ASSIGN_OR_RETURN(std::string index, Str(j, "index_name", true));
      VDB_ASSIGN_OR_RETURN(auto out, (c->*method)(db, coll, index));
      return to_json(out);
    };
  };
  h["drop_index"] = index_op(&Coordinator::DropIndex, Revision);
  h["describe_index"] = index_op(&Coordinator::DescribeIndex, [](const rpc::IndexInfo& x) {
    return json{{"index", Parsed(rpc::EncodeIndex(x))}};
  });
  h["list_indexes"] = [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string db, Db(j));
    VDB_ASSIGN_OR_RETURN(std::string coll, Coll(j));
    VDB_ASSIGN_OR_RETURN(auto names, c->ListIndexes(db, coll));
    return Names(names);
  };
  return h;
}

}  // namespace

CoordService::CoordService(Coordinator* coord, CoordServiceOptions options)
    : coord_(coord), options_(options) {}

CoordService::~CoordService() { StopTicker(); }

void CoordService::RegisterRoutes(rpc::HttpServer* server) {
  Coordinator* c = coord_;
  auto route = [server](std::string_view path, JsonHandler handler) {
    server->Route("POST", std::string(kPrefix) + std::string(path), Wrap(std::move(handler)));
  };
  route("heartbeat", [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string role_name, Str(j, "role", true));
    VDB_ASSIGN_OR_RETURN(rpc::NodeRole role, rpc::ParseNodeRole(role_name));
    VDB_ASSIGN_OR_RETURN(int64_t id, Int(j, "id", true));
    VDB_ASSIGN_OR_RETURN(std::string address, Str(j, "address"));
    VDB_ASSIGN_OR_RETURN(auto rev, c->Heartbeat(role, NodeId(id), address));
    return Revision(rev);
  });
  route("tso", [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(int64_t count, Int(j, "count", false, 1));
    VDB_ASSIGN_OR_RETURN(Timestamp ts, c->AllocateTimestamps(count));
    return json{{"ts", ts}};
  });
  route("ids", [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(int64_t count, Int(j, "count", false, 1));
    VDB_ASSIGN_OR_RETURN(int64_t first, c->AllocateIds(count));
    return json{{"first", first}};
  });
  route("segments/commit", [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(std::string text, Object(j, "segment"));
    VDB_ASSIGN_OR_RETURN(rpc::SegmentInfo segment, rpc::DecodeSegment(text));
    VDB_ASSIGN_OR_RETURN(uint64_t lsn, Uint(j, "checkpoint_lsn"));
    VDB_ASSIGN_OR_RETURN(uint64_t ts, Uint(j, "checkpoint_ts"));
    VDB_ASSIGN_OR_RETURN(int64_t node, Int(j, "node_id"));
    VDB_ASSIGN_OR_RETURN(auto rev, c->CommitSegment(segment, Lsn(lsn), ts, NodeId(node)));
    return Revision(rev);
  });
  route("jobs/claim", [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(int64_t node, Int(j, "node_id", true));
    VDB_ASSIGN_OR_RETURN(auto job, c->ClaimJob(NodeId(node)));
    return json{{"job", job ? Parsed(rpc::EncodeIndexJob(*job)) : json(nullptr)}};
  });
  route("jobs/finish", [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(int64_t job, Int(j, "job_id", true));
    VDB_ASSIGN_OR_RETURN(int64_t node, Int(j, "node_id", true));
    VDB_ASSIGN_OR_RETURN(auto objects, Strings(j, "objects"));
    VDB_ASSIGN_OR_RETURN(auto rev, c->FinishJob(job, NodeId(node), objects));
    return Revision(rev);
  });
  route("jobs/fail", [c](const json& j) -> Result<json> {
    VDB_ASSIGN_OR_RETURN(int64_t job, Int(j, "job_id", true));
    VDB_ASSIGN_OR_RETURN(int64_t node, Int(j, "node_id", true));
    VDB_ASSIGN_OR_RETURN(std::string reason, Str(j, "reason"));
    VDB_ASSIGN_OR_RETURN(bool permanent, Bool(j, "permanent"));
    VDB_ASSIGN_OR_RETURN(auto rev, c->FailJob(job, NodeId(node), reason, permanent));
    return Revision(rev);
  });
  for (auto& [op, handler] : DdlHandlers(c)) route("ddl/" + op, std::move(handler));

  // The long poll writes the catalog text as encoded, without a parse/dump round trip.
  int64_t max_poll_ms = options_.max_poll_ms;
  server->Route(
      "POST", std::string(kPrefix) + "catalog",
      [c, max_poll_ms](const rpc::Request& request, rpc::Response* response) -> Status {
        json body =
            request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
          return Status::InvalidArgument("request body is not a JSON object");
        }
        VDB_ASSIGN_OR_RETURN(int64_t since, Int(body, "since"));
        VDB_ASSIGN_OR_RETURN(int64_t timeout_ms, Int(body, "timeout_ms", false, max_poll_ms));
        rpc::Catalog cat = c->WaitForRevision(since, std::min(timeout_ms, max_poll_ms));
        response->body = "{\"revision\":" + std::to_string(cat.revision);
        if (cat.revision > since) {
          response->body += ",\"catalog\":" + rpc::EncodeCatalog(cat);
        }
        response->body += "}";
        return Status::OK();
      });
}

void CoordService::StartTicker() {
  std::lock_guard<std::mutex> lock(mu_);
  if (ticker_.joinable()) return;
  stopping_ = false;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_interval_ms),
                   [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      Status s = coord_->Tick();
      if (!s.ok()) {
        VDB_LOG(WARNING) << "coordinator tick: " << s.ToString();
      }
      lock.lock();
    }
  });
}

void CoordService::StopTicker() {
  std::thread ticker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    ticker = std::move(ticker_);
  }
  cv_.notify_all();
  if (ticker.joinable()) ticker.join();
}

}  // namespace vdb::coord
