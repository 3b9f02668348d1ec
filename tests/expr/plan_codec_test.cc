#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "expr/plan.h"
#include "expr/test_table.h"

namespace vdb::expr {
namespace {

TEST(PlanCodecTest, RoundTripsEveryNodeKind) {
  const char* filters[] = {
      "id > 3 and s like \"a%\"",
      "not (i32 is null) or f <= -2.5",
      "j[\"a\"][0][\"b\"] == 'x' and exists j[\"k\"]",
      "uid in [1, 2.5, \"s\", true, [1]]",
      "array_contains_any(sarr, ['a', 'b']) and array_length(arr) > 1 and arr[2] == 4",
      "json_contains_all(j[\"t\"], [1, 2]) and (id * 3 + 1) % 5 != ~i8 and id << 1 > 0",
      "i32 is not null and b == false and id not in [7]",
      "1 == 1",
  };
  for (const char* f : filters) {
    auto plan = Bind(test::TestSchema(), f, nullptr);
    ASSERT_TRUE(plan.ok()) << f << ": " << plan.status().ToString();
    std::string bytes = EncodePlan(*plan);
    auto back = DecodePlan(bytes);
    ASSERT_TRUE(back.ok()) << f << ": " << back.status().ToString();
    EXPECT_EQ(*back, *plan) << f;
    EXPECT_EQ(EncodePlan(*back), bytes) << f;
  }
}

TEST(PlanCodecTest, TruncationAndBitFlipsAreCleanErrors) {
  auto plan = Bind(test::TestSchema(),
                   "id in [1, 2] and j[\"k\"] like 'a%' or array_contains(arr, 3)", nullptr);
  ASSERT_TRUE(plan.ok());
  std::string bytes = EncodePlan(*plan);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DecodePlan(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "truncated at " << n;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(r.status().message().rfind("expr plan: ", 0), 0u) << r.status().message();
  }
  // A flipped byte either decodes to some valid plan or fails cleanly; never crashes.
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto r = DecodePlan(bad);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
      }
    }
  }
}

TEST(PlanCodecTest, DecodeNamesTheBadField) {
  auto plan = Bind(test::TestSchema(), "id > 1", nullptr);
  ASSERT_TRUE(plan.ok());
  std::string bytes = EncodePlan(*plan);
  // Byte 2 is node 0's kind (after the version and the one-byte node count).
  std::string bad = bytes;
  bad[2] = 99;
  auto r = DecodePlan(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "expr plan: node 0: bad kind");
  bad = bytes;
  bad[0] = 7;
  EXPECT_EQ(DecodePlan(bad).status().message(), "expr plan: bad format version");
  EXPECT_EQ(DecodePlan(bytes + "x").status().message(), "expr plan: trailing bytes");
}

}  // namespace
}  // namespace vdb::expr
