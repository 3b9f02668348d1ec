// Used only while lib/proxy has no entities*.cc: the entity routes are absent (404).
#include "proxy/entities.h"

namespace vdb::proxy {

void RegisterEntityRoutes(Proxy&, rpc::HttpServer&) {}

}  // namespace vdb::proxy
