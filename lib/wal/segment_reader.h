// SegmentReader: reads the records of one WAL segment file by offset, through a read-ahead
// buffer. Used by recovery and by WalReader. Not thread-safe (one owner); the file may be
// appended to concurrently by the writer: bytes past the end seen so far are re-read on demand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/ids.h"
#include "common/result.h"
#include "wal/format.h"

namespace vdb {
class Env;
class RandomAccessFile;
}  // namespace vdb

namespace vdb::wal {

enum class ReadOutcome : uint8_t {
  kRecord,     // *record holds the record at the offset
  kEnd,        // no byte at the offset: the end of the file as written so far
  kTruncated,  // a partial record at the offset (a torn write, or a write still in flight)
  kCorrupt,    // a whole record whose bytes are wrong (checksum, length, type)
};

class SegmentReader {
 public:
  // Opens `path` and checks its header: kCorruption "wal segment NAME: ..." for a short or bad
  // header; the I/O error of the Env otherwise. `env` must outlive the reader.
  static Result<std::unique_ptr<SegmentReader>> Open(Env* env, const std::string& path);
  ~SegmentReader();
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  Lsn first_lsn() const { return first_lsn_; }
  const std::string& path() const { return path_; }
  // The file's name without the directory, for messages.
  const std::string& name() const { return name_; }

  // Reads the record starting at `offset` (>= kFileHeaderSize). On kRecord, *record's type,
  // timestamp and payload are set (payload valid until the next call) and *next_offset is the
  // offset after it; on kCorrupt, *why says what was wrong. Errors are the Env's I/O errors.
  Result<ReadOutcome> ReadRecord(uint64_t offset, Record* record, uint64_t* next_offset,
                                 std::string* why);

 private:
  SegmentReader(std::unique_ptr<RandomAccessFile> file, std::string path);
  // Makes bytes [offset, offset + n) available in buf_ if the file has them; returns how many of
  // them it has (fewer at the end of the file).
  Result<size_t> Fill(uint64_t offset, size_t n);
  std::string_view Buffered(uint64_t offset, size_t n) const;

  std::unique_ptr<RandomAccessFile> file_;
  std::string path_;
  std::string name_;
  Lsn first_lsn_;
  std::string buf_;  // file bytes [buf_offset_, buf_offset_ + buf_len_)
  uint64_t buf_offset_ = 0;
  size_t buf_len_ = 0;
  uint64_t known_size_ = 0;  // the file's size when last asked; it only grows
};

}  // namespace vdb::wal
