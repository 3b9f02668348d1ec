// The data role for vdbd node: a data::DataNode that claims the coordinator's jobs (index builds)
// and writes their output to the object store under the data dir.
#include <memory>
#include <string>

#include "common/env.h"
#include "common/prometheus.h"
#include "daemon/role.h"
#include "data/data_node.h"
#include "rpc/coord_client.h"
#include "storage/object_store.h"

namespace vdb::daemon {
namespace {

class DataRole final : public Role {
 public:
  Status Start(NodeContext& ctx) override {
    if (ctx.coord_address.empty()) {
      return Status::InvalidArgument("data node " + std::to_string(ctx.id) +
                                     ": no coordinator address");
    }
    VDB_ASSIGN_OR_RETURN(store_, storage::OpenLocalObjectStore(ctx.env, ctx.data_dir + "/objects"));
    coord_ = std::make_unique<rpc::CoordClient>(ctx.coord_address);
    VDB_ASSIGN_OR_RETURN(node_, data::DataNode::Start(ctx.env, store_.get(), coord_.get(),
                                                      NodeId(ctx.id), ctx.address));
    return Status::OK();
  }

  void Stop() override {
    if (node_ != nullptr) node_->Stop();
  }

  void AppendMetrics(std::string* out) override {
    if (node_ == nullptr) return;
    const data::DataNodeStats s = node_->stats();
    auto counter = [out](const char* name, const char* help, double value) {
      AppendMetric(out, name, help, MetricType::kCounter, value);
    };
    counter("vdb_data_jobs_done_total", "Index builds committed.", s.jobs_done);
    counter("vdb_data_jobs_failed_total", "Index builds that failed.", s.jobs_failed);
    counter("vdb_data_jobs_abandoned_total",
            "Index builds stopped half-way or whose lease was lost.", s.jobs_abandoned);
    counter("vdb_data_rows_indexed_total", "Rows of committed index builds.", s.rows_indexed);
    counter("vdb_data_index_bytes_written_total", "Index bytes put into the object store.",
            s.bytes_written);
    counter("vdb_data_build_seconds_total", "Time spent building indexes.", s.build_seconds);
    counter("vdb_data_heartbeat_failures_total", "Heartbeats the coordinator did not answer.",
            s.heartbeat_failures);
  }

 private:
  std::unique_ptr<storage::ObjectStore> store_;
  std::unique_ptr<rpc::CoordClient> coord_;
  std::unique_ptr<data::DataNode> node_;
};

}  // namespace

std::unique_ptr<Role> NewDataRole() { return std::make_unique<DataRole>(); }

}  // namespace vdb::daemon
