#include "rpc/envelope.h"

#include <gtest/gtest.h>

#include "rpc/http.h"

namespace vdb::rpc {
namespace {

TEST(EnvelopeTest, SuccessShape) {
  nlohmann::json env = SuccessEnvelope(nlohmann::json::array({"a", "b"}));
  EXPECT_EQ(env.dump(), R"({"code":0,"data":["a","b"]})");
  Response resp;
  WriteEnvelope(env, &resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "application/json; charset=utf-8");
  auto data = ParseEnvelope(resp.body);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, nlohmann::json::array({"a", "b"}));
}

TEST(EnvelopeTest, ErrorShapeAndStatus) {
  Response resp;
  WriteEnvelope(ErrorEnvelope(Status::NotFound("can't find collection[database=default]"
                                               "[collection=c]"),
                              ObjectKind::kCollection),
                &resp);
  EXPECT_EQ(resp.status, 200);
  auto parsed = nlohmann::json::parse(resp.body);
  EXPECT_EQ(parsed["code"], 100);
  EXPECT_EQ(parsed["message"], "can't find collection[database=default][collection=c]");
  EXPECT_FALSE(parsed.contains("data"));
  auto data = ParseEnvelope(resp.body);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kNotFound);
  EXPECT_NE(data.status().message().find("(code 100)"), std::string::npos);
}

TEST(EnvelopeTest, TimeoutUses408) {
  Response resp;
  WriteEnvelopeError(Status::DeadlineExceeded("request timeout"), &resp);
  EXPECT_EQ(resp.status, 408);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["code"], 10001);
}

TEST(EnvelopeTest, InvalidUtf8IsReplacedNotFatal) {
  Response resp;
  WriteEnvelope(ErrorEnvelope(1100, "bad name \xff\xfe"), &resp);
  auto parsed = nlohmann::json::parse(resp.body, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["code"], 1100);
}

TEST(EnvelopeTest, MalformedEnvelopes) {
  EXPECT_EQ(ParseEnvelope("not json").status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseEnvelope("[1]").status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseEnvelope(R"({"data":1})").status().code(), StatusCode::kInternal);
  auto no_data = ParseEnvelope(R"({"code":0})");
  ASSERT_TRUE(no_data.ok());
  EXPECT_TRUE(no_data->is_null());
}

}  // namespace
}  // namespace vdb::rpc
