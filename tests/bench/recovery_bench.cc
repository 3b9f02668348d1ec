// recovery_bench: how fast vdbd comes back after every process is killed with N MB of unflushed
// WAL (MB/s replayed), and the streaming node's resident memory (VmRSS from /proc/<pid>/status)
// per million 128-d rows beside the raw 512 MB of float32 vectors. Baseline, same run: reading
// the same WAL directories record by record with lib/wal (no apply), page cache equally warm.
//
//   recovery_bench [--mb 256] [--dim 128] [--clients 4] [--batch 1000] [--shards 0]
//                  [--dir /tmp/vdb-recovery-bench] [--vdbd PATH]
//
// --mb counts vector bytes (rows = MB * 2^20 / (4 * dim)); the goal figure uses --mb 1024.
// --shards 0 picks enough shards to keep every growing segment below the streaming node's
// seal_rows (1,000,000), so nothing is flushed before the kill.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

using nlohmann::json;
using vdb::bench::CheckOk;
using vdb::bench::Clock;
using vdb::bench::Die;
using vdb::bench::Seconds;

struct Flags {
  int64_t mb = 256;
  int dim = 128;
  int clients = 4;
  int batch = 1000;
  int shards = 0;
  std::string dir = "/tmp/vdb-recovery-bench";
  std::string vdbd = VDBD_PATH;
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  CLI::App app{"recovery_bench: vdbd's restart after kill -9 with unflushed WAL"};
  app.option_defaults()->always_capture_default();
  app.add_option("--mb", f.mb, "MB of vector bytes to insert (at least 1)");
  app.add_option("--dim", f.dim, "vector dimension (at least 2)");
  app.add_option("--clients", f.clients, "concurrent insert clients (at least 1)");
  app.add_option("--batch", f.batch, "rows per insert request (at least 1)");
  app.add_option("--shards", f.shards, "shards of the collection (0: enough to stay unsealed)");
  app.add_option("--dir", f.dir, "scratch directory");
  app.add_option("--vdbd", f.vdbd, "the vdbd binary");
  vdb::bench::ParseFlagsOrExit(&app, argc, argv);
  f.mb = std::max<int64_t>(1, f.mb);
  f.dim = std::max(2, f.dim);
  f.clients = std::max(1, f.clients);
  f.batch = std::max(1, f.batch);
  f.shards = std::max(0, f.shards);
  return f;
}

// VmRSS of `pid` in bytes (0 if unknown). /proc files report size 0, so not through Env.
double RssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) * 1024;
  }
  return 0;
}

// The WAL directories (one per channel) under data_dir/wal and their total size.
std::vector<std::string> WalDirs(vdb::Env* env, const std::string& data_dir, double* bytes) {
  std::vector<std::string> dirs;
  *bytes = 0;
  std::string root = vdb::JoinPath(data_dir, "wal");
  auto channels = env->GetChildren(root);
  if (!channels.ok()) return dirs;
  for (const auto& channel : *channels) {
    std::string dir = vdb::JoinPath(root, channel);
    if (!env->IsDirectory(dir)) continue;
    dirs.push_back(dir);
    auto files = env->GetChildren(dir);
    if (!files.ok()) continue;
    for (const auto& file : *files) {
      auto size = env->GetFileSize(vdb::JoinPath(dir, file));
      if (size.ok()) *bytes += static_cast<double>(*size);
    }
  }
  return dirs;
}

vdb::Result<int64_t> CountRows(vdb::test::VdbdHarness* vdbd) {
  VDB_ASSIGN_OR_RETURN(json r, vdbd->Call("/v2/vectordb/entities/query",
                                          {{"collectionName", "bench"},
                                           {"filter", ""},
                                           {"outputFields", {"count(*)"}},
                                           {"consistencyLevel", "Strong"}},
                                          60000));
  if (r["data"].empty()) return vdb::Status::Internal("count: no rows in " + r.dump());
  return r["data"][0].value("count(*)", int64_t{-1});
}

void Insert(vdb::test::VdbdHarness* vdbd, const Flags& f, int64_t rows) {
  std::vector<std::string> texts;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (int r = 0; r < f.batch; ++r) {
    std::vector<float> v(static_cast<size_t>(f.dim));
    for (float& x : v) x = value(rng);
    texts.push_back(vdb::test::VectorJson(v.data(), f.dim, 6));
  }
  std::atomic<int64_t> next{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < f.clients; ++c) {
    threads.emplace_back([&] {
      vdb::rpc::HttpClient client(vdbd->proxy_address());
      for (int64_t first; (first = next.fetch_add(f.batch)) < rows;) {
        int64_t n = std::min<int64_t>(f.batch, rows - first);
        std::string body = vdb::test::InsertBody(
            "bench", std::vector<std::string>(texts.begin(), texts.begin() + n), first);
        vdb::bench::DieUnlessInserted(
            client.Post("/v2/vectordb/entities/insert", body, "application/json", 120000),
            "insert");
      }
    });
  }
  for (auto& t : threads) t.join();
}

// Reads every record of every WAL directory with lib/wal; returns the seconds taken.
double ReadWals(vdb::Env* env, const std::vector<std::string>& dirs, double* records) {
  auto t0 = Clock::now();
  *records = 0;
  for (const auto& dir : dirs) {
    auto wal = vdb::wal::Wal::OpenReadOnly(env, dir);
    CheckOk(wal.status());
    auto reader = (*wal)->NewReader((*wal)->first_lsn());
    CheckOk(reader.status());
    vdb::wal::Record record;
    while (true) {
      auto more = (*reader)->Next(&record);
      CheckOk(more.status());
      if (!*more) break;
      ++*records;
    }
  }
  return Seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
  vdb::bench::SetProgramName("recovery_bench");
  Flags f = ParseFlags(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures show up as they come, also piped
  vdb::Env* env = vdb::Env::Default();
  int64_t rows = f.mb * (int64_t{1} << 20) / (4 * f.dim);
  int shards = f.shards > 0 ? f.shards : static_cast<int>(rows / 900000 + 1);
  std::printf("recovery_bench: %lld MB of vectors = %lld rows x %d-d, %d shard(s)\n",
              static_cast<long long>(f.mb), static_cast<long long>(rows), f.dim, shards);
  if (!env->CreateDirs(f.dir).ok()) Die("cannot create " + f.dir);
  std::string data_dir = vdb::JoinPath(f.dir, "vdbd");
  auto vdbd = vdb::bench::StartVdbd(f.vdbd, data_dir, /*start_timeout_ms=*/600000);
  vdb::bench::CreateLoadedCollection(vdbd.get(), {{"collectionName", "bench"},
                                                  {"dimension", f.dim},
                                                  {"metricType", "L2"},
                                                  {"params", {{"shardsNum", shards}}}});
  double rss_empty = RssBytes(vdbd->ChildPid("streaming"));
  auto insert_start = Clock::now();
  Insert(vdbd.get(), f, rows);
  double insert_s = Seconds(insert_start);
  auto count = CountRows(vdbd.get());
  if (!count.ok() || *count != rows) {
    Die("count after insert: " + (count.ok() ? std::to_string(*count) : count.status().ToString()));
  }
  double rss_loaded = RssBytes(vdbd->ChildPid("streaming"));
  double wal_bytes = 0;
  WalDirs(env, data_dir, &wal_bytes);
  std::printf("  inserted in %.1f s (%.0f rows/s); WAL on disk %.1f MB\n", insert_s,
              rows / insert_s, wal_bytes / 1e6);

  // Every process dies at once: nothing gets the chance to flush.
  vdbd->Kill();
  auto restart = Clock::now();
  CheckOk(vdbd->Start());
  double healthy_s = Seconds(restart);
  vdb::Result<int64_t> recovered = vdb::Status::Unavailable("not yet");
  vdb::test::WaitFor(
      [&] {
        recovered = CountRows(vdbd.get());
        return recovered.ok() && *recovered == rows;
      },
      600000, 50);
  double ready_s = Seconds(restart);
  if (!recovered.ok() || *recovered != rows) {
    Die("after restart: " +
        (recovered.ok() ? std::to_string(*recovered) : recovered.status().ToString()));
  }
  double rss_recovered = RssBytes(vdbd->ChildPid("streaming"));
  vdb::bench::StopVdbd(vdbd.get());

  // Baseline: reading the WAL left by the killed run (vdbd stop may have flushed and truncated
  // some; the WAL measured is what remains, so the rate compares like with like).
  double baseline_bytes = 0;
  auto dirs = WalDirs(env, data_dir, &baseline_bytes);
  double records = 0;
  double read_s = ReadWals(env, dirs, &records);

  double raw_per_million = 4.0 * f.dim * 1e6;
  std::printf("  %-52s %8.1f MB/s  (%.0f records, %.1f MB in %.2f s)\n",
              "baseline: lib/wal read of every record, no apply", baseline_bytes / 1e6 / read_s,
              records, baseline_bytes / 1e6, read_s);
  std::printf("  %-52s %8.1f MB/s  (healthy after %.2f s, all %lld rows readable after %.2f s)\n",
              "vdbd restart after kill -9 of every process", wal_bytes / 1e6 / ready_s, healthy_s,
              static_cast<long long>(rows), ready_s);
  std::printf("  streaming node VmRSS: empty %.0f MB, loaded %.0f MB, after recovery %.0f MB\n",
              rss_empty / 1e6, rss_loaded / 1e6, rss_recovered / 1e6);
  std::printf(
      "  per million %d-d rows: %.0f MB loaded, %.0f MB after recovery; raw vectors %.0f MB\n",
      f.dim, (rss_loaded - rss_empty) * 1e6 / rows / 1e6,
      (rss_recovered - rss_empty) * 1e6 / rows / 1e6, raw_per_million / 1e6);
  (void)vdb::RemoveAll(env, data_dir);
  return 0;
}
