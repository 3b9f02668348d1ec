#include "common/logging.h"

#include <gtest/gtest.h>

#include "common/env.h"
#include "util/temp_dir.h"

namespace vdb {
namespace {

TEST(LoggingTest, WritesLevelFilteredLinesToFile) {
  test::TempDir dir;
  std::string path = dir.Sub("node.log");
  ASSERT_TRUE(SetLogFile(path).ok());
  SetLogLevel(LogLevel::kInfo);
  VDB_LOG(DEBUG) << "hidden";
  VDB_LOG(INFO) << "replayed " << 3 << " records";
  VDB_LOG(ERROR) << "disk full";
  ASSERT_TRUE(SetLogFile("").ok());
  auto text = ReadFileToString(Env::Default(), path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("hidden"), std::string::npos);
  EXPECT_NE(text->find("INFO"), std::string::npos);
  EXPECT_NE(text->find("replayed 3 records"), std::string::npos);
  EXPECT_NE(text->find("ERROR"), std::string::npos);
  EXPECT_NE(text->find("logging_test.cc:"), std::string::npos);
  LogLevel level;
  EXPECT_TRUE(ParseLogLevel("warning", &level));
  EXPECT_EQ(level, LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("loud", &level));
}

}  // namespace
}  // namespace vdb
