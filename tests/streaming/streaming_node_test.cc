#include "streaming/streaming_node.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "common/env.h"
#include "rpc/http.h"
#include "rpc/stream_client.h"
#include "segment/column_codec.h"
#include "segment/segment_reader.h"
#include "storage/object_store.h"
#include "streaming/coord_api.h"
#include "streaming/fake_coord.h"
#include "streaming/stream_service.h"
#include "util/temp_dir.h"

namespace vdb::streaming {
namespace {

using fake::FakeCoord;
using fake::kChannel;
using fake::kCollection;
using fake::kDefaultPartition;
using fake::kDim;
using fake::kNode;
using fake::kOtherPartition;
using fake::TestSchema;

std::vector<float> VectorOf(int64_t pk, int version = 0) {
  std::vector<float> v(kDim);
  std::mt19937 rng(static_cast<uint32_t>(pk * 31 + version));
  std::uniform_real_distribution<float> dist(-1, 1);
  for (auto& x : v) x = dist(rng);
  return v;
}

// A write batch of `pks`, vectors VectorOf(pk, version), tag "t<pk>".
std::string Batch(const std::vector<int64_t>& pks, int version = 0) {
  CollectionSchema schema = TestSchema();
  std::vector<segment::ColumnData> cols;
  for (const auto& f : schema.fields) cols.emplace_back(f);
  for (int64_t pk : pks) {
    cols[0].AppendInt(pk);
    cols[1].AppendFloatVector(VectorOf(pk, version).data());
    cols[2].AppendString("t" + std::to_string(pk));
  }
  return segment::EncodeColumns(schema.fields, cols);
}

std::vector<int64_t> Range(int64_t begin, int64_t end) {
  std::vector<int64_t> v;
  for (int64_t i = begin; i < end; ++i) v.push_back(i);
  return v;
}

class StreamingNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::OpenLocalObjectStore(Env::Default(), dir_.Sub("objects"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    options_.node_id = kNode;
    options_.address = "127.0.0.1:1";
    options_.data_dir = dir_.path();
    options_.handoff_grace_ms = 0;
    options_.read_timeout_ms = 2000;
    options_.seal_age_ms = 3600 * 1000;
  }

  void OpenNode() {
    node_.reset();
    auto node = StreamingNode::Open(Env::Default(), &coord_, store_.get(), options_);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    Status s = node_->ApplyCatalog(coord_.catalog());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  Result<rpc::WriteResponse> Insert(const std::vector<int64_t>& pks, int version = 0,
                                    PartitionId partition = kDefaultPartition,
                                    rpc::WriteKind kind = rpc::WriteKind::kInsert) {
    rpc::WriteRequest w{kCollection, kChannel, partition, kind, pks.size(), Batch(pks, version)};
    return node_->Write(w);
  }
  Result<rpc::WriteResponse> Remove(const std::vector<int64_t>& pks) {
    rpc::DeleteRequest d{kCollection, kChannel, {}};
    for (int64_t pk : pks) d.pks.emplace_back(pk);
    return node_->Delete(d);
  }
  uint64_t CountAt(Timestamp read_ts, std::vector<SegmentId> exclude = {}) {
    auto c = node_->Count(rpc::CountRequest{kCollection, kChannel, read_ts, exclude, {}});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->count : 0;
  }
  // The keys a scan answers, as ints; {-1} when it fails.
  std::vector<int64_t> ScanAt(Timestamp read_ts, int64_t limit,
                              std::optional<int64_t> after = std::nullopt,
                              std::vector<SegmentId> exclude = {},
                              std::vector<PartitionId> partitions = {}) {
    rpc::ScanRequest r{kCollection, kChannel, read_ts, exclude, partitions, limit, std::nullopt};
    if (after) r.after = PrimaryKey(*after);
    auto scan = node_->Scan(r);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    if (!scan.ok()) return {-1};
    std::vector<int64_t> out;
    for (const auto& pk : scan->pks) out.push_back(std::get<int64_t>(pk));
    return out;
  }
  rpc::GetResponse GetAt(const std::vector<int64_t>& pks, Timestamp read_ts) {
    rpc::GetRequest g{kCollection, kChannel, {}, read_ts, {}, {}, {}};
    for (int64_t pk : pks) g.pks.emplace_back(pk);
    auto r = node_->Get(g);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : rpc::GetResponse{};
  }
  rpc::SearchPartial SearchAt(const std::vector<float>& queries, int k, Timestamp read_ts,
                              uint8_t metric = 0) {
    rpc::SearchRequest s;
    s.collection_id = kCollection;
    s.channel = kChannel;
    s.field_id = FieldId(101);
    s.metric = metric;
    s.dim = kDim;
    s.nq = static_cast<int64_t>(queries.size()) / kDim;
    s.vectors = queries;
    s.k = k;
    s.read_ts = read_ts;
    auto r = node_->Search(s);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : rpc::SearchPartial{};
  }

  test::TempDir dir_;
  FakeCoord coord_;
  std::unique_ptr<storage::ObjectStore> store_;
  StreamingNodeOptions options_;
  std::unique_ptr<StreamingNode> node_;
};

float L2(const std::vector<float>& a, const float* b) {
  float d = 0;
  for (int64_t i = 0; i < kDim; ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

TEST_F(StreamingNodeTest, AcknowledgedWritesAreSearchableAtOnce) {
  OpenNode();
  EXPECT_EQ(node_->OpenChannels(), std::vector<std::string>{kChannel});
  auto w = Insert(Range(0, 100));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->count, 100u);
  EXPECT_GT(w->ts, 0u);
  Timestamp strong = coord_.Tso();
  EXPECT_GT(strong, w->ts);
  EXPECT_EQ(CountAt(strong), 100u);
  // The row's own vector is its nearest neighbour at distance 0.
  auto result = SearchAt(VectorOf(42), 3, strong);
  ASSERT_EQ(result.hits.size(), 1u);
  ASSERT_EQ(result.hits[0].size(), 3u);
  EXPECT_EQ(result.hits[0][0].pk, PrimaryKey(int64_t{42}));
  EXPECT_FLOAT_EQ(result.hits[0][0].distance, 0.0f);
  EXPECT_EQ(result.hits[0][0].ts, w->ts);
  EXPECT_EQ(result.hits[0][0].segment_id, SegmentId(0));
  // A read before the write sees nothing.
  EXPECT_EQ(CountAt(w->ts - 1), 0u);
  // Session consistency: reading at the write's own timestamp sees it.
  EXPECT_EQ(CountAt(w->ts), 100u);
}

TEST_F(StreamingNodeTest, DeletesHideRowsAndUpsertReplacesVersions) {
  OpenNode();
  auto w1 = Insert(Range(0, 10));
  ASSERT_TRUE(w1.ok());
  auto d = Remove({3, 4, 99});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_GT(d->ts, w1->ts);
  auto up = Insert({5}, /*version=*/1, kDefaultPartition, rpc::WriteKind::kUpsert);
  ASSERT_TRUE(up.ok());
  Timestamp now = coord_.Tso();
  EXPECT_EQ(CountAt(now), 8u);
  EXPECT_EQ(CountAt(d->ts - 1), 10u);
  EXPECT_EQ(CountAt(d->ts), 8u);

  auto got = GetAt({3, 5, 6}, now);
  ASSERT_EQ(got.pks.size(), 2u);
  EXPECT_EQ(got.pks[0], PrimaryKey(int64_t{5}));
  EXPECT_EQ(got.ts[0], up->ts);
  EXPECT_EQ(got.pks[1], PrimaryKey(int64_t{6}));
  size_t rows = 0;
  auto cols = segment::DecodeColumns(TestSchema().fields, got.columns, &rows);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_EQ(rows, 2u);
  EXPECT_EQ(std::vector<float>((*cols)[1].GetFloatVector(0), (*cols)[1].GetFloatVector(0) + kDim),
            VectorOf(5, 1));
  EXPECT_EQ((*cols)[2].GetString(1), "t6");
  // Before the upsert, the old version.
  auto old = GetAt({5}, up->ts - 1);
  ASSERT_EQ(old.pks.size(), 1u);
  EXPECT_EQ(old.ts[0], w1->ts);

  // Deleted keys never come back from search.
  auto result = SearchAt(VectorOf(3), 10, now);
  for (const auto& hit : result.hits[0]) {
    EXPECT_NE(hit.pk, PrimaryKey(int64_t{3}));
    EXPECT_NE(hit.pk, PrimaryKey(int64_t{4}));
  }
  EXPECT_EQ(result.hits[0].size(), 8u);

  // The deletes feed for query nodes.
  auto feed = node_->Deletes(rpc::DeletesRequest{kChannel, 0, now});
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->deletes.size(), 4u);  // 3, 4, 99 and the upsert's delete of 5
  EXPECT_EQ(feed->deletes[3].pk, PrimaryKey(int64_t{5}));
  EXPECT_EQ(feed->deletes[3].ts, up->ts);
  EXPECT_EQ(node_->Deletes(rpc::DeletesRequest{kChannel, d->ts, now})->deletes.size(), 1u);
}

TEST_F(StreamingNodeTest, ScanReturnsTheSmallestVisibleKeysInOrder) {
  OpenNode();
  auto first = Insert(Range(0, 30));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Insert(Range(30, 40), 0, kOtherPartition).ok());
  // Sealed by the flush, still served from memory (no query node serves them yet).
  ASSERT_TRUE(node_->Flush(kCollection).ok());
  ASSERT_TRUE(node_->ApplyCatalog(coord_.catalog()).ok());
  std::vector<SegmentId> sealed;
  for (const auto& info : coord_.catalog().segments) sealed.push_back(info.id);
  ASSERT_EQ(sealed.size(), 2u);
  auto growing = Insert({45, 41, 48, 40, 49, 42, 47, 43, 46, 44});  // out of key order
  ASSERT_TRUE(growing.ok());
  const Timestamp before_growing = growing->ts - 1;
  ASSERT_TRUE(Insert({7}, /*version=*/2).ok());  // a second copy of 7
  auto del = Remove({3, 45});
  ASSERT_TRUE(del.ok());
  ASSERT_TRUE(Insert({5}, 1, kDefaultPartition, rpc::WriteKind::kUpsert).ok());
  Timestamp now = coord_.Tso();

  std::vector<int64_t> live;
  for (int64_t k = 0; k < 50; ++k) {
    if (k != 3 && k != 45) live.push_back(k);
  }
  EXPECT_EQ(ScanAt(now, 100), live);  // every live key once: 5 upserted, 7 twice
  EXPECT_EQ(ScanAt(now, 5), (std::vector<int64_t>{0, 1, 2, 4, 5}));
  EXPECT_EQ(ScanAt(now, 3, /*after=*/5), (std::vector<int64_t>{6, 7, 8}));
  EXPECT_EQ(ScanAt(now, 3, /*after=*/44), (std::vector<int64_t>{46, 47, 48}));
  EXPECT_TRUE(ScanAt(now, 3, /*after=*/49).empty());
  // Paging with `after` visits every live key once.
  std::vector<int64_t> paged;
  std::optional<int64_t> after;
  for (int page = 0; page < 100; ++page) {
    auto keys = ScanAt(now, 7, after);
    if (keys.empty()) break;
    paged.insert(paged.end(), keys.begin(), keys.end());
    after = keys.back();
  }
  EXPECT_EQ(paged, live);

  // read_ts: before the delete 3 and 45 are visible; before the growing rows none of 40..49.
  auto at_delete = ScanAt(del->ts - 1, 100);
  EXPECT_EQ(at_delete.size(), 50u);
  EXPECT_EQ(ScanAt(before_growing, 100), Range(0, 40));
  EXPECT_EQ(ScanAt(first->ts, 100), Range(0, 30));
  // Partitions, and sealed segments the proxy routes to query nodes.
  EXPECT_EQ(ScanAt(now, 100, std::nullopt, {}, {kOtherPartition}), Range(30, 40));
  EXPECT_EQ(ScanAt(now, 100, std::nullopt, sealed),
            (std::vector<int64_t>{5, 7, 40, 41, 42, 43, 44, 46, 47, 48, 49}));
  EXPECT_EQ(ScanAt(now, 100, std::nullopt, sealed, {kOtherPartition}), std::vector<int64_t>{});

  rpc::ScanRequest bad{kCollection, kChannel, now, {}, {}, 0, std::nullopt};
  EXPECT_EQ(node_->Scan(bad).status().code(), StatusCode::kInvalidArgument);
  bad.limit = rpc::kMaxScanLimit + 1;
  EXPECT_EQ(node_->Scan(bad).status().code(), StatusCode::kInvalidArgument);
  bad.limit = 10;
  bad.after = PrimaryKey(std::string("x"));
  EXPECT_EQ(node_->Scan(bad).status().code(), StatusCode::kInvalidArgument);
  bad.after.reset();
  bad.channel = "c1s9";
  EXPECT_EQ(node_->Scan(bad).status().code(), StatusCode::kUnavailable);
}

TEST_F(StreamingNodeTest, RejectsBadWrites) {
  OpenNode();
  rpc::WriteRequest w{kCollection, kChannel,          kDefaultPartition, rpc::WriteKind::kInsert,
                      5,           Batch(Range(0, 4))};
  EXPECT_EQ(node_->Write(w).status().code(), StatusCode::kInvalidArgument);
  w.num_rows = 4;
  w.partition_id = PartitionId(12345);
  EXPECT_EQ(node_->Write(w).status().code(), StatusCode::kNotFound);
  w.partition_id = kDefaultPartition;
  w.channel = "c1s9";
  EXPECT_EQ(node_->Write(w).status().code(), StatusCode::kUnavailable);
  w.channel = kChannel;
  w.columns = "garbage";
  EXPECT_FALSE(node_->Write(w).ok());
  rpc::DeleteRequest d{kCollection, kChannel, {std::string("not an int")}};
  EXPECT_EQ(node_->Delete(d).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CountAt(coord_.Tso()), 0u);
}

TEST_F(StreamingNodeTest, RestartReplaysEveryAcknowledgedWrite) {
  options_.wal.max_file_bytes = 4096;  // several WAL files
  OpenNode();
  std::vector<Timestamp> acked;
  for (int i = 0; i < 20; ++i) {
    auto w = Insert(Range(i * 10, i * 10 + 10), 0, i % 2 ? kOtherPartition : kDefaultPartition);
    ASSERT_TRUE(w.ok());
    acked.push_back(w->ts);
  }
  ASSERT_TRUE(Remove({0, 1, 2}).ok());
  ASSERT_TRUE(Insert({7}, 3, kDefaultPartition, rpc::WriteKind::kUpsert).ok());
  Timestamp before = coord_.Tso();
  ASSERT_EQ(CountAt(before), 197u);
  node_.reset();  // like a crash: nothing flushed

  OpenNode();
  EXPECT_EQ(CountAt(before), 197u);
  EXPECT_EQ(CountAt(acked[5]), 60u);
  auto got = GetAt({7, 0, 150}, before);
  ASSERT_EQ(got.pks.size(), 2u);
  EXPECT_EQ(got.pks[0], PrimaryKey(int64_t{7}));
  EXPECT_GT(got.ts[0], acked.back());
  // New writes after the restart get later timestamps than everything replayed.
  auto w = Insert({1000});
  ASSERT_TRUE(w.ok());
  EXPECT_GT(w->ts, before);
  EXPECT_EQ(CountAt(coord_.Tso()), 198u);
}

TEST_F(StreamingNodeTest, FlushWritesSegmentsAndTruncatesAfterHandOff) {
  options_.wal.max_file_bytes = 2048;
  OpenNode();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Insert(Range(i * 10, i * 10 + 10)).ok());
  ASSERT_TRUE(Insert(Range(500, 505), 0, kOtherPartition).ok());
  ASSERT_TRUE(Remove({5, 6}).ok());
  Timestamp before_flush = coord_.Tso();
  auto stats = node_->GetChannelStats(kChannel);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->growing_rows, 105u);
  EXPECT_EQ(stats->first_wal_lsn, Lsn(1));

  ASSERT_TRUE(node_->Flush(kCollection).ok());
  rpc::Catalog catalog = coord_.catalog();
  ASSERT_EQ(catalog.segments.size(), 2u);
  EXPECT_GT(catalog.channels[0].checkpoint_lsn, Lsn(10));
  uint64_t total = 0;
  std::vector<SegmentId> ids;
  for (const auto& info : catalog.segments) {
    ids.push_back(info.id);
    EXPECT_EQ(info.channel, kChannel);
    auto reader = segment::SegmentReader::Open(store_.get(), info.object_prefix);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ(static_cast<int64_t>((*reader)->row_count()), info.rows);
    EXPECT_TRUE((*reader)->Verify().ok());
    auto deletes = (*reader)->ReadDeletes();
    ASSERT_TRUE(deletes.ok());
    EXPECT_EQ(deletes->size(), 2u);  // the channel's deletes go into every flushed segment
    auto ts = (*reader)->ReadTimestamps();
    ASSERT_TRUE(ts.ok());
    EXPECT_EQ(ts->front(), static_cast<Timestamp>(info.ts_min));
    total += (*reader)->row_count();
  }
  EXPECT_EQ(total, 105u);

  // Still served from memory until a query node serves the segments.
  ASSERT_TRUE(node_->ApplyCatalog(coord_.catalog()).ok());
  ASSERT_TRUE(node_->Tick().ok());
  EXPECT_EQ(CountAt(before_flush), 103u);
  EXPECT_EQ(CountAt(before_flush, ids), 0u);  // the proxy routes them elsewhere
  EXPECT_EQ(node_->GetChannelStats(kChannel)->sealed_segments, 2u);
  EXPECT_EQ(node_->GetChannelStats(kChannel)->first_wal_lsn, Lsn(1));

  ASSERT_TRUE(Insert({9000}).ok());
  coord_.ServeAllSegments(NodeId(7));
  ASSERT_TRUE(node_->ApplyCatalog(coord_.catalog()).ok());
  ASSERT_TRUE(node_->Tick().ok());
  stats = node_->GetChannelStats(kChannel);
  EXPECT_EQ(stats->sealed_segments, 0u);
  EXPECT_GT(stats->first_wal_lsn, Lsn(1));  // whole files below the checkpoint are gone
  EXPECT_EQ(CountAt(coord_.Tso()), 1u);     // only the row written after the flush

  // A restart replays from the checkpoint: only the newer row comes back.
  node_.reset();
  OpenNode();
  EXPECT_EQ(CountAt(coord_.Tso()), 1u);
  EXPECT_EQ(GetAt({9000}, coord_.Tso()).pks.size(), 1u);
}

TEST_F(StreamingNodeTest, CrashBetweenSegmentCommitsDoesNotDuplicateRows) {
  OpenNode();
  ASSERT_TRUE(Insert(Range(0, 10), 0, kDefaultPartition).ok());
  ASSERT_TRUE(Insert(Range(10, 15), 0, kOtherPartition).ok());
  coord_.FailCommitsAfter(1);  // the first segment commits, the second does not
  EXPECT_FALSE(node_->Flush(kCollection).ok());
  ASSERT_EQ(coord_.catalog().segments.size(), 1u);
  SegmentId committed = coord_.catalog().segments[0].id;
  uint64_t committed_rows = static_cast<uint64_t>(coord_.catalog().segments[0].rows);
  node_.reset();
  coord_.FailCommitsAfter(-1);

  OpenNode();
  // The committed segment's rows are served by it, not replayed; the rest is growing again.
  EXPECT_EQ(CountAt(coord_.Tso(), {committed}), 15u - committed_rows);
  ASSERT_TRUE(node_->Flush(kCollection).ok());
  rpc::Catalog catalog = coord_.catalog();
  ASSERT_EQ(catalog.segments.size(), 2u);
  EXPECT_EQ(catalog.segments[0].rows + catalog.segments[1].rows, 15);
}

TEST_F(StreamingNodeTest, SealsOnRowCountFromTick) {
  options_.seal_rows = 50;
  OpenNode();
  ASSERT_TRUE(Insert(Range(0, 30)).ok());
  ASSERT_TRUE(node_->Tick().ok());
  EXPECT_TRUE(coord_.catalog().segments.empty());
  ASSERT_TRUE(Insert(Range(30, 60)).ok());
  ASSERT_TRUE(node_->Tick().ok());
  ASSERT_EQ(coord_.catalog().segments.size(), 1u);
  EXPECT_EQ(coord_.catalog().segments[0].rows, 60);
  EXPECT_EQ(CountAt(coord_.Tso()), 60u);
}

TEST_F(StreamingNodeTest, SealsOnAgeFromTick) {
  options_.seal_age_ms = 0;  // any growing row is old enough
  OpenNode();
  ASSERT_TRUE(node_->Tick().ok());
  EXPECT_TRUE(coord_.catalog().segments.empty());  // nothing to seal
  ASSERT_TRUE(Insert(Range(0, 3)).ok());
  ASSERT_TRUE(node_->Tick().ok());
  ASSERT_EQ(coord_.catalog().segments.size(), 1u);
  EXPECT_EQ(node_->GetChannelStats(kChannel)->growing_rows, 0u);
}

TEST_F(StreamingNodeTest, RowsOfADroppedPartitionAreNeitherFlushedNorReplayed) {
  OpenNode();
  ASSERT_TRUE(Insert(Range(0, 4), 0, kDefaultPartition).ok());
  ASSERT_TRUE(Insert(Range(10, 16), 0, kOtherPartition).ok());
  coord_.DropPartition(kOtherPartition);
  ASSERT_TRUE(node_->ApplyCatalog(coord_.catalog()).ok());
  EXPECT_EQ(Insert({20}, 0, kOtherPartition).status().code(), StatusCode::kNotFound);
  node_.reset();
  OpenNode();
  EXPECT_EQ(CountAt(coord_.Tso()), 4u);
  ASSERT_TRUE(node_->Flush(kCollection).ok());
  rpc::Catalog catalog = coord_.catalog();
  ASSERT_EQ(catalog.segments.size(), 1u);
  EXPECT_EQ(catalog.segments[0].partition_id, kDefaultPartition);
  EXPECT_EQ(catalog.segments[0].rows, 4);
}

TEST_F(StreamingNodeTest, SearchEqualsBruteForceOverVisibleRows) {
  const uint32_t seed = 20261130;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  OpenNode();
  // Model: pk -> (vector, partition) of the visible version.
  std::map<int64_t, std::vector<float>> visible;
  for (int round = 0; round < 30; ++round) {
    std::vector<int64_t> pks;
    for (int i = 0; i < 8; ++i) pks.push_back(static_cast<int64_t>(rng() % 200));
    std::sort(pks.begin(), pks.end());
    pks.erase(std::unique(pks.begin(), pks.end()), pks.end());
    switch (rng() % 3) {
      case 0: {  // upsert
        ASSERT_TRUE(Insert(pks, round, round % 2 ? kOtherPartition : kDefaultPartition,
                           rpc::WriteKind::kUpsert)
                        .ok());
        for (int64_t pk : pks) visible[pk] = VectorOf(pk, round);
        break;
      }
      case 1: {  // delete
        ASSERT_TRUE(Remove(pks).ok());
        for (int64_t pk : pks) visible.erase(pk);
        break;
      }
      default: {  // insert of new keys only, so the model stays one version per key
        std::vector<int64_t> fresh;
        for (int64_t pk : pks) {
          if (!visible.count(pk)) fresh.push_back(pk);
        }
        if (fresh.empty()) break;
        ASSERT_TRUE(Insert(fresh, round).ok());
        for (int64_t pk : fresh) visible[pk] = VectorOf(pk, round);
      }
    }
    if (round == 15) {
      ASSERT_TRUE(node_->Flush(kCollection).ok());  // half sealed, half growing
    }
  }
  Timestamp now = coord_.Tso();
  ASSERT_EQ(CountAt(now), visible.size());
  const int k = 10;
  for (int q = 0; q < 5; ++q) {
    std::vector<float> query = VectorOf(100000 + q);
    std::vector<std::pair<float, int64_t>> expected;
    for (const auto& [pk, v] : visible) expected.emplace_back(L2(query, v.data()), pk);
    std::sort(expected.begin(), expected.end());
    expected.resize(std::min<size_t>(k, expected.size()));
    auto result = SearchAt(query, k, now);
    ASSERT_EQ(result.hits[0].size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(result.hits[0][i].pk, PrimaryKey(expected[i].second))
          << "query " << q << " rank " << i;
      EXPECT_NEAR(result.hits[0][i].distance, expected[i].first, 1e-4);
    }
    // Inner product ranks descending.
    auto ip = SearchAt(query, k, now, /*metric=*/1);
    for (size_t i = 1; i < ip.hits[0].size(); ++i) {
      EXPECT_GE(ip.hits[0][i - 1].distance, ip.hits[0][i].distance);
    }
  }
}

TEST_F(StreamingNodeTest, ReadFailsWithDeadlineWhenTsafeCannotAdvance) {
  options_.read_timeout_ms = 100;
  OpenNode();
  ASSERT_TRUE(Insert({1}).ok());
  // A strong read on the idle channel advances tsafe and uses up the current lease.
  Timestamp read_ts = coord_.Tso();
  EXPECT_EQ(CountAt(read_ts), 1u);
  // The next write then needs a new lease; while the coordinator does not answer, the write is
  // in flight and holds tsafe back.
  coord_.BlockLeases(true);
  std::thread writer([&] {
    auto w = Insert({2});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
  });
  coord_.WaitForBlockedLease();
  auto c = node_->Count(rpc::CountRequest{kCollection, kChannel, read_ts + 1, {}, {}});
  EXPECT_EQ(c.status().code(), StatusCode::kDeadlineExceeded) << c.status().ToString();
  EXPECT_NE(c.status().message().find(kChannel), std::string::npos) << c.status().ToString();
  // Reads at or below tsafe are still served at once.
  EXPECT_EQ(CountAt(read_ts), 1u);
  coord_.BlockLeases(false);
  writer.join();
  EXPECT_EQ(CountAt(coord_.Tso()), 2u);
}

TEST_F(StreamingNodeTest, ClosesChannelsBoundElsewhereAndReleasesTheWal) {
  OpenNode();
  ASSERT_TRUE(Insert({1, 2}).ok());
  coord_.Rebind(NodeId(2));
  ASSERT_TRUE(node_->ApplyCatalog(coord_.catalog()).ok());
  EXPECT_TRUE(node_->OpenChannels().empty());
  EXPECT_EQ(Insert({3}).status().code(), StatusCode::kUnavailable);
  // The WAL's lock is free for the node that now owns the channel.
  auto wal = wal::Wal::Open(Env::Default(), dir_.Sub("wal/" + kChannel), {});
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(1));
}

TEST_F(StreamingNodeTest, ConcurrentWritersShareWalBatches) {
  OpenNode();
  constexpr int kThreads = 8, kWrites = 40;
  std::vector<std::thread> threads;
  std::vector<std::vector<Timestamp>> stamps(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        auto w = Insert({t * 1000 + i});
        ASSERT_TRUE(w.ok()) << w.status().ToString();
        stamps[t].push_back(w->ts);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<Timestamp> all;
  for (const auto& s : stamps) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kWrites));  // unique timestamps
  EXPECT_EQ(CountAt(coord_.Tso()), static_cast<uint64_t>(kThreads * kWrites));
  node_.reset();
  OpenNode();
  EXPECT_EQ(CountAt(coord_.Tso()), static_cast<uint64_t>(kThreads * kWrites));
}

TEST_F(StreamingNodeTest, ServesTheDataPlaneOverHttpAndFollowsTheCoordinator) {
  options_.heartbeat_interval_ms = 20;
  options_.catalog_poll_ms = 20;
  options_.tick_interval_ms = 20;
  auto node = StreamingNode::Open(Env::Default(), &coord_, store_.get(), options_);
  ASSERT_TRUE(node.ok());
  node_ = std::move(*node);
  ASSERT_TRUE(node_->Start().ok());
  // The control thread heartbeats and opens the channel from the polled catalog.
  for (int i = 0; i < 500 && node_->OpenChannels().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(node_->OpenChannels(), std::vector<std::string>{kChannel});
  EXPECT_GT(coord_.heartbeats(), 0);

  rpc::HttpServer server;
  StreamService service(node_.get());
  service.RegisterRoutes(&server);
  auto port = server.Bind("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  ASSERT_TRUE(server.Start().ok());
  rpc::StreamClient client("127.0.0.1:" + std::to_string(*port));

  auto w = client.Write(
      {kCollection, kChannel, kDefaultPartition, rpc::WriteKind::kInsert, 3, Batch({1, 2, 3})},
      5000);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->count, 3u);
  auto d = client.Delete({kCollection, kChannel, {int64_t{2}}}, 5000);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  rpc::SearchRequest s;
  s.collection_id = kCollection;
  s.channel = kChannel;
  s.field_id = FieldId(101);
  s.nq = 1;
  s.dim = kDim;
  s.vectors = VectorOf(3);
  s.k = 5;
  s.read_ts = coord_.Tso();
  auto r = client.Search(s, 5000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->hits[0].size(), 2u);
  EXPECT_EQ(r->hits[0][0].pk, PrimaryKey(int64_t{3}));
  auto c = client.Count({kCollection, kChannel, coord_.Tso(), {}, {}}, 5000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->count, 2u);
  auto scan = client.Scan({kCollection, kChannel, coord_.Tso(), {}, {}, 10, std::nullopt}, 5000);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->pks, (std::vector<PrimaryKey>{int64_t{1}, int64_t{3}}));
  EXPECT_EQ(
      client.Scan({kCollection, kChannel, 0, {}, {}, 10, std::string("a")}, 5000).status().code(),
      StatusCode::kInvalidArgument);
  auto feed = client.Deletes({kChannel, 0, 0}, 5000);
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->deletes.size(), 1u);
  // Errors keep their code across the wire.
  s.channel = "c1s7";
  EXPECT_EQ(client.Search(s, 5000).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(client.Flush({kCollection}, 5000).status().code(), StatusCode::kOk);
  EXPECT_EQ(coord_.catalog().segments.size(), 1u);
  server.Stop();
  node_->Stop();
}

}  // namespace
}  // namespace vdb::streaming
