// The streaming node against the real coordinator over HTTP: channel binding through
// heartbeats and the catalog long poll, leases from the real TSO, commits of flushed segments.
#include "streaming/streaming_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/env.h"
#include "coord/coord_test_util.h"
#include "rpc/coord_client.h"
#include "rpc/http.h"
#include "rpc/stream_client.h"
#include "segment/column_codec.h"
#include "util/coord_fixture.h"
#include "util/temp_dir.h"

namespace vdb::streaming {
namespace {

CollectionSchema Schema() { return coord::test::MakeSchema("docs"); }

class StreamingProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = coord_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<rpc::CoordClient>(coord_.address());
  }
  void TearDown() override {
    StopNode();
    coord_.Stop();
  }

  void StartNode() {
    server_ = std::make_unique<rpc::HttpServer>();
    auto port = server_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    StreamingProcessParams params;
    params.env = Env::Default();
    params.node_id = NodeId(1);
    params.data_dir = dir_.path();
    params.address = "127.0.0.1:" + std::to_string(*port);
    params.coord_address = coord_.address();
    params.options.heartbeat_interval_ms = 100;
    params.options.tick_interval_ms = 50;
    params.options.handoff_grace_ms = 0;
    auto process = StreamingProcess::Start(params, server_.get());
    ASSERT_TRUE(process.ok()) << process.status().ToString();
    process_ = std::move(*process);
    ASSERT_TRUE(server_->Start().ok());
    stream_ = std::make_unique<rpc::StreamClient>(params.address);
  }
  void StopNode() {
    if (process_) process_->Stop();
    if (server_) server_->Stop();
    process_.reset();
    server_.reset();
  }
  // Waits (bounded) until the node has opened `channel`.
  bool WaitForChannel(const std::string& channel) {
    for (int i = 0; i < 500; ++i) {
      auto open = process_->node()->OpenChannels();
      if (std::find(open.begin(), open.end(), channel) != open.end()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  test::TempDir dir_;
  test::CoordFixture coord_;
  std::unique_ptr<rpc::CoordClient> client_;
  std::unique_ptr<rpc::HttpServer> server_;
  std::unique_ptr<StreamingProcess> process_;
  std::unique_ptr<rpc::StreamClient> stream_;
};

TEST_F(StreamingProcessTest, WritesSearchesFlushesAndRecoversWithTheRealCoordinator) {
  ASSERT_TRUE(client_->CreateCollection("default", Schema()).ok());
  StartNode();
  auto catalog = client_->GetCatalog(0, 0);
  ASSERT_TRUE(catalog.ok() && catalog->has_value());
  ASSERT_NE((*catalog)->FindCollection("default", "docs"), nullptr);
  const rpc::CollectionInfo collection = *(*catalog)->FindCollection("default", "docs");
  const rpc::CollectionInfo* c = &collection;
  std::string channel = rpc::ChannelName(c->id, 0);
  ASSERT_TRUE(WaitForChannel(channel));

  std::vector<segment::ColumnData> cols;
  for (const auto& f : c->schema.fields) cols.emplace_back(f);
  for (int64_t pk = 0; pk < 50; ++pk) {
    cols[0].AppendInt(pk);
    float v[4] = {float(pk), 0, 0, 0};
    cols[1].AppendFloatVector(v);
  }
  rpc::WriteRequest w{c->id,
                      channel,
                      c->partitions[0].id,
                      rpc::WriteKind::kInsert,
                      50,
                      segment::EncodeColumns(c->schema.fields, cols)};
  auto written = stream_->Write(w, 5000);
  ASSERT_TRUE(written.ok()) << written.status().ToString();

  auto strong = client_->AllocateTimestamps(1);
  ASSERT_TRUE(strong.ok());
  EXPECT_GT(*strong, written->ts);
  rpc::SearchRequest s;
  s.collection_id = c->id;
  s.channel = channel;
  s.field_id = c->schema.fields[1].id;
  s.nq = 1;
  s.dim = 4;
  s.vectors = {10.2f, 0, 0, 0};
  s.k = 2;
  s.read_ts = *strong;
  auto hits = stream_->Search(s, 5000);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->hits[0].size(), 2u);
  EXPECT_EQ(hits->hits[0][0].pk, PrimaryKey(int64_t{10}));
  EXPECT_EQ(hits->hits[0][1].pk, PrimaryKey(int64_t{11}));

  ASSERT_TRUE(stream_->Flush({c->id}, 10000).ok());
  catalog = client_->GetCatalog(0, 0);
  ASSERT_TRUE(catalog.ok() && catalog->has_value());
  auto segments = (*catalog)->SegmentsOf(channel);
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0]->rows, 50);
  EXPECT_GT((*catalog)->FindChannel(channel)->checkpoint_lsn, Lsn(0));

  // A restarted node replays from the committed checkpoint: nothing left growing.
  StopNode();
  StartNode();
  ASSERT_TRUE(WaitForChannel(channel));
  auto count = stream_->Count({c->id, channel, *client_->AllocateTimestamps(1), {}, {}}, 5000);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->count, 0u);
}

}  // namespace
}  // namespace vdb::streaming
