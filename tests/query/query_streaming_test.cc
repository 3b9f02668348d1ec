// The query node with a real streaming node and coordinator over HTTP: rows written to the
// streaming node, flushed and committed, are served by the query node, and deletes written after
// the flush reach it through the deletes feed at strong read timestamps.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/env.h"
#include "coord/coord_test_util.h"
#include "query/query_node.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"
#include "rpc/query_client.h"
#include "rpc/stream_client.h"
#include "segment/column_codec.h"
#include "storage/object_store.h"
#include "streaming/streaming_process.h"
#include "util/coord_fixture.h"
#include "util/temp_dir.h"

namespace vdb::query {
namespace {

constexpr int64_t kWaitMs = 10000;
constexpr int64_t kCallMs = 10000;

CollectionSchema Schema() { return coord::test::MakeSchema("docs"); }

class QueryStreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = coord_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<rpc::CoordClient>(coord_.address());
    auto store = storage::OpenLocalObjectStore(Env::Default(), dir_.Sub("objects"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  void TearDown() override {
    if (query_) query_->Stop();
    query_client_.reset();
    if (query_server_) query_server_->Stop();
    if (process_) process_->Stop();
    stream_.reset();
    if (stream_server_) stream_server_->Stop();
    client_.reset();
    coord_.Stop();
  }

  void StartStreaming() {
    stream_server_ = std::make_unique<rpc::HttpServer>();
    auto port = stream_server_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    streaming::StreamingProcessParams params;
    params.env = Env::Default();
    params.node_id = NodeId(1);
    params.data_dir = dir_.path();
    params.address = "127.0.0.1:" + std::to_string(*port);
    params.coord_address = coord_.address();
    params.options.heartbeat_interval_ms = 100;
    params.options.tick_interval_ms = 50;
    params.options.handoff_grace_ms = 0;
    auto process = streaming::StreamingProcess::Start(params, stream_server_.get());
    ASSERT_TRUE(process.ok()) << process.status().ToString();
    process_ = std::move(*process);
    ASSERT_TRUE(stream_server_->Start().ok());
    stream_ = std::make_unique<rpc::StreamClient>(params.address);
  }

  void StartQuery() {
    query_server_ = std::make_unique<rpc::HttpServer>();
    auto port = query_server_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    const std::string address = "127.0.0.1:" + std::to_string(*port);
    QueryNodeOptions options;
    options.heartbeat_interval_ms = 100;
    options.catalog_poll_ms = 200;
    options.load_retry_ms = 50;
    options.delete_refresh_ms = 50;
    auto node =
        QueryNode::Start(Env::Default(), store_.get(), client_.get(), NodeId(1), address, options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    query_ = std::move(*node);
    query_->RegisterRoutes(query_server_.get());
    ASSERT_TRUE(query_server_->Start().ok());
    query_client_ = std::make_unique<rpc::QueryClient>(address);
  }

  test::TempDir dir_;
  test::CoordFixture coord_;
  std::unique_ptr<rpc::CoordClient> client_;
  std::unique_ptr<storage::ObjectStore> store_;
  std::unique_ptr<rpc::HttpServer> stream_server_;
  std::unique_ptr<streaming::StreamingProcess> process_;
  std::unique_ptr<rpc::StreamClient> stream_;
  std::unique_ptr<rpc::HttpServer> query_server_;
  std::unique_ptr<QueryNode> query_;
  std::unique_ptr<rpc::QueryClient> query_client_;
};

TEST_F(QueryStreamingTest, FlushedRowsAreServedAndLaterDeletesArePulled) {
  ASSERT_TRUE(client_->CreateCollection("default", Schema()).ok());
  rpc::IndexParams flat;  // a loaded collection (which needs an index) is served
  flat.field_name = "vector";
  flat.index_type = "FLAT";
  flat.metric_type = "L2";
  ASSERT_TRUE(client_->CreateIndex("default", "docs", flat).ok());
  ASSERT_TRUE(client_->LoadCollection("default", "docs").ok());
  StartQuery();
  StartStreaming();
  const rpc::CollectionInfo c = *client_->DescribeCollection("default", "docs");
  const std::string channel = rpc::ChannelName(c.id, 0);

  std::vector<segment::ColumnData> cols;
  for (const auto& f : c.schema.fields) cols.emplace_back(f);
  for (int64_t pk = 0; pk < 50; ++pk) {
    cols[0].AppendInt(pk);
    float v[4] = {static_cast<float>(pk), 0, 0, 0};
    cols[1].AppendFloatVector(v);
  }
  rpc::WriteRequest w{c.id,
                      channel,
                      c.partitions[0].id,
                      rpc::WriteKind::kInsert,
                      50,
                      segment::EncodeColumns(c.schema.fields, cols)};
  // The channel opens once the streaming node has seen the catalog: retry until it takes writes.
  Result<rpc::WriteResponse> written = Status::Unavailable("not tried");
  for (int i = 0; i < 200 && !written.ok(); ++i) {
    written = stream_->Write(w, kCallMs);
    if (!written.ok()) query_->WaitFor([](const QueryNode&) { return false; }, 20);
  }
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto flushed = stream_->Flush(rpc::FlushRequest{c.id}, kCallMs);
  ASSERT_TRUE(flushed.ok()) << flushed.status().ToString();

  ASSERT_TRUE(
      query_->WaitFor([](const QueryNode& n) { return n.LoadedSegments().size() == 1; }, kWaitMs));
  const SegmentId segment = query_->LoadedSegments()[0];
  rpc::QueryCountRequest count;
  count.count.collection_id = c.id;
  count.count.channel = channel;
  count.segment_ids = {segment};
  auto before = query_client_->Count(count, kCallMs);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->count, 50u);

  rpc::DeleteRequest del{c.id, channel, {PrimaryKey(int64_t{7}), PrimaryKey(int64_t{8})}};
  auto deleted = stream_->Delete(del, kCallMs);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  auto strong = client_->AllocateTimestamps(1);
  ASSERT_TRUE(strong.ok());
  count.count.read_ts = *strong;
  auto after = query_client_->Count(count, kCallMs);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->count, 48u);
  count.count.read_ts = deleted->ts - 1;
  auto just_before = query_client_->Count(count, kCallMs);
  ASSERT_TRUE(just_before.ok()) << just_before.status().ToString();
  EXPECT_EQ(just_before->count, 50u);

  rpc::QuerySearchRequest search;
  search.search.collection_id = c.id;
  search.search.channel = channel;
  search.search.field_id = c.schema.fields[1].id;
  search.search.dim = 4;
  search.search.nq = 1;
  search.search.vectors = {7.2f, 0, 0, 0};
  search.search.k = 2;
  search.search.read_ts = *strong;
  search.segment_ids = {segment};
  auto hits = query_client_->Search(search, kCallMs);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->hits.size(), 1u);
  ASSERT_EQ(hits->hits[0].size(), 2u);
  EXPECT_EQ(std::get<int64_t>(hits->hits[0][0].pk), 6);  // 7 and 8 are deleted
  EXPECT_EQ(std::get<int64_t>(hits->hits[0][1].pk), 9);
  EXPECT_EQ(hits->hits[0][0].segment_id, segment);

  // Eventually reads never pull, yet see a new delete once the background refresh has.
  rpc::DeleteRequest del9{c.id, channel, {PrimaryKey(int64_t{9})}};
  ASSERT_TRUE(stream_->Delete(del9, kCallMs).ok());
  count.count.read_ts = 0;
  uint64_t eventually = 0;
  for (int i = 0; i < 500 && eventually != 47; ++i) {
    auto r = query_client_->Count(count, kCallMs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    eventually = r->count;
    if (eventually != 47) query_->WaitFor([](const QueryNode&) { return false; }, 20);
  }
  EXPECT_EQ(eventually, 47u);
}

}  // namespace
}  // namespace vdb::query
