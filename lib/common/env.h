// Env: the one door to files, directories, clocks and sleeps. Code takes an Env* and never calls
// the OS directly, so tests can run on a fault-injecting or in-memory Env.
// Env::Default() is thread-safe; file objects are not (one owner at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace vdb {

// A file opened for appending. Append buffers nothing: bytes go straight to the OS, and are
// durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes every appended byte durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file, including those not yet synced.
  virtual uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

// A file read at arbitrary offsets; safe for concurrent reads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; returns how many were read (less at end of file).
  virtual Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual Result<uint64_t> Size() const = 0;
  virtual const std::string& path() const = 0;
};

// A read-only memory mapping of a whole file; the bytes stay valid while the object lives.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view data() const = 0;
};

// An exclusive advisory lock held on a file until the object is destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env; never destroyed.
  static Env* Default();

  // Creates or truncates `path`.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it if missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual Result<std::unique_ptr<MappedFile>> MapFile(const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  // Creates `dir` and its missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& dir) = 0;
  // Atomically replaces `to` with `from` (rename(2)).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes an exclusive lock on `path` (created if missing); kUnavailable if another process
  // holds it, naming that process's pid when the file holds one.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;

  // Wall clock, microseconds since the Unix epoch.
  virtual uint64_t NowMicros() = 0;
  // A monotonic clock for measuring durations.
  virtual uint64_t MonotonicMicros() = 0;
  virtual void SleepForMicros(uint64_t micros) = 0;
};

// Path helpers (pure string manipulation).
std::string JoinPath(std::string_view a, std::string_view b);
std::string DirName(std::string_view path);
std::string BaseName(std::string_view path);

// Reads a whole file.
Result<std::string> ReadFileToString(Env* env, const std::string& path);

// Publishes `data` at `path` atomically and durably: writes `path.tmp.<unique>`, syncs it, renames
// it over `path`, then syncs the directory. Readers see the old content or the new, never a mix.
Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data);

// Removes `path` and everything under it; OK if it does not exist.
Status RemoveAll(Env* env, const std::string& path);

}  // namespace vdb
