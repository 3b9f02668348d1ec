#include "common/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace vdb {
namespace {

TEST(PrometheusTest, SingleSampleHasHelpTypeAndIntegralValue) {
  std::string out;
  AppendMetric(&out, "vdb_rows", "Rows held.", MetricType::kGauge, 1234567.0);
  EXPECT_EQ(out, "# HELP vdb_rows Rows held.\n# TYPE vdb_rows gauge\nvdb_rows 1234567\n");
}

TEST(PrometheusTest, LabelledSamplesAreEscapedAndFractionsKept) {
  std::string out;
  AppendMetricFamily(
      &out, "vdb_x_total", "X.", MetricType::kCounter,
      {{{{"role", "query"}, {"id", "2"}}, 3}, {{{"name", "a\"b\\c\nd"}}, 0.25}, {{}, -7}});
  EXPECT_EQ(out,
            "# HELP vdb_x_total X.\n# TYPE vdb_x_total counter\n"
            "vdb_x_total{role=\"query\",id=\"2\"} 3\n"
            "vdb_x_total{name=\"a\\\"b\\\\c\\nd\"} 0.25\n"
            "vdb_x_total -7\n");
}

TEST(PrometheusTest, SpecialValuesUsePrometheusSpelling) {
  std::string out;
  AppendMetricFamily(&out, "m", "h", MetricType::kGauge,
                     {{{}, std::numeric_limits<double>::infinity()},
                      {{}, -std::numeric_limits<double>::infinity()},
                      {{}, std::nan("")},
                      {{}, 1e300}});
  EXPECT_NE(out.find("m +Inf\n"), std::string::npos) << out;
  EXPECT_NE(out.find("m -Inf\n"), std::string::npos) << out;
  EXPECT_NE(out.find("m NaN\n"), std::string::npos) << out;
  EXPECT_NE(out.find("m 1.0000000000000001e+300\n"), std::string::npos) << out;
}

TEST(PrometheusTest, EmptyFamilyStillDeclaresItself) {
  std::string out;
  AppendMetricFamily(&out, "vdb_none", "Nothing yet.", MetricType::kGauge, {});
  EXPECT_EQ(out, "# HELP vdb_none Nothing yet.\n# TYPE vdb_none gauge\n");
}

}  // namespace
}  // namespace vdb
