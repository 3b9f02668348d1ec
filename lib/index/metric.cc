#include "index/metric.h"

#include <string>

namespace vdb::index {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

constexpr Metric kAllMetrics[] = {Metric::kL2, Metric::kInnerProduct, Metric::kCosine,
                                  Metric::kHamming, Metric::kJaccard};

}  // namespace

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kL2:
      return "L2";
    case Metric::kInnerProduct:
      return "IP";
    case Metric::kCosine:
      return "COSINE";
    case Metric::kHamming:
      return "HAMMING";
    case Metric::kJaccard:
      return "JACCARD";
  }
  return "UNKNOWN";
}

Result<Metric> ParseMetric(std::string_view name) {
  for (Metric m : kAllMetrics) {
    if (EqualsIgnoreCase(name, MetricName(m))) return m;
  }
  return Status::InvalidArgument("unknown metric \"" + std::string(name) +
                                 "\" (want L2, IP, COSINE, HAMMING or JACCARD)");
}

}  // namespace vdb::index
