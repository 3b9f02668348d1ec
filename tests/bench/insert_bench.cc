// insert_bench: rows/s of durable inserts through vdbd's HTTP API (Milvus REST v2
// entities/insert), 128-d float32 rows in batches of 1,000 from 4 concurrent clients, beside the
// raw durable-append rate of the same bytes into a lib/wal log measured in the same run.
//
//   insert_bench [--rows 200000] [--clients 4] [--batch 1000] [--dim 128]
//                [--dir /tmp/vdb-insert-bench] [--vdbd PATH]
//
// Goal: vdbd >= 50,000 rows/s. Request bodies are built before the clock starts (the vectors'
// text once per client; each request only splices in fresh ids), so the figure is the server's.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "rpc/http.h"
#include "util/vdbd_harness.h"
#include "wal/wal.h"

namespace {

using Clock = std::chrono::steady_clock;

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
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has = i + 1 < argc;
    if (arg == "--rows" && has) {
      f.rows = std::atoll(argv[++i]);
    } else if (arg == "--clients" && has) {
      f.clients = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--batch" && has) {
      f.batch = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--dim" && has) {
      f.dim = std::max(2, std::atoi(argv[++i]));
    } else if (arg == "--dir" && has) {
      f.dir = argv[++i];
    } else if (arg == "--vdbd" && has) {
      f.vdbd = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: insert_bench [--rows N] [--clients N] [--batch N] [--dim N] "
                   "[--dir DIR] [--vdbd PATH]\n");
      std::exit(2);
    }
  }
  return f;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "insert_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Figures {
  int64_t rows = 0;
  double seconds = 0;
  double bytes = 0;
  std::vector<double> latencies_ms;
  void Print(const char* name) {
    std::sort(latencies_ms.begin(), latencies_ms.end());
    auto pct = [&](double p) {
      if (latencies_ms.empty()) return 0.0;
      return latencies_ms[std::min(latencies_ms.size() - 1,
                                   static_cast<size_t>(p * latencies_ms.size()))];
    };
    std::printf("  %-40s %10.0f rows/s %8.1f MB/s   batch p50 %7.2f ms  p99 %7.2f ms\n", name,
                rows / seconds, bytes / seconds / 1e6, pct(0.50), pct(0.99));
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
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
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
  if (!wal.ok()) Die(wal.status().ToString());
  std::string payload(static_cast<size_t>(f.batch) * (8 + 4 * static_cast<size_t>(f.dim)), 'v');
  Figures out = RunClients(f, [&](int, int64_t b) {
    auto lsn = (*wal)->Append(vdb::wal::ToTag(vdb::wal::RecordType::kInsert),
                              static_cast<vdb::Timestamp>(b + 1), payload);
    if (!lsn.ok()) Die(lsn.status().ToString());
  });
  out.bytes = static_cast<double>(payload.size()) * static_cast<double>(out.rows / f.batch);
  wal->reset();
  (void)vdb::RemoveAll(env, dir);
  return out;
}

// One client's request body for batch `b`: its pre-rendered vector texts with fresh ids.
Figures VdbdInsert(const Flags& f) {
  vdb::Env* env = vdb::Env::Default();
  std::string data_dir = vdb::JoinPath(f.dir, "vdbd");
  (void)vdb::RemoveAll(env, data_dir);
  vdb::test::VdbdOptions options;
  options.vdbd_path = f.vdbd;
  options.data_dir = data_dir;
  vdb::test::VdbdHarness vdbd(options);
  vdb::Status started = vdbd.Start();
  if (!started.ok()) Die(started.ToString());
  auto created =
      vdbd.Call("/v2/vectordb/collections/create",
                {{"collectionName", "bench"}, {"dimension", f.dim}, {"metricType", "L2"}});
  if (!created.ok()) Die(created.status().ToString());
  bool loaded = vdb::test::WaitFor(
      [&] {
        auto r =
            vdbd.Call("/v2/vectordb/collections/get_load_state", {{"collectionName", "bench"}});
        return r.ok() && (*r)["data"].value("loadState", "") == "LoadStateLoaded";
      },
      30000, 50);
  if (!loaded) Die("collection bench not loaded");

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
    clients.push_back(std::make_unique<vdb::rpc::HttpClient>(vdbd.proxy_address()));
  }
  // Warm-up: one batch per client, untimed.
  for (int c = 0; c < f.clients; ++c) {
    auto r = clients[static_cast<size_t>(c)]->Post("/v2/vectordb/entities/insert",
                                                   vdb::test::InsertBody("bench", texts[c], -1 - (c + 1) * int64_t{f.batch}),
                                                   "application/json", 60000);
    if (!r.ok() || r->body.find("\"code\":0") == std::string::npos) {
      Die("warm-up insert failed: " + (r.ok() ? r->body.substr(0, 300) : r.status().ToString()));
    }
  }
  Figures out = RunClients(f, [&](int c, int64_t b) {
    std::string body = vdb::test::InsertBody("bench", texts[static_cast<size_t>(c)], b * f.batch);
    auto r = clients[static_cast<size_t>(c)]->Post("/v2/vectordb/entities/insert", body,
                                                   "application/json", 60000);
    if (!r.ok() || r->body.find("\"code\":0") == std::string::npos) {
      Die("insert failed: " + (r.ok() ? r->body.substr(0, 300) : r.status().ToString()));
    }
  });
  out.bytes = static_cast<double>(out.rows) * (8 + 4.0 * f.dim);
  vdb::Status stopped = vdbd.Stop();
  if (!stopped.ok()) std::fprintf(stderr, "insert_bench: stop: %s\n", stopped.ToString().c_str());
  (void)vdb::RemoveAll(env, data_dir);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
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
