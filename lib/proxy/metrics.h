// Per-route request counters (by Milvus code) and latency histograms of the public API, rendered
// as Prometheus text. Thread-safe (one mutex; recording is a map lookup and a few increments).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace vdb::proxy {

class ProxyMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implicit).
  static constexpr std::array<double, 12> kBucketsS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  // One finished request of `route` ("collections/create") answered with `milvus_code`.
  void Record(std::string_view route, int milvus_code, uint64_t latency_us);

  // Rows written or read by kind: "inserted", "upserted", "deleted" (keys named by deletes),
  // "searched" (query vectors), "returned" (rows in search, query and get answers).
  void AddRows(std::string_view kind, uint64_t n);

  // Appends vdb_proxy_requests_total{route,code}, vdb_proxy_request_duration_seconds{route} and
  // vdb_proxy_rows_total{kind}.
  void AppendPrometheus(std::string* out) const;

  // Requests of `route` answered with `milvus_code` so far (tests).
  uint64_t Count(std::string_view route, int milvus_code) const;

 private:
  struct RouteStats {
    std::map<int, uint64_t> by_code;
    std::array<uint64_t, kBucketsS.size() + 1> buckets{};  // last: +Inf
    uint64_t count = 0;
    double sum_s = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, RouteStats, std::less<>> routes_;  // GUARDED_BY(mu_)
  std::map<std::string, uint64_t, std::less<>> rows_;      // GUARDED_BY(mu_)
};

}  // namespace vdb::proxy
