// Hybrid timestamps: physical milliseconds since the Unix epoch shifted left 18 bits, plus an
// 18-bit logical counter. Totally ordered, comparable as plain integers. Pure functions.
#pragma once

#include <cstdint>

namespace vdb {

using Timestamp = uint64_t;

constexpr int kLogicalBits = 18;
constexpr uint64_t kLogicalMask = (uint64_t{1} << kLogicalBits) - 1;
constexpr Timestamp kMaxTimestamp = UINT64_MAX;

constexpr Timestamp ComposeTimestamp(uint64_t physical_ms, uint64_t logical) {
  return (physical_ms << kLogicalBits) | (logical & kLogicalMask);
}
constexpr uint64_t PhysicalMs(Timestamp ts) { return ts >> kLogicalBits; }
constexpr uint64_t Logical(Timestamp ts) { return ts & kLogicalMask; }

// A timestamp `ms` milliseconds before `ts` (for bounded staleness); 0 if that is before 1970.
constexpr Timestamp SubtractMs(Timestamp ts, uint64_t ms) {
  uint64_t phys = PhysicalMs(ts);
  return phys <= ms ? 0 : ComposeTimestamp(phys - ms, 0);
}

}  // namespace vdb
