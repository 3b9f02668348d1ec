// The one place where role libraries plug into vdbd: each lib/<role> exposes a Role subclass and
// gets one RegisterRole line here (plus its library in daemon/CMakeLists.txt). Roles not listed
// run as health-only nodes.
#include "daemon/role.h"

namespace vdb::daemon {

std::unique_ptr<Role> NewCoordRole();      // daemon/coord_role.cc
std::unique_ptr<Role> NewDataRole();       // daemon/data_role.cc
std::unique_ptr<Role> NewStreamingRole();  // daemon/streaming_role.cc
std::unique_ptr<Role> NewQueryRole();      // daemon/query_role.cc
std::unique_ptr<Role> NewProxyRole();      // daemon/proxy_role.cc

void RegisterBuiltinRoles() {
  RegisterRole("coord", [] { return NewCoordRole(); });
  RegisterRole("streaming", [] { return NewStreamingRole(); });
  RegisterRole("data", [] { return NewDataRole(); });
  RegisterRole("query", [] { return NewQueryRole(); });
  RegisterRole("proxy", [] { return NewProxyRole(); });
}

}  // namespace vdb::daemon
