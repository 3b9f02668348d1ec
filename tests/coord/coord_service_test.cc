#include "coord/coord_service.h"

#include <gtest/gtest.h>

#include <future>

#include "coord/coord_test_util.h"
#include "coord/coordinator.h"
#include "meta/sqlite_meta_store.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"

namespace vdb::coord {
namespace {

using rpc::CoordClient;
using rpc::MilvusCodeOf;
using rpc::NodeRole;
using test::MakeSchema;
using test::ManualClockEnv;

class CoordServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = meta::OpenSqliteMetaStore(":memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto coord = Coordinator::Open(&env_, store_.get());
    ASSERT_TRUE(coord.ok());
    coord_ = std::move(*coord);
    service_ = std::make_unique<CoordService>(coord_.get());
    service_->RegisterRoutes(&server_);
    auto port = server_.Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    ASSERT_TRUE(server_.Start().ok());
    client_ = std::make_unique<CoordClient>("127.0.0.1:" + std::to_string(*port));
  }
  void TearDown() override {
    server_.Stop();
    service_->StopTicker();
  }

  ManualClockEnv env_;
  std::unique_ptr<meta::MetaStore> store_;
  std::unique_ptr<Coordinator> coord_;
  std::unique_ptr<CoordService> service_;
  rpc::HttpServer server_;
  std::unique_ptr<CoordClient> client_;
};

TEST_F(CoordServiceTest, DdlRoundTripsThroughTheClient) {
  ASSERT_TRUE(client_->CreateDatabase("prod", {{"k", "v"}}).ok());
  EXPECT_EQ(*client_->ListDatabases(), (std::vector<std::string>{"default", "prod"}));
  EXPECT_EQ(client_->DescribeDatabase("prod")->properties.at("k"), "v");

  rpc::CreateCollectionParams params;
  params.shards_num = 2;
  params.consistency_level = "Strong";
  params.description = "d";
  auto rev = client_->CreateCollection("default", MakeSchema("books", 8, true), params);
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  EXPECT_EQ(*rev, coord_->revision());
  auto c = client_->DescribeCollection("default", "books");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, *coord_->DescribeCollection("default", "books"));
  EXPECT_EQ(c->schema.fields[1].dim, 8);
  EXPECT_EQ(c->consistency_level, "Strong");
  EXPECT_EQ(*client_->ListCollections("default"), std::vector<std::string>{"books"});
  EXPECT_TRUE(*client_->HasCollection("default", "books"));
  EXPECT_FALSE(*client_->HasCollection("default", "films"));

  ASSERT_TRUE(client_->CreatePartition("default", "books", "p1").ok());
  EXPECT_EQ(*client_->ListPartitions("default", "books"),
            (std::vector<std::string>{"_default", "p1"}));
  EXPECT_TRUE(*client_->HasPartition("default", "books", "p1"));
  ASSERT_TRUE(client_->DropPartition("default", "books", "p1").ok());

  ASSERT_TRUE(client_->CreateAlias("default", "books", "reads").ok());
  EXPECT_EQ(client_->DescribeAlias("default", "reads")->collection_name, "books");
  EXPECT_EQ(*client_->ListAliases("default"), std::vector<std::string>{"reads"});
  ASSERT_TRUE(client_->CreateCollection("default", MakeSchema("films"), {}).ok());
  ASSERT_TRUE(client_->AlterAlias("default", "films", "reads").ok());
  EXPECT_EQ(*client_->ListAliases("default", "films"), std::vector<std::string>{"reads"});
  ASSERT_TRUE(client_->DropAlias("default", "reads").ok());

  rpc::IndexParams index;
  index.field_name = "vector";
  index.index_type = "IVF_FLAT";
  index.metric_type = "IP";
  index.params = {{"nlist", "128"}};
  ASSERT_TRUE(client_->CreateIndex("default", "books", index).ok());
  EXPECT_EQ(*client_->ListIndexes("default", "books"), std::vector<std::string>{"vector"});
  auto x = client_->DescribeIndex("default", "books", "vector");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->params.at("nlist"), "128");
  EXPECT_EQ(x->metric_type, "IP");

  ASSERT_TRUE(client_->LoadCollection("default", "books").ok());
  EXPECT_EQ(client_->GetLoadState("default", "books")->state, rpc::LoadState::kLoading);
  ASSERT_TRUE(client_->Heartbeat(NodeRole::kStreaming, NodeId(1), "127.0.0.1:1").ok());
  auto loaded = client_->GetLoadState("default", "books");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->state, rpc::LoadState::kLoaded);
  EXPECT_EQ(loaded->progress, 100);
  ASSERT_TRUE(client_->ReleaseCollection("default", "books").ok());
  ASSERT_TRUE(client_->DropIndex("default", "books", "vector").ok());
  ASSERT_TRUE(client_->RenameCollection("default", "books", "prod", "tomes").ok());
  EXPECT_EQ(*client_->ListCollections("prod"), std::vector<std::string>{"tomes"});
  ASSERT_TRUE(client_->DropCollection("prod", "tomes").ok());
  ASSERT_TRUE(client_->DropDatabase("prod").ok());
}

TEST_F(CoordServiceTest, ErrorsCrossTheWireWithTheirMilvusCode) {
  auto r = client_->DescribeCollection("default", "ghost");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MilvusCodeOf(r.status()), 100);
  EXPECT_NE(rpc::MilvusMessageOf(r.status())
                .find("can't find collection[database=default][collection=ghost]"),
            std::string::npos)
      << r.status().ToString();
  auto d = client_->DropDatabase("default");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(MilvusCodeOf(d.status()), 65535);
  auto db = client_->DescribeDatabase("nope");
  EXPECT_EQ(MilvusCodeOf(db.status()), 800);
  // Bad requests are kInvalidArgument naming the field.
  auto bad = client_->HasPartition("default", "books", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("partition_name"), std::string::npos);
  rpc::HttpClient raw(client_->address());
  auto junk = raw.Call("/internal/coord/ddl/list_databases", "[1,2", 2000);
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  auto role = raw.Call("/internal/coord/heartbeat", R"({"role":"king","id":1})", 2000);
  EXPECT_EQ(role.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CoordServiceTest, LongPollWakesOnDdl) {
  auto first = client_->GetCatalog(0, 1000);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  rpc::CatalogRevision rev = (*first)->revision;
  EXPECT_EQ(rev, coord_->revision());
  EXPECT_NE((*first)->FindDatabase("default"), nullptr);

  // Nothing new: the poll times out without a catalog.
  auto idle = client_->GetCatalog(rev, 50);
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(idle->has_value());

  auto waiter = std::async(std::launch::async, [&] { return client_->GetCatalog(rev, 5000); });
  ASSERT_TRUE(client_->CreateDatabase("fresh").ok());
  auto woke = waiter.get();
  ASSERT_TRUE(woke.ok()) << woke.status().ToString();
  ASSERT_TRUE(woke->has_value());
  EXPECT_GT((*woke)->revision, rev);
  EXPECT_NE((*woke)->FindDatabase("fresh"), nullptr);
  EXPECT_EQ(**woke, coord_->Snapshot());
}

TEST_F(CoordServiceTest, TsoIdsSegmentsAndJobsThroughTheClient) {
  auto ts1 = client_->AllocateTimestamps(5);
  auto ts2 = client_->AllocateTimestamps(1);
  ASSERT_TRUE(ts1.ok() && ts2.ok());
  EXPECT_GE(*ts2, *ts1 + 5);
  auto id1 = client_->AllocateIds(10);
  auto id2 = client_->AllocateIds(1);
  ASSERT_TRUE(id1.ok() && id2.ok());
  EXPECT_GE(*id2, *id1 + 10);
  EXPECT_EQ(client_->AllocateTimestamps(0).status().code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(client_->CreateCollection("default", MakeSchema("books"), {}).ok());
  rpc::IndexParams index;
  index.field_name = "vector";
  ASSERT_TRUE(client_->CreateIndex("default", "books", index).ok());
  ASSERT_TRUE(client_->LoadCollection("default", "books").ok());
  ASSERT_TRUE(client_->Heartbeat(NodeRole::kStreaming, NodeId(1), "127.0.0.1:1").ok());
  ASSERT_TRUE(client_->Heartbeat(NodeRole::kQuery, NodeId(2), "127.0.0.1:2").ok());
  ASSERT_TRUE(client_->Heartbeat(NodeRole::kData, NodeId(3), "127.0.0.1:3").ok());
  rpc::CollectionInfo c = *client_->DescribeCollection("default", "books");

  rpc::SegmentInfo s;
  s.id = SegmentId(*client_->AllocateIds(1));
  s.collection_id = c.id;
  s.partition_id = c.partitions[0].id;
  s.channel = rpc::ChannelName(c.id, 0);
  s.rows = 64;
  s.object_prefix = "p/1";
  ASSERT_TRUE(client_->CommitSegment(s, Lsn(9), *ts2, NodeId(1)).ok());
  auto wrong = client_->CommitSegment(s, Lsn(9), *ts2, NodeId(1));  // retry: fine
  EXPECT_TRUE(wrong.ok());

  auto job = client_->ClaimJob(NodeId(3));
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  ASSERT_TRUE(job->has_value());
  EXPECT_EQ((*job)->segment_id, s.id);
  EXPECT_EQ((*job)->metric_type, "COSINE");
  auto none = client_->ClaimJob(NodeId(3));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(client_->FinishJob((*job)->job_id, NodeId(3), {"idx/a"}).ok());
  auto stale = client_->FinishJob((*job)->job_id, NodeId(3), {"idx/a"});
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);

  auto cat = client_->GetCatalog(0);
  ASSERT_TRUE(cat.ok() && cat->has_value());
  const rpc::SegmentInfo* got = (*cat)->FindSegment(s.id);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->state, rpc::SegmentState::kIndexed);
  EXPECT_EQ(got->query_node_id, NodeId(2));
  EXPECT_EQ((*cat)->FindChannel(s.channel)->checkpoint_lsn, Lsn(9));
}

TEST_F(CoordServiceTest, FailJobThroughTheClient) {
  ASSERT_TRUE(client_->CreateCollection("default", MakeSchema("books"), {}).ok());
  rpc::IndexParams index;
  index.field_name = "vector";
  ASSERT_TRUE(client_->CreateIndex("default", "books", index).ok());
  ASSERT_TRUE(client_->LoadCollection("default", "books").ok());
  ASSERT_TRUE(client_->Heartbeat(NodeRole::kStreaming, NodeId(1), "127.0.0.1:1").ok());
  ASSERT_TRUE(client_->Heartbeat(NodeRole::kData, NodeId(3), "127.0.0.1:3").ok());
  rpc::CollectionInfo c = *client_->DescribeCollection("default", "books");
  rpc::SegmentInfo s;
  s.id = SegmentId(77);
  s.collection_id = c.id;
  s.partition_id = c.partitions[0].id;
  s.channel = rpc::ChannelName(c.id, 0);
  s.rows = 8;
  s.object_prefix = "p/77";
  ASSERT_TRUE(client_->CommitSegment(s, Lsn(1), 1, NodeId(1)).ok());

  // Transient: back in the queue once the backoff (1 s by default) has passed.
  auto job = client_->ClaimJob(NodeId(3));
  ASSERT_TRUE(job.ok() && job->has_value());
  const int64_t id = (*job)->job_id;
  auto wrong = client_->FailJob(id, NodeId(4), "io_error: x", false);
  EXPECT_EQ(wrong.status().code(), StatusCode::kAborted) << wrong.status().ToString();
  ASSERT_TRUE(client_->FailJob(id, NodeId(3), "io_error: x", false).ok());
  EXPECT_FALSE(client_->ClaimJob(NodeId(3))->has_value());
  env_.AdvanceMs(1000);
  job = client_->ClaimJob(NodeId(3));
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->job_id, id);

  // Permanent: the index is Failed with the reason, in the published catalog too.
  const std::string reason = "corruption: p/77/101.bin: bad checksum";
  auto rev = client_->FailJob(id, NodeId(3), reason, true);
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  auto described = client_->DescribeIndex("default", "books", "vector");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->state, rpc::IndexState::kFailed);
  EXPECT_EQ(described->fail_reason, "segment 77: " + reason);
  auto cat = client_->GetCatalog(0);
  ASSERT_TRUE(cat.ok() && cat->has_value());
  EXPECT_EQ((*cat)->revision, *rev);
  EXPECT_EQ((*cat)->FindSegment(s.id)->index_failures.at("vector"), reason);
  EXPECT_EQ((*cat)->FindCollection(c.id)->FindIndex("vector")->state, rpc::IndexState::kFailed);
}

TEST_F(CoordServiceTest, TickerDeclaresSilentNodesDead) {
  ASSERT_TRUE(client_->Heartbeat(NodeRole::kQuery, NodeId(5), "127.0.0.1:5").ok());
  CoordServiceOptions options;
  options.tick_interval_ms = 5;
  CoordService fast(coord_.get(), options);
  rpc::CatalogRevision rev = coord_->revision();
  env_.AdvanceMs(10000);
  fast.StartTicker();
  rpc::Catalog cat = coord_->WaitForRevision(rev, 5000);
  fast.StopTicker();
  ASSERT_NE(cat.FindNode(NodeRole::kQuery, NodeId(5)), nullptr);
  EXPECT_FALSE(cat.FindNode(NodeRole::kQuery, NodeId(5))->alive);
}

}  // namespace
}  // namespace vdb::coord
