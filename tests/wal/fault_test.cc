// I/O failure and power-loss tests on FaultInjectionEnv: fail the Nth mutating call for
// N = 1, 2, ... until a run completes without a fault, and check each outcome.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "util/fault_env.h"
#include "util/temp_dir.h"
#include "wal/wal.h"
#include "wal/wal_test_util.h"

namespace vdb::wal {
namespace {

using test::Payload;
using test::ReadAll;

WalOptions SmallFiles() {
  WalOptions options;
  options.max_file_bytes = 300;
  return options;
}

// Checks the log in `dir` (opened on the real disk) holds exactly the acknowledged records:
// LSNs contiguous from 1, each acked LSN with its payload.
void ExpectExactlyAcked(const std::string& dir, const std::map<uint64_t, uint64_t>& acked,
                        bool read_only) {
  // The power loss is simulated by DropUnsyncedData, so real fdatasyncs would only cost time.
  vdb::test::FaultInjectionEnv env(Env::Default());
  env.SkipRealSyncs(true);
  auto wal = read_only ? Wal::OpenReadOnly(&env, dir) : Wal::Open(&env, dir, SmallFiles());
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  auto records = ReadAll(**wal);
  if (read_only) {
    // Without power loss, bytes written but not acknowledged may survive too.
    ASSERT_GE(records.size(), acked.size());
  } else {
    ASSERT_EQ(records.size(), acked.size());
  }
  for (size_t i = 0; i < records.size(); ++i) ASSERT_EQ(records[i].lsn, i + 1);
  for (const auto& [lsn, id] : acked) {
    ASSERT_LE(lsn, records.size());
    EXPECT_EQ(records[lsn - 1].payload, Payload(id)) << "lsn " << lsn;
  }
}

TEST(WalFaultTest, EveryInjectedFailureIsCleanAndAckedRecordsSurvivePowerLoss) {
  constexpr uint64_t kAppends = 25;
  bool completed = false;
  for (uint64_t n = 1; n < 500 && !completed; ++n) {
    SCOPED_TRACE("failing mutating call #" + std::to_string(n));
    vdb::test::TempDir dir;
    vdb::test::FaultInjectionEnv env(Env::Default());
    env.SkipRealSyncs(true);
    env.FailNthOperation(n);
    std::map<uint64_t, uint64_t> acked;  // lsn -> payload id
    {
      auto wal = Wal::Open(&env, dir.path(), SmallFiles());
      if (!wal.ok()) {
        EXPECT_EQ(wal.status().code(), StatusCode::kIOError) << wal.status().ToString();
      } else {
        for (uint64_t id = 1; id <= kAppends; ++id) {
          auto lsn = (*wal)->Append(1, id, Payload(id));
          if (lsn.ok()) {
            EXPECT_EQ(*lsn, Lsn(acked.size() + 1));
            acked[lsn->value()] = id;
            continue;
          }
          Status error = lsn.status();
          EXPECT_EQ(error.code(), StatusCode::kIOError) << error.ToString();
          EXPECT_NE(error.message().find("injected fault"), std::string::npos);
          // Poisoned: later appends fail with the same error though the disk works again.
          auto again = (*wal)->Append(1, 0, "after the failure");
          ASSERT_FALSE(again.ok());
          EXPECT_EQ(again.status().message(), error.message());
          EXPECT_EQ((*wal)->poisoned_status().message(), error.message());
          EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(acked.size()));
          break;
        }
      }
    }
    completed = !env.fault_injected();
    // A process crash keeps written bytes; then a power loss drops the unsynced ones.
    ExpectExactlyAcked(dir.path(), acked, /*read_only=*/true);
    ASSERT_TRUE(env.DropUnsyncedData().ok());
    ExpectExactlyAcked(dir.path(), acked, /*read_only=*/false);
    if (HasFatalFailure()) return;
    if (completed) {
      EXPECT_EQ(acked.size(), kAppends);
    }
  }
  EXPECT_TRUE(completed) << "never ran out of calls to fail";
}

TEST(WalFaultTest, FailedSyncPoisonsTheWriterAndNothingIsAcknowledged) {
  vdb::test::TempDir dir;
  vdb::test::FaultInjectionEnv env(Env::Default());
  auto wal = Wal::Open(&env, dir.path(), WalOptions());
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE((*wal)->Append(1, 1, Payload(1)).ok());
  env.FailNthOperation(2);  // the append's write succeeds, its fdatasync fails
  auto failed = (*wal)->Append(1, 2, Payload(2));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("injected fault: operation"), std::string::npos);
  EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(1));
  for (int i = 0; i < 3; ++i) {
    auto later = (*wal)->Append(1, 3, Payload(3));
    ASSERT_FALSE(later.ok());
    EXPECT_EQ(later.status().message(), failed.status().message());
  }
  wal->reset();
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  ExpectExactlyAcked(dir.path(), {{1, 1}}, /*read_only=*/false);
}

TEST(WalFaultTest, ConcurrentAppendersAllSeeCleanOutcomesUnderFaults) {
  for (uint64_t n : {5, 9, 14, 23, 40}) {
    SCOPED_TRACE("failing mutating call #" + std::to_string(n));
    vdb::test::TempDir dir;
    vdb::test::FaultInjectionEnv env(Env::Default());
    env.SkipRealSyncs(true);
    auto wal = Wal::Open(&env, dir.path(), SmallFiles());
    ASSERT_TRUE(wal.ok());
    env.FailNthOperation(n, /*sticky=*/true);
    std::mutex mu;
    std::map<uint64_t, uint64_t> acked;
    std::vector<std::thread> threads;
    for (uint64_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (uint64_t i = 0; i < 20; ++i) {
          uint64_t id = t * 1000 + i;
          auto lsn = (*wal)->Append(1, id, Payload(id));
          if (!lsn.ok()) {
            EXPECT_EQ(lsn.status().code(), StatusCode::kIOError);
            return;
          }
          std::lock_guard<std::mutex> lock(mu);
          acked[lsn->value()] = id;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_FALSE((*wal)->poisoned_status().ok());
    wal->reset();
    ASSERT_TRUE(env.DropUnsyncedData().ok());
    ExpectExactlyAcked(dir.path(), acked, /*read_only=*/false);
  }
}

}  // namespace
}  // namespace vdb::wal
