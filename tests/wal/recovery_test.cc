#include "wal/recovery.h"

#include <gtest/gtest.h>

#include <map>

#include "common/env.h"
#include "util/fault_env.h"
#include "util/temp_dir.h"
#include "wal/format.h"
#include "wal/wal.h"
#include "wal/wal_test_util.h"

namespace vdb::wal {
namespace {

using test::AppendRange;
using test::ExpectRange;
using test::ReadAll;

constexpr uint64_t kRecords = 60;

WalOptions Options(bool repair = false) {
  WalOptions options;
  options.max_file_bytes = 800;
  options.repair = repair;
  return options;
}

// A log of records 1..kRecords over several files, and a copy of every file's bytes so each
// case can start again from the same state.
class WalRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Hundreds of reopens: real fdatasyncs would only slow the test down.
    fault_env_.SkipRealSyncs(true);
    auto wal = Wal::Open(env_, dir_.path(), Options());
    ASSERT_TRUE(wal.ok());
    AppendRange(wal->get(), 1, kRecords);
    files_ = (*wal)->TEST_Files();
    ASSERT_GE(files_.size(), 3u);
    wal->reset();
    for (const auto& f : files_) {
      auto bytes = ReadFileToString(env_, Path(f));
      ASSERT_TRUE(bytes.ok());
      snapshot_[f.name] = *bytes;
    }
  }

  std::string Path(const SegmentFile& f) const { return dir_.Sub(f.name); }

  // Puts every file back as it was, with `name` replaced by `bytes`.
  void Restore(const std::string& name = "", const std::string& bytes = "") {
    auto children = env_->GetChildren(dir_.path());
    ASSERT_TRUE(children.ok());
    for (const auto& c : *children) {
      Lsn lsn;
      if (ParseLogFileName(c, &lsn)) {
        ASSERT_TRUE(env_->RemoveFile(dir_.Sub(c)).ok());
      }
    }
    for (const auto& [n, b] : snapshot_) {
      auto file = env_->NewWritableFile(dir_.Sub(n));
      ASSERT_TRUE(file.ok());
      ASSERT_TRUE((*file)->Append(n == name ? bytes : b).ok());
    }
  }

  // End offsets of the whole records of one file.
  static std::vector<uint64_t> RecordEnds(const std::string& bytes) {
    std::vector<uint64_t> ends;
    size_t offset = kFileHeaderSize;
    Record r;
    std::string why;
    size_t consumed = 0;
    while (DecodeRecord(std::string_view(bytes).substr(offset), &r, &consumed, &why) ==
           DecodeOutcome::kOk) {
      offset += consumed;
      ends.push_back(offset);
    }
    EXPECT_EQ(offset, bytes.size());
    return ends;
  }

  // Records kept when the file starting at `first` keeps its records ending at or before `cut`.
  static uint64_t KeptUpTo(const std::vector<uint64_t>& ends, Lsn first, uint64_t cut) {
    uint64_t whole = 0;
    while (whole < ends.size() && ends[whole] <= cut) ++whole;
    return first.value() - 1 + whole;
  }

  // Opens, checks records 1..expected_last are all there, appends one more and checks its LSN.
  void ExpectRecovered(uint64_t expected_last, bool repair = false) {
    auto wal = Wal::Open(env_, dir_.path(), Options(repair));
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    EXPECT_EQ((*wal)->last_durable_lsn(), Lsn(expected_last));
    ExpectRange(ReadAll(**wal), 1, expected_last);
    auto next = (*wal)->Append(1, 0, "after recovery");
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(*next, Lsn(expected_last + 1));
    wal->reset();
    auto again = Wal::OpenReadOnly(env_, dir_.path());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ((*again)->last_durable_lsn(), Lsn(expected_last + 1));
  }

  vdb::test::FaultInjectionEnv fault_env_{Env::Default()};
  Env* env_ = &fault_env_;
  vdb::test::TempDir dir_;
  std::vector<SegmentFile> files_;
  std::map<std::string, std::string> snapshot_;
};

TEST_F(WalRecoveryTest, TruncationAtEveryOffsetOfTheLastFileKeepsTheWholeRecordPrefix) {
  const SegmentFile& last = files_.back();
  const std::string& bytes = snapshot_[last.name];
  std::vector<uint64_t> ends = RecordEnds(bytes);
  ASSERT_GE(ends.size(), 3u);
  for (uint64_t cut = 0; cut <= bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + last.name);
    Restore(last.name, bytes.substr(0, cut));
    // A cut inside the header leaves a file created at a roll and never written: it goes.
    uint64_t expected =
        cut < kFileHeaderSize ? last.first_lsn.value() - 1 : KeptUpTo(ends, last.first_lsn, cut);
    ExpectRecovered(expected);
    if (HasFatalFailure()) return;
  }
}

TEST_F(WalRecoveryTest, TruncationInsideAnOlderFileIsCorruption) {
  const SegmentFile& older = files_[1];
  const std::string& bytes = snapshot_[older.name];
  Restore(older.name, bytes.substr(0, bytes.size() - 3));
  auto wal = Wal::Open(env_, dir_.path(), Options());
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
  EXPECT_NE(wal.status().message().find("wal segment " + older.name), std::string::npos)
      << wal.status().ToString();
}

TEST_F(WalRecoveryTest, BitFlipInTheLastFileCutsTheTail) {
  const SegmentFile& last = files_.back();
  const std::string& bytes = snapshot_[last.name];
  std::vector<uint64_t> ends = RecordEnds(bytes);
  for (uint64_t pos = kFileHeaderSize; pos < bytes.size(); ++pos) {
    SCOPED_TRACE("flip byte " + std::to_string(pos) + " of " + last.name);
    std::string damaged = bytes;
    damaged[pos] ^= static_cast<char>(1 << (pos % 8));
    Restore(last.name, damaged);
    // Records ending at or before the damaged byte survive; the rest of the file is cut.
    ExpectRecovered(KeptUpTo(ends, last.first_lsn, pos));
    if (HasFatalFailure()) return;
    auto size = env_->GetFileSize(Path(last));
    ASSERT_TRUE(size.ok());
  }
}

TEST_F(WalRecoveryTest, BitFlipInAnOlderFileIsCorruptionNamingFileAndOffset) {
  const SegmentFile& older = files_[1];
  const std::string& bytes = snapshot_[older.name];
  std::vector<uint64_t> ends = RecordEnds(bytes);
  ASSERT_GE(ends.size(), 3u);
  uint64_t record_start = ends[1];  // the third record of the file
  std::string damaged = bytes;
  damaged[record_start + kRecordHeaderSize] ^= 0x10;  // first payload byte
  Restore(older.name, damaged);

  auto wal = Wal::Open(env_, dir_.path(), Options());
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
  std::string expected =
      "wal segment " + older.name + ": bad checksum at offset " + std::to_string(record_start);
  EXPECT_NE(wal.status().message().find(expected), std::string::npos) << wal.status().ToString();
  EXPECT_EQ(Wal::OpenReadOnly(env_, dir_.path()).status().code(), StatusCode::kCorruption);
  // Nothing was touched by the failed opens.
  for (const auto& f : files_) EXPECT_TRUE(env_->FileExists(Path(f))) << f.name;

  // Repair cuts there and drops every later file.
  ExpectRecovered(older.first_lsn.value() - 1 + 2, /*repair=*/true);
  for (size_t i = 2; i < files_.size(); ++i) EXPECT_FALSE(env_->FileExists(Path(files_[i])));
}

TEST_F(WalRecoveryTest, ZeroLengthOrHeaderOnlyLastFileAfterARoll) {
  Lsn next(kRecords + 1);
  {
    Restore();
    auto empty = env_->NewWritableFile(dir_.Sub(LogFileName(next)));
    ASSERT_TRUE(empty.ok());
  }
  ExpectRecovered(kRecords);
  {
    Restore();
    auto file = env_->NewWritableFile(dir_.Sub(LogFileName(next)));
    ASSERT_TRUE(file.ok());
    char header[kFileHeaderSize];
    EncodeFileHeader(next, header);
    ASSERT_TRUE((*file)->Append(std::string_view(header, sizeof(header))).ok());
  }
  ExpectRecovered(kRecords);
  EXPECT_EQ(*env_->GetFileSize(dir_.Sub(LogFileName(next))),
            kFileHeaderSize + EncodedRecordSize(14));  // "after recovery"
}

TEST_F(WalRecoveryTest, MissingFileInTheNumberingIsCorruption) {
  Restore();
  ASSERT_TRUE(env_->RemoveFile(Path(files_[1])).ok());
  auto wal = Wal::Open(env_, dir_.path(), Options());
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
  EXPECT_NE(wal.status().message().find(files_[2].name), std::string::npos)
      << wal.status().ToString();
  ExpectRecovered(files_[1].first_lsn.value() - 1, /*repair=*/true);
}

TEST_F(WalRecoveryTest, BadHeaderIsCorruptionEvenInTheLastFile) {
  for (size_t which : {size_t{0}, files_.size() - 1}) {
    const SegmentFile& f = files_[which];
    SCOPED_TRACE(f.name);
    std::string damaged = snapshot_[f.name];
    damaged[3] ^= 0x01;
    Restore(f.name, damaged);
    auto wal = Wal::Open(env_, dir_.path(), Options());
    ASSERT_FALSE(wal.ok());
    EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
    EXPECT_NE(wal.status().message().find("wal segment " + f.name + ": bad magic"),
              std::string::npos)
        << wal.status().ToString();
  }
  // A header whose LSN disagrees with the file name is corruption too.
  const SegmentFile& f = files_[1];
  std::string wrong = snapshot_[f.name];
  char header[kFileHeaderSize];
  EncodeFileHeader(Lsn(f.first_lsn.value() + 1), header);
  wrong.replace(0, kFileHeaderSize, header, kFileHeaderSize);
  Restore(f.name, wrong);
  EXPECT_EQ(Wal::Open(env_, dir_.path(), Options()).status().code(), StatusCode::kCorruption);
  ExpectRecovered(f.first_lsn.value() - 1, /*repair=*/true);
}

TEST(WalRecoveryEdgeTest, FileNamedLsnZeroIsCorruption) {
  vdb::test::TempDir dir;
  Env* env = Env::Default();
  {
    auto file = env->NewWritableFile(dir.Sub(LogFileName(Lsn(0))));
    ASSERT_TRUE(file.ok());
    char header[kFileHeaderSize];
    EncodeFileHeader(Lsn(0), header);
    ASSERT_TRUE((*file)->Append(std::string_view(header, sizeof(header))).ok());
  }
  EXPECT_EQ(Wal::OpenReadOnly(env, dir.path()).status().code(), StatusCode::kCorruption);
  WalOptions repair;
  repair.repair = true;
  auto wal = Wal::Open(env, dir.path(), repair);
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  auto lsn = (*wal)->Append(1, 1, "x");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*lsn, Lsn(1));
}

TEST_F(WalRecoveryTest, ReadOnlyOpenLeavesATornTailAlone) {
  const SegmentFile& last = files_.back();
  const std::string& bytes = snapshot_[last.name];
  std::vector<uint64_t> ends = RecordEnds(bytes);
  uint64_t cut = ends[ends.size() - 2] + 5;
  Restore(last.name, bytes.substr(0, cut));
  ASSERT_TRUE(env_->NewWritableFile(dir_.Sub("notes.txt")).ok());  // unrelated files are ignored
  auto ro = Wal::OpenReadOnly(env_, dir_.path());
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  uint64_t expected = KeptUpTo(ends, last.first_lsn, cut);
  ExpectRange(ReadAll(**ro), 1, expected);
  EXPECT_EQ(*env_->GetFileSize(Path(last)), cut);
  auto log = RecoverLog(env_, dir_.path(), RecoveryMode::kReadOnly);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->next_lsn, Lsn(expected + 1));
  EXPECT_EQ(log->last_file_bytes, ends[ends.size() - 2]);
}

}  // namespace
}  // namespace vdb::wal
