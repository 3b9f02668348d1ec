// The query role for vdbd node: opens the object store under the data dir, a coordinator client
// and a query::QueryNode serving the /internal/query/* routes (lib/query/query_node.h).
#include <memory>
#include <string>

#include "common/env.h"
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
    auto gauge = [out](const char* name, const char* help, const char* type, int64_t value) {
      *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
              name + " " + std::to_string(value) + "\n";
    };
    gauge("vdb_query_segments_loaded", "Sealed segments served.", "gauge", s.segments_loaded);
    gauge("vdb_query_rows_loaded", "Rows of the sealed segments served.", "gauge", s.rows_loaded);
    gauge("vdb_query_indexes_loaded", "Vector indexes installed.", "gauge", s.indexes_loaded);
    gauge("vdb_query_load_failures_total", "Segment or index loads that failed.", "counter",
          s.load_failures);
    gauge("vdb_query_searches_total", "Searches served.", "counter", s.searches);
    gauge("vdb_query_gets_total", "Gets served.", "counter", s.gets);
    gauge("vdb_query_counts_total", "Counts served.", "counter", s.counts);
    gauge("vdb_query_deletes_pulled_total", "Deletes pulled from streaming nodes.", "counter",
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
