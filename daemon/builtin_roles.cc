// The one place where role libraries plug into vdbd: each lib/<role> exposes a Role subclass and
// gets one RegisterRole line here (plus its library in daemon/CMakeLists.txt). Roles not listed
// run as health-only nodes.
#include "daemon/role.h"

namespace vdb::daemon {

std::unique_ptr<Role> NewQueryRole();  // daemon/query_role.cc
std::unique_ptr<Role> NewProxyRole();  // daemon/proxy_role.cc

void RegisterBuiltinRoles() {
  RegisterRole("query", [] { return NewQueryRole(); });
  RegisterRole("proxy", [] { return NewProxyRole(); });
  // e.g. RegisterRole("coord", [] { return coord::NewCoordRole(); });
}

}  // namespace vdb::daemon
