#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace vdb::crc32c {
namespace {

// Known vectors from RFC 3720 (iSCSI), section B.4.
TEST(Crc32cTest, Rfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(Value(zeros), 0x8a9136aau);
  EXPECT_EQ(ExtendPortable(0, zeros.data(), zeros.size()), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(Value(ones), 0x62a8ab43u);
  std::string inc(32, 0), dec(32, 0);
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<char>(i);
    dec[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Value(inc), 0x46dd794eu);
  EXPECT_EQ(Value(dec), 0x113fdb5cu);
  EXPECT_EQ(ExtendPortable(0, inc.data(), inc.size()), 0x46dd794eu);
  EXPECT_EQ(ExtendPortable(0, dec.data(), dec.size()), 0x113fdb5cu);
  EXPECT_EQ(Value("123456789"), 0xe3069283u);
}

TEST(Crc32cTest, HardwareMatchesPortableOnRandomData) {
  std::mt19937 rng(42);
  for (size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 1000u, 4097u}) {
    std::string data(len, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    for (size_t off = 0; off < std::min<size_t>(len, 9); ++off) {
      EXPECT_EQ(Extend(0, data.data() + off, len - off),
                ExtendPortable(0, data.data() + off, len - off))
          << "len " << len << " offset " << off << " hw " << HardwareAccelerated();
    }
  }
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string a = "hello ", b = "world";
  EXPECT_EQ(Extend(Value(a), b.data(), b.size()), Value(a + b));
}

TEST(Crc32cTest, MaskRoundTripsAndDiffers) {
  uint32_t crc = Value("foo");
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

}  // namespace
}  // namespace vdb::crc32c
