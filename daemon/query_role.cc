// The query role for vdbd node: opens the object store under the data dir, a coordinator client
// and a query::QueryNode serving the /internal/query/* routes (lib/query/query_node.h).
#include <memory>
#include <string>

#include "common/env.h"
#include "common/prometheus.h"
#include "daemon/role.h"
#include "query/query_node.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"
#include "storage/object_store.h"

namespace vdb::daemon {
namespace {

class QueryRole final : public Role {
 public:
  Status Start(NodeContext& ctx) override {
    if (ctx.coord_address.empty()) {
      return Status::InvalidArgument("query node " + std::to_string(ctx.id) +
                                     ": no coordinator address");
    }
    VDB_ASSIGN_OR_RETURN(store_, storage::OpenLocalObjectStore(ctx.env, ctx.data_dir + "/objects"));
    coord_ = std::make_unique<rpc::CoordClient>(ctx.coord_address);
    VDB_ASSIGN_OR_RETURN(node_, query::QueryNode::Start(ctx.env, store_.get(), coord_.get(),
                                                        NodeId(ctx.id), ctx.address));
    node_->RegisterRoutes(ctx.server);
    return Status::OK();
  }

  // The node object stays alive (the server's handlers may still run) until the role is gone.
  void Stop() override {
    if (node_ != nullptr) node_->Stop();
  }

  void AppendMetrics(std::string* out) override {
    if (node_ == nullptr) return;
    const query::QueryNodeStats s = node_->stats();
    auto gauge = [out](const char* name, const char* help, double value) {
      AppendMetric(out, name, help, MetricType::kGauge, value);
    };
    auto counter = [out](const char* name, const char* help, double value) {
      AppendMetric(out, name, help, MetricType::kCounter, value);
    };
    gauge("vdb_query_segments_loaded", "Sealed segments served.", s.segments_loaded);
    gauge("vdb_query_rows_loaded", "Rows of the sealed segments served.", s.rows_loaded);
    gauge("vdb_query_indexes_loaded", "Vector indexes installed.", s.indexes_loaded);
    gauge("vdb_query_catalog_revision", "The newest catalog revision seen.",
          static_cast<double>(s.catalog_revision));
    counter("vdb_query_load_failures_total", "Segment or index loads that failed.",
            s.load_failures);
    counter("vdb_query_searches_total", "Searches served.", s.searches);
    counter("vdb_query_gets_total", "Gets served.", s.gets);
    counter("vdb_query_counts_total", "Counts served.", s.counts);
    counter("vdb_query_deletes_pulled_total", "Deletes pulled from streaming nodes.",
            s.deletes_pulled);
  }

 private:
  // Declaration order is destruction order in reverse: the node goes before what it borrows.
  std::unique_ptr<storage::ObjectStore> store_;
  std::unique_ptr<rpc::CoordClient> coord_;
  std::unique_ptr<query::QueryNode> node_;
};

}  // namespace

std::unique_ptr<Role> NewQueryRole() { return std::make_unique<QueryRole>(); }

}  // namespace vdb::daemon
