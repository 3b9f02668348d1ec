#include "proxy/proxy.h"

#include <algorithm>
#include <chrono>

#include "common/env.h"
#include "common/logging.h"
#include "proxy/ddl_routes.h"
#include "proxy/entities.h"
#include "rpc/envelope.h"
#include "rpc/http.h"

namespace vdb::proxy {

using nlohmann::json;

namespace {

// Milvus's error envelope for any Status: the carried code, else the status_map default.
json ErrorFor(const Status& status) {
  int code = rpc::MilvusCodeOf(status);
  if (code == rpc::kMilvusOk) code = rpc::kMilvusUnexpected;
  if (code == rpc::kMilvusTimeout) return rpc::ErrorEnvelope(code, "request timeout");
  return rpc::ErrorEnvelope(code, rpc::MilvusMessageOf(status));
}

void WriteMilvusError(const Status& status, rpc::Response* response) {
  rpc::WriteEnvelope(ErrorFor(status.ok() ? Status::Internal("error without a cause") : status),
                     response);
}

// The code of an envelope a raw handler wrote ({"code":N,...} first), for the metrics only.
int LeadingCode(std::string_view body) {
  constexpr std::string_view kKey = "\"code\":";
  size_t at = body.substr(0, 32).find(kKey);
  if (at == std::string_view::npos) return rpc::kMilvusOk;
  int code = 0;
  for (size_t i = at + kKey.size(); i < body.size() && i < at + 20; ++i) {
    char c = body[i];
    if (c < '0' || c > '9') break;
    code = code * 10 + (c - '0');
  }
  return code;
}

}  // namespace

Proxy::Proxy() = default;

Proxy::~Proxy() { Stop(); }

Status Proxy::Start(Env* env, rpc::HttpServer* server, const std::string& coord_address,
                    ProxyOptions options) {
  env_ = env;
  server_ = server;
  options_ = std::move(options);
  coord_ = std::make_unique<rpc::CoordClient>(coord_address, options_.coord);
  server_->SetErrorHandler(WriteMilvusError);
  RegisterDdlRoutes(*this);
  RegisterEntityRoutes(*this, *server_);

  auto first = coord_->GetCatalog(0, 0);
  if (first.ok() && first->has_value()) {
    Install(std::move(**first));
  } else if (!first.ok()) {
    VDB_LOG(WARNING) << "proxy: first catalog fetch from " << coord_address
                     << " failed (will retry): " << first.status().ToString();
  }
  follower_ = std::thread([this] { FollowLoop(); });
  return Status::OK();
}

void Proxy::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (follower_.joinable()) follower_.join();
}

void Proxy::FollowLoop() {
  uint64_t next_heartbeat_us = 0;
  bool failing = false;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    uint64_t now = env_->MonotonicMicros();
    if (!options_.advertise_address.empty() && now >= next_heartbeat_us) {
      next_heartbeat_us = now + static_cast<uint64_t>(options_.heartbeat_interval_ms) * 1000;
      auto hb =
          coord_->Heartbeat(rpc::NodeRole::kProxy, options_.node_id, options_.advertise_address);
      if (!hb.ok() && !failing) {
        VDB_LOG(WARNING) << "proxy heartbeat: " << hb.status().ToString();
      }
    }
    rpc::CatalogRevision since = 0;
    if (auto cat = catalog()) since = cat->revision;
    auto next = coord_->GetCatalog(since, options_.catalog_poll_ms);
    if (!next.ok()) {
      if (!failing) {
        VDB_LOG(WARNING) << "proxy catalog poll: " << next.status().ToString();
      }
      failing = true;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
      continue;
    }
    failing = false;
    if (next->has_value()) Install(std::move(**next));
  }
}

void Proxy::Install(rpc::Catalog catalog) {
  auto snapshot = std::make_shared<const rpc::Catalog>(std::move(catalog));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (catalog_ != nullptr && catalog_->revision >= snapshot->revision) return;
    catalog_ = std::move(snapshot);
  }
  cv_.notify_all();
}

std::shared_ptr<const rpc::Catalog> Proxy::catalog() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_;
}

Result<std::shared_ptr<const rpc::Catalog>> Proxy::ReadyCatalog() const {
  auto cat = catalog();
  if (cat == nullptr) {
    return rpc::WithMilvusCode(
        kMilvusNotReady, Status::Unavailable("service not ready: no catalog from the coordinator"));
  }
  return cat;
}

Status Proxy::WaitForRevision(rpc::CatalogRevision revision, uint64_t deadline_us) {
  std::unique_lock<std::mutex> lock(mu_);
  while (catalog_ == nullptr || catalog_->revision < revision) {
    uint64_t now = env_->MonotonicMicros();
    if (now >= deadline_us || stopping_) {
      return Status::DeadlineExceeded("catalog revision " + std::to_string(revision) +
                                      " not seen before the request deadline");
    }
    uint64_t wait_us = std::min<uint64_t>(deadline_us - now, 100'000);
    cv_.wait_for(lock, std::chrono::microseconds(wait_us));
  }
  return Status::OK();
}

Result<const rpc::DatabaseInfo*> Proxy::FindDatabase(const rpc::Catalog& catalog,
                                                     const std::string& db_name) {
  const rpc::DatabaseInfo* db = catalog.FindDatabase(db_name);
  if (db == nullptr) {
    return rpc::WithMilvusCode(kMilvusDatabaseNotFound,
                               Status::NotFound("database not found[database=" + db_name + "]"));
  }
  return db;
}

Result<const rpc::CollectionInfo*> Proxy::FindCollection(const rpc::Catalog& catalog,
                                                         const std::string& db_name,
                                                         const std::string& name) {
  VDB_RETURN_IF_ERROR(FindDatabase(catalog, db_name).status());
  const rpc::CollectionInfo* c = catalog.FindCollection(db_name, name);
  if (c == nullptr) {
    return rpc::WithMilvusCode(kMilvusCollectionNotFound,
                               Status::NotFound("can't find collection[database=" + db_name +
                                                "][collection=" + name + "]"));
  }
  return c;
}

void Proxy::Route(std::string_view path, ApiHandler handler) {
  std::string route(path);
  server_->Route("POST", std::string(kApiPrefix) + route,
                 [this, route, handler = std::move(handler)](const rpc::Request& request,
                                                             rpc::Response* response) {
                   uint64_t start = env_->MonotonicMicros();
                   ApiCall call;
                   call.http = &request;
                   call.allow_int64 = AllowInt64(request, options_.accept_int64_default);
                   call.deadline_us = start + static_cast<uint64_t>(RequestTimeoutMs(
                                                  request, options_.default_timeout_ms)) *
                                                  1000;
                   json envelope;
                   Status status = [&]() -> Status {
                     VDB_ASSIGN_OR_RETURN(call.body, JsonBody::Parse(request.body));
                     VDB_ASSIGN_OR_RETURN(std::string db, call.body.String("dbName"));
                     call.db_name = ResolveDbName(db, request);
                     VDB_ASSIGN_OR_RETURN(json data, handler(call));
                     envelope = rpc::SuccessEnvelope(std::move(data));
                     for (auto it = call.extra.begin(); it != call.extra.end(); ++it) {
                       envelope[it.key()] = *it;
                     }
                     return Status::OK();
                   }();
                   Finish(route, start, call.deadline_us, status, &envelope, response);
                   return Status::OK();
                 });
}

void Proxy::RouteRaw(std::string_view path, RawHandler handler) {
  std::string route(path);
  server_->Route("POST", std::string(kApiPrefix) + route,
                 [this, route, handler = std::move(handler)](const rpc::Request& request,
                                                             rpc::Response* response) {
                   uint64_t start = env_->MonotonicMicros();
                   RawCall call;
                   call.http = &request;
                   call.allow_int64 = AllowInt64(request, options_.accept_int64_default);
                   call.deadline_us = start + static_cast<uint64_t>(RequestTimeoutMs(
                                                  request, options_.default_timeout_ms)) *
                                                  1000;
                   Status status = handler(call, response);
                   json envelope;  // null: the handler wrote the response
                   Finish(route, start, call.deadline_us, status, &envelope, response);
                   return Status::OK();
                 });
}

void Proxy::Finish(const std::string& route, uint64_t start_us, uint64_t deadline_us,
                   const Status& status, json* envelope, rpc::Response* response) {
  uint64_t end = env_->MonotonicMicros();
  int code = rpc::kMilvusOk;
  if (end > deadline_us) {
    code = rpc::kMilvusTimeout;
    *response = rpc::Response();
    rpc::WriteEnvelope(rpc::ErrorEnvelope(code, "request timeout"), response);
  } else if (!status.ok()) {
    json error = ErrorFor(status);
    code = error["code"].get<int>();
    *response = rpc::Response();
    rpc::WriteEnvelope(error, response);
  } else if (!envelope->is_null()) {
    rpc::WriteEnvelope(*envelope, response);
  } else {
    code = LeadingCode(response->body);
  }
  response->headers.emplace("Access-Control-Allow-Origin", "*");
  metrics_.Record(route, code, end - start_us);
}

void Proxy::AppendMetrics(std::string* out) const { metrics_.AppendPrometheus(out); }

}  // namespace vdb::proxy
