// insert_bench: rows/s of durable inserts through vdbd's HTTP API (Milvus REST v2
// entities/insert), 128-d float32 rows in batches of 1,000 from 4 concurrent clients, beside the
// raw durable-append rate of the same bytes into a lib/wal log measured in the same run.
//
//   insert_bench [--rows 200000] [--clients 4] [--batch 1000] [--dim 128]
//                [--dir /tmp/vdb-insert-bench] [--vdbd PATH]
//
// Goal: vdbd >= 50,000 rows/s. Request bodies are built before the clock starts (the vectors'
// text once per client; each request only splices in fresh ids), so the figure is the server's.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "common/env.h"
#include "rpc/http.h"
#include "util/vdbd_harness.h"
#include "wal/wal.h"

namespace {

using vdb::bench::Clock;
using vdb::bench::Die;

struct Flags {
  int64_t rows = 200000;
  int clients = 4;
  int batch = 1000;
  int dim = 128;
  std::string dir = "/tmp/vdb-insert-bench";
  std::string vdbd = VDBD_PATH;
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  CLI::App app{"insert_bench: rows/s of durable inserts through vdbd's HTTP API"};
  app.option_defaults()->always_capture_default();
  app.add_option("--rows", f.rows, "rows to insert");
  app.add_option("--clients", f.clients, "concurrent clients (at least 1)");
  app.add_option("--batch", f.batch, "rows per insert request (at least 1)");
  app.add_option("--dim", f.dim, "vector dimension (at least 2)");
  app.add_option("--dir", f.dir, "scratch directory");
  app.add_option("--vdbd", f.vdbd, "the vdbd binary");
  vdb::bench::ParseFlagsOrExit(&app, argc, argv);
  f.clients = std::max(1, f.clients);
  f.batch = std::max(1, f.batch);
  f.dim = std::max(2, f.dim);
  return f;
}

struct Figures {
  int64_t rows = 0;
  double seconds = 0;
  double bytes = 0;
  std::vector<double> latencies_ms;
  void Print(const char* name) {
    std::printf("  %-40s %10.0f rows/s %8.1f MB/s   batch %s\n", name, rows / seconds,
                bytes / seconds / 1e6, vdb::bench::P50P99(&latencies_ms, 7, 2, "ms").c_str());
  }
};

// Runs `clients` threads, each calling op(client, batch_index) for its share of the batches and
// timing every call; returns the wall time and latencies.
template <typename Op>
Figures RunClients(const Flags& f, Op op) {
  int64_t batches = f.rows / f.batch;
  std::atomic<int64_t> next{0};
  std::vector<std::vector<double>> lat(static_cast<size_t>(f.clients));
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < f.clients; ++c) {
    threads.emplace_back([&, c] {
      for (int64_t b; (b = next.fetch_add(1)) < batches;) {
        auto t0 = Clock::now();
        op(c, b);
        lat[static_cast<size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  Figures out;
  out.seconds = vdb::bench::Seconds(start);
  out.rows = batches * f.batch;
  for (auto& l : lat) out.latencies_ms.insert(out.latencies_ms.end(), l.begin(), l.end());
  return out;
}

// The raw baseline: the same bytes per batch (ids + float32 vectors) appended durably, one
// record per batch, by the same number of concurrent writers into one lib/wal log.
Figures WalBaseline(const Flags& f) {
  vdb::Env* env = vdb::Env::Default();
  std::string dir = vdb::JoinPath(f.dir, "wal-baseline");
  (void)vdb::RemoveAll(env, dir);
  auto wal = vdb::wal::Wal::Open(env, dir, vdb::wal::WalOptions());
  vdb::bench::CheckOk(wal.status());
  std::string payload(static_cast<size_t>(f.batch) * (8 + 4 * static_cast<size_t>(f.dim)), 'v');
  Figures out = RunClients(f, [&](int, int64_t b) {
    auto lsn = (*wal)->Append(vdb::wal::ToTag(vdb::wal::RecordType::kInsert),
                              static_cast<vdb::Timestamp>(b + 1), payload);
    vdb::bench::CheckOk(lsn.status());
  });
  out.bytes = static_cast<double>(payload.size()) * static_cast<double>(out.rows / f.batch);
  wal->reset();
  (void)vdb::RemoveAll(env, dir);
  return out;
}

// Inserts through vdbd's HTTP API: each client posts its pre-rendered vector texts with fresh ids.
Figures VdbdInsert(const Flags& f) {
  std::string data_dir = vdb::JoinPath(f.dir, "vdbd");
  auto vdbd = vdb::bench::StartVdbd(f.vdbd, data_dir);
  vdb::bench::CreateLoadedCollection(
      vdbd.get(), {{"collectionName", "bench"}, {"dimension", f.dim}, {"metricType", "L2"}});

  // Each client renders its batch of vector texts once.
  std::vector<std::vector<std::string>> texts(static_cast<size_t>(f.clients));
  for (int c = 0; c < f.clients; ++c) {
    std::mt19937 rng(static_cast<uint32_t>(c + 1));
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    for (int r = 0; r < f.batch; ++r) {
      std::vector<float> v(static_cast<size_t>(f.dim));
      for (float& x : v) x = value(rng);
      texts[static_cast<size_t>(c)].push_back(vdb::test::VectorJson(v.data(), f.dim, 6));
    }
  }
  std::vector<std::unique_ptr<vdb::rpc::HttpClient>> clients;
  for (int c = 0; c < f.clients; ++c) {
    clients.push_back(std::make_unique<vdb::rpc::HttpClient>(vdbd->proxy_address()));
  }
  // Warm-up: one batch per client, untimed.
  for (int c = 0; c < f.clients; ++c) {
    std::string body = vdb::test::InsertBody("bench", texts[static_cast<size_t>(c)],
                                             -1 - (c + 1) * int64_t{f.batch});
    vdb::bench::DieUnlessInserted(
        clients[static_cast<size_t>(c)]->Post("/v2/vectordb/entities/insert", body,
                                              "application/json", 60000),
        "warm-up insert failed");
  }
  Figures out = RunClients(f, [&](int c, int64_t b) {
    std::string body = vdb::test::InsertBody("bench", texts[static_cast<size_t>(c)], b * f.batch);
    vdb::bench::DieUnlessInserted(
        clients[static_cast<size_t>(c)]->Post("/v2/vectordb/entities/insert", body,
                                              "application/json", 60000),
        "insert failed");
  });
  out.bytes = static_cast<double>(out.rows) * (8 + 4.0 * f.dim);
  vdb::bench::StopVdbd(vdbd.get());
  (void)vdb::RemoveAll(vdb::Env::Default(), data_dir);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  vdb::bench::SetProgramName("insert_bench");
  Flags f = ParseFlags(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures show up as they come, also piped
  if (!vdb::Env::Default()->CreateDirs(f.dir).ok()) Die("cannot create " + f.dir);
  std::printf("insert_bench: %lld rows x %d-d float32, batches of %d, %d clients, dir %s\n",
              static_cast<long long>(f.rows), f.dim, f.batch, f.clients, f.dir.c_str());
  Figures wal = WalBaseline(f);
  Figures http = VdbdInsert(f);
  std::printf("  (MB/s counts the raw row bytes: 8-byte id + %d float32 per row)\n", f.dim);
  wal.Print("baseline: raw lib/wal durable appends");
  http.Print("vdbd HTTP entities/insert, durable acks");
  double rate = http.rows / http.seconds;
  std::printf("  vdbd / baseline: %.2f; goal >= 50000 rows/s: %s\n",
              rate / (wal.rows / wal.seconds), rate >= 50000 ? "met" : "NOT met");
  return 0;
}
