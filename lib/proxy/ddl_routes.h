// The DDL routes of the public API (databases, collections, partitions, aliases, indexes; every
// §3 endpoint except entities/*), registered on a Proxy during its Start. Handlers are
// thread-safe: they read the proxy's catalog snapshot and call the coordinator.
#pragma once

namespace vdb::proxy {

class Proxy;

void RegisterDdlRoutes(Proxy& proxy);

}  // namespace vdb::proxy
