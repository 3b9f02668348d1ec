#include "wal/recovery.h"

#include <algorithm>

#include "common/env.h"
#include "common/logging.h"
#include "wal/format.h"
#include "wal/segment_reader.h"

namespace vdb::wal {
namespace {

Result<std::vector<SegmentFile>> ListSegmentFiles(Env* env, const std::string& dir) {
  VDB_ASSIGN_OR_RETURN(auto children, env->GetChildren(dir));
  std::vector<SegmentFile> files;
  for (auto& name : children) {
    Lsn lsn;
    if (ParseLogFileName(name, &lsn)) files.push_back({lsn, std::move(name)});
  }
  std::sort(files.begin(), files.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_lsn < b.first_lsn; });
  return files;
}

// What scanning one file found.
struct FileScan {
  bool header_ok = false;
  uint64_t valid_bytes = 0;  // offset of the first byte not part of a whole good record
  uint64_t file_bytes = 0;
  Lsn next_lsn;       // LSN after its last good record
  Status problem;     // why the scan stopped early (Corruption naming file and offset)
  bool torn = false;  // the problem is a record cut short by the end of the file
};

Result<FileScan> ScanFile(Env* env, const std::string& dir, const SegmentFile& file) {
  FileScan scan;
  std::string path = JoinPath(dir, file.name);
  VDB_ASSIGN_OR_RETURN(scan.file_bytes, env->GetFileSize(path));
  auto opened = SegmentReader::Open(env, path);
  if (!opened.ok()) {
    if (!opened.status().IsCorruption()) return opened.status();
    scan.problem = opened.status();
    scan.torn = scan.file_bytes < kFileHeaderSize;
    return scan;
  }
  auto reader = std::move(opened).value();
  if (reader->first_lsn() != file.first_lsn) {
    scan.problem = Status::Corruption("wal segment " + file.name + ": header says first lsn " +
                                      reader->first_lsn().ToString() + " at offset 0");
    return scan;
  }
  scan.header_ok = true;
  uint64_t offset = kFileHeaderSize;
  uint64_t lsn = file.first_lsn.value();
  Record record;
  std::string why;
  while (true) {
    uint64_t next = 0;
    VDB_ASSIGN_OR_RETURN(ReadOutcome outcome, reader->ReadRecord(offset, &record, &next, &why));
    if (outcome == ReadOutcome::kRecord) {
      offset = next;
      ++lsn;
      continue;
    }
    if (outcome == ReadOutcome::kTruncated) {
      scan.torn = true;
      why = "torn record";
    }
    if (outcome != ReadOutcome::kEnd) {
      scan.problem = Status::Corruption("wal segment " + file.name + ": " + why + " at offset " +
                                        std::to_string(offset));
    }
    break;
  }
  scan.valid_bytes = offset;
  scan.next_lsn = Lsn(lsn);
  return scan;
}

// Removes files[from..] (in repair mode, or a torn last header), newest first so that a crash
// part-way still leaves a contiguous log.
Status DropFiles(Env* env, const std::string& dir, std::vector<SegmentFile>* files, size_t from,
                 const std::string& reason) {
  for (size_t i = files->size(); i > from; --i) {
    const SegmentFile& f = (*files)[i - 1];
    VDB_LOG(WARNING) << "wal " << dir << ": deleting segment " << f.name << " (" << reason << ")";
    VDB_RETURN_IF_ERROR(env->RemoveFile(JoinPath(dir, f.name)));
  }
  files->resize(from);
  return env->SyncDir(dir);
}

}  // namespace

Result<RecoveredLog> RecoverLog(Env* env, const std::string& dir, RecoveryMode mode) {
  RecoveredLog log;
  VDB_ASSIGN_OR_RETURN(log.files, ListSegmentFiles(env, dir));
  if (log.files.empty()) return log;
  log.next_lsn = log.files[0].first_lsn;
  for (size_t i = 0; i < log.files.size(); ++i) {
    const SegmentFile& file = log.files[i];
    bool last = i + 1 == log.files.size();
    if (file.first_lsn.value() == 0 || file.first_lsn.value() > kMaxLsn) {
      Status bad =
          Status::Corruption("wal segment " + file.name + ": invalid first lsn at offset 0");
      if (mode != RecoveryMode::kRepair) return bad;
      VDB_LOG(WARNING) << "wal " << dir << ": repair: " << bad.message();
      VDB_RETURN_IF_ERROR(DropFiles(env, dir, &log.files, i, "repair: invalid name"));
      break;
    }
    if (file.first_lsn != log.next_lsn) {
      Status hole =
          Status::Corruption("wal segment " + file.name + ": expected a file starting at lsn " +
                             log.next_lsn.ToString() + " (records missing) at offset 0");
      if (mode != RecoveryMode::kRepair) return hole;
      VDB_LOG(WARNING) << "wal " << dir << ": repair: " << hole.message();
      VDB_RETURN_IF_ERROR(DropFiles(env, dir, &log.files, i, "repair: after a hole"));
      break;
    }
    VDB_ASSIGN_OR_RETURN(FileScan scan, ScanFile(env, dir, file));
    if (!scan.header_ok) {
      // A header cut short in the newest file is a crash right after creating it.
      bool torn_new_file = last && scan.torn;
      if (!torn_new_file && mode != RecoveryMode::kRepair) return scan.problem;
      if (mode != RecoveryMode::kReadOnly) {
        VDB_LOG(WARNING) << "wal " << dir << ": " << scan.problem.message();
        VDB_RETURN_IF_ERROR(DropFiles(env, dir, &log.files, i,
                                      torn_new_file ? "torn header" : "repair: bad header"));
      } else {
        log.files.resize(i);
      }
      break;
    }
    log.next_lsn = scan.next_lsn;
    log.last_file_bytes = scan.valid_bytes;
    if (scan.problem.ok()) continue;
    if (!last && mode != RecoveryMode::kRepair) return scan.problem;
    uint64_t dropped = scan.file_bytes - scan.valid_bytes;
    if (mode == RecoveryMode::kReadOnly) {
      log.files.resize(i + 1);
      break;
    }
    VDB_LOG(WARNING) << "wal " << dir << ": " << scan.problem.message() << "; truncating "
                     << file.name << " to " << scan.valid_bytes << " bytes, dropping " << dropped
                     << " bytes" << (scan.torn ? "" : " (corrupt tail)");
    VDB_RETURN_IF_ERROR(env->TruncateFile(JoinPath(dir, file.name), scan.valid_bytes));
    if (!last)
      VDB_RETURN_IF_ERROR(DropFiles(env, dir, &log.files, i + 1, "repair: after corruption"));
    break;
  }
  if (log.files.empty()) {
    log.last_file_bytes = 0;
    if (log.next_lsn.value() == 0 || log.next_lsn.value() > kMaxLsn) log.next_lsn = Lsn(1);
  }
  return log;
}

}  // namespace vdb::wal
