#include "util/fault_env.h"

namespace vdb::test {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::unique_ptr<WritableFile> base)
      : env_(env), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    Status injected = env_->MaybeFail(FaultInjectionEnv::Op::kAppend, path());
    if (!injected.ok()) {
      if (env_->partial_writes() && data.size() > 1) {
        (void)base_->Append(data.substr(0, data.size() / 2));  // a torn write
        env_->OnAppend(path(), base_->size());
      }
      return injected;
    }
    Status s = base_->Append(data);
    env_->OnAppend(path(), base_->size());
    return s;
  }
  Status Sync() override {
    VDB_RETURN_IF_ERROR(env_->MaybeFail(FaultInjectionEnv::Op::kSync, path()));
    if (!env_->skip_real_syncs()) VDB_RETURN_IF_ERROR(base_->Sync());
    env_->OnSync(path());
    return Status::OK();
  }
  Status Close() override { return base_->Close(); }
  uint64_t size() const override { return base_->size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  FaultInjectionEnv* env_;
  std::unique_ptr<WritableFile> base_;
};

void FaultInjectionEnv::FailNthOperation(uint64_t n, bool sticky, bool partial_writes) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_at_ = n == 0 ? 0 : ops_ + n;
  sticky_ = sticky;
  partial_writes_ = partial_writes;
  injected_ = false;
}

uint64_t FaultInjectionEnv::operation_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ops_;
}

bool FaultInjectionEnv::fault_injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

void FaultInjectionEnv::SkipRealSyncs(bool skip) {
  std::lock_guard<std::mutex> lock(mu_);
  skip_real_syncs_ = skip;
}

bool FaultInjectionEnv::skip_real_syncs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return skip_real_syncs_;
}

bool FaultInjectionEnv::partial_writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return partial_writes_;
}

Status FaultInjectionEnv::MaybeFail(Op op, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  ++ops_;
  if (fail_at_ == 0) return Status::OK();
  if (ops_ == fail_at_ || (sticky_ && ops_ > fail_at_)) {
    injected_ = true;
    return Status::IOError("injected fault: operation " + std::to_string(ops_) + " (kind " +
                           std::to_string(static_cast<int>(op)) + ") on " + path);
  }
  return Status::OK();
}

void FaultInjectionEnv::OnAppend(const std::string& path, uint64_t new_size) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path].size = new_size;
}

void FaultInjectionEnv::OnSync(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  FileState& f = files_[path];
  f.synced_size = f.size;
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path) {
  VDB_RETURN_IF_ERROR(MaybeFail(Op::kCreate, path));
  bool existed = base_->FileExists(path);
  VDB_ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  // Truncation to 0 is treated as durable: what matters is the data written afterwards.
  files_[path] = FileState{};
  if (!existed) unsynced_new_files_.insert(path);
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, std::move(file)));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  VDB_RETURN_IF_ERROR(MaybeFail(Op::kCreate, path));
  bool existed = base_->FileExists(path);
  VDB_ASSIGN_OR_RETURN(auto file, base_->NewAppendableFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  // Bytes present at open are taken as durable (they survived whatever came before).
  files_[path] = FileState{file->size(), file->size()};
  if (!existed) unsynced_new_files_.insert(path);
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, std::move(file)));
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  VDB_RETURN_IF_ERROR(MaybeFail(Op::kRemove, path));
  VDB_RETURN_IF_ERROR(base_->RemoveFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  unsynced_new_files_.erase(path);
  return Status::OK();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  VDB_RETURN_IF_ERROR(MaybeFail(Op::kRename, from));
  VDB_RETURN_IF_ERROR(base_->RenameFile(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  }
  if (unsynced_new_files_.erase(from) > 0) unsynced_new_files_.insert(to);
  return Status::OK();
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  VDB_RETURN_IF_ERROR(MaybeFail(Op::kTruncate, path));
  VDB_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) {
    it->second.size = std::min(it->second.size, size);
    it->second.synced_size = std::min(it->second.synced_size, size);
  }
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  VDB_RETURN_IF_ERROR(MaybeFail(Op::kSyncDir, dir));
  if (!skip_real_syncs()) VDB_RETURN_IF_ERROR(base_->SyncDir(dir));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = unsynced_new_files_.begin(); it != unsynced_new_files_.end();) {
    if (DirName(*it) == dir || DirName(*it) + "/" == dir) {
      it = unsynced_new_files_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::OK();
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::map<std::string, FileState> files;
  std::set<std::string> unsynced;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fail_at_ = 0;
    sticky_ = false;
    files.swap(files_);
    unsynced.swap(unsynced_new_files_);
  }
  for (const auto& path : unsynced) {
    Status s = base_->RemoveFile(path);
    if (!s.ok() && !s.IsNotFound()) return s;
    files.erase(path);
  }
  for (const auto& [path, state] : files) {
    if (!base_->FileExists(path)) continue;
    VDB_ASSIGN_OR_RETURN(uint64_t size, base_->GetFileSize(path));
    if (size > state.synced_size) VDB_RETURN_IF_ERROR(base_->TruncateFile(path, state.synced_size));
  }
  return Status::OK();
}

}  // namespace vdb::test
