#include "rpc/query_plane.h"

#include <gtest/gtest.h>

namespace vdb::rpc {
namespace {

QuerySearchRequest SampleSearch() {
  QuerySearchRequest m;
  m.search.collection_id = CollectionId(7);
  m.search.channel = "c7s0";
  m.search.field_id = FieldId(101);
  m.search.metric = 2;
  m.search.nq = 2;
  m.search.dim = 2;
  m.search.vectors = {1, 2, 3, 4};
  m.search.k = 5;
  m.search.read_ts = 123456;
  m.search.partition_ids = {PartitionId(3)};
  m.search.ef = 80;
  m.segment_ids = {SegmentId(11), SegmentId(12)};
  return m;
}

TEST(QueryPlaneTest, SearchRequestRoundTrips) {
  const QuerySearchRequest m = SampleSearch();
  auto back = DecodeQuerySearchRequest(EncodeQuerySearchRequest(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->segment_ids, m.segment_ids);
  EXPECT_EQ(back->search.channel, "c7s0");
  EXPECT_EQ(back->search.vectors, m.search.vectors);
  EXPECT_EQ(back->search.read_ts, 123456u);
  EXPECT_EQ(back->search.ef, 80);
  EXPECT_EQ(back->search.partition_ids, m.search.partition_ids);
}

TEST(QueryPlaneTest, GetAndCountRequestsRoundTrip) {
  QueryGetRequest get;
  get.get.collection_id = CollectionId(7);
  get.get.channel = "c7s1";
  get.get.pks = {PrimaryKey(int64_t{5}), PrimaryKey(int64_t{-9})};
  get.get.read_ts = 99;
  get.get.output_field_ids = {FieldId(100)};
  get.segment_ids = {SegmentId(4)};
  auto g = DecodeQueryGetRequest(EncodeQueryGetRequest(get));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->get.pks, get.get.pks);
  EXPECT_EQ(g->get.output_field_ids, get.get.output_field_ids);
  EXPECT_EQ(g->segment_ids, get.segment_ids);

  QueryCountRequest count;
  count.count.collection_id = CollectionId(7);
  count.count.channel = "c7s1";
  count.count.read_ts = 42;
  count.segment_ids = {SegmentId(1), SegmentId(2), SegmentId(3)};
  auto c = DecodeQueryCountRequest(EncodeQueryCountRequest(count));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->count.read_ts, 42u);
  EXPECT_EQ(c->segment_ids, count.segment_ids);
}

TEST(QueryPlaneTest, ScanRequestRoundTripsAndRejectsABadInner) {
  QueryScanRequest scan;
  scan.scan.collection_id = CollectionId(7);
  scan.scan.channel = "c7s0";
  scan.scan.read_ts = 55;
  scan.scan.partition_ids = {PartitionId(3)};
  scan.scan.limit = 12;
  scan.scan.after = PrimaryKey(std::string("m"));
  scan.segment_ids = {SegmentId(8), SegmentId(9)};
  const std::string bytes = EncodeQueryScanRequest(scan);
  auto s = DecodeQueryScanRequest(bytes);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->scan.channel, "c7s0");
  EXPECT_EQ(s->scan.read_ts, 55u);
  EXPECT_EQ(s->scan.partition_ids, scan.scan.partition_ids);
  EXPECT_EQ(s->scan.limit, 12);
  EXPECT_EQ(s->scan.after, scan.scan.after);
  EXPECT_EQ(s->segment_ids, scan.segment_ids);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto m = DecodeQueryScanRequest(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(m.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << m.status().ToString();
  }
  scan.scan.limit = 0;
  auto bad = DecodeQueryScanRequest(EncodeQueryScanRequest(scan));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("limit"), std::string::npos) << bad.status().ToString();
}

TEST(QueryPlaneTest, TruncatedOrPaddedBytesAreCorruption) {
  const std::string bytes = EncodeQuerySearchRequest(SampleSearch());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto m = DecodeQuerySearchRequest(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(m.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << m.status().ToString();
  }
  auto padded = DecodeQuerySearchRequest(bytes + "x");
  EXPECT_EQ(padded.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace vdb::rpc
