// The seam for the entity routes (entities/insert, upsert, delete, get, query, search,
// hybrid_search): Proxy::Start calls RegisterEntityRoutes while it registers its routes. The
// definition lives in entities*.cc; while those files do not exist, no_entities.cc provides an
// empty one (lib/proxy/CMakeLists.txt picks whichever is present).
#pragma once

namespace vdb::rpc {
class HttpServer;
}  // namespace vdb::rpc

namespace vdb::proxy {

class Proxy;

// Registers the entity routes through proxy.Route / proxy.RouteRaw and may install
// proxy.SetRowCounter. Called once, before `server` starts.
void RegisterEntityRoutes(Proxy& proxy, rpc::HttpServer& server);

}  // namespace vdb::proxy
