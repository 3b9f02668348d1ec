// Wal: the write-ahead log of one shard: a directory of segment files (wal/format.h) with group
// commit, rolling, tailing readers and checkpoint truncation.
// Thread-safe: any number of threads may Append/AppendBatch/NewReader/TruncateBefore at once.
// Each WalReader is used by one thread at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/timestamp.h"
#include "wal/format.h"
#include "wal/recovery.h"

namespace vdb {
class Env;
class FileLock;
class WritableFile;
}  // namespace vdb

namespace vdb::wal {

class SegmentReader;
class WalReader;

// Record types used by vdb; callers may pass any tag >= 1 (0 is reserved as invalid).
enum class RecordType : uint8_t {
  kInsert = 1,
  kDelete = 2,
  kTimeTick = 3,
  kCreateSegment = 4,
  kSealSegment = 5,
  kFlushSegment = 6,
};
inline constexpr uint8_t ToTag(RecordType type) { return static_cast<uint8_t>(type); }

struct WalOptions {
  // A new segment file is started once the active one reaches this size (a batch never spans
  // files, so a file can exceed it by one batch).
  uint64_t max_file_bytes = 64ull << 20;
  // Cut the log at corruption found in an older file (deleting every later file) instead of
  // failing the open with kCorruption. Data is lost; every drop is logged.
  bool repair = false;
};

// Counters since open, for metrics: records / batches is the group-commit factor.
struct WalStats {
  uint64_t batches = 0;  // write + fdatasync rounds
  uint64_t records = 0;
  uint64_t bytes = 0;  // record bytes written, headers included
};

// One record to append. `payload` is borrowed until the append returns.
struct WalEntry {
  uint8_t type = 0;
  Timestamp timestamp = 0;
  std::string_view payload;
};

class Wal {
 public:
  // Opens (creating if missing) the log in `dir` for appending: takes dir/LOCK, runs recovery
  // (RecoveryMode::kTruncateTail, or kRepair with options.repair) and continues after the last
  // whole record. Errors: kCorruption naming file and offset; kUnavailable if another Wal holds
  // the lock; I/O errors. `env` must outlive the Wal.
  static Result<std::unique_ptr<Wal>> Open(Env* env, const std::string& dir,
                                           const WalOptions& options);
  // Opens the log in `dir` for reading only: changes nothing on disk and takes no lock; the
  // readable end is fixed at the last whole record found now (a torn tail just ends it).
  // Appends and TruncateBefore return kNotSupported.
  static Result<std::unique_ptr<Wal>> OpenReadOnly(Env* env, const std::string& dir);

  // REQUIRES: no call in flight and every WalReader from this Wal destroyed.
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends one record and returns its LSN once it is durable (written and fdatasync'ed).
  // Concurrent appends are committed together (one write + one sync per batch). Errors:
  // kInvalidArgument for type 0 or a payload over kMaxPayloadBytes (the log stays usable);
  // after any write or sync failure the Wal is poisoned and this and every later append
  // returns that first error.
  Result<Lsn> Append(uint8_t type, Timestamp timestamp, std::string_view payload);
  // Appends `entries` atomically-in-order under consecutive LSNs (all in one file) and returns
  // the first LSN once all are durable. kInvalidArgument for an empty batch or a bad entry.
  Result<Lsn> AppendBatch(std::span<const WalEntry> entries);

  // A reader positioned at `from_lsn` (>= 1). It yields records up to the durable LSN at each
  // Next(), so it can tail the log while appends continue. kNotFound if `from_lsn` was
  // truncated away; kInvalidArgument if it is past last_durable_lsn() + 1.
  // The Wal must outlive the reader.
  Result<std::unique_ptr<WalReader>> NewReader(Lsn from_lsn) const;

  // Checkpoint: deletes whole segment files every record of which is < lsn. Never deletes the
  // active (last) file. A reader already inside a deleted file finishes it (POSIX keeps it
  // open) and then gets kNotFound if the file after it was deleted too.
  Status TruncateBefore(Lsn lsn);

  // LSN of the newest durable record; Lsn(0) when the log is empty.
  Lsn last_durable_lsn() const { return Lsn(durable_lsn_.load(std::memory_order_acquire)); }
  // LSN of the oldest record kept (after TruncateBefore); last_durable_lsn() + 1 when empty.
  Lsn first_lsn() const;
  // Blocks until last_durable_lsn() >= lsn or `timeout_micros` pass; returns whether it got there.
  bool WaitForDurable(Lsn lsn, uint64_t timeout_micros) const;
  WalStats stats() const;
  // The first write/sync error, or OK while the log is healthy.
  Status poisoned_status() const;
  const std::string& dir() const { return dir_; }
  Env* env() const { return env_; }
  // Segment files currently in the log, oldest first.
  std::vector<SegmentFile> TEST_Files() const;

 private:
  // One waiting Append/AppendBatch call; lives on its caller's stack.
  struct Writer {
    std::span<const WalEntry> entries;
    size_t bytes = 0;
    bool done = false;
    Lsn first_lsn;
    Status status;
    std::condition_variable cv;
  };

  Wal(Env* env, std::string dir, const WalOptions& options, bool read_only);
  Status Recover(RecoveryMode mode);
  Status OpenActiveFile(const RecoveredLog& log);
  Status CreateFile(Lsn first_lsn, std::unique_ptr<WritableFile>* file);
  Result<Lsn> Commit(std::span<const WalEntry> entries);
  // Leader only, without mu_: rolls if needed, then writes and syncs batch_buf_.
  Status WriteBatch(Lsn first_lsn);

  Env* const env_;
  const std::string dir_;
  const WalOptions options_;
  const bool read_only_;
  std::unique_ptr<FileLock> lock_;

  mutable std::mutex mu_;
  mutable std::condition_variable durable_cv_;
  std::deque<Writer*> writers_;     // GUARDED_BY(mu_); front() is the leader
  Status error_;                    // GUARDED_BY(mu_); first write/sync error: poisons the log
  std::vector<SegmentFile> files_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> durable_lsn_{0};

  // Owned by the current leader (only one at a time), touched without mu_.
  std::unique_ptr<WritableFile> file_;
  uint64_t next_lsn_ = 1;
  std::string batch_buf_;
  std::vector<Writer*> batch_;
  size_t last_batch_writers_ = 0;  // callers served by the previous batch
  WalStats stats_;                 // GUARDED_BY(mu_)
};

// Iterates records of a Wal in LSN order from a starting LSN, across files.
class WalReader {
 public:
  ~WalReader();
  WalReader(const WalReader&) = delete;
  WalReader& operator=(const WalReader&) = delete;

  // Returns true with *record set (payload valid until the next call) or false when no durable
  // record is available yet (not an error: a later call sees newer appends, across file rolls).
  // kCorruption naming file and offset if a record that should be there is damaged or missing;
  // kNotFound if TruncateBefore deleted the records this reader was about to read.
  Result<bool> Next(Record* record);
  // LSN the next record will have.
  Lsn next_lsn() const { return Lsn(next_lsn_); }

 private:
  friend class Wal;
  WalReader(const Wal* wal, std::unique_ptr<SegmentReader> file, uint64_t next_lsn);
  Status OpenNextFile();

  const Wal* wal_;
  std::unique_ptr<SegmentReader> file_;
  uint64_t offset_;
  uint64_t next_lsn_;
};

}  // namespace vdb::wal
