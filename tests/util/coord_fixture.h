// CoordFixture: an in-process coordinator for tests of the roles that talk to it over HTTP. It owns
// an in-memory SQLite meta store, the Coordinator over it, and a CoordService whose routes are
// served on 127.0.0.1 at a free port. Header-only so that each test target links only the
// libraries it already names (vdb_coord, vdb_meta, vdb_rpc).
#pragma once

#include <memory>
#include <string>

#include "common/env.h"
#include "common/status.h"
#include "coord/coord_service.h"
#include "coord/coordinator.h"
#include "meta/sqlite_meta_store.h"
#include "rpc/http.h"

namespace vdb::test {

class CoordFixture {
 public:
  CoordFixture() = default;
  ~CoordFixture() { Stop(); }
  CoordFixture(const CoordFixture&) = delete;
  CoordFixture& operator=(const CoordFixture&) = delete;

  // Opens the coordinator with `env` for its clocks and starts serving its routes.
  Status Start(Env* env = Env::Default(), coord::CoordServiceOptions options = {}) {
    VDB_ASSIGN_OR_RETURN(meta_, meta::OpenSqliteMetaStore(":memory:"));
    VDB_ASSIGN_OR_RETURN(coord_, coord::Coordinator::Open(env, meta_.get()));
    service_ = std::make_unique<coord::CoordService>(coord_.get(), options);
    service_->RegisterRoutes(&server_);
    VDB_ASSIGN_OR_RETURN(int port, server_.Bind("127.0.0.1", 0));
    VDB_RETURN_IF_ERROR(server_.Start());
    address_ = "127.0.0.1:" + std::to_string(port);
    return Status::OK();
  }

  // Stops serving (waits out idle keep-alive connections: reset clients first), then the
  // service's ticker. Idempotent; the destructor calls it.
  void Stop() {
    server_.Stop();
    if (service_) service_->StopTicker();
  }

  coord::Coordinator* coord() const { return coord_.get(); }
  // "127.0.0.1:port", once Start() succeeded.
  const std::string& address() const { return address_; }

 private:
  std::unique_ptr<meta::MetaStore> meta_;
  std::unique_ptr<coord::Coordinator> coord_;
  std::unique_ptr<coord::CoordService> service_;
  rpc::HttpServer server_;  // declared last: stops before the service it calls is destroyed
  std::string address_;
};

}  // namespace vdb::test
