// The seam between the process machinery (vdbd node) and what a node does. Each role (coord,
// streaming, query, data, proxy) implements Role and is registered by name; the supervisor and
// node main never change when a role gains logic. Registry calls are not thread-safe: register
// before starting nodes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace vdb {
class Env;
namespace rpc {
class HttpServer;
}
}  // namespace vdb

namespace vdb::daemon {

// What a node gets from vdbd node. Borrowed pointers stay valid until after Role::Stop().
struct NodeContext {
  std::string role;
  int id = 0;
  std::string data_dir;
  std::string coord_address;  // "host:port" of the coordinator; empty for the coordinator
  std::string address;        // "host:port" this node's HTTP server is bound to
  Env* env = nullptr;
  rpc::HttpServer* server = nullptr;  // bound, not yet serving: Start() may add routes
};

class Role {
 public:
  virtual ~Role() = default;
  // Opens stores, registers routes on ctx.server, starts background work. A non-OK Status makes
  // the node exit non-zero (the supervisor restarts it with backoff).
  virtual Status Start(NodeContext& ctx) = 0;
  // Stops background work; called once on SIGTERM after Start() succeeded, before the HTTP
  // server stops.
  virtual void Stop() = 0;
  // Appends role-specific Prometheus text to /metrics.
  virtual void AppendMetrics(std::string* out) {}
};

using RoleFactory = std::function<std::unique_ptr<Role>()>;

// Role names in start-up order: coord, streaming, query, data, proxy.
const std::vector<std::string>& RoleNames();
// Replaces the factory for `name`. REQUIRES: name is one of RoleNames().
void RegisterRole(const std::string& name, RoleFactory factory);
// A new instance of the role; nullptr when `name` is unknown. Roles without a registered factory
// get a role that only serves /healthz and /metrics.
std::unique_ptr<Role> CreateRole(const std::string& name);

// Registers the roles implemented by lib/{coord,streaming,query,data,proxy}; defined in
// builtin_roles.cc, the one place that links a role library into vdbd. Called by main.
void RegisterBuiltinRoles();

}  // namespace vdb::daemon
