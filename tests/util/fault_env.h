// FaultInjectionEnv: an Env wrapper for crash and I/O-error tests. It forwards to a base Env,
// remembers how much of each file written through it was synced, can simulate a power loss
// (DropUnsyncedData: every file cut back to its last synced size, files whose directory entry
// was never synced removed) and can fail the Nth mutating call (write, sync, create, ...).
// Thread-safe. Like leveldb's db/fault_injection_test.cc.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/env.h"

namespace vdb::test {

class FaultInjectionEnv final : public Env {
 public:
  // Calls counted by FailNthOperation.
  enum class Op : uint8_t { kAppend, kSync, kCreate, kSyncDir, kTruncate, kRemove, kRename };

  // `base` must outlive this Env.
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  // The nth mutating call from now (1 = the very next) fails with kIOError ("injected fault").
  // With `sticky`, every later mutating call fails too (a dead disk). A failed Append writes a
  // prefix of its data first when `partial_writes` is set (a torn write). n = 0 disarms.
  void FailNthOperation(uint64_t n, bool sticky = false, bool partial_writes = true);
  // With `skip`, Sync and SyncDir are recorded (DropUnsyncedData honours them) but not passed to
  // the base Env: fast tests that simulate power loss themselves need no real fdatasync.
  void SkipRealSyncs(bool skip);
  // Mutating calls seen so far (across all files).
  uint64_t operation_count() const;
  // Whether a fault has been injected since FailNthOperation was armed.
  bool fault_injected() const;

  // Simulated power loss: truncates every file written through this Env to its last synced
  // size and removes files created since their directory was last synced. Files opened later
  // start from their size at open. Disarms fault injection.
  Status DropUnsyncedData();

  // Env.
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  Result<std::unique_ptr<MappedFile>> MapFile(const std::string& path) override {
    return base_->MapFile(path);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Result<uint64_t> GetFileSize(const std::string& path) override {
    return base_->GetFileSize(path);
  }
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return base_->GetChildren(dir);
  }
  bool IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& dir) override { return base_->RemoveDir(dir); }
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }
  uint64_t NowMicros() override { return base_->NowMicros(); }
  uint64_t MonotonicMicros() override { return base_->MonotonicMicros(); }
  void SleepForMicros(uint64_t micros) override { base_->SleepForMicros(micros); }

 private:
  friend class FaultWritableFile;
  struct FileState {
    uint64_t size = 0;         // bytes written
    uint64_t synced_size = 0;  // bytes made durable by Sync
  };

  // Counts one mutating call; returns the injected error if this one must fail.
  Status MaybeFail(Op op, const std::string& path);
  bool partial_writes() const;
  bool skip_real_syncs() const;
  void OnAppend(const std::string& path, uint64_t new_size);
  void OnSync(const std::string& path);

  Env* const base_;
  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;    // GUARDED_BY(mu_)
  std::set<std::string> unsynced_new_files_;  // GUARDED_BY(mu_): entries not yet dir-synced
  uint64_t ops_ = 0;                          // GUARDED_BY(mu_)
  uint64_t fail_at_ = 0;                      // GUARDED_BY(mu_); 0 = disarmed
  bool sticky_ = false;                       // GUARDED_BY(mu_)
  bool partial_writes_ = true;                // GUARDED_BY(mu_)
  bool injected_ = false;                     // GUARDED_BY(mu_)
  bool skip_real_syncs_ = false;              // GUARDED_BY(mu_)
};

}  // namespace vdb::test
