#include "common/coding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace vdb {
namespace {

TEST(CodingTest, FixedRoundTripLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0807060504030201ull);
  PutFixed16(&s, 0xbeef);
  PutFixed8(&s, 0x7f);
  ASSERT_EQ(s.size(), 15u);
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[3], 4);
  std::string_view in = s;
  uint32_t a;
  uint64_t b;
  uint16_t c;
  uint8_t d;
  ASSERT_TRUE(GetFixed32(&in, &a));
  ASSERT_TRUE(GetFixed64(&in, &b));
  ASSERT_TRUE(GetFixed16(&in, &c));
  ASSERT_TRUE(GetFixed8(&in, &d));
  EXPECT_EQ(a, 0x04030201u);
  EXPECT_EQ(b, 0x0807060504030201ull);
  EXPECT_EQ(c, 0xbeef);
  EXPECT_EQ(d, 0x7f);
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetFixed8(&in, &d));
}

TEST(CodingTest, VarintRoundTripAndLength) {
  std::vector<uint64_t> values = {
      0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, uint64_t{1} << 62, UINT64_MAX};
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
    std::string one;
    PutVarint64(&one, v);
    EXPECT_EQ(static_cast<int>(one.size()), VarintLength(v));
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, SignedVarint) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-64}, int64_t{64},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    std::string s;
    PutVarsint64(&s, v);
    std::string_view in = s;
    int64_t got;
    ASSERT_TRUE(GetVarsint64(&in, &got));
    EXPECT_EQ(got, v);
  }
}

TEST(CodingTest, TruncatedAndOverlongInputsFail) {
  std::string s;
  PutVarint64(&s, UINT64_MAX);
  for (size_t n = 0; n < s.size(); ++n) {
    std::string_view in(s.data(), n);
    uint64_t v;
    EXPECT_FALSE(GetVarint64(&in, &v)) << n;
    EXPECT_EQ(in.size(), n) << "input must not be consumed on failure";
  }
  std::string overlong(11, '\xff');
  std::string_view in = overlong;
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string big;
  PutVarint64(&big, uint64_t{1} << 40);
  in = big;
  uint32_t v32;
  EXPECT_FALSE(GetVarint32(&in, &v32));
}

TEST(CodingTest, LengthPrefixedRejectsShortPayload) {
  std::string s;
  PutLengthPrefixed(&s, "hello");
  std::string_view in = s, out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "hello");
  std::string_view cut(s.data(), s.size() - 1);
  EXPECT_FALSE(GetLengthPrefixed(&cut, &out));
}

TEST(CodingTest, FloatsAreBitExact) {
  std::string s;
  PutFloat(&s, -0.0f);
  PutDouble(&s, 5e-324);
  std::string_view in = s;
  float f;
  double d;
  ASSERT_TRUE(GetFloat(&in, &f));
  ASSERT_TRUE(GetDouble(&in, &d));
  EXPECT_TRUE(std::signbit(f));
  EXPECT_EQ(d, 5e-324);
}

}  // namespace
}  // namespace vdb
