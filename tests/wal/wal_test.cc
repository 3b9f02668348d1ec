#include "wal/wal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "common/env.h"
#include "util/temp_dir.h"
#include "wal/wal_test_util.h"

namespace vdb::wal {
namespace {

using test::AppendRange;
using test::ExpectRange;
using test::Payload;
using test::ReadAll;

WalOptions SmallFiles(uint64_t max_file_bytes = 1024) {
  WalOptions options;
  options.max_file_bytes = max_file_bytes;
  return options;
}

TEST(WalTest, EmptyLogOpensAndStartsAtLsnOne) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.Sub("wal/0"), WalOptions());
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(0));
  EXPECT_EQ((*wal)->first_lsn(), Lsn(1));
  EXPECT_TRUE(ReadAll(**wal).empty());
  auto lsn = (*wal)->Append(ToTag(RecordType::kInsert), 99, "first");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*lsn, Lsn(1));
  EXPECT_TRUE(Env::Default()->FileExists(dir.Sub("wal/0/00000000000000000001.log")));
}

TEST(WalTest, RoundTripAcrossRollsAndReopen) {
  vdb::test::TempDir dir;
  {
    auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles());
    ASSERT_TRUE(wal.ok());
    AppendRange(wal->get(), 1, 500);
    EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(500));
    EXPECT_GT((*wal)->TEST_Files().size(), 10u);
    ExpectRange(ReadAll(**wal), 1, 500);
  }
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles());
  ASSERT_TRUE(wal.ok());
  EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(500));
  AppendRange(wal->get(), 501, 100);
  ExpectRange(ReadAll(**wal), 1, 600);
  // File names are the first LSN of each file and follow on from each other.
  auto files = (*wal)->TEST_Files();
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].name, LogFileName(files[i].first_lsn));
    if (i > 0) {
      EXPECT_GT(files[i].first_lsn, files[i - 1].first_lsn);
    }
  }
}

TEST(WalTest, ReadersStartAtArbitraryLsns) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles(700));
  ASSERT_TRUE(wal.ok());
  AppendRange(wal->get(), 1, 300);
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    uint64_t from = 1 + rng() % 301;
    SCOPED_TRACE("from lsn " + std::to_string(from) + " (seed 7)");
    ExpectRange(ReadAll(**wal, Lsn(from)), from, 301 - from);
  }
  EXPECT_EQ((*wal)->NewReader(Lsn(0)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*wal)->NewReader(Lsn(302)).status().code(), StatusCode::kInvalidArgument);
}

TEST(WalTest, AppendBatchGetsConsecutiveLsns) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), WalOptions());
  ASSERT_TRUE(wal.ok());
  AppendRange(wal->get(), 1, 3);
  std::vector<std::string> payloads;
  std::vector<WalEntry> entries;
  for (uint64_t id = 4; id < 14; ++id) payloads.push_back(Payload(id));
  for (uint64_t id = 4; id < 14; ++id) {
    entries.push_back({static_cast<uint8_t>(1 + id % 5), id * 10, payloads[id - 4]});
  }
  auto first = (*wal)->AppendBatch(entries);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, Lsn(4));
  EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(13));
  ExpectRange(ReadAll(**wal), 1, 13);
}

TEST(WalTest, BadAppendsAreRejectedWithoutPoisoning) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), WalOptions());
  ASSERT_TRUE(wal.ok());
  EXPECT_EQ((*wal)->Append(0, 1, "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*wal)->AppendBatch({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*wal)->poisoned_status().ok());
  auto lsn = (*wal)->Append(255, 1, "any tag >= 1 is fine");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*lsn, Lsn(1));
}

TEST(WalTest, ConcurrentAppendersGetDistinctContiguousLsns) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles(4096));
  ASSERT_TRUE(wal.ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 60;
  std::vector<std::vector<std::pair<uint64_t, std::string>>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string payload = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto lsn = (*wal)->Append(1, 0, payload);
        ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
        // Acknowledged means durable: the durable LSN already covers it.
        ASSERT_GE((*wal)->last_durable_lsn(), *lsn);
        acked[t].emplace_back(lsn->value(), payload);
      }
    });
  }
  for (auto& th : threads) th.join();
  auto records = ReadAll(**wal);
  ASSERT_EQ(records.size(), size_t{kThreads * kPerThread});
  for (size_t i = 0; i < records.size(); ++i) ASSERT_EQ(records[i].lsn, i + 1);
  for (int t = 0; t < kThreads; ++t) {
    uint64_t prev = 0;
    for (const auto& [lsn, payload] : acked[t]) {
      EXPECT_GT(lsn, prev) << "a thread's appends keep their order";
      prev = lsn;
      EXPECT_EQ(records[lsn - 1].payload, payload);
    }
  }
}

TEST(WalTest, TailingReaderSeesAppendsAcrossRolls) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles(512));
  ASSERT_TRUE(wal.ok());
  auto reader = (*wal)->NewReader(Lsn(1));
  ASSERT_TRUE(reader.ok());
  Record r;
  auto none = (*reader)->Next(&r);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);

  constexpr uint64_t kTotal = 400;
  std::thread writer([&] { AppendRange(wal->get(), 1, kTotal); });
  uint64_t expected = 1;
  while (expected <= kTotal) {
    auto got = (*reader)->Next(&r);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!*got) {
      // Nothing durable yet: wait for the next LSN instead of spinning.
      (*wal)->WaitForDurable(Lsn(expected), 1000000);
      continue;
    }
    ASSERT_EQ(r.lsn, Lsn(expected));
    ASSERT_EQ(r.payload, Payload(expected));
    ++expected;
  }
  writer.join();
  auto end = (*reader)->Next(&r);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
  EXPECT_GT((*wal)->TEST_Files().size(), 5u);
}

TEST(WalTest, ReadOnlyOpenReadsAnotherWalsDirectory) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles());
  ASSERT_TRUE(wal.ok());
  AppendRange(wal->get(), 1, 50);
  auto ro = Wal::OpenReadOnly(Env::Default(), dir.path());
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  ExpectRange(ReadAll(**ro), 1, 50);
  EXPECT_EQ((*ro)->Append(1, 0, "x").status().code(), StatusCode::kNotSupported);
  EXPECT_EQ((*ro)->TruncateBefore(Lsn(10)).code(), StatusCode::kNotSupported);
  // A second writer is refused while the first holds the lock.
  EXPECT_EQ(Wal::Open(Env::Default(), dir.path(), WalOptions()).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(Wal::OpenReadOnly(Env::Default(), dir.Sub("missing")).status().code(),
            StatusCode::kNotFound);
}

TEST(WalTest, TruncateBeforeDeletesOnlyWholeOldFiles) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles(600));
  ASSERT_TRUE(wal.ok());
  AppendRange(wal->get(), 1, 200);
  auto files = (*wal)->TEST_Files();
  ASSERT_GE(files.size(), 4u);
  // A checkpoint inside file 2 keeps file 2 (it still holds needed records) and drops 0 and 1.
  Lsn checkpoint(files[2].first_lsn.value() + 1);
  ASSERT_TRUE((*wal)->TruncateBefore(checkpoint).ok());
  auto left = (*wal)->TEST_Files();
  ASSERT_EQ(left.size(), files.size() - 2);
  EXPECT_EQ(left[0].first_lsn, files[2].first_lsn);
  EXPECT_FALSE(Env::Default()->FileExists(dir.Sub(files[0].name)));
  EXPECT_EQ((*wal)->first_lsn(), files[2].first_lsn);
  EXPECT_EQ((*wal)->NewReader(Lsn(1)).status().code(), StatusCode::kNotFound);
  ExpectRange(ReadAll(**wal, checkpoint), checkpoint.value(), 201 - checkpoint.value());
  // Truncating past the end keeps the active file.
  ASSERT_TRUE((*wal)->TruncateBefore(Lsn(1000)).ok());
  ASSERT_EQ((*wal)->TEST_Files().size(), 1u);
  AppendRange(wal->get(), 201, 5);
  wal->reset();
  auto reopened = Wal::Open(Env::Default(), dir.path(), SmallFiles(600));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->last_durable_lsn(), Lsn(205));
  Lsn first = (*reopened)->first_lsn();
  ExpectRange(ReadAll(**reopened, first), first.value(), 206 - first.value());
}

TEST(WalTest, ReaderInsideADeletedFileFinishesItThenSeesNotFound) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles(600));
  ASSERT_TRUE(wal.ok());
  AppendRange(wal->get(), 1, 100);
  auto files = (*wal)->TEST_Files();
  ASSERT_GE(files.size(), 4u);
  auto reader = (*wal)->NewReader(Lsn(2));
  ASSERT_TRUE(reader.ok());
  Record r;
  ASSERT_TRUE(*(*reader)->Next(&r));
  EXPECT_EQ(r.lsn, Lsn(2));
  ASSERT_TRUE((*wal)->TruncateBefore(files[3].first_lsn).ok());
  EXPECT_EQ((*wal)->first_lsn(), files[3].first_lsn);
  // The open file stays readable to its end (POSIX keeps it while open) ...
  for (uint64_t lsn = 3; lsn < files[1].first_lsn.value(); ++lsn) {
    auto got = (*reader)->Next(&r);
    ASSERT_TRUE(got.ok()) << "lsn " << lsn << ": " << got.status().ToString();
    ASSERT_TRUE(*got);
    ASSERT_EQ(r.lsn, Lsn(lsn));
  }
  // ... but the next one is gone: the reader fell behind the checkpoint, which is kNotFound.
  auto behind = (*reader)->Next(&r);
  ASSERT_FALSE(behind.ok());
  EXPECT_EQ(behind.status().code(), StatusCode::kNotFound) << behind.status().ToString();
  EXPECT_NE(behind.status().message().find("truncated"), std::string::npos);
}

TEST(WalTest, LargeRecordsBiggerThanTheFileLimit) {
  vdb::test::TempDir dir;
  auto wal = Wal::Open(Env::Default(), dir.path(), SmallFiles(1000));
  ASSERT_TRUE(wal.ok());
  std::string big(300000, 'b');
  for (int i = 0; i < 3; ++i) {
    big[static_cast<size_t>(i)] = 'x';
    ASSERT_TRUE((*wal)->Append(2, 5, big).ok());
  }
  auto records = ReadAll(**wal);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].payload, big);
  EXPECT_EQ((*wal)->TEST_Files().size(), 3u);
}

}  // namespace
}  // namespace vdb::wal
