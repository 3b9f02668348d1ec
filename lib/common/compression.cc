#include "common/compression.h"

#include <zstd.h>

namespace vdb {

std::string ZstdCompress(std::string_view input, int level) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level);
  // Compression into a buffer of ZSTD_compressBound bytes cannot fail short of a zstd bug.
  VDB_CHECK(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view frame, size_t expected_size,
                                   std::string_view what) {
  unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) {
    return Status::Corruption(std::string(what) + ": not a zstd frame");
  }
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != expected_size) {
    return Status::Corruption(std::string(what) + ": zstd frame holds " + std::to_string(content) +
                              " bytes, expected " + std::to_string(expected_size));
  }
  std::string out(expected_size, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) {
    return Status::Corruption(std::string(what) + ": zstd: " + ZSTD_getErrorName(n));
  }
  if (n != expected_size) {
    return Status::Corruption(std::string(what) + ": decompressed to " + std::to_string(n) +
                              " bytes, expected " + std::to_string(expected_size));
  }
  return out;
}

}  // namespace vdb
