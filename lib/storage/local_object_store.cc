// The local-directory ObjectStore: object `k` lives at root/k. Stateless apart from a counter that
// makes temp names unique, so it is thread-safe as long as the Env is.
#include <algorithm>
#include <atomic>
#include <random>

#include "common/env.h"
#include "storage/object_store.h"

namespace vdb::storage {
namespace {

constexpr std::string_view kTempPrefix = ".tmp.";

class LocalObjectStore final : public ObjectStore {
 public:
  LocalObjectStore(Env* env, std::string root) : env_(env), root_(std::move(root)) {
    std::random_device rd;
    nonce_ = (uint64_t{rd()} << 32) ^ rd();
  }
  LocalObjectStore(const LocalObjectStore&) = delete;
  LocalObjectStore& operator=(const LocalObjectStore&) = delete;

  Status Put(const std::string& key, std::string_view data) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::string path = PathOf(key);
    std::string dir = DirName(path);
    std::string tmp =
        JoinPath(dir, std::string(kTempPrefix) + BaseName(key) + "." + std::to_string(nonce_) +
                          "." + std::to_string(counter_.fetch_add(1)));
    // A concurrent Delete may remove a parent directory that has just become empty between our
    // CreateDirs and the open, so a missing directory is retried a few times.
    Status s;
    for (int attempt = 0; attempt < 3; ++attempt) {
      VDB_RETURN_IF_ERROR(env_->CreateDirs(dir));
      s = WriteTemp(tmp, data);
      if (!s.IsNotFound()) break;
    }
    if (s.ok()) s = env_->RenameFile(tmp, path);
    if (!s.ok()) {
      (void)env_->RemoveFile(tmp);  // best effort: the failure being reported matters more
      return s.WithContext("put object " + key);
    }
    return env_->SyncDir(dir).WithContext("put object " + key);
  }

  Result<std::string> Get(const std::string& key) override {
    VDB_ASSIGN_OR_RETURN(auto file, OpenObject(key));
    VDB_ASSIGN_OR_RETURN(uint64_t size, file->Size());
    return ReadAt(*file, key, 0, size);
  }

  Result<std::string> GetRange(const std::string& key, uint64_t offset, uint64_t length) override {
    VDB_ASSIGN_OR_RETURN(auto file, OpenObject(key));
    VDB_ASSIGN_OR_RETURN(uint64_t size, file->Size());
    if (offset > size) {
      return Status::InvalidArgument("object " + key + ": range offset " + std::to_string(offset) +
                                     " is past its end (" + std::to_string(size) + " bytes)");
    }
    return ReadAt(*file, key, offset, std::min(length, size - offset));
  }

  Result<ObjectInfo> Stat(const std::string& key) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::string path = PathOf(key);
    if (env_->IsDirectory(path)) return NotFound(key);
    auto size = env_->GetFileSize(path);
    if (!size.ok()) return size.status().IsNotFound() ? NotFound(key) : size.status();
    return ObjectInfo{key, *size, 0};
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    for (char c : prefix) {
      if (static_cast<unsigned char>(c) < 0x20) {
        return Status::InvalidArgument("invalid list prefix: control character");
      }
    }
    // Walk from the directory part of the prefix; the rest must start each entry's name.
    size_t slash = prefix.rfind('/');
    std::string dir_key = slash == std::string::npos ? "" : prefix.substr(0, slash);
    std::string fragment = slash == std::string::npos ? prefix : prefix.substr(slash + 1);
    // A prefix whose directory part no valid key can have ("/x", "a//", "../") matches nothing.
    if (prefix.starts_with('/') || (!dir_key.empty() && !ValidateKey(dir_key).ok())) {
      return std::vector<ObjectInfo>{};
    }
    std::vector<ObjectInfo> out;
    VDB_RETURN_IF_ERROR(Walk(dir_key, fragment, &out));
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(const std::string& key) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::string path = PathOf(key);
    if (env_->IsDirectory(path)) return Status::OK();  // not an object
    Status s = env_->RemoveFile(path);
    if (s.IsNotFound()) return Status::OK();
    VDB_RETURN_IF_ERROR(s.WithContext("delete object " + key));
    // Drop parents that are now empty; RemoveDir fails (harmlessly) on the first non-empty one,
    // which is the directory whose entries changed and must be synced.
    std::string dir = DirName(key);
    while (dir != "." && dir != "/" && !dir.empty()) {
      if (!env_->RemoveDir(PathOf(dir)).ok()) break;
      dir = DirName(dir);
    }
    std::string changed = (dir == "." || dir.empty()) ? root_ : PathOf(dir);
    return env_->SyncDir(changed).WithContext("delete object " + key);
  }

  Result<std::unique_ptr<MappedFile>> Map(const std::string& key) override {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::string path = PathOf(key);
    if (env_->IsDirectory(path)) return NotFound(key);
    auto mapped = env_->MapFile(path);
    if (!mapped.ok() && mapped.status().IsNotFound()) return NotFound(key);
    return mapped;
  }

 private:
  std::string PathOf(const std::string& key) const { return JoinPath(root_, key); }

  static Status NotFound(const std::string& key) {
    return Status::NotFound("object not found: " + key);
  }

  Status WriteTemp(const std::string& tmp, std::string_view data) {
    VDB_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(tmp));
    VDB_RETURN_IF_ERROR(file->Append(data));
    VDB_RETURN_IF_ERROR(file->Sync());
    return file->Close();
  }

  Result<std::unique_ptr<RandomAccessFile>> OpenObject(const std::string& key) {
    VDB_RETURN_IF_ERROR(ValidateKey(key));
    std::string path = PathOf(key);
    if (env_->IsDirectory(path)) return NotFound(key);
    auto file = env_->NewRandomAccessFile(path);
    if (!file.ok() && file.status().IsNotFound()) return NotFound(key);
    return file;
  }

  static Result<std::string> ReadAt(const RandomAccessFile& file, const std::string& key,
                                    uint64_t offset, uint64_t length) {
    std::string out(length, '\0');
    VDB_ASSIGN_OR_RETURN(size_t n, file.Read(offset, length, out.data()));
    if (n != length) {
      return Status::IOError("object " + key + ": short read at offset " +
                             std::to_string(offset + n));
    }
    return out;
  }

  // Appends every object under directory `dir_key` (relative to root; "" is root) whose name
  // starts with `fragment`; everything below a matching directory matches.
  Status Walk(const std::string& dir_key, std::string_view fragment, std::vector<ObjectInfo>* out) {
    std::string dir = dir_key.empty() ? root_ : PathOf(dir_key);
    if (!env_->IsDirectory(dir)) return Status::OK();
    auto children = env_->GetChildren(dir);
    if (!children.ok()) {
      return children.status().IsNotFound() ? Status::OK() : children.status();
    }
    for (const std::string& name : *children) {
      if (name.starts_with(kTempPrefix) || !name.starts_with(fragment)) continue;
      std::string key = dir_key.empty() ? name : dir_key + "/" + name;
      std::string path = JoinPath(dir, name);
      if (env_->IsDirectory(path)) {
        VDB_RETURN_IF_ERROR(Walk(key, "", out));
        continue;
      }
      auto size = env_->GetFileSize(path);
      if (!size.ok()) {
        if (size.status().IsNotFound()) continue;  // deleted while we listed
        return size.status();
      }
      out->push_back(ObjectInfo{key, *size, 0});
    }
    return Status::OK();
  }

  Env* env_;
  std::string root_;
  uint64_t nonce_ = 0;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenLocalObjectStore(Env* env, const std::string& root) {
  if (root.empty()) return Status::InvalidArgument("object store root is empty");
  VDB_RETURN_IF_ERROR(env->CreateDirs(root).WithContext("object store root " + root));
  return std::unique_ptr<ObjectStore>(new LocalObjectStore(env, root));
}

}  // namespace vdb::storage
