// wal_bench: durable WAL appends per second with 1, 4 and 16 concurrent writers of 1 KiB
// records, beside a raw loop of write(1 KiB) + fdatasync on the same disk in the same run.
//
//   wal_bench [--dir /tmp/vdb-wal-bench] [--seconds 3] [--slices 6] [--record-bytes 1024]
//
// Goals: 16 writers >= 5x the raw single-writer rate (group commit works); 1 writer within
// 1.2x of raw (the WAL adds little over write + fdatasync).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "common/env.h"
#include "wal/wal.h"

namespace {

using vdb::Env;
using vdb::bench::CheckOk;

struct Figures {
  std::string name;
  uint64_t ops = 0;
  double seconds = 0;
  uint64_t p50_us = 0;
  uint64_t p99_us = 0;
  uint64_t syncs = 0;
  double per_second() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
};

struct Flags {
  std::string dir = "/tmp/vdb-wal-bench";
  double seconds = 3;
  size_t record_bytes = 1024;
  // Runs are interleaved in this many slices so that drift in a shared disk hits all alike.
  int slices = 6;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  CLI::App app{"wal_bench: durable WAL appends per second with 1, 4 and 16 writers"};
  app.option_defaults()->always_capture_default();
  app.add_option("--dir", flags.dir, "scratch directory");
  app.add_option("--seconds", flags.seconds, "seconds per run");
  app.add_option("--slices", flags.slices, "interleaved slices per run (at least 1)");
  app.add_option("--record-bytes", flags.record_bytes, "bytes per record");
  vdb::bench::ParseFlagsOrExit(&app, argc, argv);
  flags.slices = std::max(1, flags.slices);
  return flags;
}

Figures RawLoop(Env* env, const Flags& flags, std::vector<uint64_t>* all) {
  std::string path = vdb::JoinPath(flags.dir, "raw.dat");
  auto file = env->NewWritableFile(path);
  CheckOk(file.status());
  std::string record(flags.record_bytes, 'r');
  std::vector<uint64_t> latencies;
  latencies.reserve(1 << 20);
  Figures f{"raw write+fdatasync"};
  uint64_t start = env->MonotonicMicros();
  uint64_t deadline = start + static_cast<uint64_t>(flags.seconds * 1e6);
  uint64_t now = start;
  while (now < deadline) {
    vdb::Status s = (*file)->Append(record);
    if (s.ok()) s = (*file)->Sync();
    CheckOk(s);
    uint64_t after = env->MonotonicMicros();
    latencies.push_back(after - now);
    now = after;
    ++f.ops;
    ++f.syncs;
  }
  f.seconds = static_cast<double>(now - start) / 1e6;
  all->insert(all->end(), latencies.begin(), latencies.end());
  (void)(*file)->Close();
  (void)env->RemoveFile(path);
  return f;
}

Figures WalRun(Env* env, const Flags& flags, int writers, std::vector<uint64_t>* all) {
  std::string dir = vdb::JoinPath(flags.dir, "wal-" + std::to_string(writers));
  CheckOk(vdb::RemoveAll(env, dir));
  auto wal = vdb::wal::Wal::Open(env, dir, vdb::wal::WalOptions());
  CheckOk(wal.status());
  std::string record(flags.record_bytes, 'w');
  std::vector<std::vector<uint64_t>> latencies(static_cast<size_t>(writers));
  for (auto& l : latencies) l.reserve(1 << 20);
  std::atomic<bool> go{false};
  uint64_t start = 0;
  uint64_t deadline = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      std::vector<uint64_t>& mine = latencies[static_cast<size_t>(t)];
      uint64_t now = env->MonotonicMicros();
      while (now < deadline) {
        auto lsn = (*wal)->Append(1, now, record);
        CheckOk(lsn.status());
        uint64_t after = env->MonotonicMicros();
        mine.push_back(after - now);
        now = after;
      }
    });
  }
  start = env->MonotonicMicros();
  deadline = start + static_cast<uint64_t>(flags.seconds * 1e6);
  go.store(true, std::memory_order_release);
  for (auto& th : threads) th.join();
  uint64_t end = env->MonotonicMicros();
  Figures f{"wal, " + std::to_string(writers) + " writer" + (writers > 1 ? "s" : "")};
  f.ops = (*wal)->last_durable_lsn().value();
  f.syncs = (*wal)->stats().batches;
  f.seconds = static_cast<double>(end - start) / 1e6;
  for (auto& l : latencies) all->insert(all->end(), l.begin(), l.end());
  wal->reset();
  (void)vdb::RemoveAll(env, dir);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  vdb::bench::SetProgramName("wal_bench");
  Flags flags = ParseFlags(argc, argv);
  Env* env = Env::Default();
  CheckOk(env->CreateDirs(flags.dir));
  std::printf("wal_bench: %zu-byte records, %.1f s per run in %d interleaved slices, dir %s\n",
              flags.record_bytes, flags.seconds, flags.slices, flags.dir.c_str());
  Flags slice = flags;
  slice.seconds = flags.seconds / flags.slices;
  std::vector<Figures> rows;
  std::vector<std::vector<uint64_t>> latencies(4);
  for (int i = 0; i < flags.slices; ++i) {
    std::vector<Figures> got;
    got.push_back(RawLoop(env, slice, &latencies[0]));
    int r = 1;
    for (int writers : {1, 4, 16}) got.push_back(WalRun(env, slice, writers, &latencies[r++]));
    if (rows.empty()) {
      rows = got;
      continue;
    }
    for (size_t k = 0; k < rows.size(); ++k) {
      rows[k].ops += got[k].ops;
      rows[k].seconds += got[k].seconds;
      rows[k].syncs += got[k].syncs;
    }
  }
  for (size_t k = 0; k < rows.size(); ++k) {
    rows[k].p50_us = vdb::bench::Percentile(&latencies[k], 0.50);
    rows[k].p99_us = vdb::bench::Percentile(&latencies[k], 0.99);
  }
  const double raw = rows[0].per_second();
  std::printf("%-22s %12s %9s %9s %9s %9s %11s\n", "run", "appends/s", "MB/s", "p50 us", "p99 us",
              "x raw", "recs/sync");
  for (const Figures& f : rows) {
    double mb = f.per_second() * static_cast<double>(flags.record_bytes) / 1e6;
    std::printf("%-22s %12.0f %9.2f %9llu %9llu %9.2f %11.2f\n", f.name.c_str(), f.per_second(), mb,
                static_cast<unsigned long long>(f.p50_us),
                static_cast<unsigned long long>(f.p99_us), raw > 0 ? f.per_second() / raw : 0,
                f.syncs > 0 ? static_cast<double>(f.ops) / static_cast<double>(f.syncs) : 0);
  }
  double single = rows[1].per_second();
  double sixteen = rows[3].per_second();
  bool single_ok = single > 0 && raw / single <= 1.2;
  double p50_ratio = rows[0].p50_us > 0
                         ? static_cast<double>(rows[1].p50_us) / static_cast<double>(rows[0].p50_us)
                         : 0;
  bool group_ok = sixteen >= 5 * raw;
  std::printf(
      "goal: 1 writer within 1.2x of raw: raw/wal = %.2f  %s (p50 latency wal/raw = %.2f)\n",
      single > 0 ? raw / single : 0.0, single_ok ? "met" : "MISSED", p50_ratio);
  std::printf("goal: 16 writers >= 5x raw: %.2fx  %s\n", raw > 0 ? sixteen / raw : 0.0,
              group_ok ? "met" : "MISSED");
  return 0;
}
