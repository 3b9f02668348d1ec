#include "coord/coordinator.h"

#include <gtest/gtest.h>

#include <set>

#include "coord/coord_test_util.h"
#include "meta/sqlite_meta_store.h"
#include "util/temp_dir.h"

namespace vdb::coord {
namespace {

using rpc::LoadState;
using rpc::MilvusCodeOf;
using rpc::MilvusMessageOf;
using rpc::NodeRole;
using rpc::SegmentState;
using test::MakeSchema;
using test::ManualClockEnv;

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Opens (again) the coordinator on the store; a file-backed store when UseFile() was called.
  void Reopen() {
    coord_.reset();
    if (store_ == nullptr || !path_.empty()) {
      store_.reset();
      auto store = meta::OpenSqliteMetaStore(path_.empty() ? ":memory:" : path_);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      store_ = std::move(*store);
    }
    auto coord = Coordinator::Open(&env_, store_.get(), options_);
    ASSERT_TRUE(coord.ok()) << coord.status().ToString();
    coord_ = std::move(*coord);
  }
  void UseFile() {
    path_ = dir_.Sub("meta.sqlite3");
    Reopen();
  }

  // Creates "books" (id, vector dim 4, tag) with `shards` shards in `db`.
  void CreateBooks(int shards = 1, const std::string& db = "default") {
    CreateCollectionParams params;
    params.shards_num = shards;
    auto r = coord_->CreateCollection(db, MakeSchema("books", 4, true), params);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  void IndexBooks() {
    IndexParams p;
    p.field_name = "vector";
    p.index_type = "HNSW";
    p.metric_type = "L2";
    p.params = {{"M", "16"}};
    auto r = coord_->CreateIndex("default", "books", p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  rpc::CollectionInfo Books() {
    auto c = coord_->DescribeCollection("default", "books");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : rpc::CollectionInfo{};
  }
  rpc::SegmentInfo Segment(int64_t id, const std::string& channel, int64_t rows) {
    rpc::CollectionInfo c = Books();
    rpc::SegmentInfo s;
    s.id = SegmentId(id);
    s.collection_id = c.id;
    s.partition_id = c.partitions[0].id;
    s.channel = channel;
    s.rows = rows;
    s.ts_min = 1;
    s.ts_max = 2;
    s.object_prefix = "obj/" + std::to_string(id);
    return s;
  }
  void Beat(NodeRole role, int64_t id) {
    auto r = coord_->Heartbeat(role, NodeId(id), "127.0.0.1:" + std::to_string(7000 + id));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  template <typename T>
  static void ExpectMilvus(const Result<T>& r, int code, const std::string& fragment = "") {
    ASSERT_FALSE(r.ok()) << "expected Milvus error " << code;
    EXPECT_EQ(MilvusCodeOf(r.status()), code) << r.status().ToString();
    EXPECT_NE(MilvusMessageOf(r.status()).find(fragment), std::string::npos)
        << r.status().ToString();
  }

  vdb::test::TempDir dir_;
  std::string path_;
  ManualClockEnv env_;
  Coordinator::Options options_;
  std::unique_ptr<meta::MetaStore> store_;
  std::unique_ptr<Coordinator> coord_;
};

// --- TSO and ids ----------------------------------------------------------------------------

TEST_F(CoordinatorTest, TimestampsIncreaseAndRangesAreContiguous) {
  Timestamp last = 0;
  for (int i = 0; i < 100; ++i) {
    auto ts = coord_->AllocateTimestamps(10);
    ASSERT_TRUE(ts.ok());
    EXPECT_GE(*ts, last);
    last = *ts + 10;
  }
  EXPECT_EQ(PhysicalMs(last - 1), env_.NowMicros() / 1000);
  // Exhausting the logical counter borrows the next millisecond rather than repeating.
  auto big = coord_->AllocateTimestamps(kLogicalMask);
  ASSERT_TRUE(big.ok());
  EXPECT_GE(*big, last);
  EXPECT_EQ(Logical(*big), 0u);
  EXPECT_FALSE(coord_->AllocateTimestamps(0).ok());
  EXPECT_FALSE(coord_->AllocateTimestamps(kLogicalMask + 1).ok());
}

TEST_F(CoordinatorTest, TimestampsNeverGoBackAcrossRestartWithBackwardsClock) {
  UseFile();
  Timestamp max_seen = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i) {
      auto ts = coord_->AllocateTimestamps(1);
      ASSERT_TRUE(ts.ok());
      ASSERT_GT(*ts, max_seen) << "round " << round;
      max_seen = *ts;
      env_.AdvanceMs(700);  // crosses the 3 s window now and then
    }
    // The clock jumps back a minute across the restart.
    env_.SetNowMicros(env_.NowMicros() - 60'000'000);
    Reopen();
  }
  auto ts = coord_->AllocateTimestamps(1);
  ASSERT_TRUE(ts.ok());
  EXPECT_GT(*ts, max_seen);
}

TEST_F(CoordinatorTest, IdsAreUniqueAcrossRestart) {
  UseFile();
  options_.id_block = 5;
  Reopen();
  std::set<int64_t> seen;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 7; ++i) {
      auto first = coord_->AllocateIds(3);
      ASSERT_TRUE(first.ok());
      for (int64_t id = *first; id < *first + 3; ++id) {
        EXPECT_TRUE(seen.insert(id).second) << "id " << id << " handed out twice";
      }
    }
    Reopen();
  }
  EXPECT_FALSE(coord_->AllocateIds(0).ok());
}

// --- Databases ------------------------------------------------------------------------------

TEST_F(CoordinatorTest, DatabaseLifecycleAndErrors) {
  EXPECT_EQ(coord_->ListDatabases(), std::vector<std::string>{"default"});
  auto rev0 = coord_->revision();
  auto r = coord_->CreateDatabase("prod", {{"k", "v"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, rev0 + 1);
  EXPECT_EQ(coord_->ListDatabases(), (std::vector<std::string>{"default", "prod"}));
  auto d = coord_->DescribeDatabase("prod");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->properties.at("k"), "v");
  EXPECT_GT(d->id.value(), 0);

  ExpectMilvus(coord_->CreateDatabase("prod"), 65535, "database already exist: prod");
  ExpectMilvus(coord_->CreateDatabase("bad name"), 802, "Invalid database name");
  ExpectMilvus(coord_->DescribeDatabase("nope"), 800, "database not found[database=nope]");
  ExpectMilvus(coord_->DropDatabase("default"), 65535, "can not drop default database");

  CreateBooks(1, "prod");
  ExpectMilvus(coord_->DropDatabase("prod"), 65535,
               "database:prod not empty, must drop all collections before drop database");
  ASSERT_TRUE(coord_->DropCollection("prod", "books").ok());
  ASSERT_TRUE(coord_->DropDatabase("prod").ok());
  auto rev = coord_->revision();
  auto again = coord_->DropDatabase("prod");  // missing: OK, nothing changes
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, rev);
}

TEST_F(CoordinatorTest, DatabaseLimit) {
  options_.max_databases = 2;
  Reopen();
  ASSERT_TRUE(coord_->CreateDatabase("a").ok());
  ExpectMilvus(coord_->CreateDatabase("b"), 801, "exceeds max configuration");
}

// --- Collections ----------------------------------------------------------------------------

TEST_F(CoordinatorTest, CreateCollectionAssignsIdsChannelsAndDefaultPartition) {
  CreateBooks(2);
  rpc::CollectionInfo c = Books();
  ASSERT_EQ(c.schema.fields.size(), 3u);
  EXPECT_EQ(c.schema.fields[0].id, FieldId(100));
  EXPECT_EQ(c.schema.fields[1].id, FieldId(101));
  EXPECT_EQ(c.schema.fields[2].id, FieldId(102));
  EXPECT_EQ(c.shards_num, 2);
  EXPECT_EQ(c.consistency_level, "Bounded");
  EXPECT_EQ(c.load_state, LoadState::kNotLoad);
  ASSERT_EQ(c.partitions.size(), 1u);
  EXPECT_EQ(c.partitions[0].name, "_default");
  EXPECT_GT(c.created_ts, 0u);
  rpc::Catalog cat = coord_->Snapshot();
  auto channels = cat.ChannelsOf(c.id);
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[0]->name, "c" + c.id.ToString() + "s0");
  EXPECT_EQ(channels[1]->name, "c" + c.id.ToString() + "s1");
  EXPECT_EQ(channels[0]->streaming_node_id, NodeId());  // no streaming node yet
  auto list = coord_->ListCollections("default");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, std::vector<std::string>{"books"});
  EXPECT_TRUE(*coord_->HasCollection("default", "books"));
  EXPECT_FALSE(*coord_->HasCollection("default", "films"));
}

TEST_F(CoordinatorTest, CreateCollectionIdenticalIsOkDifferentIsError) {
  CreateBooks();
  auto rev = coord_->revision();
  CreateCollectionParams params;
  auto same = coord_->CreateCollection("default", MakeSchema("books", 4, true), params);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(*same, rev);
  ExpectMilvus(coord_->CreateCollection("default", MakeSchema("books", 8, true), params), 65535,
               "create duplicate collection with different parameters, collection: books");
}

TEST_F(CoordinatorTest, CreateCollectionValidates) {
  CreateCollectionParams params;
  ExpectMilvus(coord_->CreateCollection("default", MakeSchema("bad name"), params), 1100,
               "Invalid collection name");
  ExpectMilvus(coord_->CreateCollection("default", MakeSchema("v", 1), params), 1100,
               "invalid parameter");
  ExpectMilvus(coord_->CreateCollection("nope", MakeSchema("v"), params), 800);
  params.shards_num = 17;
  ExpectMilvus(coord_->CreateCollection("default", MakeSchema("v"), params), 1100, "shards_num");
  params.shards_num = 1;
  params.consistency_level = "strongish";
  ExpectMilvus(coord_->CreateCollection("default", MakeSchema("v"), params), 1100,
               "consistency level");
  EXPECT_TRUE(coord_->ListCollections("default")->empty());
}

TEST_F(CoordinatorTest, MissingCollectionErrorsAndIdempotentDrop) {
  ExpectMilvus(coord_->DescribeCollection("default", "ghost"), 100,
               "can't find collection[database=default][collection=ghost]");
  ExpectMilvus(coord_->LoadCollection("default", "ghost"), 100);
  ExpectMilvus(coord_->GetLoadState("default", "ghost"), 100);
  ExpectMilvus(coord_->ListPartitions("default", "ghost"), 100);
  ExpectMilvus(coord_->DescribeCollection("nodb", "ghost"), 800);
  auto rev = coord_->revision();
  auto drop = coord_->DropCollection("default", "ghost");
  ASSERT_TRUE(drop.ok());
  EXPECT_EQ(*drop, rev);
}

TEST_F(CoordinatorTest, DropCollectionRemovesAliasesIndexesChannelsAndDropsSegments) {
  CreateBooks();
  IndexBooks();
  ASSERT_TRUE(coord_->CreateAlias("default", "books", "novels").ok());
  rpc::CollectionInfo c = Books();
  ASSERT_TRUE(coord_->CommitSegment(Segment(9001, rpc::ChannelName(c.id, 0), 10), Lsn(5), 5).ok());
  ExpectMilvus(coord_->DropCollection("default", "novels"), 65535, "via alias");
  ASSERT_TRUE(coord_->DropCollection("default", "books").ok());
  rpc::Catalog cat = coord_->Snapshot();
  EXPECT_TRUE(cat.collections.empty());
  EXPECT_TRUE(cat.channels.empty());
  ASSERT_EQ(cat.segments.size(), 1u);
  EXPECT_EQ(cat.segments[0].state, SegmentState::kDropped);
  EXPECT_EQ(coord_->PendingJobCount(), 0u);
  ExpectMilvus(coord_->DescribeAlias("default", "novels"), 1600);
  // The names are free again.
  CreateBooks();
  ASSERT_TRUE(coord_->CreateAlias("default", "books", "novels").ok());
}

TEST_F(CoordinatorTest, RenameWithinAndAcrossDatabases) {
  CreateBooks();
  ASSERT_TRUE(coord_->CreateDatabase("archive").ok());
  CollectionId id = Books().id;
  ASSERT_TRUE(coord_->RenameCollection("default", "books", "", "tomes").ok());
  auto tomes = coord_->DescribeCollection("default", "tomes");
  ASSERT_TRUE(tomes.ok());
  EXPECT_EQ(tomes->id, id);
  EXPECT_EQ(tomes->schema.name, "tomes");
  ExpectMilvus(coord_->DescribeCollection("default", "books"), 100);

  ASSERT_TRUE(coord_->RenameCollection("default", "tomes", "archive", "old_tomes").ok());
  EXPECT_TRUE(coord_->ListCollections("default")->empty());
  EXPECT_EQ(*coord_->ListCollections("archive"), std::vector<std::string>{"old_tomes"});

  CreateBooks();
  ExpectMilvus(coord_->RenameCollection("default", "books", "archive", "old_tomes"), 65535,
               "duplicated new collection name archive:old_tomes");
  ExpectMilvus(coord_->RenameCollection("default", "ghost", "", "x"), 100);
  ExpectMilvus(coord_->RenameCollection("default", "books", "nodb", "x"), 800);
  ExpectMilvus(coord_->RenameCollection("default", "books", "", "bad name"), 1100);
  ASSERT_TRUE(coord_->CreateAlias("default", "books", "b").ok());
  ExpectMilvus(coord_->RenameCollection("default", "b", "", "x"), 65535, "alias");
  ExpectMilvus(coord_->RenameCollection("default", "books", "archive", "x"), 65535, "aliases");
}

TEST_F(CoordinatorTest, LoadNeedsVectorIndexAndBoundChannels) {
  CreateBooks();
  ExpectMilvus(coord_->LoadCollection("default", "books"), 65535,
               "there is no vector index on field: [vector]");
  IndexBooks();
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());
  // No streaming node yet: loading.
  auto state = coord_->GetLoadState("default", "books");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, LoadState::kLoading);
  EXPECT_LT(state->progress, 100);
  Beat(NodeRole::kStreaming, 1);
  state = coord_->GetLoadState("default", "books");
  EXPECT_EQ(state->state, LoadState::kLoaded);
  EXPECT_EQ(state->progress, 100);
  auto rev = coord_->revision();
  EXPECT_EQ(*coord_->LoadCollection("default", "books"), rev);  // twice: OK, no change
  ASSERT_TRUE(coord_->ReleaseCollection("default", "books").ok());
  EXPECT_EQ(coord_->GetLoadState("default", "books")->state, LoadState::kNotLoad);
  ASSERT_TRUE(coord_->ReleaseCollection("default", "books").ok());
}

// --- Partitions -----------------------------------------------------------------------------

TEST_F(CoordinatorTest, PartitionLifecycle) {
  CreateBooks();
  ASSERT_TRUE(coord_->CreatePartition("default", "books", "p1").ok());
  auto rev = coord_->revision();
  EXPECT_EQ(*coord_->CreatePartition("default", "books", "p1"), rev);  // existing: OK
  EXPECT_EQ(*coord_->ListPartitions("default", "books"),
            (std::vector<std::string>{"_default", "p1"}));
  EXPECT_TRUE(*coord_->HasPartition("default", "books", "p1"));
  EXPECT_FALSE(*coord_->HasPartition("default", "books", "p2"));
  ExpectMilvus(coord_->CreatePartition("default", "books", "bad name"), 1100,
               "Invalid partition name");
  ExpectMilvus(coord_->DropPartition("default", "books", "_default"), 65535,
               "default partition cannot be deleted");
  EXPECT_EQ(*coord_->DropPartition("default", "books", "p9"), rev);  // missing: OK

  IndexBooks();
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());
  ExpectMilvus(coord_->DropPartition("default", "books", "p1"), 65535, "partition is loaded");
  ASSERT_TRUE(coord_->ReleaseCollection("default", "books").ok());

  rpc::CollectionInfo c = Books();
  rpc::SegmentInfo s = Segment(77, rpc::ChannelName(c.id, 0), 5);
  s.partition_id = c.FindPartition("p1")->id;
  ASSERT_TRUE(coord_->CommitSegment(s, Lsn(1), 1).ok());
  ASSERT_TRUE(coord_->DropPartition("default", "books", "p1").ok());
  EXPECT_FALSE(*coord_->HasPartition("default", "books", "p1"));
  EXPECT_EQ(coord_->Snapshot().FindSegment(SegmentId(77))->state, SegmentState::kDropped);
}

TEST_F(CoordinatorTest, PartitionsLoadAndReleaseOnTheirOwn) {
  CreateBooks();
  ASSERT_TRUE(coord_->CreatePartition("default", "books", "p1").ok());
  ASSERT_TRUE(coord_->CreatePartition("default", "books", "p2").ok());
  ExpectMilvus(coord_->LoadPartitions("default", "books", {"p1"}), 65535,
               "there is no vector index");
  IndexBooks();
  Beat(NodeRole::kStreaming, 1);
  Beat(NodeRole::kQuery, 5);
  rpc::CollectionInfo c = Books();
  const PartitionId p0 = c.FindPartition("_default")->id;
  const PartitionId p1 = c.FindPartition("p1")->id;
  const PartitionId p2 = c.FindPartition("p2")->id;
  const std::string ch = rpc::ChannelName(c.id, 0);
  for (auto [id, part] : {std::pair{1, p0}, std::pair{2, p1}, std::pair{3, p2}}) {
    rpc::SegmentInfo s = Segment(id, ch, 10);
    s.partition_id = part;
    ASSERT_TRUE(coord_->CommitSegment(s, Lsn(id), id).ok());
  }
  auto served_by = [&](int64_t id) {
    return coord_->Snapshot().FindSegment(SegmentId(id))->query_node_id;
  };
  // Released collection: nothing is served.
  EXPECT_EQ(served_by(1), NodeId());
  EXPECT_EQ(served_by(2), NodeId());

  // Loading one partition of a released collection loads that one alone.
  ExpectMilvus(coord_->LoadPartitions("default", "books", {"p1", "nope"}), 200, "nope");
  ASSERT_TRUE(coord_->LoadPartitions("default", "books", {"p1"}).ok());
  c = Books();
  EXPECT_EQ(c.load_state, LoadState::kLoaded);
  EXPECT_EQ(c.LoadedPartitionIds(), std::vector<PartitionId>{p1});
  EXPECT_EQ(served_by(1), NodeId());
  EXPECT_EQ(served_by(2), NodeId(5));
  EXPECT_EQ(served_by(3), NodeId());
  EXPECT_EQ(coord_->GetLoadState("default", "books", {"p1"})->state, LoadState::kLoaded);
  EXPECT_EQ(coord_->GetLoadState("default", "books", {"p1", "p2"})->state, LoadState::kNotLoad);
  EXPECT_EQ(coord_->GetLoadState("default", "books")->state, LoadState::kLoaded);
  ExpectMilvus(coord_->GetLoadState("default", "books", {"ghost"}), 200);

  // More partitions join; a loaded partition cannot be dropped, a released one can.
  ASSERT_TRUE(coord_->LoadPartitions("default", "books", {"p2", "_default"}).ok());
  EXPECT_EQ(Books().LoadedPartitionIds(), (std::vector<PartitionId>{p0, p1, p2}));
  EXPECT_EQ(served_by(1), NodeId(5));
  ExpectMilvus(coord_->DropPartition("default", "books", "p2"), 65535, "partition is loaded");
  ASSERT_TRUE(coord_->ReleasePartitions("default", "books", {"p2"}).ok());
  EXPECT_EQ(served_by(3), NodeId());
  EXPECT_EQ(Books().load_state, LoadState::kLoaded);
  ASSERT_TRUE(coord_->DropPartition("default", "books", "p2").ok());
  EXPECT_EQ(Books().LoadedPartitionIds(), (std::vector<PartitionId>{p0, p1}));

  // The released flag survives a coordinator restart.
  ASSERT_TRUE(coord_->ReleasePartitions("default", "books", {"p1"}).ok());
  Reopen();
  Beat(NodeRole::kStreaming, 1);
  Beat(NodeRole::kQuery, 5);
  EXPECT_EQ(Books().LoadedPartitionIds(), std::vector<PartitionId>{p0});
  EXPECT_EQ(served_by(2), NodeId());

  // Releasing the last loaded partition releases the collection; loading it loads them all.
  ASSERT_TRUE(coord_->ReleasePartitions("default", "books", {"_default"}).ok());
  c = Books();
  EXPECT_EQ(c.load_state, LoadState::kNotLoad);
  EXPECT_TRUE(c.LoadedPartitionIds().empty());
  for (const auto& p : c.partitions) EXPECT_FALSE(p.released) << p.name;
  auto rev = coord_->revision();
  EXPECT_EQ(*coord_->ReleasePartitions("default", "books", {"p1"}), rev);  // released: no-op
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());
  EXPECT_EQ(Books().LoadedPartitionIds(), (std::vector<PartitionId>{p0, p1}));
  EXPECT_EQ(served_by(1), NodeId(5));
  EXPECT_EQ(served_by(2), NodeId(5));
  EXPECT_EQ(coord_->LoadPartitions("default", "books", {}).status().code(),
            StatusCode::kInvalidArgument);
}

// --- Aliases --------------------------------------------------------------------------------

TEST_F(CoordinatorTest, AliasLifecycleAndConflicts) {
  CreateBooks();
  ASSERT_TRUE(coord_->CreateCollection("default", MakeSchema("films"), {}).ok());
  ASSERT_TRUE(coord_->CreateAlias("default", "books", "reads").ok());
  auto rev = coord_->revision();
  EXPECT_EQ(*coord_->CreateAlias("default", "books", "reads"), rev);  // same target: OK
  ExpectMilvus(coord_->CreateAlias("default", "films", "reads"), 1602, "alias exists");
  ExpectMilvus(coord_->CreateAlias("default", "films", "books"), 1601,
               "alias and collection name conflict");
  ExpectMilvus(coord_->CreateAlias("default", "ghost", "x"), 100);
  ExpectMilvus(coord_->CreateAlias("default", "books", "bad name"), 1100);
  ExpectMilvus(coord_->CreateCollection("default", MakeSchema("reads"), {}), 1601);

  auto d = coord_->DescribeAlias("default", "reads");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->collection_name, "books");
  EXPECT_EQ(d->db_name, "default");
  EXPECT_EQ(Books().aliases, std::vector<std::string>{"reads"});
  EXPECT_EQ(coord_->DescribeCollection("default", "reads")->name, "books");
  EXPECT_TRUE(*coord_->HasCollection("default", "reads"));

  ASSERT_TRUE(coord_->AlterAlias("default", "films", "reads").ok());
  EXPECT_EQ(coord_->DescribeAlias("default", "reads")->collection_name, "films");
  EXPECT_TRUE(Books().aliases.empty());
  ExpectMilvus(coord_->AlterAlias("default", "films", "ghost"), 1600,
               "alias not found[database=default][alias=ghost]");
  ExpectMilvus(coord_->AlterAlias("default", "ghost", "reads"), 100);

  ASSERT_TRUE(coord_->CreateAlias("default", "books", "b2").ok());
  EXPECT_EQ(*coord_->ListAliases("default", ""), (std::vector<std::string>{"b2", "reads"}));
  EXPECT_EQ(*coord_->ListAliases("default", "books"), std::vector<std::string>{"b2"});
  ASSERT_TRUE(coord_->DropAlias("default", "reads").ok());
  ExpectMilvus(coord_->DescribeAlias("default", "reads"), 1600);
  rev = coord_->revision();
  EXPECT_EQ(*coord_->DropAlias("default", "reads"), rev);  // missing: OK
}

// --- Indexes --------------------------------------------------------------------------------

TEST_F(CoordinatorTest, IndexLifecycleAndErrors) {
  CreateBooks();
  IndexParams p;
  p.field_name = "vector";
  ASSERT_TRUE(coord_->CreateIndex("default", "books", p).ok());
  auto x = coord_->DescribeIndex("default", "books", "vector");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->index_type, "AUTOINDEX");
  EXPECT_EQ(x->metric_type, "COSINE");
  EXPECT_EQ(x->field_id, FieldId(101));
  EXPECT_EQ(x->state, rpc::IndexState::kFinished);  // no segments to build
  auto rev = coord_->revision();
  EXPECT_EQ(*coord_->CreateIndex("default", "books", p), rev);  // identical: OK
  p.metric_type = "l2";
  ExpectMilvus(coord_->CreateIndex("default", "books", p), 65535, "inconsistent");
  p.index_name = "other";
  ExpectMilvus(coord_->CreateIndex("default", "books", p), 65535,
               "at most one distinct index is allowed per field");
  p.index_name = "";
  p.field_name = "tag";
  p.metric_type = "";
  p.index_type = "HNSW";
  ExpectMilvus(coord_->CreateIndex("default", "books", p), 1100, "not supported");
  p.index_type = "Inverted";
  ASSERT_TRUE(coord_->CreateIndex("default", "books", p).ok());
  EXPECT_EQ(coord_->DescribeIndex("default", "books", "tag")->index_type, "INVERTED");
  p.field_name = "ghost";
  ExpectMilvus(coord_->CreateIndex("default", "books", p), 1700, "field not found");
  IndexParams bad_metric;
  bad_metric.field_name = "vector";
  bad_metric.index_name = "v2";
  bad_metric.metric_type = "HAMMING";
  ExpectMilvus(coord_->CreateIndex("default", "books", bad_metric), 1100, "not supported");

  EXPECT_EQ(*coord_->ListIndexes("default", "books"), (std::vector<std::string>{"vector", "tag"}));
  ExpectMilvus(coord_->DescribeIndex("default", "books", "ghost"), 700, "index not found");
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());
  ExpectMilvus(coord_->DropIndex("default", "books", "vector"), 65535, "collection is loaded");
  ASSERT_TRUE(coord_->ReleaseCollection("default", "books").ok());
  ASSERT_TRUE(coord_->DropIndex("default", "books", "vector").ok());
  rev = coord_->revision();
  EXPECT_EQ(*coord_->DropIndex("default", "books", "vector"), rev);  // missing: OK
  EXPECT_EQ(*coord_->ListIndexes("default", "books"), std::vector<std::string>{"tag"});
}

// --- Persistence ----------------------------------------------------------------------------

TEST_F(CoordinatorTest, ReopenOnTheSameFileRestoresTheCatalog) {
  UseFile();
  ASSERT_TRUE(coord_->CreateDatabase("prod", {{"a", "b"}}).ok());
  CreateBooks(2);
  IndexBooks();
  ASSERT_TRUE(coord_->CreatePartition("default", "books", "p1").ok());
  ASSERT_TRUE(coord_->CreateAlias("default", "books", "reads").ok());
  Beat(NodeRole::kStreaming, 1);
  Beat(NodeRole::kQuery, 2);
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());
  rpc::CollectionInfo c = Books();
  ASSERT_TRUE(
      coord_->CommitSegment(Segment(5000, rpc::ChannelName(c.id, 1), 100), Lsn(33), 44).ok());
  rpc::Catalog before = coord_->Snapshot();
  Reopen();
  rpc::Catalog after = coord_->Snapshot();
  EXPECT_EQ(after.revision, before.revision);
  EXPECT_EQ(after.databases, before.databases);
  EXPECT_EQ(after.collections, before.collections);
  EXPECT_EQ(after.channels, before.channels);
  EXPECT_EQ(after.segments, before.segments);
  // The bound nodes are presumed alive until they miss their heartbeats.
  ASSERT_NE(after.FindNode(NodeRole::kStreaming, NodeId(1)), nullptr);
  EXPECT_TRUE(after.FindNode(NodeRole::kStreaming, NodeId(1))->alive);
  // New DDL continues the revision sequence.
  auto r = coord_->CreatePartition("default", "books", "p2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, before.revision + 1);
}

TEST_F(CoordinatorTest, SecondCoordinatorOnTheSameStoreCannotOverwrite) {
  auto other = Coordinator::Open(&env_, store_.get(), options_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->CreateDatabase("mine").ok());
  auto r = coord_->CreateDatabase("yours");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAborted);
  Reopen();  // reloading sees the other's change
  EXPECT_EQ(coord_->ListDatabases(), (std::vector<std::string>{"default", "mine"}));
}

// --- Nodes, channels, segments --------------------------------------------------------------

TEST_F(CoordinatorTest, ChannelsBindToLeastLoadedAndRebindWhenANodeDies) {
  CreateBooks(4);
  Beat(NodeRole::kStreaming, 1);
  rpc::Catalog cat = coord_->Snapshot();
  for (const auto& ch : cat.channels) EXPECT_EQ(ch.streaming_node_id, NodeId(1));
  EXPECT_EQ(cat.channels[0].streaming_address, "127.0.0.1:7001");

  Beat(NodeRole::kStreaming, 2);
  CreateCollectionParams two_shards;
  two_shards.shards_num = 2;
  ASSERT_TRUE(coord_->CreateCollection("default", MakeSchema("films"), two_shards).ok());
  cat = coord_->Snapshot();
  CollectionId films = cat.FindCollection("default", "films")->id;
  for (const auto* ch : cat.ChannelsOf(films)) EXPECT_EQ(ch->streaming_node_id, NodeId(2));

  // Node 1 goes silent; node 2 keeps beating.
  for (int i = 0; i < 4; ++i) {
    env_.AdvanceMs(1000);
    Beat(NodeRole::kStreaming, 2);
    ASSERT_TRUE(coord_->Tick().ok());
  }
  cat = coord_->Snapshot();
  EXPECT_FALSE(cat.FindNode(NodeRole::kStreaming, NodeId(1))->alive);
  for (const auto& ch : cat.channels) EXPECT_EQ(ch.streaming_node_id, NodeId(2)) << ch.name;

  // Node 2 dies too: channels become unbound and a loaded collection goes back to Loading.
  IndexBooks();
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());
  EXPECT_EQ(coord_->GetLoadState("default", "books")->state, LoadState::kLoaded);
  env_.AdvanceMs(3500);
  ASSERT_TRUE(coord_->Tick().ok());
  cat = coord_->Snapshot();
  for (const auto& ch : cat.channels) EXPECT_EQ(ch.streaming_node_id, NodeId()) << ch.name;
  EXPECT_EQ(coord_->GetLoadState("default", "books")->state, LoadState::kLoading);
  // Node 1 comes back and gets everything.
  Beat(NodeRole::kStreaming, 1);
  cat = coord_->Snapshot();
  for (const auto& ch : cat.channels) EXPECT_EQ(ch.streaming_node_id, NodeId(1)) << ch.name;
  EXPECT_EQ(coord_->GetLoadState("default", "books")->state, LoadState::kLoaded);
}

TEST_F(CoordinatorTest, HeartbeatPublishesOnlyMembershipChanges) {
  auto rev = coord_->revision();
  Beat(NodeRole::kProxy, 1);
  EXPECT_EQ(coord_->revision(), rev + 1);
  Beat(NodeRole::kProxy, 1);
  EXPECT_EQ(coord_->revision(), rev + 1);
  ASSERT_TRUE(coord_->Heartbeat(NodeRole::kProxy, NodeId(1), "127.0.0.1:9999").ok());
  EXPECT_EQ(coord_->revision(), rev + 2);
  ASSERT_TRUE(coord_->Tick().ok());
  EXPECT_EQ(coord_->revision(), rev + 2);
  EXPECT_FALSE(coord_->Heartbeat(NodeRole::kProxy, NodeId(0), "x").ok());
}

TEST_F(CoordinatorTest, CommitSegmentAssignsAndReassignsByRows) {
  CreateBooks(1);
  IndexBooks();
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());  // only loaded ones are served
  Beat(NodeRole::kStreaming, 1);
  Beat(NodeRole::kQuery, 10);
  Beat(NodeRole::kQuery, 11);
  std::string ch = rpc::ChannelName(Books().id, 0);
  ASSERT_TRUE(coord_->CommitSegment(Segment(1, ch, 1000), Lsn(10), 100, NodeId(1)).ok());
  ASSERT_TRUE(coord_->CommitSegment(Segment(2, ch, 10), Lsn(20), 200, NodeId(1)).ok());
  ASSERT_TRUE(coord_->CommitSegment(Segment(3, ch, 10), Lsn(15), 150, NodeId(1)).ok());
  rpc::Catalog cat = coord_->Snapshot();
  EXPECT_EQ(cat.FindSegment(SegmentId(1))->query_node_id, NodeId(10));
  EXPECT_EQ(cat.FindSegment(SegmentId(2))->query_node_id, NodeId(11));
  EXPECT_EQ(cat.FindSegment(SegmentId(3))->query_node_id, NodeId(11));
  EXPECT_EQ(cat.FindSegment(SegmentId(3))->query_address, "127.0.0.1:7011");
  // The checkpoint only moves forward.
  EXPECT_EQ(cat.FindChannel(ch)->checkpoint_lsn, Lsn(20));
  EXPECT_EQ(cat.FindChannel(ch)->checkpoint_ts, 200u);
  EXPECT_EQ(cat.SegmentsOf(ch).size(), 3u);

  // A retried commit is OK; a different segment under the same id is not.
  auto rev = coord_->revision();
  EXPECT_EQ(*coord_->CommitSegment(Segment(2, ch, 10), Lsn(20), 200, NodeId(1)), rev);
  EXPECT_EQ(coord_->CommitSegment(Segment(2, ch, 11), Lsn(20), 200).status().code(),
            StatusCode::kAlreadyExists);
  // Only the channel's streaming node may commit.
  EXPECT_EQ(coord_->CommitSegment(Segment(4, ch, 1), Lsn(30), 300, NodeId(9)).status().code(),
            StatusCode::kAborted);
  EXPECT_EQ(coord_->CommitSegment(Segment(4, "c999s0", 1), Lsn(30), 300).status().code(),
            StatusCode::kInvalidArgument);
  rpc::SegmentInfo orphan = Segment(4, ch, 1);
  orphan.collection_id = CollectionId(999);
  ExpectMilvus(coord_->CommitSegment(orphan, Lsn(30), 300), 100, "can't find collection");
  rpc::SegmentInfo bad_part = Segment(4, ch, 1);
  bad_part.partition_id = PartitionId(999);
  ExpectMilvus(coord_->CommitSegment(bad_part, Lsn(30), 300), 200);

  // Query node 10 dies: its segment moves to 11.
  for (int i = 0; i < 4; ++i) {
    env_.AdvanceMs(1000);
    Beat(NodeRole::kQuery, 11);
    Beat(NodeRole::kStreaming, 1);
    ASSERT_TRUE(coord_->Tick().ok());
  }
  cat = coord_->Snapshot();
  for (const auto& s : cat.segments) EXPECT_EQ(s.query_node_id, NodeId(11)) << s.id.value();
}

TEST_F(CoordinatorTest, SegmentsWaitForAQueryNode) {
  CreateBooks(1);
  IndexBooks();
  ASSERT_TRUE(coord_->LoadCollection("default", "books").ok());
  std::string ch = rpc::ChannelName(Books().id, 0);
  ASSERT_TRUE(coord_->CommitSegment(Segment(1, ch, 5), Lsn(1), 1).ok());
  EXPECT_EQ(coord_->Snapshot().FindSegment(SegmentId(1))->query_node_id, NodeId());
  Beat(NodeRole::kQuery, 3);
  EXPECT_EQ(coord_->Snapshot().FindSegment(SegmentId(1))->query_node_id, NodeId(3));
}

// --- Index-build jobs -----------------------------------------------------------------------

TEST_F(CoordinatorTest, JobsAreQueuedClaimedLeasedAndFinished) {
  options_.job_lease_ms = 5000;
  Reopen();
  CreateBooks(1);
  std::string ch = rpc::ChannelName(Books().id, 0);
  ASSERT_TRUE(coord_->CommitSegment(Segment(1, ch, 100), Lsn(1), 1).ok());
  EXPECT_EQ(coord_->PendingJobCount(), 0u);  // no index yet
  IndexBooks();                              // index on a collection with a sealed segment
  ASSERT_TRUE(coord_->CommitSegment(Segment(2, ch, 50), Lsn(2), 2).ok());  // and a new one
  EXPECT_EQ(coord_->PendingJobCount(), 2u);
  EXPECT_EQ(coord_->DescribeIndex("default", "books", "vector")->state,
            rpc::IndexState::kInProgress);

  Beat(NodeRole::kData, 1);
  auto job1 = coord_->ClaimJob(NodeId(1));
  ASSERT_TRUE(job1.ok() && job1->has_value());
  EXPECT_EQ((*job1)->segment_id, SegmentId(1));  // oldest first
  EXPECT_EQ((*job1)->index_type, "HNSW");
  EXPECT_EQ((*job1)->metric_type, "L2");
  EXPECT_EQ((*job1)->dim, 4);
  EXPECT_EQ((*job1)->field_type, DataType::kFloatVector);
  EXPECT_EQ((*job1)->object_prefix, "obj/1");
  EXPECT_EQ((*job1)->params.at("M"), "16");
  auto job2 = coord_->ClaimJob(NodeId(1));
  ASSERT_TRUE(job2.ok() && job2->has_value());
  EXPECT_EQ((*job2)->segment_id, SegmentId(2));
  auto none = coord_->ClaimJob(NodeId(1));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // Node 1 finishes job 1, then dies holding job 2, which goes back to the queue.
  EXPECT_EQ(coord_->FinishJob((*job1)->job_id, NodeId(2), {"k"}).status().code(),
            StatusCode::kAborted);
  ASSERT_TRUE(coord_->FinishJob((*job1)->job_id, NodeId(1), {"idx/1/a", "idx/1/b"}).ok());
  rpc::Catalog cat = coord_->Snapshot();
  EXPECT_EQ(cat.FindSegment(SegmentId(1))->state, SegmentState::kIndexed);
  EXPECT_EQ(cat.FindSegment(SegmentId(1))->index_objects.at("vector"),
            (std::vector<std::string>{"idx/1/a", "idx/1/b"}));
  EXPECT_EQ(cat.FindSegment(SegmentId(2))->state, SegmentState::kFlushed);
  EXPECT_EQ(coord_->FinishJob((*job1)->job_id, NodeId(1), {"x"}).status().code(),
            StatusCode::kAborted);  // done already

  env_.AdvanceMs(3500);
  ASSERT_TRUE(coord_->Tick().ok());
  Beat(NodeRole::kData, 2);
  auto again = coord_->ClaimJob(NodeId(2));
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->segment_id, SegmentId(2));
  EXPECT_EQ(coord_->FinishJob((*job2)->job_id, NodeId(1), {"late"}).status().code(),
            StatusCode::kAborted);

  // A lease also expires while the node is alive but not finishing (heartbeats renew it).
  for (int i = 0; i < 3; ++i) {
    env_.AdvanceMs(2000);
    Beat(NodeRole::kData, 2);
    ASSERT_TRUE(coord_->Tick().ok());
  }
  EXPECT_FALSE(coord_->ClaimJob(NodeId(3))->has_value());  // still held by 2
  ASSERT_TRUE(coord_->FinishJob((*again)->job_id, NodeId(2), {"idx/2"}).ok());
  EXPECT_EQ(coord_->PendingJobCount(), 0u);
  EXPECT_EQ(coord_->DescribeIndex("default", "books", "vector")->state, rpc::IndexState::kFinished);

  // Dropping the index clears the built objects and the segment state.
  ASSERT_TRUE(coord_->DropIndex("default", "books", "vector").ok());
  cat = coord_->Snapshot();
  EXPECT_TRUE(cat.FindSegment(SegmentId(1))->index_objects.empty());
  EXPECT_EQ(cat.FindSegment(SegmentId(1))->state, SegmentState::kFlushed);
}

TEST_F(CoordinatorTest, ExpiredLeaseIsRequeuedWithoutHeartbeats) {
  options_.job_lease_ms = 1000;
  options_.heartbeat_timeout_ms = 60000;
  Reopen();
  CreateBooks(1);
  IndexBooks();
  ASSERT_TRUE(
      coord_->CommitSegment(Segment(1, rpc::ChannelName(Books().id, 0), 1), Lsn(1), 1).ok());
  Beat(NodeRole::kData, 1);
  auto job = coord_->ClaimJob(NodeId(1));
  ASSERT_TRUE(job.ok() && job->has_value());
  env_.AdvanceMs(1500);
  ASSERT_TRUE(coord_->Tick().ok());
  auto again = coord_->ClaimJob(NodeId(2));
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->job_id, (*job)->job_id);
}

// Index "vector" on "books" with one sealed segment (id 1), claimed by data node 1.
class FailJobTest : public CoordinatorTest {
 protected:
  void SetUp() override {
    options_.job_retry_base_ms = 1000;
    options_.job_retry_max_ms = 4000;
    options_.job_max_attempts = 5;
    options_.job_lease_ms = 600000;  // never the reason a job comes back here
    options_.heartbeat_timeout_ms = 600000;
    UseFile();
    CreateBooks(1);
    IndexBooks();
    ASSERT_TRUE(
        coord_->CommitSegment(Segment(1, rpc::ChannelName(Books().id, 0), 10), Lsn(1), 1).ok());
    Beat(NodeRole::kData, 1);
  }
  // The job claimed by `node`, failing the test when none is claimable.
  int64_t Claim(int64_t node) {
    auto job = coord_->ClaimJob(NodeId(node));
    EXPECT_TRUE(job.ok() && job->has_value()) << "no job for node " << node;
    return job.ok() && job->has_value() ? (*job)->job_id : -1;
  }
  rpc::IndexInfo Index() {
    auto x = coord_->DescribeIndex("default", "books", "vector");
    EXPECT_TRUE(x.ok()) << x.status().ToString();
    return x.ok() ? *x : rpc::IndexInfo{};
  }
};

TEST_F(FailJobTest, TransientFailureIsRequeuedOnlyAfterTheBackoff) {
  int64_t job = Claim(1);
  auto rev = coord_->revision();
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), "io_error: read 1/2/1/101.bin: EIO", false).ok());
  EXPECT_EQ(coord_->revision(), rev);  // nothing published for a retry
  EXPECT_EQ(coord_->PendingJobCount(), 1u);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());
  env_.AdvanceMs(999);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());
  env_.AdvanceMs(1);
  EXPECT_EQ(Claim(1), job);  // the same job, again

  // The backoff doubles: 2 s after the second failure, then 4 s, capped at 4 s.
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), "io_error: again", false).ok());
  env_.AdvanceMs(1999);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());
  env_.AdvanceMs(1);
  EXPECT_EQ(Claim(1), job);
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), "io_error: again", false).ok());
  env_.AdvanceMs(3999);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());
  env_.AdvanceMs(1);
  EXPECT_EQ(Claim(1), job);
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), "io_error: again", false).ok());
  env_.AdvanceMs(3999);  // capped: 8 s would still be waiting at 4 s
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());
  env_.AdvanceMs(1);
  EXPECT_EQ(Claim(1), job);
  EXPECT_EQ(Index().state, rpc::IndexState::kInProgress);

  // The fifth failure is the last: the build failed for good and is not retried.
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), "io_error: read 1/2/1/101.bin: EIO", false).ok());
  EXPECT_EQ(coord_->PendingJobCount(), 0u);
  env_.AdvanceMs(600000);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());
  rpc::IndexInfo x = Index();
  EXPECT_EQ(x.state, rpc::IndexState::kFailed);
  EXPECT_EQ(x.fail_reason,
            "segment 1: gave up after 5 attempts: io_error: read 1/2/1/101.bin: EIO");
}

TEST_F(FailJobTest, PermanentFailureFailsTheIndexAndSurvivesARestart) {
  // A second segment whose build succeeds: one failed segment is enough for Failed.
  ASSERT_TRUE(
      coord_->CommitSegment(Segment(2, rpc::ChannelName(Books().id, 0), 10), Lsn(2), 2).ok());
  int64_t job1 = Claim(1);
  int64_t job2 = Claim(1);
  ASSERT_TRUE(coord_->FinishJob(job2, NodeId(1), {"idx/2"}).ok());
  auto rev = coord_->revision();
  const std::string reason = "corruption: 1/2/1/101.bin: bad checksum at offset 64";
  auto failed = coord_->FailJob(job1, NodeId(1), reason, /*permanent=*/true);
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  EXPECT_GT(*failed, rev);
  EXPECT_EQ(coord_->PendingJobCount(), 0u);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());
  EXPECT_EQ(coord_->FailJob(job1, NodeId(1), reason, true).status().code(),
            StatusCode::kAborted);  // gone with its failure

  auto check = [&] {
    rpc::IndexInfo x = Index();
    EXPECT_EQ(x.state, rpc::IndexState::kFailed);
    EXPECT_EQ(x.fail_reason, "segment 1: " + reason);
    rpc::Catalog cat = coord_->Snapshot();
    EXPECT_EQ(cat.FindSegment(SegmentId(1))->index_failures.at("vector"), reason);
    EXPECT_EQ(cat.FindSegment(SegmentId(1))->state, SegmentState::kFlushed);
    EXPECT_EQ(cat.FindSegment(SegmentId(2))->state, SegmentState::kIndexed);
  };
  check();
  Reopen();  // a new coordinator on the same meta file: no job, same state
  check();
  EXPECT_EQ(coord_->PendingJobCount(), 0u);
  Beat(NodeRole::kData, 1);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(1))->has_value());

  // Dropping and re-creating the index clears the failure and queues the build again.
  ASSERT_TRUE(coord_->DropIndex("default", "books", "vector").ok());
  EXPECT_TRUE(coord_->Snapshot().FindSegment(SegmentId(1))->index_failures.empty());
  IndexBooks();
  EXPECT_EQ(Index().state, rpc::IndexState::kInProgress);
  EXPECT_TRUE(Index().fail_reason.empty());
  EXPECT_EQ(coord_->PendingJobCount(), 2u);
  int64_t again = Claim(1);
  ASSERT_TRUE(coord_->FinishJob(again, NodeId(1), {"idx/1"}).ok());
  ASSERT_TRUE(coord_->FinishJob(Claim(1), NodeId(1), {"idx/2b"}).ok());
  EXPECT_EQ(Index().state, rpc::IndexState::kFinished);
}

TEST_F(FailJobTest, FinishAfterATransientFailureCommitsAndLeavesNoFailure) {
  int64_t job = Claim(1);
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), "unavailable: coordinator", false).ok());
  env_.AdvanceMs(1000);
  ASSERT_EQ(Claim(1), job);
  ASSERT_TRUE(coord_->FinishJob(job, NodeId(1), {"idx/1"}).ok());
  rpc::Catalog cat = coord_->Snapshot();
  EXPECT_TRUE(cat.FindSegment(SegmentId(1))->index_failures.empty());
  EXPECT_EQ(Index().state, rpc::IndexState::kFinished);
  EXPECT_TRUE(Index().fail_reason.empty());
}

TEST_F(FailJobTest, OnlyTheHolderMayFailAJob) {
  EXPECT_EQ(coord_->FailJob(12345, NodeId(1), "x", true).status().code(), StatusCode::kAborted);
  int64_t job = Claim(1);
  Beat(NodeRole::kData, 2);
  auto wrong = coord_->FailJob(job, NodeId(2), "corruption: x", true);
  EXPECT_EQ(wrong.status().code(), StatusCode::kAborted) << wrong.status().ToString();
  EXPECT_EQ(Index().state, rpc::IndexState::kInProgress);
  EXPECT_FALSE(coord_->ClaimJob(NodeId(2))->has_value());  // still held by node 1
  // The holder can; a second report of the same failure is stale.
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), "io_error: x", false).ok());
  EXPECT_EQ(coord_->FailJob(job, NodeId(1), "io_error: x", false).status().code(),
            StatusCode::kAborted);
}

TEST_F(FailJobTest, LongReasonsAreCutShortOnACharacterBoundary) {
  int64_t job = Claim(1);
  std::string long_reason = "r";
  for (int i = 0; i < 2000; ++i) long_reason += "\xc3\xa9";  // "é", two bytes each
  ASSERT_TRUE(coord_->FailJob(job, NodeId(1), long_reason, true).ok());
  std::string stored = coord_->Snapshot().FindSegment(SegmentId(1))->index_failures.at("vector");
  EXPECT_LT(stored.size(), 1100u);
  ASSERT_GT(stored.size(), 3u);
  EXPECT_EQ(stored.substr(stored.size() - 3), "...");
  EXPECT_EQ(stored.size() % 2, 0u) << "cut inside a character";  // "r" + n * 2 + "..."
  EXPECT_EQ(stored.substr(0, stored.size() - 3), long_reason.substr(0, stored.size() - 3));
}

TEST_F(CoordinatorTest, WaitForRevisionReturnsOnChangeOrTimeout) {
  auto rev = coord_->revision();
  rpc::Catalog same = coord_->WaitForRevision(rev, 10);
  EXPECT_EQ(same.revision, rev);
  std::thread writer([&] { EXPECT_TRUE(coord_->CreateDatabase("later").ok()); });
  rpc::Catalog next = coord_->WaitForRevision(rev, 5000);
  writer.join();
  EXPECT_EQ(next.revision, rev + 1);
  EXPECT_NE(next.FindDatabase("later"), nullptr);
}

}  // namespace
}  // namespace vdb::coord
