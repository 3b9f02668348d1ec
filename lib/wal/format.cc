#include "wal/format.h"

#include <cstring>

#include "common/check.h"
#include "common/coding.h"
#include "common/crc32c.h"

namespace vdb::wal {

static_assert(sizeof(kMagic) + 2 + 8 + 4 == kFileHeaderSize);
static_assert(4 + 4 + 1 + 8 == kRecordHeaderSize);

std::string LogFileName(Lsn first_lsn) {
  std::string digits = std::to_string(first_lsn.value());
  std::string name(kFileNameDigits - digits.size(), '0');
  name += digits;
  name += kFileSuffix;
  return name;
}

bool ParseLogFileName(std::string_view name, Lsn* first_lsn) {
  if (name.size() != kFileNameDigits + kFileSuffix.size()) return false;
  if (name.substr(kFileNameDigits) != kFileSuffix) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < kFileNameDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;  // 20 digits can exceed uint64
    v = v * 10 + digit;
  }
  *first_lsn = Lsn(v);
  return true;
}

void EncodeFileHeader(Lsn first_lsn, char* dst) {
  std::memcpy(dst, kMagic, sizeof(kMagic));
  dst[6] = static_cast<char>(kFormatVersion & 0xff);
  dst[7] = static_cast<char>(kFormatVersion >> 8);
  EncodeFixed64(dst + 8, first_lsn.value());
  EncodeFixed32(dst + 16, crc32c::Mask(crc32c::Value(dst, 16)));
}

DecodeOutcome DecodeFileHeader(std::string_view in, Lsn* first_lsn, std::string* why) {
  if (in.size() < kFileHeaderSize) return DecodeOutcome::kTruncated;
  const char* p = in.data();
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    *why = "bad magic in file header";
    return DecodeOutcome::kCorrupt;
  }
  uint32_t stored = crc32c::Unmask(DecodeFixed32(p + 16));
  if (stored != crc32c::Value(p, 16)) {
    *why = "bad file header checksum";
    return DecodeOutcome::kCorrupt;
  }
  uint16_t version =
      static_cast<uint16_t>(static_cast<uint8_t>(p[6]) | static_cast<uint8_t>(p[7]) << 8);
  if (version != kFormatVersion) {
    *why = "unsupported format version " + std::to_string(version);
    return DecodeOutcome::kCorrupt;
  }
  *first_lsn = Lsn(DecodeFixed64(p + 8));
  return DecodeOutcome::kOk;
}

void EncodeRecordHeader(uint8_t type, Timestamp timestamp, std::string_view payload, char* dst) {
  VDB_DCHECK(type != 0);
  VDB_DCHECK(payload.size() <= kMaxPayloadBytes);
  EncodeFixed32(dst + 4, static_cast<uint32_t>(payload.size()));
  dst[8] = static_cast<char>(type);
  EncodeFixed64(dst + 9, timestamp);
  uint32_t crc = crc32c::Value(dst + 4, kRecordHeaderSize - 4);
  crc = crc32c::Extend(crc, payload.data(), payload.size());
  EncodeFixed32(dst, crc32c::Mask(crc));
}

void AppendRecord(uint8_t type, Timestamp timestamp, std::string_view payload, std::string* dst) {
  char header[kRecordHeaderSize];
  EncodeRecordHeader(type, timestamp, payload, header);
  dst->append(header, kRecordHeaderSize);
  dst->append(payload.data(), payload.size());
}

uint32_t DecodeRecordLength(std::string_view in) { return DecodeFixed32(in.data() + 4); }

DecodeOutcome DecodeRecord(std::string_view in, Record* record, size_t* consumed,
                           std::string* why) {
  if (in.size() < kRecordHeaderSize) return DecodeOutcome::kTruncated;
  const char* p = in.data();
  uint32_t length = DecodeFixed32(p + 4);
  if (length > kMaxPayloadBytes) {
    *why = "record length " + std::to_string(length) + " exceeds the limit";
    return DecodeOutcome::kCorrupt;
  }
  if (in.size() - kRecordHeaderSize < length) return DecodeOutcome::kTruncated;
  uint32_t crc = crc32c::Value(p + 4, kRecordHeaderSize - 4 + length);
  if (crc32c::Unmask(DecodeFixed32(p)) != crc) {
    *why = "bad checksum";
    return DecodeOutcome::kCorrupt;
  }
  uint8_t type = static_cast<uint8_t>(p[8]);
  if (type == 0) {
    *why = "invalid record type 0";
    return DecodeOutcome::kCorrupt;
  }
  record->type = type;
  record->timestamp = DecodeFixed64(p + 9);
  record->payload = std::string_view(p + kRecordHeaderSize, length);
  *consumed = kRecordHeaderSize + length;
  return DecodeOutcome::kOk;
}

}  // namespace vdb::wal
