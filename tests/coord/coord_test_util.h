// Test helpers for lib/coord: an Env with manual clocks over the real file system, and a small
// schema factory.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/schema.h"

namespace vdb::coord::test {

// Forwards file operations to Env::Default(); NowMicros and MonotonicMicros return values the
// test sets (and may move backwards).
class ManualClockEnv final : public Env {
 public:
  explicit ManualClockEnv(uint64_t now_us = 1'700'000'000'000'000) : now_us_(now_us) {}

  void SetNowMicros(uint64_t us) { now_us_ = us; }
  void AdvanceMs(uint64_t ms) {
    now_us_ += ms * 1000;
    mono_us_ += ms * 1000;
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p) override {
    return base_->NewWritableFile(p);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    return base_->NewAppendableFile(p);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  Result<std::unique_ptr<MappedFile>> MapFile(const std::string& p) override {
    return base_->MapFile(p);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return base_->GetFileSize(p); }
  Result<std::vector<std::string>> GetChildren(const std::string& d) override {
    return base_->GetChildren(d);
  }
  bool IsDirectory(const std::string& p) override { return base_->IsDirectory(p); }
  Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RemoveDir(const std::string& d) override { return base_->RemoveDir(d); }
  Status RenameFile(const std::string& a, const std::string& b) override {
    return base_->RenameFile(a, b);
  }
  Status TruncateFile(const std::string& p, uint64_t n) override {
    return base_->TruncateFile(p, n);
  }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& p) override {
    return base_->LockFile(p);
  }
  uint64_t NowMicros() override { return now_us_; }
  uint64_t MonotonicMicros() override { return mono_us_; }
  void SleepForMicros(uint64_t) override {}

 private:
  Env* base_ = Env::Default();
  std::atomic<uint64_t> now_us_;
  std::atomic<uint64_t> mono_us_{1'000'000};
};

// id Int64 primary key + "vector" FloatVector(dim); extra scalar "tag" VarChar when asked.
inline CollectionSchema MakeSchema(const std::string& name, int64_t dim = 4,
                                   bool with_tag = false) {
  CollectionSchema s;
  s.name = name;
  FieldSchema pk;
  pk.name = "id";
  pk.type = DataType::kInt64;
  pk.primary_key = true;
  s.fields.push_back(pk);
  FieldSchema vec;
  vec.name = "vector";
  vec.type = DataType::kFloatVector;
  vec.dim = dim;
  s.fields.push_back(vec);
  if (with_tag) {
    FieldSchema tag;
    tag.name = "tag";
    tag.type = DataType::kVarChar;
    tag.max_length = 64;
    s.fields.push_back(tag);
  }
  return s;
}

}  // namespace vdb::coord::test
