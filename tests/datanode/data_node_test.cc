#include "data/data_node.h"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <optional>

#include "common/env.h"
#include "coord/coord_test_util.h"
#include "datanode/datanode_test_util.h"
#include "index/vector_index.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"
#include "segment/segment_writer.h"
#include "storage/object_store.h"
#include "util/coord_fixture.h"
#include "util/temp_dir.h"

namespace vdb::data {
namespace {

using test::MakeSegment;
using test::RandomVectors;
using test::RecallAtK;

constexpr int64_t kDim = 16;
constexpr uint64_t kSeed = 1130;
constexpr int64_t kWaitMs = 30000;  // generous: only a failing test waits it out

// A real coordinator (manual clock, no ticker: the test calls Tick) behind its HTTP service,
// and a local object store in a TempDir.
class DataNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = coord_.Start(&coord_env_);
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<rpc::CoordClient>(coord_.address());
    auto store = storage::OpenLocalObjectStore(Env::Default(), dir_.Sub("objects"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  void TearDown() override {
    for (auto& node : nodes_) node->Stop();
    client_.reset();  // closes its keep-alive connection, which the server would wait out
    coord_.Stop();
  }

  // Collection "c" with an index of `index_type` on its vector field.
  rpc::CollectionInfo CreateIndexedCollection(const std::string& index_type,
                                              rpc::StringMap params = {},
                                              const std::string& metric = "L2") {
    EXPECT_TRUE(client_->CreateCollection("default", coord::test::MakeSchema("c", kDim)).ok());
    rpc::IndexParams index;
    index.field_name = "vector";
    index.index_type = index_type;
    index.metric_type = metric;
    index.params = std::move(params);
    auto created = client_->CreateIndex("default", "c", index);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    auto c = client_->DescribeCollection("default", "c");
    EXPECT_TRUE(c.ok());
    return *c;
  }

  // Writes segment `id` of `c` holding `vectors` (unless `write` is false) and commits it.
  void CommitSegment(const rpc::CollectionInfo& c, SegmentId id, const std::vector<float>& vectors,
                     bool write = true) {
    const PartitionId partition = c.partitions[0].id;
    const std::string prefix = segment::SegmentPrefix(c.id, partition, id);
    if (write) {
      segment::SegmentWriter writer(store_.get());
      auto manifest = writer.Write(prefix, MakeSegment(c.schema, c.id, partition, id, vectors));
      ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    }
    rpc::SegmentInfo s;
    s.id = id;
    s.collection_id = c.id;
    s.partition_id = partition;
    s.channel = rpc::ChannelName(c.id, 0);
    s.rows = static_cast<int64_t>(vectors.size()) / kDim;
    s.object_prefix = prefix;
    auto committed = client_->CommitSegment(s, Lsn(1), 1);
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  }

  DataNode* StartNode(int64_t id) {
    DataNodeOptions options;
    options.poll_interval_ms = 20;
    options.heartbeat_interval_ms = 50;
    auto node = DataNode::Start(Env::Default(), store_.get(), client_.get(), NodeId(id),
                                "127.0.0.1:0", options);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    nodes_.push_back(std::move(*node));
    return nodes_.back().get();
  }

  // The committed index objects of `segment`, waiting (catalog long polls) until there are some.
  std::vector<std::string> WaitForIndexObjects(SegmentId segment, const std::string& index) {
    const uint64_t deadline = Env::Default()->MonotonicMicros() + kWaitMs * 1000;
    rpc::CatalogRevision since = 0;
    while (Env::Default()->MonotonicMicros() < deadline) {
      auto cat = client_->GetCatalog(since, 200);
      if (!cat.ok()) break;
      if (!cat->has_value()) continue;
      since = (*cat)->revision;
      const rpc::SegmentInfo* s = (*cat)->FindSegment(segment);
      if (s != nullptr && s->index_objects.count(index) != 0) return s->index_objects.at(index);
    }
    ADD_FAILURE() << "segment " << segment.value() << " got no index " << index;
    return {};
  }

  // The catalog once `done` holds for it, polling with short long polls and calling `between`
  // after each; ADD_FAILURE and nullopt after kWaitMs.
  std::optional<rpc::Catalog> WaitForCatalog(const std::function<bool(const rpc::Catalog&)>& done,
                                             const std::function<void()>& between = {}) {
    const uint64_t deadline = Env::Default()->MonotonicMicros() + kWaitMs * 1000;
    rpc::CatalogRevision since = 0;
    std::optional<rpc::Catalog> last;
    while (Env::Default()->MonotonicMicros() < deadline) {
      auto cat = client_->GetCatalog(since, 50);
      if (!cat.ok()) break;
      if (cat->has_value()) {
        last = std::move(**cat);
        since = last->revision;
      }
      if (last && done(*last)) return last;
      if (between) between();
    }
    ADD_FAILURE() << "the catalog never reached the expected state";
    return std::nullopt;
  }
  static const rpc::IndexInfo* VectorIndex(const rpc::Catalog& cat) {
    const rpc::CollectionInfo* c = cat.FindCollection("default", "c");
    return c == nullptr ? nullptr : c->FindIndex("vector");
  }
  static bool IndexFailed(const rpc::Catalog& cat) {
    const rpc::IndexInfo* index = VectorIndex(cat);
    return index != nullptr && index->state == rpc::IndexState::kFailed;
  }

  coord::test::ManualClockEnv coord_env_;
  vdb::test::TempDir dir_;
  vdb::test::CoordFixture coord_;
  std::unique_ptr<rpc::CoordClient> client_;
  std::unique_ptr<storage::ObjectStore> store_;
  std::vector<std::unique_ptr<DataNode>> nodes_;
};

TEST_F(DataNodeTest, BuildsAndCommitsAnHnswIndexWithHighRecall) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  auto c = CreateIndexedCollection("HNSW", {{"M", "16"}, {"efConstruction", "100"}});
  const auto base = RandomVectors(1500, kDim, kSeed);
  CommitSegment(c, SegmentId(11), base);
  DataNode* node = StartNode(1);

  auto keys = WaitForIndexObjects(SegmentId(11), "vector");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].rfind("index/" + c.id.ToString() + "/11/vector/", 0), 0u) << keys[0];
  auto bytes = store_->Get(keys[0]);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto index = index::VectorIndex::Load(*bytes);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ((*index)->spec().text, "HNSW16");
  EXPECT_EQ((*index)->size(), 1500);
  EXPECT_GE(RecallAtK(**index, base, RandomVectors(100, kDim, kSeed + 1), 10), 0.9);

  ASSERT_TRUE(node->WaitForStats([](const DataNodeStats& s) { return s.jobs_done == 1; }, kWaitMs));
  DataNodeStats stats = node->stats();
  EXPECT_EQ(stats.rows_indexed, 1500);
  EXPECT_EQ(stats.jobs_failed, 0);
  EXPECT_EQ(stats.bytes_written, static_cast<int64_t>(bytes->size()));
  EXPECT_GT(stats.build_seconds, 0);
  EXPECT_EQ(coord_.coord()->PendingJobCount(), 0u);
  EXPECT_EQ(coord_.coord()->DescribeIndex("default", "c", "vector")->state,
            rpc::IndexState::kFinished);
}

TEST_F(DataNodeTest, TwoNodesShareTheSegmentsOfACollection) {
  auto c = CreateIndexedCollection("AUTOINDEX", {}, "COSINE");
  for (int64_t s = 1; s <= 4; ++s) {
    CommitSegment(c, SegmentId(s), RandomVectors(200, kDim, kSeed + s));
  }
  DataNode* a = StartNode(1);
  DataNode* b = StartNode(2);
  for (int64_t s = 1; s <= 4; ++s) {
    auto keys = WaitForIndexObjects(SegmentId(s), "vector");
    ASSERT_EQ(keys.size(), 1u);
    auto index = index::VectorIndex::Load(*store_->Get(keys[0]));
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ((*index)->size(), 200);
    EXPECT_EQ((*index)->metric(), index::Metric::kCosine);
  }
  // Every job ran exactly once (the coordinator hands each to one node). Stopping lets a commit
  // in flight be counted, so the counters are final.
  a->Stop();
  b->Stop();
  auto done = [](const DataNodeStats& s) { return s.jobs_done; };
  EXPECT_EQ(done(a->stats()) + done(b->stats()), 4);
  EXPECT_EQ(a->stats().jobs_abandoned + b->stats().jobs_abandoned, 0);
}

TEST_F(DataNodeTest, JobOfANodeThatDiedBeforeCommittingIsRerunByAnother) {
  auto c = CreateIndexedCollection("HNSW", {{"M", "8"}, {"efConstruction", "40"}});
  CommitSegment(c, SegmentId(5), RandomVectors(500, kDim, kSeed));

  // Node 1 builds and stores the index, then "dies" before FinishJob.
  DataNode* dying = StartNode(1);
  std::mutex mu;
  std::string orphan;
  dying->TEST_SetBeforeFinishHook([&](const rpc::IndexJob&, const std::string& key) {
    std::lock_guard<std::mutex> lock(mu);
    orphan = key;
    return false;
  });
  ASSERT_TRUE(
      dying->WaitForStats([](const DataNodeStats& s) { return s.jobs_abandoned == 1; }, kWaitMs));
  dying->Stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_FALSE(orphan.empty());
  }
  EXPECT_TRUE(store_->Stat(orphan).ok());
  EXPECT_EQ(coord_.coord()->PendingJobCount(), 1u);
  EXPECT_TRUE(coord_.coord()->Snapshot().FindSegment(SegmentId(5))->index_objects.empty());

  // Its heartbeats stop; once the coordinator's clock passes the lease the job is re-queued.
  coord_env_.AdvanceMs(coord::CoordinatorOptions{}.job_lease_ms + 1);
  ASSERT_TRUE(coord_.coord()->Tick().ok());
  DataNode* rescuer = StartNode(2);
  auto keys = WaitForIndexObjects(SegmentId(5), "vector");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_NE(keys[0], orphan);
  EXPECT_TRUE(index::VectorIndex::Load(*store_->Get(keys[0])).ok());
  EXPECT_TRUE(
      rescuer->WaitForStats([](const DataNodeStats& s) { return s.jobs_done == 1; }, kWaitMs));
  // The first attempt's object is unreferenced, left for GC.
  EXPECT_TRUE(store_->Stat(orphan).ok());
  EXPECT_EQ(coord_.coord()->PendingJobCount(), 0u);
}

TEST_F(DataNodeTest, DamagedOrMissingSegmentFailsTheJobAndTheNodeCarriesOn) {
  auto c = CreateIndexedCollection("HNSW", {{"M", "8"}, {"efConstruction", "40"}});
  // Segment 1: its vector column is garbage. Segment 2: never written (no manifest).
  CommitSegment(c, SegmentId(1), RandomVectors(300, kDim, kSeed));
  auto files = store_->List(segment::SegmentPrefix(c.id, c.partitions[0].id, SegmentId(1)));
  ASSERT_TRUE(files.ok());
  for (const auto& file : *files) {
    if (file.key.find("manifest") == std::string::npos) {
      ASSERT_TRUE(store_->Put(file.key, std::string(file.size, '\x7f')).ok());
    }
  }
  CommitSegment(c, SegmentId(2), RandomVectors(300, kDim, kSeed), /*write=*/false);
  DataNode* node = StartNode(1);
  ASSERT_TRUE(
      node->WaitForStats([](const DataNodeStats& s) { return s.jobs_failed == 2; }, kWaitMs));

  // Still working: a good segment committed now gets its index.
  CommitSegment(c, SegmentId(3), RandomVectors(300, kDim, kSeed + 3));
  EXPECT_EQ(WaitForIndexObjects(SegmentId(3), "vector").size(), 1u);
  // The catalog can show the commit a moment before the node counts it.
  EXPECT_TRUE(node->WaitForStats([](const DataNodeStats& s) { return s.jobs_done == 1; }, kWaitMs));
  rpc::Catalog cat = coord_.coord()->Snapshot();
  EXPECT_TRUE(cat.FindSegment(SegmentId(1))->index_objects.empty());
  EXPECT_TRUE(cat.FindSegment(SegmentId(2))->index_objects.empty());
}

TEST_F(DataNodeTest, CorruptVectorFileFailsTheIndexForGoodNamingTheFile) {
  auto c = CreateIndexedCollection("HNSW", {{"M", "8"}, {"efConstruction", "40"}});
  CommitSegment(c, SegmentId(1), RandomVectors(300, kDim, kSeed));
  const std::string prefix = segment::SegmentPrefix(c.id, c.partitions[0].id, SegmentId(1));
  auto files = store_->List(prefix);
  ASSERT_TRUE(files.ok());
  std::vector<std::string> damaged;
  for (const auto& file : *files) {
    if (file.key.find("manifest") != std::string::npos) continue;
    auto bytes = store_->Get(file.key);
    ASSERT_TRUE(bytes.ok());
    (*bytes)[bytes->size() / 2] ^= 0x5a;
    ASSERT_TRUE(store_->Put(file.key, *bytes).ok());
    damaged.push_back(file.key);
  }
  ASSERT_FALSE(damaged.empty());
  DataNode* node = StartNode(1);

  auto cat = WaitForCatalog(IndexFailed);
  ASSERT_TRUE(cat.has_value());
  const std::string reason = VectorIndex(*cat)->fail_reason;
  EXPECT_EQ(reason.rfind("segment 1: corruption: ", 0), 0u) << reason;
  bool names_a_file = false;
  for (const auto& key : damaged) {
    names_a_file = names_a_file || reason.find(key) != std::string::npos;
  }
  EXPECT_TRUE(names_a_file) << reason;
  EXPECT_EQ(cat->FindSegment(SegmentId(1))->index_failures.at("vector"),
            reason.substr(std::string("segment 1: ").size()));

  // Failed for good: nothing is queued, however long the coordinator waits.
  EXPECT_EQ(coord_.coord()->PendingJobCount(), 0u);
  coord_env_.AdvanceMs(3'600'000);
  EXPECT_FALSE(coord_.coord()->ClaimJob(NodeId(9))->has_value());
  node->Stop();
  EXPECT_EQ(node->stats().jobs_failed, 1);
  EXPECT_EQ(node->stats().jobs_done, 0);
}

TEST_F(DataNodeTest, MissingSegmentIsRetriedWithBackoffThenFailed) {
  auto c = CreateIndexedCollection("HNSW", {{"M", "8"}, {"efConstruction", "40"}});
  CommitSegment(c, SegmentId(2), RandomVectors(100, kDim, kSeed), /*write=*/false);
  DataNode* node = StartNode(1);

  // kNotFound may be transient (an object store catching up): each report re-queues the job
  // after a backoff on the coordinator's clock, which only the test moves. Moving it by the
  // longest backoff after every poll lets each retry through as soon as it is reported.
  const auto max_backoff_ms = coord::CoordinatorOptions{}.job_retry_max_ms;
  auto cat = WaitForCatalog(IndexFailed, [&] { coord_env_.AdvanceMs(max_backoff_ms); });
  ASSERT_TRUE(cat.has_value());
  const int attempts = coord::CoordinatorOptions{}.job_max_attempts;
  const std::string reason = VectorIndex(*cat)->fail_reason;
  const std::string manifest =
      segment::SegmentPrefix(c.id, c.partitions[0].id, SegmentId(2)) + "manifest.json";
  EXPECT_EQ(reason, "segment 2: gave up after " + std::to_string(attempts) +
                        " attempts: not found: object not found: " + manifest);
  EXPECT_EQ(coord_.coord()->PendingJobCount(), 0u);
  node->Stop();
  EXPECT_EQ(node->stats().jobs_failed, attempts);
}

TEST_F(DataNodeTest, StartRejectsABadNodeIdAndStopIsIdempotent) {
  EXPECT_EQ(
      DataNode::Start(Env::Default(), store_.get(), client_.get(), NodeId(0), "").status().code(),
      StatusCode::kInvalidArgument);
  DataNode* node = StartNode(3);
  node->Stop();
  node->Stop();
  EXPECT_EQ(node->stats().jobs_done, 0);
}

}  // namespace
}  // namespace vdb::data
