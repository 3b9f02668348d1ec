// CRC32C (Castagnoli), with the SSE4.2 instruction when the CPU has it and a table fallback.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vdb::crc32c {

// Returns the CRC32C of data[0,n) continuing from `init_crc` (the CRC of the preceding bytes).
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// The portable implementation, exposed so tests can compare it with the hardware one.
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);
// True when Extend uses the CPU instruction.
bool HardwareAccelerated();

// Stored CRCs are masked so that a CRC over data that itself contains CRCs stays strong
// (leveldb's scheme).
constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace vdb::crc32c
