// An in-memory ObjectStore for tests and fuzzing. One mutex guards the map; values are copied in
// and out, so callers never see a later overwrite.
#include <map>
#include <mutex>

#include "common/env.h"
#include "storage/object_store.h"

namespace vdb::storage {
namespace {

class MemoryObjectStore final : public ObjectStore {
 public:
  MemoryObjectStore() = default;
  MemoryObjectStore(const MemoryObjectStore&) = delete;
  MemoryObjectStore& operator=(const MemoryObjectStore&) = delete;

  Status Put(const std::string& key, std::string_view data) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard<std::mutex> lock(mu_);
    objects_[key] = std::string(data);
    return Status::OK();
  }

  Result<std::string> Get(const std::string& key) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::NotFound("object not found: " + key);
    return it->second;
  }

  Result<std::string> GetRange(const std::string& key, uint64_t offset, uint64_t length) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::NotFound("object not found: " + key);
    const std::string& v = it->second;
    if (offset > v.size()) {
      return Status::InvalidArgument("object " + key + ": range offset " + std::to_string(offset) +
                                     " is past its end (" + std::to_string(v.size()) + " bytes)");
    }
    return v.substr(offset, length);
  }

  Result<ObjectInfo> Stat(const std::string& key) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::NotFound("object not found: " + key);
    return ObjectInfo{key, it->second.size(), 0};
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<ObjectInfo> out;
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.starts_with(prefix); ++it) {
      out.push_back(ObjectInfo{it->first, it->second.size(), 0});
    }
    return out;
  }

  Status Delete(const std::string& key) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard<std::mutex> lock(mu_);
    objects_.erase(key);
    return Status::OK();
  }

  Result<std::unique_ptr<MappedFile>> Map(const std::string& key) override {
    return Status::NotSupported("memory object store cannot map " + key);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> objects_;  // GUARDED_BY(mu_)
};

}  // namespace

std::unique_ptr<ObjectStore> NewMemoryObjectStore() {
  return std::make_unique<MemoryObjectStore>();
}

}  // namespace vdb::storage
