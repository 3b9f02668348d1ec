// The proxy role: the public Milvus REST API (lib/proxy) on the node's HTTP server, following the
// coordinator at ctx.coord_address.
#include <memory>

#include "daemon/role.h"
#include "proxy/proxy.h"

namespace vdb::daemon {

namespace {

class ProxyRole final : public Role {
 public:
  Status Start(NodeContext& ctx) override {
    if (ctx.coord_address.empty()) {
      return Status::InvalidArgument("proxy " + std::to_string(ctx.id) +
                                     ": no coordinator address");
    }
    proxy::ProxyOptions options;
    options.node_id = NodeId(ctx.id);
    options.advertise_address = ctx.address;
    return proxy_.Start(ctx.env, ctx.server, ctx.coord_address, options);
  }
  void Stop() override { proxy_.Stop(); }
  void AppendMetrics(std::string* out) override { proxy_.AppendMetrics(out); }

 private:
  proxy::Proxy proxy_;
};

}  // namespace

std::unique_ptr<Role> NewProxyRole() { return std::make_unique<ProxyRole>(); }

}  // namespace vdb::daemon
