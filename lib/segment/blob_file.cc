#include "segment/blob_file.h"

#include "common/coding.h"
#include "common/compression.h"
#include "common/crc32c.h"
#include "segment/format.h"

namespace vdb::segment {

std::string EncodeBlob(std::string_view magic, std::string_view payload, int zstd_level) {
  std::string packed = ZstdCompress(payload, zstd_level);
  bool compress = packed.size() < payload.size();
  std::string out(magic);
  PutFixed32(&out, kFormatVersion);
  PutFixed8(&out, static_cast<uint8_t>(compress ? BlockCodec::kZstd : BlockCodec::kNone));
  out.append(3, '\0');
  PutFixed64(&out, payload.size());
  std::string_view stored = compress ? std::string_view(packed) : payload;
  PutFixed64(&out, stored.size());
  out.append(stored);
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out)));
  return out;
}

Result<std::string> DecodeBlob(std::string_view magic, std::string_view bytes,
                               std::string_view what) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(std::string(what) + ": " + why);
  };
  if (bytes.size() < kBlobHeaderSize + kBlobTrailerSize) {
    return bad("truncated: " + std::to_string(bytes.size()) + " bytes");
  }
  if (bytes.substr(0, magic.size()) != magic) return bad("bad magic");
  size_t body = bytes.size() - kBlobTrailerSize;
  if (crc32c::Unmask(DecodeFixed32(bytes.data() + body)) != crc32c::Value(bytes.data(), body)) {
    return bad("bad checksum");
  }
  uint32_t version = DecodeFixed32(bytes.data() + 8);
  if (version != kFormatVersion) return bad("unknown format version " + std::to_string(version));
  auto codec = static_cast<BlockCodec>(static_cast<uint8_t>(bytes[12]));
  uint64_t raw_size = DecodeFixed64(bytes.data() + 16);
  uint64_t stored_size = DecodeFixed64(bytes.data() + 24);
  if (stored_size != body - kBlobHeaderSize || bytes[13] != 0 || bytes[14] != 0 || bytes[15] != 0) {
    return bad("header does not match the file size");
  }
  std::string_view stored = bytes.substr(kBlobHeaderSize, stored_size);
  if (codec == BlockCodec::kNone && raw_size == stored_size) return std::string(stored);
  // A compressed payload never expands more than zstd's own limit; anything bigger is damage.
  if (codec == BlockCodec::kZstd && raw_size <= (uint64_t{1} << 32)) {
    return ZstdDecompress(stored, raw_size, what);
  }
  return bad("bad codec or sizes");
}

}  // namespace vdb::segment
