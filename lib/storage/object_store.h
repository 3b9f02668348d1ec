// ObjectStore: immutable blobs under string keys, shaped like S3 so that an S3-compatible store can
// replace the local directory without touching callers. Implementations are thread-safe.
//
// Keys are relative paths of segments separated by '/': each segment non-empty, not "." or "..",
// not starting with ".tmp." (reserved for writes in flight), no leading '/', no NUL or control
// characters, at most 1024 bytes in all. A bad key is kInvalidArgument naming the key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace vdb {
class Env;
class MappedFile;
}  // namespace vdb

namespace vdb::storage {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  uint64_t mtime_micros = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Stores `data` under `key` atomically and durably: readers see the whole object or nothing,
  // and once Put returns OK the object survives a crash. Overwrites an existing key.
  virtual Status Put(const std::string& key, std::string_view data) = 0;
  // The whole object; kNotFound if absent.
  virtual Result<std::string> Get(const std::string& key) = 0;
  // `length` bytes from `offset` (fewer at the end); kInvalidArgument if offset > size.
  virtual Result<std::string> GetRange(const std::string& key, uint64_t offset,
                                       uint64_t length) = 0;
  virtual Result<ObjectInfo> Stat(const std::string& key) = 0;
  // Every object whose key starts with `prefix` (which may end mid-name, like S3), sorted by key.
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
  // OK if the key is absent (like S3).
  virtual Status Delete(const std::string& key) = 0;

  // A read-only memory mapping of the object, when the store is local; kNotSupported otherwise
  // (callers then fall back to Get). Lets query nodes map float vectors instead of copying them.
  virtual Result<std::unique_ptr<MappedFile>> Map(const std::string& key) = 0;
};

// Checks a key against the rules above.
Status ValidateKey(std::string_view key);

// The local-directory store rooted at `root` (created if missing). `env` must outlive the store.
// Object `k` is the file root/k; Put writes a hidden temp file beside it, syncs it, renames it and
// syncs the directory. Delete removes parent directories left empty (never `root` itself).
Result<std::unique_ptr<ObjectStore>> OpenLocalObjectStore(Env* env, const std::string& root);

// A store that keeps objects in memory, for tests and fuzzing. Map returns kNotSupported, as a
// remote store would.
std::unique_ptr<ObjectStore> NewMemoryObjectStore();

}  // namespace vdb::storage
