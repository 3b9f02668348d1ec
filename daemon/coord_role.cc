// The coordinator role for vdbd node: opens the SQLite meta store under the data dir, the
// coord::Coordinator on it, and serves the control-plane routes (lib/coord/coord_service.h).
#include <memory>
#include <string>

#include "common/env.h"
#include "coord/coord_service.h"
#include "coord/coordinator.h"
#include "daemon/role.h"
#include "meta/sqlite_meta_store.h"
#include "rpc/http.h"

namespace vdb::daemon {
namespace {

class CoordRole final : public Role {
 public:
  Status Start(NodeContext& ctx) override {
    std::string meta_dir = ctx.data_dir + "/meta";
    VDB_RETURN_IF_ERROR(ctx.env->CreateDirs(meta_dir));
    meta::SqliteOptions options;
    options.env = ctx.env;
    VDB_ASSIGN_OR_RETURN(store_, meta::OpenSqliteMetaStore(meta_dir + "/meta.sqlite3", options));
    VDB_ASSIGN_OR_RETURN(coord_, coord::Coordinator::Open(ctx.env, store_.get()));
    service_ = std::make_unique<coord::CoordService>(coord_.get());
    service_->RegisterRoutes(ctx.server);
    service_->StartTicker();
    return Status::OK();
  }

  void Stop() override {
    if (service_ != nullptr) service_->StopTicker();
  }

 private:
  // Destroyed in reverse: the service before the coordinator before the store it uses.
  std::unique_ptr<meta::MetaStore> store_;
  std::unique_ptr<coord::Coordinator> coord_;
  std::unique_ptr<coord::CoordService> service_;
};

}  // namespace

std::unique_ptr<Role> NewCoordRole() { return std::make_unique<CoordRole>(); }

}  // namespace vdb::daemon
