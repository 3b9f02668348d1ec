#include "rpc/data_plane.h"

#include <gtest/gtest.h>

#include "rpc/wire.h"

namespace vdb::rpc {
namespace {

// Every truncation of `bytes` must fail to decode with kCorruption.
template <typename Decode>
void ExpectTruncationsFail(const std::string& bytes, Decode decode) {
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto m = decode(std::string_view(bytes).substr(0, len));
    ASSERT_FALSE(m.ok()) << "prefix of " << len << " bytes decoded";
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption);
  }
  EXPECT_FALSE(decode(bytes + "!").ok()) << "trailing byte accepted";
}

TEST(DataPlaneTest, WriteRequestRoundTrips) {
  WriteRequest m{CollectionId(7), "c7s1", PartitionId(70), WriteKind::kUpsert, 3, "colbytes"};
  std::string bytes = EncodeWriteRequest(m);
  auto d = DecodeWriteRequest(bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->collection_id, m.collection_id);
  EXPECT_EQ(d->channel, m.channel);
  EXPECT_EQ(d->partition_id, m.partition_id);
  EXPECT_EQ(d->kind, WriteKind::kUpsert);
  EXPECT_EQ(d->num_rows, 3u);
  EXPECT_EQ(d->columns, "colbytes");
  ExpectTruncationsFail(bytes, DecodeWriteRequest);
  std::string bad = bytes;
  bad[bytes.size() - 1 - 8 - 1 - 8] = 9;  // the kind byte
  EXPECT_FALSE(DecodeWriteRequest(bad).ok());
}

TEST(DataPlaneTest, DeleteRequestKeepsKeyKinds) {
  DeleteRequest ints{CollectionId(1), "c1s0", {int64_t{-5}, int64_t{7}}};
  auto d = DecodeDeleteRequest(EncodeDeleteRequest(ints));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->pks, ints.pks);
  DeleteRequest strs{CollectionId(1), "c1s0", {std::string("a"), std::string("")}};
  std::string bytes = EncodeDeleteRequest(strs);
  d = DecodeDeleteRequest(bytes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->pks, strs.pks);
  ExpectTruncationsFail(bytes, DecodeDeleteRequest);
}

TEST(DataPlaneTest, SearchRequestAndPartialRoundTrip) {
  SearchRequest m;
  m.collection_id = CollectionId(3);
  m.channel = "c3s0";
  m.field_id = FieldId(101);
  m.metric = 2;
  m.nq = 2;
  m.dim = 3;
  m.vectors = {1, 2, 3, 4.5f, -5, 6};
  m.k = 9;
  m.read_ts = 123456789;
  m.exclude_segment_ids = {SegmentId(4), SegmentId(5)};
  m.partition_ids = {PartitionId(30)};
  m.ef = 64;
  std::string bytes = EncodeSearchRequest(m);
  auto d = DecodeSearchRequest(bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->vectors, m.vectors);
  EXPECT_EQ(d->nq, 2);
  EXPECT_EQ(d->k, 9);
  EXPECT_EQ(d->read_ts, m.read_ts);
  EXPECT_EQ(d->exclude_segment_ids, m.exclude_segment_ids);
  EXPECT_EQ(d->partition_ids, m.partition_ids);
  EXPECT_EQ(d->ef, 64);
  ExpectTruncationsFail(bytes, DecodeSearchRequest);
  m.nq = 3;  // more queries than vectors
  EXPECT_FALSE(DecodeSearchRequest(EncodeSearchRequest(m)).ok());

  SearchPartial p;
  p.hits = {{SearchHit{int64_t{1}, 0.5f, 10, SegmentId(0), 3},
             SearchHit{int64_t{2}, 0.75f, 11, SegmentId(8), 0}},
            {}};
  bytes = EncodeSearchPartial(p);
  auto dp = DecodeSearchPartial(bytes);
  ASSERT_TRUE(dp.ok()) << dp.status().ToString();
  EXPECT_EQ(dp->hits, p.hits);
  ExpectTruncationsFail(bytes, DecodeSearchPartial);
}

TEST(DataPlaneTest, ReadMessagesRoundTrip) {
  GetRequest g{CollectionId(1), "c1s0", {std::string("k")}, 99, {FieldId(100)}, {}, {SegmentId(2)}};
  auto dg = DecodeGetRequest(EncodeGetRequest(g));
  ASSERT_TRUE(dg.ok());
  EXPECT_EQ(dg->pks, g.pks);
  EXPECT_EQ(dg->output_field_ids, g.output_field_ids);
  EXPECT_EQ(dg->exclude_segment_ids, g.exclude_segment_ids);
  GetResponse gr{{int64_t{4}}, {77}, "cols"};
  std::string bytes = EncodeGetResponse(gr);
  auto dgr = DecodeGetResponse(bytes);
  ASSERT_TRUE(dgr.ok());
  EXPECT_EQ(dgr->pks, gr.pks);
  EXPECT_EQ(dgr->ts, gr.ts);
  EXPECT_EQ(dgr->columns, "cols");
  ExpectTruncationsFail(bytes, DecodeGetResponse);

  CountRequest c{CollectionId(1), "c1s0", 5, {SegmentId(1)}, {PartitionId(2)}};
  auto dc = DecodeCountRequest(EncodeCountRequest(c));
  ASSERT_TRUE(dc.ok());
  EXPECT_EQ(dc->read_ts, 5u);
  EXPECT_EQ(DecodeCountResponse(EncodeCountResponse({42}))->count, 42u);

  DeletesRequest dr{"c1s0", 10, 20};
  auto ddr = DecodeDeletesRequest(EncodeDeletesRequest(dr));
  ASSERT_TRUE(ddr.ok());
  EXPECT_EQ(ddr->after_ts, 10u);
  EXPECT_EQ(ddr->until_ts, 20u);
  DeletesResponse dresp{{DeleteEntry{int64_t{3}, 15}, DeleteEntry{int64_t{4}, 16}}};
  bytes = EncodeDeletesResponse(dresp);
  auto ddresp = DecodeDeletesResponse(bytes);
  ASSERT_TRUE(ddresp.ok());
  EXPECT_EQ(ddresp->deletes, dresp.deletes);
  ExpectTruncationsFail(bytes, DecodeDeletesResponse);

  EXPECT_EQ(DecodeFlushRequest(EncodeFlushRequest({CollectionId(6)}))->collection_id,
            CollectionId(6));
  EXPECT_TRUE(DecodeFlushResponse(EncodeFlushResponse({})).ok());
}

TEST(DataPlaneTest, ScanMessagesRoundTrip) {
  ScanRequest m{CollectionId(4),        "c4s1", 777, {SegmentId(9)}, {PartitionId(40)}, 25,
                PrimaryKey(int64_t{-3})};
  std::string bytes = EncodeScanRequest(m);
  auto d = DecodeScanRequest(bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->collection_id, m.collection_id);
  EXPECT_EQ(d->channel, "c4s1");
  EXPECT_EQ(d->read_ts, 777u);
  EXPECT_EQ(d->exclude_segment_ids, m.exclude_segment_ids);
  EXPECT_EQ(d->partition_ids, m.partition_ids);
  EXPECT_EQ(d->limit, 25);
  EXPECT_EQ(d->after, m.after);
  ExpectTruncationsFail(bytes, DecodeScanRequest);

  m.after = PrimaryKey(std::string("k\0ey", 4));
  d = DecodeScanRequest(EncodeScanRequest(m));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->after, m.after);
  m.after.reset();
  d = DecodeScanRequest(EncodeScanRequest(m));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->after.has_value());

  ScanResponse r{
      {PrimaryKey(std::string("a")), PrimaryKey(std::string("ab")), PrimaryKey(std::string("b"))}};
  bytes = EncodeScanResponse(r);
  auto dr = DecodeScanResponse(bytes);
  ASSERT_TRUE(dr.ok()) << dr.status().ToString();
  EXPECT_EQ(dr->pks, r.pks);
  ExpectTruncationsFail(bytes, DecodeScanResponse);
  auto empty = DecodeScanResponse(EncodeScanResponse({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->pks.empty());
}

TEST(DataPlaneTest, MalformedScanMessagesNameTheField) {
  ScanRequest m{CollectionId(4), "c4s1", 1, {}, {}, 10, std::nullopt};
  for (int64_t limit : {int64_t{0}, int64_t{-1}, kMaxScanLimit + 1}) {
    m.limit = limit;
    auto d = DecodeScanRequest(EncodeScanRequest(m));
    ASSERT_FALSE(d.ok()) << "limit " << limit;
    EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
    EXPECT_NE(d.status().message().find("limit"), std::string::npos) << d.status().ToString();
  }
  m.limit = kMaxScanLimit;
  EXPECT_TRUE(DecodeScanRequest(EncodeScanRequest(m)).ok());

  // Two `after` keys: the key list is the last field, so splice in a two-key list.
  m.limit = 10;
  std::string bytes = EncodeScanRequest(m);
  WireWriter two;
  PutPks(&two, {PrimaryKey(int64_t{1}), PrimaryKey(int64_t{2})});
  std::string bad = bytes.substr(0, bytes.size() - 1) + two.Finish();
  auto d = DecodeScanRequest(bad);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  EXPECT_NE(d.status().message().find("after"), std::string::npos) << d.status().ToString();
  bad = bytes;
  bad.back() = 7;  // the `after` key kind
  d = DecodeScanRequest(bad);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("after"), std::string::npos) << d.status().ToString();

  // Unsorted or repeated keys in an answer.
  for (auto pks : {std::vector<PrimaryKey>{int64_t{2}, int64_t{1}},
                   std::vector<PrimaryKey>{int64_t{3}, int64_t{3}}}) {
    auto r = DecodeScanResponse(EncodeScanResponse({pks}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("pks"), std::string::npos) << r.status().ToString();
  }
}

TEST(DataPlaneTest, ScanKeysKeepsTheSmallestDistinctKeysAboveAfter) {
  ScanKeys keys(PrimaryKey(int64_t{10}), 3);
  for (int64_t v : {int64_t{50}, int64_t{10}, int64_t{12}, int64_t{5}, int64_t{40}, int64_t{12},
                    int64_t{11}, int64_t{60}}) {
    keys.Add(PrimaryKey(v));
  }
  EXPECT_FALSE(keys.Wants(PrimaryKey(int64_t{40})));  // full: 11, 12, 40
  EXPECT_TRUE(keys.Wants(PrimaryKey(int64_t{13})));
  EXPECT_EQ(keys.Take(), (std::vector<PrimaryKey>{int64_t{11}, int64_t{12}, int64_t{40}}));

  ScanKeys all(std::nullopt, 10);
  for (const char* s : {"b", "a", "c", "a"}) all.Add(PrimaryKey(std::string(s)));
  EXPECT_EQ(all.Take(),
            (std::vector<PrimaryKey>{std::string("a"), std::string("b"), std::string("c")}));
}

}  // namespace
}  // namespace vdb::rpc
