#include "streaming/streaming_process.h"

#include "common/env.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"
#include "storage/object_store.h"
#include "streaming/coord_api.h"
#include "streaming/stream_service.h"

namespace vdb::streaming {

Result<std::unique_ptr<StreamingProcess>> StreamingProcess::Start(
    const StreamingProcessParams& params, rpc::HttpServer* server) {
  std::unique_ptr<StreamingProcess> p(new StreamingProcess());
  p->coord_client_ = std::make_unique<rpc::CoordClient>(params.coord_address);
  p->coord_ = std::make_unique<CoordClientApi>(p->coord_client_.get());
  VDB_ASSIGN_OR_RETURN(
      p->store_, storage::OpenLocalObjectStore(params.env, JoinPath(params.data_dir, "objects")));
  StreamingNodeOptions options = params.options;
  options.node_id = params.node_id;
  options.address = params.address;
  options.data_dir = params.data_dir;
  VDB_ASSIGN_OR_RETURN(p->node_,
                       StreamingNode::Open(params.env, p->coord_.get(), p->store_.get(), options));
  p->service_ = std::make_unique<StreamService>(p->node_.get());
  p->service_->RegisterRoutes(server);
  VDB_RETURN_IF_ERROR(p->node_->Start());
  return p;
}

StreamingProcess::~StreamingProcess() { Stop(); }

void StreamingProcess::Stop() {
  if (node_) node_->Stop();
}

void StreamingProcess::AppendMetrics(std::string* out) {
  if (!node_) return;
  auto channels = node_->OpenChannels();
  *out += "# TYPE vdb_streaming_channels gauge\nvdb_streaming_channels " +
          std::to_string(channels.size()) + "\n";
  *out += "# TYPE vdb_streaming_growing_rows gauge\n";
  std::string tsafe = "# TYPE vdb_streaming_tsafe gauge\n";
  for (const auto& name : channels) {
    auto stats = node_->GetChannelStats(name);
    if (!stats.ok()) continue;
    *out += "vdb_streaming_growing_rows{channel=\"" + name + "\"} " +
            std::to_string(stats->growing_rows) + "\n";
    tsafe += "vdb_streaming_tsafe{channel=\"" + name + "\"} " + std::to_string(stats->tsafe) + "\n";
  }
  *out += tsafe;
}

}  // namespace vdb::streaming
