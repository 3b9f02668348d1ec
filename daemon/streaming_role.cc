// The streaming role for vdbd node: a streaming::StreamingProcess (WALs of the channels bound to
// this node, growing segments, flushes) serving the /internal/stream/* routes.
#include <memory>
#include <string>

#include "daemon/role.h"
#include "streaming/streaming_process.h"

namespace vdb::daemon {
namespace {

class StreamingRole final : public Role {
 public:
  Status Start(NodeContext& ctx) override {
    if (ctx.coord_address.empty()) {
      return Status::InvalidArgument("streaming node " + std::to_string(ctx.id) +
                                     ": no coordinator address");
    }
    streaming::StreamingProcessParams params;
    params.env = ctx.env;
    params.node_id = NodeId(ctx.id);
    params.data_dir = ctx.data_dir;
    params.address = ctx.address;
    params.coord_address = ctx.coord_address;
    VDB_ASSIGN_OR_RETURN(process_, streaming::StreamingProcess::Start(params, ctx.server));
    return Status::OK();
  }

  void Stop() override {
    if (process_ != nullptr) process_->Stop();
  }

  void AppendMetrics(std::string* out) override {
    if (process_ != nullptr) process_->AppendMetrics(out);
  }

 private:
  std::unique_ptr<streaming::StreamingProcess> process_;
};

}  // namespace

std::unique_ptr<Role> NewStreamingRole() { return std::make_unique<StreamingRole>(); }

}  // namespace vdb::daemon
