// StreamingProcess: everything a `vdbd node --role streaming` process runs, in one object, so the
// daemon's role glue is a few lines: the coordinator client, the object store under
// data_dir/objects, the StreamingNode and its data-plane routes. Thread-safe as StreamingNode is.
#pragma once

#include <memory>
#include <string>

#include "common/ids.h"
#include "common/result.h"
#include "streaming/streaming_node.h"

namespace vdb {
class Env;
}  // namespace vdb

namespace vdb::rpc {
class CoordClient;
class HttpServer;
}  // namespace vdb::rpc

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::streaming {

class CoordClientApi;
class StreamService;

struct StreamingProcessParams {
  Env* env = nullptr;
  NodeId node_id;
  std::string data_dir;
  std::string address;           // this node's "host:port" (the server's bound address)
  std::string coord_address;     // the coordinator's "host:port"
  StreamingNodeOptions options;  // node_id, address and data_dir are filled in from above
};

class StreamingProcess {
 public:
  // Opens the object store, the node, registers the /internal/stream/* routes on `server`
  // (bound, not yet serving; it must outlive this object) and starts the node's threads.
  static Result<std::unique_ptr<StreamingProcess>> Start(const StreamingProcessParams& params,
                                                         rpc::HttpServer* server);
  ~StreamingProcess();  // Stop()
  StreamingProcess(const StreamingProcess&) = delete;
  StreamingProcess& operator=(const StreamingProcess&) = delete;

  // Flushes nothing (the WAL is durable); stops heartbeats, catalog polling and maintenance.
  // Call before the HTTP server stops. Idempotent.
  void Stop();
  StreamingNode* node() { return node_.get(); }
  // Prometheus text: open channels, growing rows and tsafe per channel.
  void AppendMetrics(std::string* out);

 private:
  StreamingProcess() = default;

  std::unique_ptr<rpc::CoordClient> coord_client_;
  std::unique_ptr<CoordClientApi> coord_;
  std::unique_ptr<storage::ObjectStore> store_;
  std::unique_ptr<StreamingNode> node_;
  std::unique_ptr<StreamService> service_;
};

}  // namespace vdb::streaming
