// Prometheus text exposition (format 0.0.4) for every node's /metrics: a metric family's HELP and
// TYPE lines and its samples, with label values escaped. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vdb {

enum class MetricType { kCounter, kGauge };

// One sample's labels, e.g. {{"role", "query"}, {"state", "alive"}}; empty for none.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

struct MetricSample {
  MetricLabels labels;
  double value = 0;
};

// Appends "# HELP name help", "# TYPE name counter|gauge" and one line per sample. Integral values
// print without a fraction; NaN and infinities as Prometheus spells them.
void AppendMetricFamily(std::string* out, std::string_view name, std::string_view help,
                        MetricType type, const std::vector<MetricSample>& samples);

// A family with a single unlabelled sample.
void AppendMetric(std::string* out, std::string_view name, std::string_view help, MetricType type,
                  double value);

// `value` with backslash, double quote and newline escaped for a label value.
std::string EscapeLabelValue(std::string_view value);

}  // namespace vdb
