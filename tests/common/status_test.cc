#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>

#include "common/result.h"

namespace vdb {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::Corruption("wal segment 7.log: bad checksum at offset 64");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.ToString(), "corruption: wal segment 7.log: bad checksum at offset 64");
  EXPECT_EQ(s.WithContext("shard 3").message(),
            "shard 3: wal segment 7.log: bad checksum at offset 64");
  EXPECT_TRUE(Status::OK().WithContext("x").ok());
}

TEST(StatusTest, ErrnoMapsToCodes) {
  EXPECT_TRUE(ErrnoStatus("open f", ENOENT).IsNotFound());
  EXPECT_EQ(ErrnoStatus("open f", EEXIST).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrnoStatus("open f", EIO).code(), StatusCode::kIOError);
  EXPECT_NE(ErrnoStatus("open f", EIO).message().find("open f: "), std::string::npos);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  VDB_ASSIGN_OR_RETURN(int h, Half(x));
  VDB_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  VDB_RETURN_IF_ERROR(Half(x).status());
  return Status::OK();
}

TEST(ResultTest, PropagatesValuesAndErrors) {
  auto ok = Quarter(12);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  auto bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "odd: 3");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(5).ok());
  EXPECT_EQ(Quarter(6).value_or(-1), -1);
}

TEST(ResultTest, HoldsMoveOnlyTypes) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = Status::Internal("x");
  EXPECT_DEATH((void)r.value(), "check failed");
}

}  // namespace
}  // namespace vdb
