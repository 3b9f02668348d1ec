#include "daemon/config.h"

#include <gtest/gtest.h>

#include <set>

#include "common/env.h"
#include "util/temp_dir.h"

namespace vdb::daemon {
namespace {

TEST(ConfigTest, DefaultsMatchTheDesign) {
  DaemonConfig c = DefaultConfig();
  EXPECT_EQ(c.data_dir, "./vdb-data");
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 19530);
  EXPECT_EQ(c.proxies, 1);
  EXPECT_EQ(c.streaming_nodes, 1);
  EXPECT_EQ(c.query_nodes, 1);
  EXPECT_EQ(c.data_nodes, 1);
  EXPECT_EQ(c.restart_backoff_initial_ms, 100);
  EXPECT_EQ(c.restart_backoff_max_ms, 5000);
  EXPECT_EQ(c.log_level, "info");
}

TEST(ConfigTest, TableIsWellFormed) {
  std::set<std::string> names;
  for (const auto& spec : DaemonOptions()) {
    EXPECT_TRUE(names.insert(spec.name).second) << "duplicate " << spec.name;
    EXPECT_NE(std::string(spec.help), "") << spec.name;
    EXPECT_EQ(spec.type == OptionType::kString, spec.string_field != nullptr) << spec.name;
    EXPECT_EQ(spec.type == OptionType::kInt, spec.int_field != nullptr) << spec.name;
  }
  EXPECT_NE(FindOption("data_dir"), nullptr);
  EXPECT_NE(FindOption("query-nodes"), nullptr);
  EXPECT_EQ(FindOption("nope"), nullptr);
}

TEST(ConfigTest, FileThenFlagsLaterWins) {
  test::TempDir dir;
  std::string path = dir.Sub("vdbd.json");
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), path,
                              R"({"port": 19600, "query_nodes": "3", "host": "0.0.0.0",
                                  "data-dir": "/srv/vdb"})")
                  .ok());
  auto c = BuildConfig(Env::Default(), path, {{"port", "0"}, {"data-nodes", "2"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->port, 0);          // flag beats file
  EXPECT_EQ(c->query_nodes, 3);   // file beats default; numeric string accepted
  EXPECT_EQ(c->data_nodes, 2);    // flag beats default
  EXPECT_EQ(c->host, "0.0.0.0");  // file
  EXPECT_EQ(c->data_dir, "/srv/vdb");
  EXPECT_EQ(c->proxies, 1);  // default
}

TEST(ConfigTest, BadFilesNameTheProblem) {
  DaemonConfig c = DefaultConfig();
  Status s = ApplyConfigJson(R"({"colour": 1})", "config file x.json", &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("x.json"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("colour"), std::string::npos) << s.message();
  EXPECT_FALSE(ApplyConfigJson("{", "f", &c).ok());
  EXPECT_FALSE(ApplyConfigJson("[1]", "f", &c).ok());
  EXPECT_FALSE(ApplyConfigJson(R"({"port": 1.5})", "f", &c).ok());
  EXPECT_FALSE(ApplyConfigJson(R"({"port": true})", "f", &c).ok());
  EXPECT_FALSE(ApplyConfigJson(R"({"host": 5})", "f", &c).ok());
  Status range = ApplyConfigJson(R"({"port": 70000})", "f", &c);
  EXPECT_NE(range.message().find("outside [0, 65535]"), std::string::npos) << range.message();
  EXPECT_EQ(c.port, 19530);  // failed options leave the value alone
}

TEST(ConfigTest, FlagValidation) {
  auto bad_int = BuildConfig(Env::Default(), "", {{"proxies", "two"}});
  ASSERT_FALSE(bad_int.ok());
  EXPECT_NE(bad_int.status().message().find("proxies"), std::string::npos);
  EXPECT_FALSE(BuildConfig(Env::Default(), "", {{"proxies", "0"}}).ok());
  EXPECT_FALSE(BuildConfig(Env::Default(), "", {{"log-level", "loud"}}).ok());
  EXPECT_FALSE(BuildConfig(Env::Default(), "", {{"data-dir", ""}}).ok());
  EXPECT_FALSE(BuildConfig(Env::Default(), "", {{"restart-backoff-initial-ms", "9000"}}).ok());
  EXPECT_FALSE(BuildConfig(Env::Default(), "", {{"port", "65535"}, {"proxies", "2"}}).ok());
  EXPECT_TRUE(BuildConfig(Env::Default(), "", {{"port", "65534"}, {"proxies", "2"}}).ok());
}

TEST(ConfigTest, MissingConfigFileIsAnError) {
  test::TempDir dir;
  auto c = BuildConfig(Env::Default(), dir.Sub("absent.json"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("absent.json"), std::string::npos) << c.status().message();
}

}  // namespace
}  // namespace vdb::daemon
