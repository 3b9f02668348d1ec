// Recovery: scans a WAL directory at open, checks every segment file and cuts a torn tail.
// A plain function of the directory's contents; callers must not run two recoveries (or a
// recovery and a writer) on one directory at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"

namespace vdb {
class Env;
}  // namespace vdb

namespace vdb::wal {

enum class RecoveryMode : uint8_t {
  // Change nothing: a torn tail in the last file just ends the log.
  kReadOnly,
  // Truncate the last file at its first torn or corrupt record and remove a last file whose
  // header was torn (a crash right after a roll); anything wrong elsewhere is kCorruption.
  kTruncateTail,
  // Also cut at corruption in an older file: truncate it there and delete every later file.
  kRepair,
};

struct SegmentFile {
  Lsn first_lsn;
  std::string name;
};

struct RecoveredLog {
  // Surviving segment files in LSN order; the last one is where appends continue.
  std::vector<SegmentFile> files;
  // LSN the next appended record gets (1 for an empty log); every LSN in
  // [files[0].first_lsn, next_lsn) is a whole, checksummed record.
  Lsn next_lsn{1};
  // Valid bytes of the last file (the append offset), 0 when there are no files.
  uint64_t last_file_bytes = 0;
};

// Scans `dir` (which must exist). Errors: kCorruption naming the file and offset for a bad
// header, a bad record in an older file, or a hole in the LSN numbering (unless kRepair);
// the Env's I/O errors. Warnings for every byte dropped go to the log.
Result<RecoveredLog> RecoverLog(Env* env, const std::string& dir, RecoveryMode mode);

}  // namespace vdb::wal
