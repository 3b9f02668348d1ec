// Proxy: the public Milvus REST API v2 (milvus-rest-v2.md) on the node's HTTP server. It follows
// the coordinator's catalog (long poll) into an immutable snapshot shared by all handlers,
// forwards DDL to the coordinator and replies only once its cache holds the DDL's revision, so a
// client reads its own DDL. Every public route is POST /v2/vectordb/<path> answering Milvus
// envelopes; the route wrapper does body parsing, DB-Name, Request-Timeout (HTTP 408, code 10001),
// CORS, error envelopes (Milvus codes carried by rpc::WithMilvusCode) and metrics.
//
// Thread-safety: Route/RouteRaw/SetRowCounter only before the server starts (Start calls the
// route registrations, including RegisterEntityRoutes of entities.h); everything else is
// thread-safe. The Env and HttpServer passed to Start must outlive the Proxy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/ids.h"
#include "common/result.h"
#include "common/status.h"
#include "proxy/metrics.h"
#include "proxy/request.h"
#include "rpc/catalog.h"
#include "rpc/coord_client.h"

namespace vdb {
class Env;
namespace rpc {
class HttpServer;
struct Request;
struct Response;
}  // namespace rpc
}  // namespace vdb

namespace vdb::proxy {

inline constexpr std::string_view kApiPrefix = "/v2/vectordb/";

struct ProxyOptions {
  // When advertise_address is set the proxy heartbeats to the coordinator as (kProxy, node_id).
  NodeId node_id;
  std::string advertise_address;
  int64_t heartbeat_interval_ms = 1000;
  // Request-Timeout default (proxy.http.requestTimeoutMs).
  int64_t default_timeout_ms = 30000;
  // Accept-Type-Allow-Int64 default (proxy.http.acceptTypeAllowInt64).
  bool accept_int64_default = true;
  // Longest catalog long poll; also bounds how long Stop() waits for the follower thread.
  int64_t catalog_poll_ms = 500;
  // Deadline of calls to streaming nodes made by DDL routes (flush).
  int64_t stream_call_timeout_ms = 60000;
  rpc::CoordClientOptions coord;
};

// One request on a JSON route: the body parsed with Milvus's rules.
struct ApiCall {
  const rpc::Request* http = nullptr;
  JsonBody body;
  std::string db_name;       // body dbName, else DB-Name header, else "default"
  bool allow_int64 = true;   // Accept-Type-Allow-Int64
  uint64_t deadline_us = 0;  // Env::MonotonicMicros() by which the reply is due
  // Members added to the success envelope beside code and data ("message", "cost", "topks").
  nlohmann::json extra = nlohmann::json::object();
};
// Returns the success envelope's "data"; a failed Status becomes an error envelope.
using ApiHandler = std::function<Result<nlohmann::json>(ApiCall& call)>;

// One request on a raw route, for bodies too large to parse twice: the handler parses
// http->body itself (ResolveDbName etc. of request.h) and writes the whole response, e.g. with
// rpc::WriteEnvelope. A failed Status becomes an error envelope.
struct RawCall {
  const rpc::Request* http = nullptr;
  bool allow_int64 = true;
  uint64_t deadline_us = 0;
};
using RawHandler = std::function<Status(const RawCall& call, rpc::Response* response)>;

// Counts live rows of a collection (or of one partition) for get_stats; installed by the entity
// routes, which can reach the streaming nodes' growing data.
using RowCounter =
    std::function<Result<int64_t>(const rpc::CollectionInfo& collection,
                                  std::optional<PartitionId> partition, uint64_t deadline_us)>;

class Proxy {
 public:
  Proxy();
  ~Proxy();  // Stops the follower thread.
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Registers every route on `server` (bound, not started), sets its error handler to Milvus
  // envelopes, fetches the first catalog (a failure is logged; the follower retries) and starts
  // following the coordinator at `coord_address`.
  Status Start(Env* env, rpc::HttpServer* server, const std::string& coord_address,
               ProxyOptions options = {});
  // Stops the follower. Idempotent. Handlers still running may use the last snapshot.
  void Stop();

  // Registers POST /v2/vectordb/<path>. REQUIRES: during Start (route registration).
  void Route(std::string_view path, ApiHandler handler);
  void RouteRaw(std::string_view path, RawHandler handler);
  // REQUIRES: during Start (route registration).
  void SetRowCounter(RowCounter counter) { row_counter_ = std::move(counter); }
  const RowCounter& row_counter() const { return row_counter_; }

  // The latest snapshot; nullptr before the first one arrived.
  std::shared_ptr<const rpc::Catalog> catalog() const;
  // The latest snapshot, or code 1 "service not ready" before the first one arrived.
  Result<std::shared_ptr<const rpc::Catalog>> ReadyCatalog() const;
  // Waits until the cached catalog's revision is at least `revision`; 10001 (kDeadlineExceeded)
  // when `deadline_us` (Env::MonotonicMicros) passes first.
  Status WaitForRevision(rpc::CatalogRevision revision, uint64_t deadline_us);

  // Lookups with Milvus's errors: 800 "database not found[database=D]", 100 "can't find
  // collection[database=D][collection=C]" (by name or alias).
  static Result<const rpc::DatabaseInfo*> FindDatabase(const rpc::Catalog& catalog,
                                                       const std::string& db_name);
  static Result<const rpc::CollectionInfo*> FindCollection(const rpc::Catalog& catalog,
                                                           const std::string& db_name,
                                                           const std::string& name);

  rpc::CoordClient& coord() { return *coord_; }
  Env* env() const { return env_; }
  const ProxyOptions& options() const { return options_; }
  ProxyMetrics& metrics() { return metrics_; }
  // Prometheus text of the proxy's metrics (for the role's /metrics).
  void AppendMetrics(std::string* out) const;

 private:
  void FollowLoop();
  void Install(rpc::Catalog catalog);
  // Writes the envelope for a finished request (timeout, error or `envelope`) and records it.
  void Finish(const std::string& route, uint64_t start_us, uint64_t deadline_us,
              const Status& status, nlohmann::json* envelope, rpc::Response* response);

  Env* env_ = nullptr;
  rpc::HttpServer* server_ = nullptr;
  ProxyOptions options_;
  std::unique_ptr<rpc::CoordClient> coord_;
  RowCounter row_counter_;
  ProxyMetrics metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;                   // catalog installed or stopping
  std::shared_ptr<const rpc::Catalog> catalog_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                        // GUARDED_BY(mu_)
  std::thread follower_;
};

}  // namespace vdb::proxy
