#include "wal/segment_reader.h"

#include <algorithm>

#include "common/env.h"

namespace vdb::wal {
namespace {

// Read-ahead: one pread brings in many small records.
constexpr size_t kReadAheadBytes = 256 << 10;

}  // namespace

SegmentReader::SegmentReader(std::unique_ptr<RandomAccessFile> file, std::string path)
    : file_(std::move(file)), path_(std::move(path)), name_(BaseName(path_)) {}

SegmentReader::~SegmentReader() = default;

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(Env* env, const std::string& path) {
  VDB_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  std::unique_ptr<SegmentReader> reader(new SegmentReader(std::move(file), path));
  VDB_ASSIGN_OR_RETURN(size_t n, reader->Fill(0, kFileHeaderSize));
  std::string why;
  switch (DecodeFileHeader(reader->Buffered(0, n), &reader->first_lsn_, &why)) {
    case DecodeOutcome::kOk:
      return reader;
    case DecodeOutcome::kTruncated:
      return Status::Corruption("wal segment " + reader->name_ + ": truncated file header (" +
                                std::to_string(n) + " bytes)");
    case DecodeOutcome::kCorrupt:
      break;
  }
  return Status::Corruption("wal segment " + reader->name_ + ": " + why + " at offset 0");
}

std::string_view SegmentReader::Buffered(uint64_t offset, size_t n) const {
  return std::string_view(buf_.data() + (offset - buf_offset_), n);
}

Result<size_t> SegmentReader::Fill(uint64_t offset, size_t n) {
  if (offset >= buf_offset_ && offset + n <= buf_offset_ + buf_len_) return n;
  size_t want = std::max(n, kReadAheadBytes);
  if (buf_.size() < want) buf_.resize(want);
  buf_len_ = 0;
  buf_offset_ = offset;
  VDB_ASSIGN_OR_RETURN(size_t got, file_->Read(offset, want, buf_.data()));
  buf_len_ = got;
  return std::min(got, n);
}

Result<ReadOutcome> SegmentReader::ReadRecord(uint64_t offset, Record* record,
                                              uint64_t* next_offset, std::string* why) {
  VDB_ASSIGN_OR_RETURN(size_t n, Fill(offset, kRecordHeaderSize));
  if (n == 0) return ReadOutcome::kEnd;
  if (n < kRecordHeaderSize) return ReadOutcome::kTruncated;
  uint32_t length = DecodeRecordLength(Buffered(offset, n));
  // An absurd length is corruption; DecodeRecord says so without our reading that far.
  if (length <= kMaxPayloadBytes) {
    uint64_t end = offset + kRecordHeaderSize + length;
    // Check the size before reading so that a damaged length never makes us allocate for it.
    if (end > known_size_) {
      VDB_ASSIGN_OR_RETURN(known_size_, file_->Size());
      if (end > known_size_) return ReadOutcome::kTruncated;
    }
    VDB_ASSIGN_OR_RETURN(n, Fill(offset, kRecordHeaderSize + length));
  }
  size_t consumed = 0;
  switch (DecodeRecord(Buffered(offset, n), record, &consumed, why)) {
    case DecodeOutcome::kOk:
      *next_offset = offset + consumed;
      return ReadOutcome::kRecord;
    case DecodeOutcome::kTruncated:
      return ReadOutcome::kTruncated;
    case DecodeOutcome::kCorrupt:
      break;
  }
  return ReadOutcome::kCorrupt;
}

}  // namespace vdb::wal
