#include "rpc/wire.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace vdb::rpc {
namespace {

std::string EncodeSample(const std::vector<float>& floats, const std::vector<int64_t>& ids) {
  WireWriter w;
  w.PutU8(7);
  w.PutU32(0xdeadbeef);
  w.PutU64(std::numeric_limits<uint64_t>::max());
  w.PutI64(-123456789012345);
  w.PutF32(1.5f);
  w.PutF64(-2.25);
  w.PutString(std::string("collection\0", 11));
  w.PutFloats(floats);
  w.PutI64s(ids);
  w.PutString("");
  return w.Finish();
}

TEST(WireTest, RoundTrip) {
  const uint32_t seed = 42;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> floats(1000);
  for (auto& f : floats) f = dist(rng);
  floats[3] = std::numeric_limits<float>::quiet_NaN();
  std::vector<int64_t> ids = {0, -1, std::numeric_limits<int64_t>::min(), 1LL << 62};
  std::string bytes = EncodeSample(floats, ids);

  WireReader r(bytes);
  uint8_t u8;
  uint32_t u32;
  uint64_t u64;
  int64_t i64;
  float f32;
  double f64;
  std::string s;
  std::string_view sv;
  std::vector<float> floats_back;
  std::vector<int64_t> ids_back;
  ASSERT_TRUE(r.GetU8("u8", &u8).ok());
  ASSERT_TRUE(r.GetU32("u32", &u32).ok());
  ASSERT_TRUE(r.GetU64("u64", &u64).ok());
  ASSERT_TRUE(r.GetI64("i64", &i64).ok());
  ASSERT_TRUE(r.GetF32("f32", &f32).ok());
  ASSERT_TRUE(r.GetF64("f64", &f64).ok());
  ASSERT_TRUE(r.GetString("name", &s).ok());
  ASSERT_TRUE(r.GetFloats("floats", &floats_back).ok());
  ASSERT_TRUE(r.GetI64s("ids", &ids_back).ok());
  ASSERT_TRUE(r.GetString("empty", &sv).ok());
  EXPECT_TRUE(r.ExpectEnd().ok());
  EXPECT_EQ(u8, 7);
  EXPECT_EQ(u32, 0xdeadbeefu);
  EXPECT_EQ(u64, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(i64, -123456789012345);
  EXPECT_EQ(f32, 1.5f);
  EXPECT_EQ(f64, -2.25);
  EXPECT_EQ(s, std::string("collection\0", 11));  // binary-safe: the NUL survives
  EXPECT_EQ(sv, "");
  ASSERT_EQ(floats_back.size(), floats.size()) << "seed " << seed;
  EXPECT_EQ(0, std::memcmp(floats_back.data(), floats.data(), floats.size() * 4));
  EXPECT_EQ(ids_back, ids);
}

TEST(WireTest, FloatsAreRawLittleEndian) {
  WireWriter w;
  std::vector<float> v = {1.0f, -0.5f};
  w.PutFloats(v);
  std::string bytes = w.Finish();
  ASSERT_EQ(bytes.size(), 1u + 8u);
  EXPECT_EQ(bytes[0], 2);
  EXPECT_EQ(0, std::memcmp(bytes.data() + 1, v.data(), 8));
}

TEST(WireTest, EveryTruncationIsCorruptionNeverACrash) {
  std::vector<float> floats = {1, 2, 3, 4, 5};
  std::vector<int64_t> ids = {9, 8, 7};
  std::string bytes = EncodeSample(floats, ids);
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::string cut = bytes.substr(0, len);  // own allocation so ASan sees any over-read
    WireReader r(cut);
    uint8_t u8;
    uint32_t u32;
    uint64_t u64;
    int64_t i64;
    float f32;
    double f64;
    std::string s;
    std::vector<float> fv;
    std::vector<int64_t> iv;
    Status st = r.GetU8("u8", &u8);
    if (st.ok()) st = r.GetU32("u32", &u32);
    if (st.ok()) st = r.GetU64("u64", &u64);
    if (st.ok()) st = r.GetI64("i64", &i64);
    if (st.ok()) st = r.GetF32("f32", &f32);
    if (st.ok()) st = r.GetF64("f64", &f64);
    if (st.ok()) st = r.GetString("name", &s);
    if (st.ok()) st = r.GetFloats("floats", &fv);
    if (st.ok()) st = r.GetI64s("ids", &iv);
    if (st.ok()) st = r.GetString("empty", &s);
    ASSERT_FALSE(st.ok()) << "length " << len;
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "length " << len;
    EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
  }
}

TEST(WireTest, HugeCountIsRejected) {
  std::string bytes;
  // varint for 2^62 followed by a few bytes: must not allocate or read 2^64 bytes.
  bytes.push_back(static_cast<char>(0x80));
  for (int i = 0; i < 7; ++i) bytes.push_back(static_cast<char>(0x80));
  bytes.push_back(0x40);
  bytes += "abcd";
  WireReader r(bytes);
  std::vector<float> fv;
  EXPECT_EQ(r.GetFloats("vectors", &fv).code(), StatusCode::kCorruption);
  WireReader r2(bytes);
  std::vector<int64_t> iv;
  EXPECT_EQ(r2.GetI64s("ids", &iv).code(), StatusCode::kCorruption);
}

TEST(WireTest, TrailingBytesAreReported) {
  WireWriter w;
  w.PutU32(1);
  w.PutU8(0);
  std::string bytes = w.Finish();
  WireReader r(bytes);
  uint32_t v;
  ASSERT_TRUE(r.GetU32("v", &v).ok());
  Status s = r.ExpectEnd();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("trailing"), std::string::npos);
}

}  // namespace
}  // namespace vdb::rpc
