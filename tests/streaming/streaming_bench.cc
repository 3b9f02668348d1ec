// streaming_bench: acknowledged (durable) writes per second through a StreamingNode with 1, 8
// and 32 concurrent writers of 10-row batches, and Strong-search latency over the growing rows.
// Uses an in-memory coordinator, so the figures are the node's own (WAL group commit + apply).
//
//   streaming_bench [--dir /tmp/vdb-streaming-bench] [--seconds 2] [--dim 128]
//
// Goal: 32 writers >= 5x the single-writer rate (one WAL batch serves many writes).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "segment/column_codec.h"
#include "storage/object_store.h"
#include "streaming/fake_coord.h"
#include "streaming/streaming_node.h"

namespace {

using namespace vdb;             // NOLINT: a benchmark main
using namespace vdb::streaming;  // NOLINT

struct Flags {
  std::string dir = "/tmp/vdb-streaming-bench";
  double seconds = 2;
  int64_t dim = 128;
};

uint64_t Percentile(std::vector<uint64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::string Batch(int64_t first_pk, int rows, int64_t dim, std::mt19937* rng) {
  CollectionSchema schema = fake::TestSchema(dim);
  std::vector<segment::ColumnData> cols;
  for (const auto& f : schema.fields) cols.emplace_back(f);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(static_cast<size_t>(dim));
  for (int r = 0; r < rows; ++r) {
    for (auto& x : v) x = dist(*rng);
    cols[0].AppendInt(first_pk + r);
    cols[1].AppendFloatVector(v.data());
    cols[2].AppendString("tag");
  }
  return segment::EncodeColumns(schema.fields, cols);
}

int Run(const Flags& flags) {
  Env* env = Env::Default();
  if (!RemoveAll(env, flags.dir).ok()) return 1;
  fake::FakeCoord coord(fake::kNode, flags.dim);
  auto store = storage::OpenLocalObjectStore(env, flags.dir + "/objects");
  if (!store.ok()) return 1;
  StreamingNodeOptions options;
  options.node_id = fake::kNode;
  options.data_dir = flags.dir;
  options.seal_rows = UINT64_MAX;
  auto node = StreamingNode::Open(env, &coord, store->get(), options);
  if (!node.ok() || !(*node)->ApplyCatalog(coord.catalog()).ok()) return 1;

  std::atomic<int64_t> next_pk{0};
  double single_rate = 0;
  double last_rate = 0;
  std::printf("%-10s %12s %12s %10s %10s\n", "writers", "writes/s", "rows/s", "p50_us", "p99_us");
  for (int writers : {1, 8, 32}) {
    std::vector<std::vector<uint64_t>> latencies(static_cast<size_t>(writers));
    std::vector<std::thread> threads;
    auto start = std::chrono::steady_clock::now();
    auto stop_at = start + std::chrono::duration<double>(flags.seconds);
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(static_cast<uint32_t>(t));
        while (std::chrono::steady_clock::now() < stop_at) {
          int64_t pk = next_pk.fetch_add(10);
          rpc::WriteRequest w{fake::kCollection,
                              fake::kChannel,
                              fake::kDefaultPartition,
                              rpc::WriteKind::kInsert,
                              10,
                              Batch(pk, 10, flags.dim, &rng)};
          auto t0 = std::chrono::steady_clock::now();
          auto r = (*node)->Write(w);
          auto t1 = std::chrono::steady_clock::now();
          if (!r.ok()) {
            std::fprintf(stderr, "write: %s\n", r.status().ToString().c_str());
            std::exit(1);
          }
          latencies[static_cast<size_t>(t)].push_back(static_cast<uint64_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
        }
      });
    }
    for (auto& th : threads) th.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<uint64_t> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    double rate = static_cast<double>(all.size()) / secs;
    if (writers == 1) single_rate = rate;
    last_rate = rate;
    std::printf("%-10d %12.0f %12.0f %10llu %10llu\n", writers, rate, rate * 10,
                static_cast<unsigned long long>(Percentile(all, 0.5)),
                static_cast<unsigned long long>(Percentile(all, 0.99)));
  }
  std::printf("group commit: 32 writers = %.1fx one writer (goal >= 5x)\n",
              single_rate > 0 ? last_rate / single_rate : 0.0);

  // Strong search over everything written.
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<uint64_t> search_us;
  for (int i = 0; i < 50; ++i) {
    rpc::SearchRequest s;
    s.collection_id = fake::kCollection;
    s.channel = fake::kChannel;
    s.field_id = FieldId(101);
    s.nq = 1;
    s.dim = flags.dim;
    s.vectors.resize(static_cast<size_t>(flags.dim));
    for (auto& x : s.vectors) x = dist(rng);
    s.k = 10;
    s.read_ts = coord.Tso();
    auto t0 = std::chrono::steady_clock::now();
    auto r = (*node)->Search(s);
    auto t1 = std::chrono::steady_clock::now();
    if (!r.ok()) return 1;
    search_us.push_back(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
  }
  std::printf("search over %lld rows (dim %lld, k 10): p50 %llu us, p99 %llu us\n",
              static_cast<long long>(next_pk.load()), static_cast<long long>(flags.dim),
              static_cast<unsigned long long>(Percentile(search_us, 0.5)),
              static_cast<unsigned long long>(Percentile(search_us, 0.99)));
  node->reset();
  return RemoveAll(env, flags.dir).ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--dir") == 0) flags.dir = argv[i + 1];
    if (std::strcmp(argv[i], "--seconds") == 0) flags.seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--dim") == 0) flags.dim = std::atoll(argv[i + 1]);
  }
  return Run(flags);
}
