// CoordService: the coordinator's control-plane routes (lib/README.md "Control plane") on an
// rpc::HttpServer, plus the periodic Tick. Thread-safe: handlers run on the server's threads and
// only call the thread-safe Coordinator.
//
// Every route is POST with a JSON object body (an empty body means {}), and answers 200 with a
// JSON object, or an internal error response (rpc::WriteInternalError: HTTP status from
// status_map, {"error","message"}) whose message keeps the Milvus code marker of rpc/catalog.h.
// Catalog objects use the rpc/catalog.h JSON encodings.
//
//   /internal/coord/heartbeat        {role, id, address}               -> {revision}
//   /internal/coord/catalog          {since, timeout_ms?}              -> {revision, catalog?}
//       long poll: waits (at most max_poll_ms, default 1000) for a revision above `since`;
//       "catalog" is present only when the revision passed `since`.
//   /internal/coord/tso              {count}                           -> {ts}   first of count
//   /internal/coord/ids              {count}                           -> {first}
//   /internal/coord/segments/commit  {segment, checkpoint_lsn, checkpoint_ts, node_id?}
//                                                                      -> {revision}
//   /internal/coord/jobs/claim       {node_id}                         -> {job: IndexJob|null}
//   /internal/coord/jobs/finish      {job_id, node_id, objects:[keys]} -> {revision}
//   /internal/coord/jobs/fail        {job_id, node_id, reason, permanent?} -> {revision}
//   /internal/coord/ddl/<op>         see below; db_name defaults to "default"
//     create_database   {db_name, properties?}                        -> {revision}
//     drop_database     {db_name}                                     -> {revision}
//     list_databases    {}                                            -> {names}
//     describe_database {db_name}                                     -> {database}
//     create_collection {db_name, schema, shards_num?, consistency_level?, description?,
//                        properties?}   (the name is schema.name)     -> {revision}
//     drop_collection / load_collection / release_collection
//                       {db_name, collection_name}                    -> {revision}
//     describe_collection {db_name, collection_name}                  -> {collection}
//     list_collections  {db_name}                                     -> {names}
//     has_collection    {db_name, collection_name}                    -> {has}
//     rename_collection {db_name, collection_name, new_collection_name, new_db_name?}
//                                                                     -> {revision}
//     get_load_state    {db_name, collection_name}         -> {load_state: "Loaded", progress}
//     create_partition / drop_partition
//                       {db_name, collection_name, partition_name}    -> {revision}
//     list_partitions   {db_name, collection_name}                    -> {names}
//     has_partition     {db_name, collection_name, partition_name}    -> {has}
//     create_alias / alter_alias {db_name, collection_name, alias_name} -> {revision}
//     drop_alias        {db_name, alias_name}                         -> {revision}
//     describe_alias    {db_name, alias_name}       -> {db_name, collection_name, alias_name}
//     list_aliases      {db_name, collection_name?}                   -> {names}
//     create_index      {db_name, collection_name, field_name, index_name?, index_type?,
//                        metric_type?, params?}                       -> {revision}
//     drop_index        {db_name, collection_name, index_name}        -> {revision}
//     list_indexes      {db_name, collection_name}                    -> {names}
//     describe_index    {db_name, collection_name, index_name}        -> {index}
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace vdb::rpc {
class HttpServer;
}  // namespace vdb::rpc

namespace vdb::coord {

class Coordinator;

struct CoordServiceOptions {
  // How often the ticker calls Coordinator::Tick.
  int64_t tick_interval_ms = 500;
  // Longest catalog long poll, whatever the client asks.
  int64_t max_poll_ms = 1000;
};

class CoordService {
 public:
  // `coord` must outlive the service.
  explicit CoordService(Coordinator* coord, CoordServiceOptions options = {});
  ~CoordService();  // Stops the ticker.
  CoordService(const CoordService&) = delete;
  CoordService& operator=(const CoordService&) = delete;

  // Adds the routes above to `server`. REQUIRES: before server->Start().
  void RegisterRoutes(rpc::HttpServer* server);

  // Starts/stops the background thread calling Tick every tick_interval_ms. Stop is idempotent.
  void StartTicker();
  void StopTicker();

 private:
  Coordinator* const coord_;
  const CoordServiceOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread ticker_;
};

}  // namespace vdb::coord
