#include "proxy/metrics.h"

#include <cstdio>
#include <vector>

#include "common/prometheus.h"

namespace vdb::proxy {

void ProxyMetrics::Record(std::string_view route, int milvus_code, uint64_t latency_us) {
  double s = static_cast<double>(latency_us) / 1e6;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.emplace(std::string(route), RouteStats()).first;
  RouteStats& r = it->second;
  ++r.by_code[milvus_code];
  size_t b = 0;
  while (b < kBucketsS.size() && s > kBucketsS[b]) ++b;
  ++r.buckets[b];
  ++r.count;
  r.sum_s += s;
}

void ProxyMetrics::AddRows(std::string_view kind, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rows_.find(kind);
  if (it == rows_.end()) it = rows_.emplace(std::string(kind), 0).first;
  it->second += n;
}

uint64_t ProxyMetrics::Count(std::string_view route, int milvus_code) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) return 0;
  auto c = it->second.by_code.find(milvus_code);
  return c == it->second.by_code.end() ? 0 : c->second;
}

void ProxyMetrics::AppendPrometheus(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  char buf[64];
  *out += "# HELP vdb_proxy_requests_total Public API requests by route and Milvus code.\n";
  *out += "# TYPE vdb_proxy_requests_total counter\n";
  for (const auto& [route, r] : routes_) {
    for (const auto& [code, n] : r.by_code) {
      *out += "vdb_proxy_requests_total{route=\"" + route + "\",code=\"" + std::to_string(code) +
              "\"} " + std::to_string(n) + "\n";
    }
  }
  *out += "# HELP vdb_proxy_request_duration_seconds Public API request latency.\n";
  *out += "# TYPE vdb_proxy_request_duration_seconds histogram\n";
  for (const auto& [route, r] : routes_) {
    std::string prefix = "vdb_proxy_request_duration_seconds_bucket{route=\"" + route + "\",le=\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBucketsS.size(); ++b) {
      cumulative += r.buckets[b];
      std::snprintf(buf, sizeof(buf), "%g", kBucketsS[b]);
      *out += prefix + buf + "\"} " + std::to_string(cumulative) + "\n";
    }
    cumulative += r.buckets[kBucketsS.size()];
    *out += prefix + "+Inf\"} " + std::to_string(cumulative) + "\n";
    std::snprintf(buf, sizeof(buf), "%.6f", r.sum_s);
    *out += "vdb_proxy_request_duration_seconds_sum{route=\"" + route + "\"} " + buf + "\n";
    *out += "vdb_proxy_request_duration_seconds_count{route=\"" + route + "\"} " +
            std::to_string(r.count) + "\n";
  }
  std::vector<MetricSample> rows;
  for (const char* kind : {"inserted", "upserted", "deleted", "searched", "returned"}) {
    auto it = rows_.find(std::string_view(kind));
    rows.push_back({{{"kind", kind}}, static_cast<double>(it == rows_.end() ? 0 : it->second)});
  }
  AppendMetricFamily(out, "vdb_proxy_rows_total",
                     "Rows written (inserted, upserted, deleted keys) and read (query vectors "
                     "searched, rows returned) through the public API.",
                     MetricType::kCounter, rows);
}

}  // namespace vdb::proxy
