#include "query/query_node.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "common/env.h"
#include "coord/coord_test_util.h"
#include "index/brute_force.h"
#include "index/vector_index.h"
#include "rpc/coord_client.h"
#include "rpc/data_plane.h"
#include "rpc/http.h"
#include "rpc/query_client.h"
#include "segment/column_codec.h"
#include "segment/segment_writer.h"
#include "storage/object_store.h"
#include "util/coord_fixture.h"
#include "util/temp_dir.h"

namespace vdb::query {
namespace {

constexpr int64_t kDim = 8;
constexpr uint64_t kSeed = 20261130;
constexpr int64_t kWaitMs = 10000;
constexpr Timestamp kCheckpointTs = 5000;
constexpr int64_t kCallMs = 5000;

// A row of a test segment.
struct Row {
  int64_t pk = 0;
  Timestamp ts = 0;
  std::vector<float> vec;
};

std::vector<Row> RandomRows(int64_t first_pk, int64_t n, Timestamp ts, std::mt19937_64* rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<Row> rows;
  for (int64_t i = 0; i < n; ++i) {
    Row r{first_pk + i, ts + static_cast<Timestamp>(i), std::vector<float>(kDim)};
    for (float& v : r.vec) v = dist(*rng);
    rows.push_back(std::move(r));
  }
  return rows;
}

// Stands in for a streaming node's deletes feed: answers /internal/stream/deletes from a list
// the test fills, and records every request.
class FakeDeletesFeed {
 public:
  FakeDeletesFeed() {
    server_.Route("POST", std::string(rpc::kStreamDeletesPath),
                  [this](const rpc::Request& req, rpc::Response* resp) -> Status {
                    auto m = rpc::DecodeDeletesRequest(req.body);
                    if (!m.ok()) return m.status();
                    rpc::DeletesResponse out;
                    std::lock_guard<std::mutex> lock(mu_);
                    requests_.push_back(*m);
                    if (!fail_.ok()) return fail_;
                    for (const auto& d : deletes_) {
                      if (d.ts > m->after_ts && d.ts <= m->until_ts) out.deletes.push_back(d);
                    }
                    resp->content_type = "application/octet-stream";
                    resp->body = rpc::EncodeDeletesResponse(out);
                    return Status::OK();
                  });
    port_ = *server_.Bind("127.0.0.1", 0);
    EXPECT_TRUE(server_.Start().ok());
  }
  ~FakeDeletesFeed() { server_.Stop(); }

  void Add(int64_t pk, Timestamp ts) {
    std::lock_guard<std::mutex> lock(mu_);
    deletes_.push_back(rpc::DeleteEntry{PrimaryKey(pk), ts});
  }
  // Every later pull fails with `status` (OK: succeeds again).
  void FailWith(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(status);
  }
  std::vector<rpc::DeletesRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  rpc::HttpServer server_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<rpc::DeleteEntry> deletes_;
  std::vector<rpc::DeletesRequest> requests_;
  Status fail_;
};

// A real coordinator (manual clock: nodes die only when the test advances it) behind its HTTP
// service, a local object store, the fake deletes feed registered as streaming node 1, and query
// nodes each behind their own HTTP server.
class QueryNodeTest : public ::testing::Test {
 protected:
  struct Served {
    std::unique_ptr<rpc::HttpServer> server;
    std::unique_ptr<QueryNode> node;
    std::unique_ptr<rpc::QueryClient> client;
    std::string address;
  };

  void SetUp() override {
    Status started = coord_.Start(&coord_env_);
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<rpc::CoordClient>(coord_.address());
    auto store = storage::OpenLocalObjectStore(Env::Default(), dir_.Sub("objects"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(client_->CreateCollection("default", coord::test::MakeSchema("c", kDim)).ok());
    // Query nodes serve only loaded collections, and a load needs a vector index.
    rpc::IndexParams flat;
    flat.field_name = "vector";
    flat.index_type = "FLAT";
    flat.metric_type = "L2";
    ASSERT_TRUE(client_->CreateIndex("default", "c", flat).ok());
    ASSERT_TRUE(client_->LoadCollection("default", "c").ok());
    collection_ = *client_->DescribeCollection("default", "c");
    channel_ = rpc::ChannelName(collection_.id, 0);
    ASSERT_TRUE(
        coord_.coord()->Heartbeat(rpc::NodeRole::kStreaming, NodeId(1), feed_.address()).ok());
  }

  void TearDown() override {
    for (auto& s : nodes_) {
      s.node->Stop();
      s.client.reset();
      s.server->Stop();
    }
    client_.reset();
    coord_.Stop();
  }

  QueryNode* StartNode(int64_t id) {
    Served s;
    s.server = std::make_unique<rpc::HttpServer>();
    auto port = s.server->Bind("127.0.0.1", 0);
    EXPECT_TRUE(port.ok());
    const std::string address = "127.0.0.1:" + std::to_string(*port);
    QueryNodeOptions options;
    options.heartbeat_interval_ms = 50;
    options.catalog_poll_ms = 100;
    options.load_retry_ms = 50;
    options.delete_refresh_ms = 0;  // the tests decide when deletes are pulled
    auto node =
        QueryNode::Start(Env::Default(), store_.get(), client_.get(), NodeId(id), address, options);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    s.node = std::move(*node);
    s.node->RegisterRoutes(s.server.get());
    EXPECT_TRUE(s.server->Start().ok());
    s.client = std::make_unique<rpc::QueryClient>(address);
    s.address = address;
    nodes_.push_back(std::move(s));
    // Registered (so commits assign segments to it) once its catalog lists it.
    QueryNode* n = nodes_.back().node.get();
    EXPECT_TRUE(n->WaitFor(
        [&](const QueryNode&) {
          const rpc::Catalog catalog = coord_.coord()->Snapshot();
          const rpc::NodeInfo* info = catalog.FindNode(rpc::NodeRole::kQuery, NodeId(id));
          return info != nullptr && info->alive;
        },
        kWaitMs));
    return n;
  }
  rpc::QueryClient* ClientOf(size_t i) { return nodes_[i].client.get(); }

  // Writes segment `id` with `rows` and the delete file `deletes`, commits it (checkpoint
  // kCheckpointTs) and remembers its rows.
  void CommitSegment(SegmentId id, const std::vector<Row>& rows,
                     const std::vector<segment::DeleteRecord>& deletes = {}) {
    const PartitionId partition = collection_.partitions[0].id;
    const std::string prefix = segment::SegmentPrefix(collection_.id, partition, id);
    segment::SegmentData data;
    data.segment_id = id;
    data.collection_id = collection_.id;
    data.partition_id = partition;
    data.schema = collection_.schema;
    segment::ColumnData pks(collection_.schema.fields[0]);
    segment::ColumnData vecs(collection_.schema.fields[1]);
    for (const Row& r : rows) {
      pks.AppendInt(r.pk);
      vecs.AppendFloatVector(r.vec.data());
      data.timestamps.push_back(r.ts);
    }
    data.columns.push_back(std::move(pks));
    data.columns.push_back(std::move(vecs));
    data.deletes = deletes;
    segment::SegmentWriter writer(store_.get());
    auto manifest = writer.Write(prefix, data);
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    rpc::SegmentInfo s;
    s.id = id;
    s.collection_id = collection_.id;
    s.partition_id = partition;
    s.channel = channel_;
    s.rows = static_cast<int64_t>(rows.size());
    s.object_prefix = prefix;
    auto committed = client_->CommitSegment(s, Lsn(1), kCheckpointTs);
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    segments_[id] = rows;
    for (const auto& d : deletes) all_deletes_.push_back(d);
  }

  bool WaitLoaded(QueryNode* node, std::vector<SegmentId> want) {
    return node->WaitFor([&](const QueryNode& n) { return n.LoadedSegments() == want; }, kWaitMs);
  }

  rpc::QuerySearchRequest SearchRequest(const std::vector<float>& queries, int64_t k,
                                        Timestamp read_ts) {
    rpc::QuerySearchRequest q;
    q.search.collection_id = collection_.id;
    q.search.channel = channel_;
    q.search.field_id = collection_.schema.fields[1].id;
    q.search.metric = 0;
    q.search.dim = kDim;
    q.search.nq = static_cast<int64_t>(queries.size()) / kDim;
    q.search.vectors = queries;
    q.search.k = k;
    q.search.read_ts = read_ts;
    for (const auto& [id, rows] : segments_) q.segment_ids.push_back(id);
    return q;
  }

  uint64_t Count(rpc::QueryClient* client, Timestamp read_ts) {
    rpc::QueryCountRequest q;
    q.count.collection_id = collection_.id;
    q.count.channel = channel_;
    q.count.read_ts = read_ts;
    for (const auto& [id, rows] : segments_) q.segment_ids.push_back(id);
    auto r = client->Count(q, kCallMs);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->count : 0;
  }

  // The keys a scan over every committed segment answers, as ints; {-1} when it fails.
  std::vector<int64_t> Scan(rpc::QueryClient* client, Timestamp read_ts, int64_t limit,
                            std::optional<int64_t> after = std::nullopt,
                            std::vector<PartitionId> partitions = {}) {
    rpc::QueryScanRequest q;
    q.scan.collection_id = collection_.id;
    q.scan.channel = channel_;
    q.scan.read_ts = read_ts;
    q.scan.partition_ids = std::move(partitions);
    q.scan.limit = limit;
    if (after) q.scan.after = PrimaryKey(*after);
    for (const auto& [id, rows] : segments_) q.segment_ids.push_back(id);
    auto r = client->Scan(q, kCallMs);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {-1};
    std::vector<int64_t> out;
    for (const auto& pk : r->pks) out.push_back(std::get<int64_t>(pk));
    return out;
  }

  // The pks returned by Get at read_ts, with their timestamps.
  std::map<int64_t, Timestamp> GetPks(rpc::QueryClient* client, std::vector<int64_t> pks,
                                      Timestamp read_ts,
                                      std::vector<float>* first_vector = nullptr) {
    rpc::QueryGetRequest q;
    q.get.collection_id = collection_.id;
    q.get.channel = channel_;
    for (int64_t pk : pks) q.get.pks.emplace_back(pk);
    q.get.read_ts = read_ts;
    for (const auto& [id, rows] : segments_) q.segment_ids.push_back(id);
    auto r = client->Get(q, kCallMs);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::map<int64_t, Timestamp> out;
    if (!r.ok()) return out;
    for (size_t i = 0; i < r->pks.size(); ++i) out[std::get<int64_t>(r->pks[i])] = r->ts[i];
    size_t n = 0;
    auto cols = segment::DecodeColumns(collection_.schema.fields, r->columns, &n);
    EXPECT_TRUE(cols.ok()) << cols.status().ToString();
    EXPECT_EQ(n, r->pks.size());
    if (cols.ok() && n > 0) {
      EXPECT_EQ((*cols)[0].GetInt(0), std::get<int64_t>(r->pks[0]));
      if (first_vector != nullptr) {
        const float* v = (*cols)[1].GetFloatVector(0);
        first_vector->assign(v, v + kDim);
      }
    }
    return out;
  }

  // Brute force over every row visible at read_ts given `deletes`: the k best (pk, ts) lists.
  std::vector<std::vector<std::pair<int64_t, Timestamp>>> Expected(
      const std::vector<float>& queries, int k, Timestamp read_ts,
      const std::vector<segment::DeleteRecord>& deletes) {
    std::vector<float> base;
    std::vector<std::pair<int64_t, Timestamp>> ids;
    for (const auto& [id, rows] : segments_) {
      for (const Row& r : rows) {
        if (r.ts > read_ts) continue;
        bool hidden = false;
        for (const auto& d : deletes) {
          hidden = hidden || (std::get<int64_t>(d.pk) == r.pk && r.ts < d.ts && d.ts <= read_ts);
        }
        if (hidden) continue;
        base.insert(base.end(), r.vec.begin(), r.vec.end());
        ids.emplace_back(r.pk, r.ts);
      }
    }
    index::FloatVectors fv{base.data(), static_cast<int64_t>(ids.size()), kDim, nullptr};
    index::BruteForceParams params;
    params.k = k;
    index::SearchResults res;
    const int64_t nq = static_cast<int64_t>(queries.size()) / kDim;
    EXPECT_TRUE(index::BruteForceSearch(fv, nq, queries.data(), params, &res).ok());
    std::vector<std::vector<std::pair<int64_t, Timestamp>>> out(static_cast<size_t>(nq));
    for (int64_t q = 0; q < nq; ++q) {
      for (int j = 0; j < k; ++j) {
        int64_t row = res.rows_of(q)[j];
        if (row >= 0) out[q].push_back(ids[static_cast<size_t>(row)]);
      }
    }
    return out;
  }

  static std::vector<std::vector<std::pair<int64_t, Timestamp>>> Ids(const rpc::SearchPartial& p) {
    std::vector<std::vector<std::pair<int64_t, Timestamp>>> out;
    for (const auto& hits : p.hits) {
      out.emplace_back();
      for (const auto& h : hits) out.back().emplace_back(std::get<int64_t>(h.pk), h.ts);
    }
    return out;
  }

  coord::test::ManualClockEnv coord_env_;
  vdb::test::TempDir dir_;
  FakeDeletesFeed feed_;
  vdb::test::CoordFixture coord_;
  std::unique_ptr<rpc::CoordClient> client_;
  std::unique_ptr<storage::ObjectStore> store_;
  rpc::CollectionInfo collection_;
  std::string channel_;
  std::map<SegmentId, std::vector<Row>> segments_;
  std::vector<segment::DeleteRecord> all_deletes_;
  std::vector<Served> nodes_;
};

std::vector<float> Queries(int64_t nq, std::mt19937_64* rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> q(static_cast<size_t>(nq * kDim));
  for (float& v : q) v = dist(*rng);
  return q;
}

TEST_F(QueryNodeTest, LoadsAssignedSegmentsAndSearchEqualsBruteForce) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed);
  QueryNode* node = StartNode(1);
  CommitSegment(SegmentId(10), RandomRows(0, 300, 1000, &rng));
  CommitSegment(SegmentId(11), RandomRows(1000, 200, 1000, &rng));
  ASSERT_TRUE(WaitLoaded(node, {SegmentId(10), SegmentId(11)}));
  EXPECT_EQ(node->stats().rows_loaded, 500);

  const auto queries = Queries(5, &rng);
  for (Timestamp read_ts : {Timestamp{0}, Timestamp{1100}, Timestamp{9000}}) {
    auto got = ClientOf(0)->Search(SearchRequest(queries, 10, read_ts), kCallMs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(Ids(*got), Expected(queries, 10, read_ts == 0 ? kMaxTimestamp : read_ts, {}))
        << "read_ts " << read_ts;
    for (const auto& hits : got->hits) {
      for (const auto& h : hits) {
        const auto& rows = segments_.at(h.segment_id);
        ASSERT_LT(h.row, static_cast<int64_t>(rows.size()));
        EXPECT_EQ(rows[static_cast<size_t>(h.row)].pk, std::get<int64_t>(h.pk));
      }
    }
  }
  // Rows above the read timestamp are invisible to count as well.
  EXPECT_EQ(Count(ClientOf(0), 1099), 200u);  // ts 1000..1099 of both segments
  EXPECT_EQ(Count(ClientOf(0), 0), 500u);
  std::vector<float> vec;
  auto got = GetPks(ClientOf(0), {5, 1005, 777777}, 9000, &vec);
  EXPECT_EQ(got, (std::map<int64_t, Timestamp>{{5, 1005}, {1005, 1005}}));
  EXPECT_EQ(vec, segments_.at(SegmentId(10))[5].vec);
}

TEST_F(QueryNodeTest, DeleteFilesAndPulledDeletesHideRowsAtTheirTimestamps) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 1);
  QueryNode* node = StartNode(1);
  // Segment 20 deletes its own pk 3 at 3000. Segment 21 (flushed later) carries the channel's
  // deletes of pk 4 (a row of segment 20) at 3500, and an upsert of pk 5: a new version at 2500
  // with a delete at the same timestamp, which hides the old version only.
  CommitSegment(SegmentId(20), RandomRows(0, 100, 1000, &rng), {{PrimaryKey(int64_t{3}), 3000}});
  auto rows21 = RandomRows(100, 50, 1000, &rng);
  rows21[0].pk = 5;
  rows21[0].ts = 2500;
  CommitSegment(SegmentId(21), rows21,
                {{PrimaryKey(int64_t{4}), 3500}, {PrimaryKey(int64_t{5}), 2500}});
  // The streaming node holds the deletes after the checkpoint.
  feed_.Add(6, 6000);
  feed_.Add(101, 7000);
  ASSERT_TRUE(WaitLoaded(node, {SegmentId(20), SegmentId(21)}));

  EXPECT_EQ(Count(ClientOf(0), 2000), 149u);      // pk 5's new version is not written yet
  EXPECT_EQ(Count(ClientOf(0), 3200), 150u - 2);  // pk 3 deleted; pk 5 old version replaced
  EXPECT_EQ(Count(ClientOf(0), 4000), 150u - 3);  // and pk 4
  EXPECT_TRUE(feed_.requests().empty()) << "reads below the checkpoint need no pull";
  EXPECT_EQ(Count(ClientOf(0), 6500), 150u - 4);  // pulled: pk 6 at 6000
  ASSERT_EQ(feed_.requests().size(), 1u);
  EXPECT_EQ(feed_.requests()[0].after_ts, kCheckpointTs);
  EXPECT_EQ(feed_.requests()[0].until_ts, 6500u);
  EXPECT_EQ(Count(ClientOf(0), 6400), 150u - 4);  // cached: no second pull
  EXPECT_EQ(feed_.requests().size(), 1u);

  EXPECT_EQ(GetPks(ClientOf(0), {3, 4, 5, 6, 101}, 6900),
            (std::map<int64_t, Timestamp>{{5, 2500}, {101, 1001}}));
  EXPECT_EQ(GetPks(ClientOf(0), {5, 6}, 2400),
            (std::map<int64_t, Timestamp>{{5, 1005}, {6, 1006}}));
  ASSERT_EQ(feed_.requests().size(), 2u);
  EXPECT_EQ(feed_.requests()[1].after_ts, 6500u);
  EXPECT_EQ(feed_.requests()[1].until_ts, 6900u);
  EXPECT_EQ(Count(ClientOf(0), 8000), 150u - 5);  // pk 101 at 7000
  EXPECT_EQ(Count(ClientOf(0), 0), 150u - 5);     // Eventually: the deletes pulled so far
  feed_.Add(102, 9000);
  EXPECT_EQ(Count(ClientOf(0), 0), 150u - 5);  // not pulled yet (and the answer is cached)
  // A get (which builds no visibility bitset) pulls the delete at 9000; the Eventually count
  // cached before it is stale now.
  EXPECT_TRUE(GetPks(ClientOf(0), {102}, 9500).empty());
  EXPECT_EQ(Count(ClientOf(0), 0), 150u - 6);

  std::vector<segment::DeleteRecord> deletes = all_deletes_;
  deletes.push_back({PrimaryKey(int64_t{6}), 6000});
  deletes.push_back({PrimaryKey(int64_t{101}), 7000});
  deletes.push_back({PrimaryKey(int64_t{102}), 9000});
  const auto queries = Queries(8, &rng);
  for (Timestamp read_ts : {Timestamp{2000}, Timestamp{3200}, Timestamp{8000}}) {
    auto got = ClientOf(0)->Search(SearchRequest(queries, 20, read_ts), kCallMs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(Ids(*got), Expected(queries, 20, read_ts, deletes)) << "read_ts " << read_ts;
  }
  EXPECT_GE(node->stats().deletes_pulled, 2);
}

TEST_F(QueryNodeTest, ScanReturnsTheSmallestVisibleKeysInOrder) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 2);
  QueryNode* node = StartNode(1);
  // Segment 30: pks 0..99 at 1000..1099, pk 3 deleted at 3000 by its own delete file. Segment
  // 31: pks 100..149 at 1000..1049 (shuffled), except row 0, an upsert of pk 5 at 2500 (with its
  // delete), and row 1, a plain second copy of pk 7 at 2600.
  CommitSegment(SegmentId(30), RandomRows(0, 100, 1000, &rng), {{PrimaryKey(int64_t{3}), 3000}});
  auto rows31 = RandomRows(100, 50, 1000, &rng);
  std::shuffle(rows31.begin() + 2, rows31.end(), rng);
  rows31[0].pk = 5;
  rows31[0].ts = 2500;
  rows31[1].pk = 7;
  rows31[1].ts = 2600;
  CommitSegment(SegmentId(31), rows31, {{PrimaryKey(int64_t{5}), 2500}});
  feed_.Add(6, 6000);  // after the checkpoint: pulled from the streaming node
  ASSERT_TRUE(WaitLoaded(node, {SegmentId(30), SegmentId(31)}));

  auto without = [](int64_t begin, int64_t end, std::set<int64_t> gone) {
    std::vector<int64_t> v;
    for (int64_t k = begin; k < end; ++k) {
      if (gone.count(k) == 0) v.push_back(k);
    }
    return v;
  };
  EXPECT_EQ(Scan(ClientOf(0), 6500, 200), without(0, 150, {3, 6, 100, 101}));
  EXPECT_EQ(Scan(ClientOf(0), 6500, 5), (std::vector<int64_t>{0, 1, 2, 4, 5}));
  EXPECT_EQ(Scan(ClientOf(0), 6500, 4, /*after=*/5), (std::vector<int64_t>{7, 8, 9, 10}));
  EXPECT_EQ(Scan(ClientOf(0), 6500, 3, /*after=*/147), (std::vector<int64_t>{148, 149}));
  // read_ts: the delete files and the pulled delete apply from their timestamps only.
  EXPECT_EQ(Scan(ClientOf(0), 4000, 200), without(0, 150, {3, 100, 101}));
  EXPECT_EQ(Scan(ClientOf(0), 2000, 200), without(0, 150, {100, 101}));
  // At 1009: pks 0..9 of segment 30 and 102..109 of segment 31 (rows keep their timestamps).
  std::vector<int64_t> early = without(0, 10, {});
  for (int64_t k = 102; k < 110; ++k) early.push_back(k);
  EXPECT_EQ(Scan(ClientOf(0), 1009, 200), early);
  EXPECT_EQ(Scan(ClientOf(0), 0, 200), without(0, 150, {3, 6, 100, 101}));  // Eventually
  // Paging with `after` visits every live key once.
  std::vector<int64_t> paged;
  std::optional<int64_t> after;
  for (int page = 0; page < 100; ++page) {
    auto keys = Scan(ClientOf(0), 6500, 9, after);
    if (keys.empty()) break;
    paged.insert(paged.end(), keys.begin(), keys.end());
    after = keys.back();
  }
  EXPECT_EQ(paged, without(0, 150, {3, 6, 100, 101}));
  // Partitions: the segments' own, or one they are not in.
  EXPECT_EQ(Scan(ClientOf(0), 6500, 3, std::nullopt, {collection_.partitions[0].id}),
            (std::vector<int64_t>{0, 1, 2}));
  EXPECT_TRUE(Scan(ClientOf(0), 6500, 3, std::nullopt, {PartitionId(987654)}).empty());

  rpc::QueryScanRequest bad;
  bad.scan.collection_id = collection_.id;
  bad.scan.channel = channel_;
  bad.scan.limit = 10;
  bad.scan.after = PrimaryKey(std::string("x"));
  bad.segment_ids = {SegmentId(30)};
  EXPECT_EQ(node->Scan(bad).status().code(), StatusCode::kInvalidArgument);
  bad.scan.after.reset();
  bad.scan.limit = 0;
  EXPECT_EQ(node->Scan(bad).status().code(), StatusCode::kInvalidArgument);
  bad.scan.limit = 10;
  bad.segment_ids = {SegmentId(99)};
  EXPECT_EQ(node->Scan(bad).status().code(), StatusCode::kUnavailable);
}

TEST_F(QueryNodeTest, IndexCommittedLaterIsSwappedInAndResultsStayCorrect) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 2);
  rpc::IndexParams params;
  params.field_name = "vector";
  params.index_type = "HNSW";
  params.metric_type = "L2";
  ASSERT_TRUE(client_->ReleaseCollection("default", "c").ok());
  ASSERT_TRUE(client_->DropIndex("default", "c", "vector").ok());
  ASSERT_TRUE(client_->CreateIndex("default", "c", params).ok());
  ASSERT_TRUE(client_->LoadCollection("default", "c").ok());
  QueryNode* node = StartNode(1);
  const auto rows = RandomRows(0, 400, 1000, &rng);
  CommitSegment(SegmentId(30), rows, {{PrimaryKey(int64_t{7}), 3000}});
  ASSERT_TRUE(WaitLoaded(node, {SegmentId(30)}));
  const FieldId field = collection_.schema.fields[1].id;
  EXPECT_EQ(node->IndexKey(SegmentId(30), field), "");

  // Self-queries: each query's own row is its nearest neighbour unless deleted.
  std::vector<float> queries;
  for (int i = 0; i < 10; ++i)
    queries.insert(queries.end(), rows[i].vec.begin(), rows[i].vec.end());
  auto before = ClientOf(0)->Search(SearchRequest(queries, 5, 4000), kCallMs);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(Ids(*before), Expected(queries, 5, 4000, all_deletes_));

  // Build the index as a data node would and commit it through the job queue.
  index::IndexOptions options;
  options.spec = "HNSW16";
  options.d = kDim;
  auto idx = index::VectorIndex::Create(options);
  ASSERT_TRUE(idx.ok());
  std::vector<float> base;
  for (const Row& r : rows) base.insert(base.end(), r.vec.begin(), r.vec.end());
  ASSERT_TRUE((*idx)->Build(static_cast<int64_t>(rows.size()), base.data()).ok());
  const std::string key = "index/test/30/vector/1-9.idx";
  ASSERT_TRUE(store_->Put(key, *(*idx)->Serialize()).ok());
  auto q = SearchRequest(queries, 5, 4000);
  q.search.ef = 200;  // exact on 400 rows

  // Searches running across the swap all succeed with the same answer: no gap.
  std::atomic<bool> swapped{false};
  std::atomic<int> searches{0};
  std::vector<std::string> failures;
  std::thread searcher([&] {
    rpc::QueryClient client(nodes_[0].address);
    while (!swapped.load() || searches.load() < 3) {
      auto r = client.Search(q, kCallMs);
      searches.fetch_add(1);
      if (!r.ok()) {
        failures.push_back(r.status().ToString());
      } else if (Ids(*r) != Ids(*before)) {
        failures.push_back("different results during the swap");
      }
      if (failures.size() > 3 || searches.load() > 100000) break;
    }
  });
  auto job = client_->ClaimJob(NodeId(9));
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE(client_->FinishJob((*job)->job_id, NodeId(9), {key}).ok());
  EXPECT_TRUE(node->WaitFor(
      [&](const QueryNode& n) { return n.IndexKey(SegmentId(30), field) == key; }, kWaitMs));
  swapped.store(true);
  searcher.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_EQ(node->stats().indexes_loaded, 1);

  auto after = ClientOf(0)->Search(q, kCallMs);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(Ids(*after), Ids(*before));
  EXPECT_NE(Ids(*after)[7][0].first, 7) << "the deleted row stays hidden with the index";
}

TEST_F(QueryNodeTest, SegmentReassignedAwayIsDroppedAndReportedUnavailable) {
  std::mt19937_64 rng(kSeed + 3);
  QueryNode* first = StartNode(1);
  CommitSegment(SegmentId(40), RandomRows(0, 50, 1000, &rng));
  ASSERT_TRUE(WaitLoaded(first, {SegmentId(40)}));
  QueryNode* second = StartNode(2);

  // Node 1 goes silent past the heartbeat timeout: its segment moves to node 2.
  first->TEST_PauseHeartbeats(true);
  coord_env_.AdvanceMs(4000);
  ASSERT_TRUE(coord_.coord()->Heartbeat(rpc::NodeRole::kQuery, NodeId(2), nodes_[1].address).ok());
  ASSERT_TRUE(
      coord_.coord()->Heartbeat(rpc::NodeRole::kStreaming, NodeId(1), feed_.address()).ok());
  ASSERT_TRUE(coord_.coord()->Tick().ok());
  ASSERT_EQ(coord_.coord()->Snapshot().FindSegment(SegmentId(40))->query_node_id, NodeId(2));
  ASSERT_TRUE(WaitLoaded(first, {}));
  ASSERT_TRUE(WaitLoaded(second, {SegmentId(40)}));
  EXPECT_EQ(Count(ClientOf(1), 0), 50u);

  rpc::QueryCountRequest q;
  q.count.collection_id = collection_.id;
  q.count.channel = channel_;
  q.segment_ids = {SegmentId(40)};
  auto gone = ClientOf(0)->Count(q, kCallMs);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable) << gone.status().ToString();
  EXPECT_NE(gone.status().message().find("segment 40 is not loaded on query node 1"),
            std::string::npos)
      << gone.status().ToString();

  // Dropping the collection drops its segments everywhere.
  ASSERT_TRUE(client_->DropCollection("default", "c").ok());
  ASSERT_TRUE(WaitLoaded(second, {}));
}

TEST_F(QueryNodeTest, StrongReadFailsWhenDeletesCannotBePulledButEventuallyDoesNot) {
  std::mt19937_64 rng(kSeed + 4);
  QueryNode* node = StartNode(1);
  CommitSegment(SegmentId(50), RandomRows(0, 30, 1000, &rng));
  ASSERT_TRUE(WaitLoaded(node, {SegmentId(50)}));
  feed_.FailWith(Status::DeadlineExceeded("channel " + channel_ + ": tsafe did not reach 9000"));
  rpc::QueryCountRequest q;
  q.count.collection_id = collection_.id;
  q.count.channel = channel_;
  q.count.read_ts = 9000;
  q.segment_ids = {SegmentId(50)};
  auto strong = ClientOf(0)->Count(q, kCallMs);
  ASSERT_FALSE(strong.ok());
  EXPECT_EQ(strong.status().code(), StatusCode::kDeadlineExceeded) << strong.status().ToString();
  EXPECT_NE(strong.status().message().find(channel_), std::string::npos);
  EXPECT_EQ(Count(ClientOf(0), 0), 30u);     // Eventually: no pull
  EXPECT_EQ(Count(ClientOf(0), 4000), 30u);  // below the checkpoint: no pull
  feed_.FailWith(Status::OK());
  EXPECT_EQ(Count(ClientOf(0), 9000), 30u);  // the failed pull left no gap behind
  EXPECT_EQ(feed_.requests().back().after_ts, kCheckpointTs);

  // A segment of another channel or collection in the list is the caller's mistake.
  q.count.channel = rpc::ChannelName(collection_.id, 1);
  auto wrong = ClientOf(0)->Count(q, kCallMs);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument) << wrong.status().ToString();
}

}  // namespace
}  // namespace vdb::query
