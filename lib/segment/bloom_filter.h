// BloomFilter: a set of primary keys with no false negatives and a tunable false-positive rate,
// persisted in stats.bin so a delete or a get by key can skip segments that cannot hold the key.
// Standard (unblocked) filter; bit positions come from one 64-bit hash by double hashing
// (Kirsch-Mitzenmacher), so k probes cost one hash. The hash is ours and fixed, because it is
// persisted. Not thread-safe while being added to; safe to share for lookups.
//
// Serialized: num_hashes u32, num_bits u64, then ceil(num_bits / 64) * 8 bytes of bits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/schema.h"

namespace vdb::segment {

class BloomFilter {
 public:
  // The smallest filter (64 bits, one hash), matching nothing.
  BloomFilter() = default;
  // An empty filter that matches nothing, sized for `expected_keys` at `fp_rate` (0 < fp < 1).
  BloomFilter(uint64_t expected_keys, double fp_rate);

  void AddInt64(int64_t key) { AddHash(HashInt64(key)); }
  void AddString(std::string_view key) { AddHash(HashString(key)); }
  void Add(const PrimaryKey& key);
  bool MayContainInt64(int64_t key) const { return MayContainHash(HashInt64(key)); }
  bool MayContainString(std::string_view key) const { return MayContainHash(HashString(key)); }
  bool MayContain(const PrimaryKey& key) const;

  uint64_t num_bits() const { return num_bits_; }
  uint32_t num_hashes() const { return num_hashes_; }

  std::string Serialize() const;
  // kCorruption naming `what` on malformed bytes.
  static Result<BloomFilter> Deserialize(std::string_view bytes, std::string_view what);

  static uint64_t HashInt64(int64_t key);
  static uint64_t HashString(std::string_view key);

  bool operator==(const BloomFilter&) const = default;

 private:
  void AddHash(uint64_t h);
  bool MayContainHash(uint64_t h) const;

  uint64_t num_bits_ = 64;
  uint32_t num_hashes_ = 1;
  std::vector<uint64_t> words_ = std::vector<uint64_t>(1);
};

}  // namespace vdb::segment
