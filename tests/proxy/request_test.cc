#include "proxy/request.h"

#include <gtest/gtest.h>

#include "proxy/collection_json.h"
#include "rpc/catalog.h"
#include "rpc/http.h"

namespace vdb::proxy {
namespace {

using nlohmann::json;

int CodeOf(const Status& s) { return rpc::MilvusCodeOf(s); }

TEST(JsonBodyTest, EmptyBodyIsBadJsonAndNullIsEmptyObject) {
  auto empty = JsonBody::Parse("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(CodeOf(empty.status()), 1801);
  EXPECT_NE(rpc::MilvusMessageOf(empty.status()).find("can only accept json format request"),
            std::string::npos);
  auto null_body = JsonBody::Parse("null");
  ASSERT_TRUE(null_body.ok());
  EXPECT_TRUE(null_body->root().is_object());
  EXPECT_TRUE(null_body->root().empty());
  EXPECT_EQ(CodeOf(JsonBody::Parse("{\"a\":").status()), 1801);
  EXPECT_EQ(CodeOf(JsonBody::Parse("[1,2]").status()), 1801);
  EXPECT_EQ(CodeOf(JsonBody::Parse("\"text\"").status()), 1801);
}

TEST(JsonBodyTest, KeysMatchExactlyFirstThenCaseInsensitively) {
  auto body = JsonBody::Parse(R"({"autoId":true,"AUTOID":false,"Name":"x","name":"y"})");
  ASSERT_TRUE(body.ok());
  // "autoID" has no exact match: the first case-insensitive one wins (object keys are sorted).
  EXPECT_TRUE(body->Find("autoID") != nullptr);
  EXPECT_EQ(*body->String("name"), "y");
  EXPECT_EQ(*body->String("Name"), "x");
  EXPECT_EQ(*body->String("NAME"), "x");
  auto only_lower = JsonBody::Parse(R"({"autoid":true})");
  EXPECT_EQ(*only_lower->Bool("autoID"), std::optional<bool>(true));
}

TEST(JsonBodyTest, TypedAccessorsRejectWrongTypesWith1801) {
  auto body = JsonBody::Parse(
      R"({"s":1,"b":1,"i":"10","f":1.5,"l":"x","ls":[1],"o":[],"a":{},"n":null,"ok":7})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(CodeOf(body->String("s").status()), 1801);
  EXPECT_EQ(CodeOf(body->Bool("b").status()), 1801);
  EXPECT_EQ(CodeOf(body->Int("i").status()), 1801);
  EXPECT_EQ(CodeOf(body->Int("f").status()), 1801);
  EXPECT_EQ(CodeOf(body->StringList("l").status()), 1801);
  EXPECT_EQ(CodeOf(body->StringList("ls").status()), 1801);
  EXPECT_EQ(CodeOf(body->Object("o").status()), 1801);
  EXPECT_EQ(CodeOf(body->Array("a").status()), 1801);
  // null is absent, not a type error.
  EXPECT_EQ(*body->String("n"), "");
  EXPECT_FALSE(body->Int("n")->has_value());
  EXPECT_EQ(body->Int("ok")->value(), 7);
}

TEST(JsonBodyTest, RequiredMembersMissingOrEmptyAre1802) {
  auto body = JsonBody::Parse(R"({"empty":"","list":[]})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(CodeOf(body->String("collectionName", true).status()), 1802);
  EXPECT_EQ(CodeOf(body->String("empty", true).status()), 1802);
  EXPECT_EQ(CodeOf(body->StringList("list", true).status()), 1802);
  EXPECT_NE(rpc::MilvusMessageOf(body->String("collectionName", true).status())
                .find("missing required parameters"),
            std::string::npos);
}

TEST(RequestHelpersTest, LooseValuesFollowMilvus) {
  EXPECT_EQ(LooseBool(json("False")), std::optional<bool>(false));
  EXPECT_EQ(LooseBool(json("0")), std::optional<bool>(false));
  EXPECT_EQ(LooseBool(json(true)), std::optional<bool>(true));
  EXPECT_FALSE(LooseBool(json(1)).has_value());
  EXPECT_EQ(LooseInt(json("2")), std::optional<int64_t>(2));
  EXPECT_EQ(LooseInt(json(3)), std::optional<int64_t>(3));
  EXPECT_FALSE(LooseInt(json("2x")).has_value());
  EXPECT_FALSE(LooseInt(json(2.5)).has_value());
  EXPECT_EQ(ValueToString(json(true)), "true");
  EXPECT_EQ(ValueToString(json(5)), "5");
  EXPECT_EQ(ValueToString(json("v")), "v");
}

TEST(RequestHelpersTest, HeadersSelectDatabaseInt64AndTimeout) {
  rpc::Request r;
  EXPECT_EQ(ResolveDbName("", r), "default");
  r.headers.emplace("db-name", "hdr");
  EXPECT_EQ(ResolveDbName("", r), "hdr");
  EXPECT_EQ(ResolveDbName("body", r), "body");

  EXPECT_TRUE(AllowInt64(r));
  EXPECT_FALSE(AllowInt64(r, false));
  r.headers.emplace("Accept-Type-Allow-Int64", "false");
  EXPECT_FALSE(AllowInt64(r));
  EXPECT_EQ(Int64Json(9007199254740993, false), json("9007199254740993"));
  EXPECT_EQ(Int64Json(-5, true), json(-5));

  EXPECT_EQ(RequestTimeoutMs(r, 30000), 30000);
  r.headers.emplace("Request-Timeout", "5");
  EXPECT_EQ(RequestTimeoutMs(r, 30000), 5000);
  rpc::Request bad;
  bad.headers.emplace("Request-Timeout", "soon");
  EXPECT_EQ(RequestTimeoutMs(bad, 30000), 30000);
}

TEST(CollectionJsonTest, DataTypesNeedMilvusExactSpelling) {
  EXPECT_EQ(*ParseRestDataType("VarChar"), DataType::kVarChar);
  EXPECT_EQ(*ParseRestDataType("String"), DataType::kVarChar);
  EXPECT_EQ(*ParseRestDataType("JSON"), DataType::kJson);
  EXPECT_EQ(CodeOf(ParseRestDataType("VARCHAR").status()), 1100);
  EXPECT_EQ(CodeOf(ParseRestDataType("int64").status()), 1100);
  EXPECT_EQ(CodeOf(ParseRestDataType("Geometry").status()), 1100);
}

TEST(CollectionJsonTest, DefaultValuesRoundTripAsMilvusPrintsThem) {
  FieldSchema f;
  f.name = "n";
  f.type = DataType::kInt64;
  auto enc = EncodeDefaultValue(f, json(5));
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(DefaultValueJson(f, *enc), json::parse(R"({"Data":{"LongData":5}})"));
  f.type = DataType::kInt8;
  EXPECT_EQ(CodeOf(EncodeDefaultValue(f, json(300)).status()), 1100);
  f.type = DataType::kVarChar;
  f.max_length = 8;
  enc = EncodeDefaultValue(f, json("123"));
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(DefaultValueJson(f, *enc), json::parse(R"({"Data":{"StringData":"123"}})"));
  EXPECT_EQ(CodeOf(EncodeDefaultValue(f, json(1)).status()), 1100);
  f.type = DataType::kJson;
  EXPECT_NE(rpc::MilvusMessageOf(EncodeDefaultValue(f, json("{}")).status())
                .find("convert defaultValue fail"),
            std::string::npos);
  f.type = DataType::kInt64;
  f.primary_key = true;
  EXPECT_NE(rpc::MilvusMessageOf(EncodeDefaultValue(f, json(1)).status())
                .find("primary field not support default_value"),
            std::string::npos);
}

TEST(CollectionJsonTest, IndexParamsAcceptTypeAndMetricInsideParams) {
  auto p = ParseIndexParams(json::parse(
      R"({"fieldName":"v","params":{"index_type":"HNSW","metric_type":"L2","M":16,"efConstruction":"200"}})"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->index_type, "HNSW");
  EXPECT_EQ(p->metric_type, "L2");
  EXPECT_EQ(p->params, (rpc::StringMap{{"M", "16"}, {"efConstruction", "200"}}));
  EXPECT_EQ(CodeOf(ParseIndexParams(json::parse(R"({"indexName":"x"})")).status()), 1802);
}

}  // namespace
}  // namespace vdb::proxy
