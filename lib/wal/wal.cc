#include "wal/wal.h"

#include <chrono>
#include <thread>

#include "common/check.h"
#include "common/env.h"
#include "common/logging.h"
#include "wal/segment_reader.h"

namespace vdb::wal {
namespace {

// A leader stops gathering followers' records past this many bytes, so one slow huge batch does
// not hold everyone (its own records always go in, however large).
constexpr size_t kMaxBatchBytes = 4 << 20;
constexpr char kLockFileName[] = "LOCK";
// How many times a new leader yields the CPU waiting for the previous batch's writers to queue.
constexpr int kMaxGatherSpins = 4;

Status ValidateEntries(std::span<const WalEntry> entries, size_t* bytes) {
  if (entries.empty()) return Status::InvalidArgument("wal append: empty batch");
  size_t total = 0;
  for (const WalEntry& e : entries) {
    if (e.type == 0) return Status::InvalidArgument("wal append: record type 0 is reserved");
    if (e.payload.size() > kMaxPayloadBytes) {
      return Status::InvalidArgument("wal append: payload of " + std::to_string(e.payload.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(kMaxPayloadBytes));
    }
    total += EncodedRecordSize(e.payload.size());
  }
  *bytes = total;
  return Status::OK();
}

}  // namespace

Wal::Wal(Env* env, std::string dir, const WalOptions& options, bool read_only)
    : env_(env), dir_(std::move(dir)), options_(options), read_only_(read_only) {}

Wal::~Wal() {
  VDB_DCHECK(writers_.empty());
  if (file_ != nullptr) {
    // Everything acknowledged is already synced; a close error loses nothing.
    (void)file_->Close();
  }
}

Result<std::unique_ptr<Wal>> Wal::Open(Env* env, const std::string& dir,
                                       const WalOptions& options) {
  if (options.max_file_bytes == 0) {
    return Status::InvalidArgument("wal " + dir + ": max_file_bytes must be positive");
  }
  VDB_RETURN_IF_ERROR(env->CreateDirs(dir));
  std::unique_ptr<Wal> wal(new Wal(env, dir, options, /*read_only=*/false));
  VDB_ASSIGN_OR_RETURN(wal->lock_, env->LockFile(JoinPath(dir, kLockFileName)));
  VDB_RETURN_IF_ERROR(
      wal->Recover(options.repair ? RecoveryMode::kRepair : RecoveryMode::kTruncateTail));
  return wal;
}

Result<std::unique_ptr<Wal>> Wal::OpenReadOnly(Env* env, const std::string& dir) {
  if (!env->IsDirectory(dir)) return Status::NotFound("wal " + dir + ": no such directory");
  std::unique_ptr<Wal> wal(new Wal(env, dir, WalOptions(), /*read_only=*/true));
  VDB_RETURN_IF_ERROR(wal->Recover(RecoveryMode::kReadOnly));
  return wal;
}

Status Wal::Recover(RecoveryMode mode) {
  VDB_ASSIGN_OR_RETURN(RecoveredLog log, RecoverLog(env_, dir_, mode));
  next_lsn_ = log.next_lsn.value();
  durable_lsn_.store(next_lsn_ - 1, std::memory_order_release);
  if (!read_only_) VDB_RETURN_IF_ERROR(OpenActiveFile(log));
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.empty()) files_ = std::move(log.files);
  return Status::OK();
}

Status Wal::OpenActiveFile(const RecoveredLog& log) {
  if (log.files.empty()) {
    VDB_RETURN_IF_ERROR(CreateFile(log.next_lsn, &file_));
    std::lock_guard<std::mutex> lock(mu_);
    files_.push_back({log.next_lsn, LogFileName(log.next_lsn)});
    return Status::OK();
  }
  const SegmentFile& last = log.files.back();
  std::string path = JoinPath(dir_, last.name);
  VDB_ASSIGN_OR_RETURN(file_, env_->NewAppendableFile(path));
  if (file_->size() != log.last_file_bytes) {
    return Status::Internal("wal segment " + last.name + ": size " + std::to_string(file_->size()) +
                            " after recovery, expected " + std::to_string(log.last_file_bytes));
  }
  // Makes a truncation done by recovery durable before anything is appended after it.
  return file_->Sync();
}

Status Wal::CreateFile(Lsn first_lsn, std::unique_ptr<WritableFile>* file) {
  std::string path = JoinPath(dir_, LogFileName(first_lsn));
  VDB_ASSIGN_OR_RETURN(auto created, env_->NewWritableFile(path));
  char header[kFileHeaderSize];
  EncodeFileHeader(first_lsn, header);
  VDB_RETURN_IF_ERROR(created->Append(std::string_view(header, sizeof(header))));
  VDB_RETURN_IF_ERROR(created->Sync());
  VDB_RETURN_IF_ERROR(env_->SyncDir(dir_));
  *file = std::move(created);
  return Status::OK();
}

Result<Lsn> Wal::Append(uint8_t type, Timestamp timestamp, std::string_view payload) {
  WalEntry entry{type, timestamp, payload};
  return Commit(std::span<const WalEntry>(&entry, 1));
}

Result<Lsn> Wal::AppendBatch(std::span<const WalEntry> entries) { return Commit(entries); }

// Group commit in the manner of leveldb's DBImpl::Write: callers queue up; the one at the front
// is the leader and commits the records of everyone queued (up to kMaxBatchBytes) with one write
// and one fdatasync, then hands the results out and wakes the next leader.
Result<Lsn> Wal::Commit(std::span<const WalEntry> entries) {
  if (read_only_) return Status::NotSupported("wal " + dir_ + ": opened read-only");
  Writer w;
  VDB_RETURN_IF_ERROR(ValidateEntries(entries, &w.bytes));
  w.entries = entries;

  std::unique_lock<std::mutex> lock(mu_);
  if (!error_.ok()) return error_;
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.wait(lock);
  if (w.done) {
    if (!w.status.ok()) return w.status;
    return w.first_lsn;
  }
  if (!error_.ok()) {
    // The previous leader failed after we queued: pass the error on down the queue.
    writers_.pop_front();
    if (!writers_.empty()) writers_.front()->cv.notify_one();
    return error_;
  }
  // The writers of the previous batch were just woken and are on their way back; a new leader
  // that finds itself (nearly) alone lets them queue first, so batches do not alternate between
  // one record and the rest. A lone writer never waits: last_batch_writers_ is then 1.
  for (int spins = 0; spins < kMaxGatherSpins && writers_.size() < last_batch_writers_; ++spins) {
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
  }
  batch_.clear();
  size_t batch_bytes = 0;
  for (Writer* x : writers_) {
    if (!batch_.empty() && batch_bytes + x->bytes > kMaxBatchBytes) break;
    batch_.push_back(x);
    batch_bytes += x->bytes;
  }
  last_batch_writers_ = batch_.size();
  lock.unlock();

  // Only the leader gets here, so batch_buf_, file_ and next_lsn_ are ours alone.
  const uint64_t first = next_lsn_;
  uint64_t lsn = first;
  batch_buf_.clear();
  batch_buf_.reserve(batch_bytes);
  for (Writer* x : batch_) {
    x->first_lsn = Lsn(lsn);
    for (const WalEntry& e : x->entries) {
      AppendRecord(e.type, e.timestamp, e.payload, &batch_buf_);
      ++lsn;
    }
  }
  VDB_DCHECK(batch_buf_.size() == batch_bytes);
  Status s = WriteBatch(Lsn(first));

  lock.lock();
  if (s.ok()) {
    stats_.batches++;
    stats_.records += lsn - first;
    stats_.bytes += batch_bytes;
    next_lsn_ = lsn;
    durable_lsn_.store(lsn - 1, std::memory_order_release);
    durable_cv_.notify_all();
  } else {
    error_ = s;
    VDB_LOG(ERROR) << "wal " << dir_ << ": " << s.ToString()
                   << "; the log refuses further appends until reopened";
  }
  for (Writer* x : batch_) {
    VDB_DCHECK(writers_.front() == x);
    writers_.pop_front();
    x->status = s;
    x->done = true;
    if (x != &w) x->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  if (!s.ok()) return s;
  return w.first_lsn;
}

Status Wal::WriteBatch(Lsn first_lsn) {
  if (file_->size() >= options_.max_file_bytes && file_->size() > kFileHeaderSize) {
    std::unique_ptr<WritableFile> next;
    VDB_RETURN_IF_ERROR(CreateFile(first_lsn, &next));
    Status closed = file_->Close();  // its bytes were all synced with their batches
    file_ = std::move(next);
    {
      std::lock_guard<std::mutex> lock(mu_);
      files_.push_back({first_lsn, LogFileName(first_lsn)});
    }
    VDB_RETURN_IF_ERROR(closed);
  }
  VDB_RETURN_IF_ERROR(file_->Append(batch_buf_));
  return file_->Sync();
}

Result<std::unique_ptr<WalReader>> Wal::NewReader(Lsn from_lsn) const {
  uint64_t durable = last_durable_lsn().value();
  if (from_lsn.value() == 0 || from_lsn.value() > durable + 1) {
    return Status::InvalidArgument("wal " + dir_ + ": cannot read from lsn " + from_lsn.ToString() +
                                   " (last durable lsn is " + std::to_string(durable) + ")");
  }
  std::vector<SegmentFile> files = TEST_Files();
  size_t i = files.size();
  while (i > 0 && files[i - 1].first_lsn > from_lsn) --i;
  if (i == 0) {
    if (files.empty() && from_lsn.value() == durable + 1) {
      // An empty read-only log: nothing to read now, and nothing ever will be.
      return std::unique_ptr<WalReader>(new WalReader(this, nullptr, from_lsn.value()));
    }
    return Status::NotFound("wal " + dir_ + ": lsn " + from_lsn.ToString() +
                            " was truncated away (oldest kept is " + first_lsn().ToString() + ")");
  }
  const SegmentFile& file = files[i - 1];
  auto opened = SegmentReader::Open(env_, JoinPath(dir_, file.name));
  if (!opened.ok()) {
    if (opened.status().IsNotFound()) {
      return Status::NotFound("wal " + dir_ + ": lsn " + from_lsn.ToString() +
                              " was truncated away");
    }
    return opened.status();
  }
  std::unique_ptr<WalReader> reader(
      new WalReader(this, std::move(opened).value(), file.first_lsn.value()));
  Record skipped;
  while (reader->next_lsn_ < from_lsn.value()) {
    VDB_ASSIGN_OR_RETURN(bool got, reader->Next(&skipped));
    if (!got) return Status::Internal("wal " + dir_ + ": durable record vanished");
  }
  return reader;
}

Status Wal::TruncateBefore(Lsn lsn) {
  if (read_only_) return Status::NotSupported("wal " + dir_ + ": opened read-only");
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t k = 0;
    // File k holds only LSNs < files_[k+1].first_lsn, so it can go if that is <= lsn.
    while (k + 1 < files_.size() && files_[k + 1].first_lsn <= lsn) {
      doomed.push_back(files_[k].name);
      ++k;
    }
    files_.erase(files_.begin(), files_.begin() + static_cast<std::ptrdiff_t>(k));
  }
  if (doomed.empty()) return Status::OK();
  // Oldest first, so that a crash part-way leaves a contiguous log.
  for (const std::string& name : doomed) {
    VDB_RETURN_IF_ERROR(env_->RemoveFile(JoinPath(dir_, name)));
  }
  return env_->SyncDir(dir_);
}

Lsn Wal::first_lsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.empty()) return Lsn(durable_lsn_.load() + 1);
  return files_.front().first_lsn;
}

bool Wal::WaitForDurable(Lsn lsn, uint64_t timeout_micros) const {
  std::unique_lock<std::mutex> lock(mu_);
  return durable_cv_.wait_for(lock, std::chrono::microseconds(timeout_micros), [&] {
    return durable_lsn_.load(std::memory_order_acquire) >= lsn.value() || !error_.ok();
  }) && durable_lsn_.load() >= lsn.value();
}

WalStats Wal::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Status Wal::poisoned_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

std::vector<SegmentFile> Wal::TEST_Files() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_;
}

WalReader::WalReader(const Wal* wal, std::unique_ptr<SegmentReader> file, uint64_t next_lsn)
    : wal_(wal), file_(std::move(file)), offset_(kFileHeaderSize), next_lsn_(next_lsn) {}

WalReader::~WalReader() = default;

Result<bool> WalReader::Next(Record* record) {
  if (next_lsn_ > wal_->last_durable_lsn().value()) return false;
  // The record is durable, so it is whole in the current file or starts the next one.
  for (int hops = 0; hops < 2; ++hops) {
    if (file_ == nullptr) VDB_RETURN_IF_ERROR(OpenNextFile());
    uint64_t next_offset = 0;
    std::string why;
    VDB_ASSIGN_OR_RETURN(ReadOutcome outcome,
                         file_->ReadRecord(offset_, record, &next_offset, &why));
    switch (outcome) {
      case ReadOutcome::kRecord:
        record->lsn = Lsn(next_lsn_++);
        offset_ = next_offset;
        return true;
      case ReadOutcome::kCorrupt:
        return Status::Corruption("wal segment " + file_->name() + ": " + why + " at offset " +
                                  std::to_string(offset_));
      case ReadOutcome::kEnd:
      case ReadOutcome::kTruncated:
        if (hops > 0) break;
        file_.reset();
        continue;
    }
    break;
  }
  return Status::Corruption("wal segment " + (file_ ? file_->name() : LogFileName(Lsn(next_lsn_))) +
                            ": durable record lsn " + std::to_string(next_lsn_) +
                            " missing at offset " + std::to_string(offset_));
}

Status WalReader::OpenNextFile() {
  std::string name = LogFileName(Lsn(next_lsn_));
  auto opened = SegmentReader::Open(wal_->env(), JoinPath(wal_->dir(), name));
  if (!opened.ok()) {
    if (opened.status().IsNotFound()) {
      if (Lsn(next_lsn_) < wal_->first_lsn()) {
        return Status::NotFound("wal " + wal_->dir() + ": lsn " + std::to_string(next_lsn_) +
                                " was truncated away while this reader was behind");
      }
      return Status::Corruption("wal " + wal_->dir() + ": segment " + name + " for durable lsn " +
                                std::to_string(next_lsn_) + " is missing");
    }
    return opened.status();
  }
  file_ = std::move(opened).value();
  offset_ = kFileHeaderSize;
  return Status::OK();
}

}  // namespace vdb::wal
