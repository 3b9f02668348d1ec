// The on-disk layout of a shard's write-ahead log, and pure helpers to encode and decode it.
// Everything here is a stateless function on bytes; thread-safe.
//
// A log is a directory of segment files named by the LSN of their first record, in 20 decimal
// digits so that name order is LSN order:  wal/<shard>/00000000000000000001.log
// LSNs number records from 1 and keep increasing across files, so a file's name plus its record
// count gives every record's LSN without storing it per record (the next file must then start at
// exactly the following LSN, which recovery checks: a hole in the numbering is corruption).
//
// File = file header, then records back to back (no block padding: records are read by offset).
//
//   file header (20 bytes)
//     +0   magic      6 bytes  "VDBWAL"      (a stray file is rejected at once)
//     +6   version    uint16   kFormatVersion (readers refuse versions they do not know)
//     +8   first_lsn  uint64   LSN of the first record; must match the file name
//     +16  crc        uint32   masked CRC32C of bytes [0,16)
//
//   record (17-byte header + payload)
//     +0   crc        uint32   masked CRC32C of bytes [4, 17 + length): length, type, timestamp
//                              and payload, so a torn or bit-flipped record never parses
//     +4   length     uint32   payload bytes (<= kMaxPayloadBytes)
//     +8   type       uint8    caller's tag, >= 1; 0 is invalid so zero-filled space never
//                              parses as a record
//     +9   timestamp  uint64   hybrid timestamp (common/timestamp.h) of the write
//     +17  payload    length bytes
//
// All integers little-endian. The CRC comes first and covers the length (leveldb's
// db/log_format.h keeps it outside): a flipped length bit must not send the reader into the
// middle of another record believing it valid. Records are not split across files; a batch of
// records is written with one write(2) into one file, and files roll between batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/timestamp.h"

namespace vdb::wal {

constexpr char kMagic[6] = {'V', 'D', 'B', 'W', 'A', 'L'};
constexpr uint16_t kFormatVersion = 1;
constexpr size_t kFileHeaderSize = 20;
constexpr size_t kRecordHeaderSize = 17;
// Upper bound on one record's payload; larger appends are kInvalidArgument, and a larger length
// on disk is corruption (it bounds what a reader allocates for a damaged length field).
constexpr uint32_t kMaxPayloadBytes = 256u << 20;
// LSNs above this are corruption (far beyond any real log; keeps LSN arithmetic from wrapping).
constexpr uint64_t kMaxLsn = uint64_t{1} << 62;
// Digits of the LSN in a file name, and the suffix.
constexpr size_t kFileNameDigits = 20;
constexpr std::string_view kFileSuffix = ".log";

// One record as read back. `payload` points into the reader's buffer: valid until its next call.
struct Record {
  Lsn lsn;
  uint8_t type = 0;
  Timestamp timestamp = 0;
  std::string_view payload;
};

// "00000000000000000001.log" for Lsn(1).
std::string LogFileName(Lsn first_lsn);
// Parses a name made by LogFileName; false for any other name (e.g. "LOCK", temp files).
bool ParseLogFileName(std::string_view name, Lsn* first_lsn);

// Writes the kFileHeaderSize bytes of a file header to dst.
void EncodeFileHeader(Lsn first_lsn, char* dst);

enum class DecodeOutcome : uint8_t {
  kOk,
  kTruncated,  // fewer bytes than the header or record claims: a torn write at the tail
  kCorrupt,    // bytes present but wrong: bad magic, version, checksum, length or type
};

// Decodes a file header from the front of `in`. On kCorrupt, *why says what was wrong.
DecodeOutcome DecodeFileHeader(std::string_view in, Lsn* first_lsn, std::string* why);

// Writes the kRecordHeaderSize header of a record (its CRC computed over header and payload)
// to dst. REQUIRES: type >= 1, payload.size() <= kMaxPayloadBytes.
void EncodeRecordHeader(uint8_t type, Timestamp timestamp, std::string_view payload, char* dst);

// Appends a whole record (header + payload) to *dst.
void AppendRecord(uint8_t type, Timestamp timestamp, std::string_view payload, std::string* dst);

// Bytes a record with `payload_bytes` of payload takes on disk.
constexpr size_t EncodedRecordSize(size_t payload_bytes) {
  return kRecordHeaderSize + payload_bytes;
}

// Payload length claimed by the record header at the front of `in`.
// REQUIRES: in.size() >= kRecordHeaderSize.
uint32_t DecodeRecordLength(std::string_view in);

// Decodes the record at the front of `in` (type, timestamp, payload; the LSN is the caller's).
// On kOk, *consumed is its size on disk. On kCorrupt, *why says what was wrong.
DecodeOutcome DecodeRecord(std::string_view in, Record* record, size_t* consumed, std::string* why);

}  // namespace vdb::wal
