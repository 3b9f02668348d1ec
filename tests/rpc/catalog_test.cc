#include "rpc/catalog.h"

#include <gtest/gtest.h>

#include "rpc/http.h"
#include "rpc/status_map.h"

namespace vdb::rpc {
namespace {

Catalog SampleCatalog() {
  Catalog cat;
  cat.revision = 42;
  cat.databases.push_back({DatabaseId(1), "default", {}});
  cat.databases.push_back({DatabaseId(7), "prod", {{"owner", "ops"}}});

  CollectionInfo c;
  c.id = CollectionId(10);
  c.db_id = DatabaseId(1);
  c.name = "books";
  c.schema.name = "books";
  c.schema.enable_dynamic_field = true;
  FieldSchema pk;
  pk.id = FieldId(100);
  pk.name = "id";
  pk.type = DataType::kInt64;
  pk.primary_key = true;
  pk.auto_id = true;
  FieldSchema vec;
  vec.id = FieldId(101);
  vec.name = "vector";
  vec.type = DataType::kFloatVector;
  vec.dim = 8;
  FieldSchema tags;
  tags.id = FieldId(102);
  tags.name = "tags";
  tags.type = DataType::kArray;
  tags.element_type = DataType::kVarChar;
  tags.max_length = 16;
  tags.max_capacity = 4;
  tags.nullable = true;
  tags.default_value = std::string("\x00\xff\x01", 3);
  c.schema.fields = {pk, vec, tags};
  c.description = "a shelf";
  c.shards_num = 2;
  c.consistency_level = "Strong";
  c.properties = {{"collection.ttl.seconds", "60"}};
  c.created_ts = ComposeTimestamp(1700000000000, 3);
  c.load_state = LoadState::kLoaded;
  c.partitions = {{PartitionId(11), "_default"}, {PartitionId(12), "p1"}};
  c.aliases = {"novels"};
  IndexInfo index{"vector", FieldId(101), "HNSW", "L2", {{"M", "16"}}, IndexState::kFailed, ""};
  index.fail_reason = "segment 500: corruption: 10/11/500/101.bin: bad checksum";
  c.indexes.push_back(index);
  cat.collections.push_back(c);

  cat.channels.push_back({"c10s0", CollectionId(10), 0, NodeId(3), "127.0.0.1:7001", Lsn(99),
                          ComposeTimestamp(1700000000001, 0)});
  cat.channels.push_back({"c10s1", CollectionId(10), 1, NodeId(), "", Lsn(), 0});

  SegmentInfo s;
  s.id = SegmentId(500);
  s.collection_id = CollectionId(10);
  s.partition_id = PartitionId(11);
  s.channel = "c10s0";
  s.rows = 1000;
  s.ts_min = 5;
  s.ts_max = UINT64_MAX;  // the full unsigned range survives
  s.object_prefix = "10/11/500";
  s.state = SegmentState::kIndexed;
  s.index_objects = {{"vector", {"index/1/a", "index/1/b"}}};
  s.query_node_id = NodeId(4);
  s.query_address = "127.0.0.1:7002";
  s.index_failures = {{"vector", "corruption: 10/11/500/101.bin: bad checksum"}};
  cat.segments.push_back(s);
  SegmentInfo dropped = s;
  dropped.id = SegmentId(501);
  dropped.state = SegmentState::kDropped;
  cat.segments.push_back(dropped);

  cat.nodes.push_back({NodeRole::kStreaming, NodeId(3), "127.0.0.1:7001", true});
  cat.nodes.push_back({NodeRole::kQuery, NodeId(4), "127.0.0.1:7002", false});
  return cat;
}

TEST(CatalogTest, RoundTripKeepsEveryField) {
  Catalog cat = SampleCatalog();
  std::string text = EncodeCatalog(cat);
  auto decoded = DecodeCatalog(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, cat);
  EXPECT_EQ(EncodeCatalog(*decoded), text);
}

TEST(CatalogTest, EmptyCatalogRoundTrips) {
  auto decoded = DecodeCatalog(EncodeCatalog(Catalog{}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Catalog{});
}

TEST(CatalogTest, PieceCodecsRoundTrip) {
  Catalog cat = SampleCatalog();
  EXPECT_EQ(*DecodeCollection(EncodeCollection(cat.collections[0])), cat.collections[0]);
  EXPECT_EQ(*DecodeSchema(EncodeSchema(cat.collections[0].schema)), cat.collections[0].schema);
  EXPECT_EQ(*DecodeDatabase(EncodeDatabase(cat.databases[1])), cat.databases[1]);
  EXPECT_EQ(*DecodeChannel(EncodeChannel(cat.channels[0])), cat.channels[0]);
  EXPECT_EQ(*DecodeSegment(EncodeSegment(cat.segments[0])), cat.segments[0]);
  EXPECT_EQ(*DecodeIndex(EncodeIndex(cat.collections[0].indexes[0])),
            cat.collections[0].indexes[0]);
  IndexJob job{7,
               CollectionId(10),
               SegmentId(500),
               "c10s0",
               "10/11/500",
               1000,
               "vector",
               FieldId(101),
               DataType::kFloatVector,
               8,
               "HNSW",
               "L2",
               {{"M", "16"}},
               10000};
  EXPECT_EQ(*DecodeIndexJob(EncodeIndexJob(job)), job);
}

// Records stored before index build failures were reported have no "fail_reason" and no
// "index_failures"; they still decode, and a record without a failure is written as before.
TEST(CatalogTest, RecordsWithoutFailReasonsDecodeAsBefore) {
  auto index =
      DecodeIndex(R"({"name":"vector","field_id":101,"index_type":"HNSW","metric_type":"L2",)"
                  R"("params":{"M":"16"},"state":"InProgress"})");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->state, IndexState::kInProgress);
  EXPECT_TRUE(index->fail_reason.empty());
  EXPECT_EQ(EncodeIndex(*index).find("fail_reason"), std::string::npos);

  auto segment = DecodeSegment(
      R"({"id":5,"collection_id":1,"partition_id":2,"channel":"c1s0","rows":10,"ts_min":1,)"
      R"("ts_max":2,"object_prefix":"1/2/5","state":"Flushed","index_objects":{},)"
      R"("query_node_id":0,"query_address":""})");
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();
  EXPECT_TRUE(segment->index_failures.empty());
  EXPECT_EQ(EncodeSegment(*segment).find("index_failures"), std::string::npos);

  SegmentInfo failed = *segment;
  failed.index_failures["vector"] = "invalid_argument: index param M=0 is outside [2, 2048]";
  EXPECT_EQ(*DecodeSegment(EncodeSegment(failed)), failed);
  EXPECT_EQ(IndexStateName(IndexState::kFailed), "Failed");
}

TEST(CatalogTest, DecodeRejectsBadInputWithInvalidArgument) {
  const char* bad[] = {
      "",
      "{",
      "[]",
      "42",
      R"({})",                                     // no revision
      R"({"revision":"1"})",                       // wrong type
      R"({"revision":1,"databases":{}})",          // not an array
      R"({"revision":1,"databases":[{"id":1}]})",  // no name
      R"({"revision":1,"databases":[{"id":1,"name":"d","properties":{"k":1}}]})",
      R"({"revision":1,"segments":[{"id":1,"collection_id":1,"partition_id":1,"channel":"c",
          "state":"Sealed"}]})",  // unknown enum spelling
      R"({"revision":1,"segments":[{"id":1,"collection_id":1,"partition_id":1,"channel":"c",
          "rows":-5}]})",
      R"({"revision":1,"segments":[{"id":1,"collection_id":1,"partition_id":1,"channel":"c",
          "index_failures":{"vector":7}}]})",  // a reason is text
      R"({"revision":1,"channels":[{"name":"c","collection_id":1,"checkpoint_lsn":-1}]})",
      R"({"revision":1,"nodes":[{"role":"king","id":1}]})",
      R"({"revision":1,"collections":[{"id":1,"db_id":1,"name":"c","schema":{"fields":[
          {"id":100,"name":"v","type":"FLOAT_VECTOR"}]}}]})",
      R"({"revision":1,"collections":[{"id":1,"db_id":1,"name":"c","schema":{"fields":[
          {"id":100,"name":"v","type":"Int64","default_value_hex":"zz"}]}}]})",
  };
  for (const char* text : bad) {
    auto r = DecodeCatalog(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(r.status().message().find("catalog"), std::string::npos) << r.status().message();
  }
}

TEST(CatalogTest, ErrorsNameTheOffendingMember) {
  auto r = DecodeCatalog(R"({"revision":1,"databases":[{"id":1,"name":"a"},{"id":"x"}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("catalog.databases[1].id"), std::string::npos)
      << r.status().message();
}

TEST(CatalogTest, LookupsByNameAliasAndId) {
  Catalog cat = SampleCatalog();
  ASSERT_NE(cat.FindCollection("default", "books"), nullptr);
  EXPECT_EQ(cat.FindCollection("default", "novels"), cat.FindCollection("default", "books"));
  EXPECT_EQ(cat.FindCollection("prod", "books"), nullptr);
  EXPECT_EQ(cat.FindCollection("nope", "books"), nullptr);
  EXPECT_EQ(cat.FindCollection(CollectionId(10))->name, "books");
  EXPECT_EQ(cat.FindDatabase(DatabaseId(7))->name, "prod");
  EXPECT_EQ(cat.FindChannel("c10s0")->streaming_node_id, NodeId(3));
  EXPECT_EQ(cat.ChannelsOf(CollectionId(10)).size(), 2u);
  auto segs = cat.SegmentsOf("c10s0");
  ASSERT_EQ(segs.size(), 1u);  // the dropped one is left out
  EXPECT_EQ(segs[0]->id, SegmentId(500));
  EXPECT_EQ(cat.FindSegment(SegmentId(501))->state, SegmentState::kDropped);
  EXPECT_FALSE(cat.FindNode(NodeRole::kQuery, NodeId(4))->alive);
  EXPECT_EQ(cat.FindNode(NodeRole::kData, NodeId(4)), nullptr);
  const CollectionInfo& c = cat.collections[0];
  EXPECT_EQ(c.FindPartition("p1")->id, PartitionId(12));
  EXPECT_EQ(c.FindPartition(PartitionId(11))->name, "_default");
  EXPECT_EQ(c.FindIndex("vector")->field_id, FieldId(101));
  EXPECT_EQ(c.FindIndexOnField(FieldId(100)), nullptr);
  EXPECT_EQ(ChannelName(CollectionId(10), 1), "c10s1");
}

TEST(CatalogTest, NodeRolesParse) {
  for (NodeRole r : {NodeRole::kProxy, NodeRole::kStreaming, NodeRole::kQuery, NodeRole::kData}) {
    EXPECT_EQ(*ParseNodeRole(NodeRoleName(r)), r);
  }
  EXPECT_EQ(ParseNodeRole("Query").status().code(), StatusCode::kInvalidArgument);
}

TEST(CatalogTest, MilvusCodeTravelsInTheMessage) {
  Status s = WithMilvusCode(100, Status::NotFound("can't find collection[collection=x]"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(MilvusCodeOf(s), 100);
  EXPECT_EQ(MilvusMessageOf(s), "can't find collection[collection=x]");
  // Replacing the code keeps a single marker.
  Status t = WithMilvusCode(65535, s);
  EXPECT_EQ(MilvusCodeOf(t), 65535);
  EXPECT_EQ(MilvusMessageOf(t), "can't find collection[collection=x]");
  // Without a marker the status_map default applies.
  EXPECT_EQ(MilvusCodeOf(Status::NotFound("x"), ObjectKind::kDatabase), 800);
  EXPECT_EQ(MilvusCodeOf(Status::InvalidArgument("x")), 1100);
  EXPECT_EQ(MilvusCodeOf(Status::OK()), 0);
  EXPECT_EQ(MilvusCodeOf(Status::NotFound("[milvus=12 oops")), 65535);
  EXPECT_EQ(MilvusMessageOf(Status::NotFound("[milvus=] x")), "[milvus=] x");
  EXPECT_TRUE(WithMilvusCode(5, Status::OK()).ok());
  // Context prepended on the way does not hide it.
  Status wrapped = s.WithContext("POST http://127.0.0.1:1/internal/coord/ddl/x");
  EXPECT_EQ(MilvusCodeOf(wrapped), 100);
  EXPECT_EQ(MilvusMessageOf(wrapped), "can't find collection[collection=x]");

  // And survives the internal error encoding between nodes.
  Response response;
  WriteInternalError(s, &response);
  Status back = StatusFromHttp(response.status, response.body);
  EXPECT_EQ(back.code(), StatusCode::kNotFound);
  EXPECT_EQ(MilvusCodeOf(back), 100);
}

}  // namespace
}  // namespace vdb::rpc
