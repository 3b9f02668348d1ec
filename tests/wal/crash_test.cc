// Kill -9 under load: a forked child appends from several threads and reports each acknowledged
// (LSN, payload id) through a pipe; the parent SIGKILLs it at a random moment, reopens the log
// and checks every acknowledged record. Rounds and seed: VDB_WAL_CRASH_ROUNDS, VDB_CRASH_SEED.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/coding.h"
#include "util/temp_dir.h"
#include "wal/wal.h"
#include "wal/wal_test_util.h"

#ifndef VDB_WAL_CRASH_ROUNDS
#define VDB_WAL_CRASH_ROUNDS 4
#endif

namespace vdb::wal {
namespace {

using test::Payload;

constexpr int kThreads = 4;
constexpr size_t kAckBytes = 16;  // lsn + id; below PIPE_BUF, so each report is atomic

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t round, int ack_fd) {
  WalOptions options;
  options.max_file_bytes = 64 << 10;  // roll often
  auto wal = Wal::Open(Env::Default(), dir, options);
  if (!wal.ok()) {
    std::fprintf(stderr, "child: %s\n", wal.status().ToString().c_str());
    _exit(2);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        uint64_t id = round * 1000000000000ull + static_cast<uint64_t>(t) * 1000000000ull + i;
        auto lsn = (*wal)->Append(1, id, Payload(id, 300));
        if (!lsn.ok()) _exit(3);
        char ack[kAckBytes];
        EncodeFixed64(ack, lsn->value());
        EncodeFixed64(ack + 8, id);
        if (::write(ack_fd, ack, sizeof(ack)) != static_cast<ssize_t>(sizeof(ack))) _exit(4);
      }
    });
  }
  for (auto& th : threads) th.join();
  _exit(0);
}

uint64_t IdOf(const std::string& payload) { return std::strtoull(payload.c_str(), nullptr, 10); }

TEST(WalCrashTest, AcknowledgedRecordsSurviveKillNine) {
  const uint64_t seed = EnvOr("VDB_CRASH_SEED", 20261130);
  const uint64_t rounds = EnvOr("VDB_WAL_CRASH_ROUNDS", VDB_WAL_CRASH_ROUNDS);
  std::printf("crash test: seed %llu, %llu rounds (VDB_CRASH_SEED to replay)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(rounds));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  vdb::test::TempDir dir;
  std::map<uint64_t, uint64_t> acked;  // lsn -> id, over every round
  for (uint64_t round = 1; round <= rounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(dir.path(), round, fds[1]);
    }
    ::close(fds[1]);
    uint64_t delay_us = 30000 + rng() % 250000;
    ::usleep(static_cast<useconds_t>(delay_us));  // the random kill moment, not synchronisation
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
    // Reports already in the pipe are acknowledgements made before the kill.
    std::string acks;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) acks.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    ASSERT_EQ(acks.size() % kAckBytes, 0u);
    for (size_t off = 0; off < acks.size(); off += kAckBytes) {
      uint64_t lsn = DecodeFixed64(acks.data() + off);
      uint64_t id = DecodeFixed64(acks.data() + off + 8);
      ASSERT_TRUE(acked.emplace(lsn, id).second) << "lsn " << lsn << " acknowledged twice";
    }

    auto wal = Wal::Open(Env::Default(), dir.path(), WalOptions());
    ASSERT_TRUE(wal.ok()) << "round " << round << ": " << wal.status().ToString();
    auto records = test::ReadAll(**wal);
    std::set<uint64_t> ids;
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_EQ(records[i].lsn, i + 1) << "LSNs must be contiguous";
      uint64_t id = IdOf(records[i].payload);
      ASSERT_EQ(records[i].payload, Payload(id, 300)) << "lsn " << records[i].lsn;
      ASSERT_TRUE(ids.insert(id).second) << "payload id " << id << " appears twice";
    }
    for (const auto& [lsn, id] : acked) {
      ASSERT_LE(lsn, records.size()) << "acknowledged lsn " << lsn << " lost in round " << round;
      ASSERT_EQ(IdOf(records[lsn - 1].payload), id) << "lsn " << lsn;
    }
    std::printf("round %llu: killed after %llu us, %zu acks so far, %zu records in the log\n",
                static_cast<unsigned long long>(round), static_cast<unsigned long long>(delay_us),
                acked.size(), records.size());
  }
  EXPECT_GT(acked.size(), 0u);
}

}  // namespace
}  // namespace vdb::wal
