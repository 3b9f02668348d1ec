// StreamService: the streaming node's data-plane routes (rpc/data_plane.h) on an HttpServer:
// decodes each binary request, calls the StreamingNode and encodes its answer; errors go out as
// rpc::WriteInternalError responses. Thread-safe (the node is).
#pragma once

namespace vdb::rpc {
class HttpServer;
}  // namespace vdb::rpc

namespace vdb::streaming {

class StreamingNode;

class StreamService {
 public:
  // `node` must outlive the service and the server's handlers.
  explicit StreamService(StreamingNode* node) : node_(node) {}
  StreamService(const StreamService&) = delete;
  StreamService& operator=(const StreamService&) = delete;

  // Adds the /internal/stream/* routes. REQUIRES: before server->Start().
  void RegisterRoutes(rpc::HttpServer* server);

 private:
  StreamingNode* const node_;
};

}  // namespace vdb::streaming
