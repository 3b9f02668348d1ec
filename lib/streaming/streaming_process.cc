#include "streaming/streaming_process.h"

#include <vector>

#include "common/env.h"
#include "common/prometheus.h"
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
  AppendMetric(out, "vdb_streaming_channels", "WAL channels served.", MetricType::kGauge,
               static_cast<double>(channels.size()));
  std::vector<MetricSample> growing, sealed, tsafe, wal_bytes, wal_records, wal_syncs, wal_lsn,
      wal_kept;
  for (const auto& name : channels) {
    auto stats = node_->GetChannelStats(name);
    if (!stats.ok()) continue;
    MetricLabels labels = {{"channel", name}};
    growing.push_back({labels, static_cast<double>(stats->growing_rows)});
    sealed.push_back({labels, static_cast<double>(stats->sealed_segments)});
    tsafe.push_back({labels, static_cast<double>(stats->tsafe)});
    wal_bytes.push_back({labels, static_cast<double>(stats->wal.bytes)});
    wal_records.push_back({labels, static_cast<double>(stats->wal.records)});
    wal_syncs.push_back({labels, static_cast<double>(stats->wal.batches)});
    wal_lsn.push_back({labels, static_cast<double>(stats->last_wal_lsn.value())});
    const uint64_t first = stats->first_wal_lsn.value();
    const uint64_t last = stats->last_wal_lsn.value();
    wal_kept.push_back({labels, static_cast<double>(last >= first ? last - first + 1 : 0)});
  }
  AppendMetricFamily(out, "vdb_streaming_growing_rows", "Rows in growing segments.",
                     MetricType::kGauge, growing);
  AppendMetricFamily(out, "vdb_streaming_sealed_segments",
                     "Sealed segments still served from memory (flushing or awaiting hand-off).",
                     MetricType::kGauge, sealed);
  AppendMetricFamily(out, "vdb_streaming_tsafe", "Timestamp up to which reads are complete.",
                     MetricType::kGauge, tsafe);
  AppendMetricFamily(out, "vdb_streaming_wal_bytes_total",
                     "WAL record bytes written and synced, headers included.", MetricType::kCounter,
                     wal_bytes);
  AppendMetricFamily(out, "vdb_streaming_wal_records_total", "WAL records appended.",
                     MetricType::kCounter, wal_records);
  AppendMetricFamily(out, "vdb_streaming_wal_syncs_total",
                     "WAL group commits (one write and one fdatasync each).", MetricType::kCounter,
                     wal_syncs);
  AppendMetricFamily(out, "vdb_streaming_wal_last_lsn", "LSN of the newest durable WAL record.",
                     MetricType::kGauge, wal_lsn);
  AppendMetricFamily(out, "vdb_streaming_wal_records_kept",
                     "WAL records not yet truncated below the checkpoint.", MetricType::kGauge,
                     wal_kept);
}

}  // namespace vdb::streaming
