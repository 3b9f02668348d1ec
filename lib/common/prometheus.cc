#include "common/prometheus.h"

#include <cmath>
#include <cstdio>

namespace vdb {
namespace {

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  if (v == std::trunc(v) && std::fabs(v) < 9.007199254740992e15) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof(buf), "%.17g", v);
  }
  return buf;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void AppendMetricFamily(std::string* out, std::string_view name, std::string_view help,
                        MetricType type, const std::vector<MetricSample>& samples) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += type == MetricType::kCounter ? " counter\n" : " gauge\n";
  for (const MetricSample& s : samples) {
    *out += name;
    if (!s.labels.empty()) {
      *out += '{';
      for (size_t i = 0; i < s.labels.size(); ++i) {
        if (i > 0) *out += ',';
        *out += s.labels[i].first + "=\"" + EscapeLabelValue(s.labels[i].second) + "\"";
      }
      *out += '}';
    }
    *out += ' ';
    *out += FormatValue(s.value);
    *out += '\n';
  }
}

void AppendMetric(std::string* out, std::string_view name, std::string_view help, MetricType type,
                  double value) {
  AppendMetricFamily(out, name, help, type, {MetricSample{{}, value}});
}

}  // namespace vdb
