// The coordinator role for vdbd node: opens the SQLite meta store under the data dir, the
// coord::Coordinator on it, and serves the control-plane routes (lib/coord/coord_service.h).
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/prometheus.h"
#include "coord/coord_service.h"
#include "coord/coordinator.h"
#include "daemon/role.h"
#include "meta/sqlite_meta_store.h"
#include "rpc/catalog.h"
#include "rpc/http.h"

namespace vdb::daemon {
namespace {

class CoordRole final : public Role {
 public:
  Status Start(NodeContext& ctx) override {
    std::string meta_dir = ctx.data_dir + "/meta";
    VDB_RETURN_IF_ERROR(ctx.env->CreateDirs(meta_dir));
    meta::SqliteOptions options;
    options.env = ctx.env;
    VDB_ASSIGN_OR_RETURN(store_, meta::OpenSqliteMetaStore(meta_dir + "/meta.sqlite3", options));
    VDB_ASSIGN_OR_RETURN(coord_, coord::Coordinator::Open(ctx.env, store_.get()));
    service_ = std::make_unique<coord::CoordService>(coord_.get());
    service_->RegisterRoutes(ctx.server);
    service_->StartTicker();
    return Status::OK();
  }

  void Stop() override {
    if (service_ != nullptr) service_->StopTicker();
  }

  // The catalog as the coordinator holds it: what exists, how much is committed, who is alive.
  void AppendMetrics(std::string* out) override {
    if (coord_ == nullptr) return;
    const rpc::Catalog cat = coord_->Snapshot();
    AppendMetric(out, "vdb_coord_catalog_revision", "Revision of the catalog.", MetricType::kGauge,
                 static_cast<double>(cat.revision));
    AppendMetric(out, "vdb_coord_databases", "Databases.", MetricType::kGauge,
                 static_cast<double>(cat.databases.size()));
    AppendMetric(out, "vdb_coord_collections", "Collections.", MetricType::kGauge,
                 static_cast<double>(cat.collections.size()));
    AppendMetric(out, "vdb_coord_channels", "Shards (WAL channels) of every collection.",
                 MetricType::kGauge, static_cast<double>(cat.channels.size()));
    std::map<std::string, std::pair<double, double>> by_state;  // state -> (segments, rows)
    for (rpc::SegmentState st :
         {rpc::SegmentState::kFlushed, rpc::SegmentState::kIndexed, rpc::SegmentState::kDropped}) {
      by_state[std::string(rpc::SegmentStateName(st))] = {0, 0};
    }
    for (const rpc::SegmentInfo& seg : cat.segments) {
      auto& [segments, rows] = by_state[std::string(rpc::SegmentStateName(seg.state))];
      segments += 1;
      rows += static_cast<double>(seg.rows);
    }
    std::vector<MetricSample> segments, rows;
    for (const auto& [state, counts] : by_state) {
      segments.push_back({{{"state", state}}, counts.first});
      rows.push_back({{{"state", state}}, counts.second});
    }
    AppendMetricFamily(out, "vdb_coord_segments", "Committed sealed segments by state.",
                       MetricType::kGauge, segments);
    AppendMetricFamily(out, "vdb_coord_segment_rows", "Rows of committed sealed segments by state.",
                       MetricType::kGauge, rows);
    std::map<std::pair<std::string, std::string>, double> nodes;
    for (rpc::NodeRole role : {rpc::NodeRole::kStreaming, rpc::NodeRole::kQuery,
                               rpc::NodeRole::kData, rpc::NodeRole::kProxy}) {
      nodes[{std::string(rpc::NodeRoleName(role)), "alive"}] = 0;
      nodes[{std::string(rpc::NodeRoleName(role)), "dead"}] = 0;
    }
    for (const rpc::NodeInfo& n : cat.nodes) {
      nodes[{std::string(rpc::NodeRoleName(n.role)), n.alive ? "alive" : "dead"}] += 1;
    }
    std::vector<MetricSample> node_samples;
    for (const auto& [key, count] : nodes) {
      node_samples.push_back({{{"role", key.first}, {"state", key.second}}, count});
    }
    AppendMetricFamily(out, "vdb_coord_nodes", "Registered worker nodes by role and liveness.",
                       MetricType::kGauge, node_samples);
    AppendMetric(out, "vdb_coord_index_jobs_pending", "Index builds queued or running.",
                 MetricType::kGauge, static_cast<double>(coord_->PendingJobCount()));
  }

 private:
  // Destroyed in reverse: the service before the coordinator before the store it uses.
  std::unique_ptr<meta::MetaStore> store_;
  std::unique_ptr<coord::Coordinator> coord_;
  std::unique_ptr<coord::CoordService> service_;
};

}  // namespace

std::unique_ptr<Role> NewCoordRole() { return std::make_unique<CoordRole>(); }

}  // namespace vdb::daemon
