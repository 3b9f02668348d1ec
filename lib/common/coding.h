// Little-endian fixed-width and varint encodings for persisted formats and wire messages.
// Put* append to a std::string; Get* consume from the front of a std::string_view and return
// false on truncated or malformed input (never read past the end).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vdb {

inline void EncodeFixed32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}
inline uint64_t DecodeFixed64(const char* p) {
  return uint64_t(DecodeFixed32(p)) | uint64_t(DecodeFixed32(p + 4)) << 32;
}

void PutFixed8(std::string* dst, uint8_t v);
void PutFixed16(std::string* dst, uint16_t v);
void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Zig-zag signed varint.
void PutVarsint64(std::string* dst, int64_t v);
// Varint length followed by the bytes.
void PutLengthPrefixed(std::string* dst, std::string_view value);
void PutFloat(std::string* dst, float v);
void PutDouble(std::string* dst, double v);

bool GetFixed8(std::string_view* in, uint8_t* v);
bool GetFixed16(std::string_view* in, uint16_t* v);
bool GetFixed32(std::string_view* in, uint32_t* v);
bool GetFixed64(std::string_view* in, uint64_t* v);
bool GetVarint32(std::string_view* in, uint32_t* v);
bool GetVarint64(std::string_view* in, uint64_t* v);
bool GetVarsint64(std::string_view* in, int64_t* v);
bool GetLengthPrefixed(std::string_view* in, std::string_view* value);
bool GetFloat(std::string_view* in, float* v);
bool GetDouble(std::string_view* in, double* v);

// Bytes PutVarint64 would use for v.
int VarintLength(uint64_t v);

}  // namespace vdb
