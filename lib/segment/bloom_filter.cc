#include "segment/bloom_filter.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/coding.h"

namespace vdb::segment {
namespace {

constexpr uint32_t kMaxHashes = 30;
constexpr uint64_t kMaxBits = uint64_t{1} << 36;  // 8 GiB of bits: far beyond any segment

// The splitmix64 / murmur3 finalizer: a bijection with full avalanche.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace

BloomFilter::BloomFilter(uint64_t expected_keys, double fp_rate) {
  fp_rate = std::clamp(fp_rate, 1e-9, 0.5);
  double n = static_cast<double>(std::max<uint64_t>(expected_keys, 1));
  double ln2 = std::log(2.0);
  double bits = std::ceil(-n * std::log(fp_rate) / (ln2 * ln2));
  num_bits_ = std::clamp<uint64_t>(static_cast<uint64_t>(bits), 64, kMaxBits);
  num_bits_ = (num_bits_ + 63) / 64 * 64;
  double k = std::round(static_cast<double>(num_bits_) / n * ln2);
  num_hashes_ = static_cast<uint32_t>(std::clamp(k, 1.0, static_cast<double>(kMaxHashes)));
  words_.assign(num_bits_ / 64, 0);
}

uint64_t BloomFilter::HashInt64(int64_t key) {
  return Mix(static_cast<uint64_t>(key) + 0x9e3779b97f4a7c15ull);
}

uint64_t BloomFilter::HashString(std::string_view key) {
  // 8 bytes at a time, each word folded in by multiply-rotate, then finalized; the length is
  // mixed in so that "a" and "a\0" differ.
  uint64_t h = 0x6a09e667f3bcc908ull ^ (key.size() * 0x9e3779b97f4a7c15ull);
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t w = DecodeFixed64(key.data() + i);
    h = (h ^ Mix(w)) * 0x9fb21c651e98df25ull;
    h = (h << 29) | (h >> 35);
  }
  uint64_t tail = 0;
  for (size_t j = 0; i + j < key.size(); ++j) {
    tail |= uint64_t{static_cast<uint8_t>(key[i + j])} << (8 * j);
  }
  return Mix(h ^ Mix(tail ^ 0xff51afd7ed558ccdull));
}

void BloomFilter::Add(const PrimaryKey& key) {
  if (const auto* i = std::get_if<int64_t>(&key)) {
    AddInt64(*i);
  } else {
    AddString(std::get<std::string>(key));
  }
}

bool BloomFilter::MayContain(const PrimaryKey& key) const {
  if (const auto* i = std::get_if<int64_t>(&key)) return MayContainInt64(*i);
  return MayContainString(std::get<std::string>(key));
}

void BloomFilter::AddHash(uint64_t h) {
  uint64_t h1 = h, h2 = Mix(h) | 1;
  for (uint32_t i = 0; i < num_hashes_; ++i) {
    uint64_t bit = (h1 + i * h2) % num_bits_;
    words_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

bool BloomFilter::MayContainHash(uint64_t h) const {
  uint64_t h1 = h, h2 = Mix(h) | 1;
  for (uint32_t i = 0; i < num_hashes_; ++i) {
    uint64_t bit = (h1 + i * h2) % num_bits_;
    if ((words_[bit / 64] >> (bit % 64) & 1) == 0) return false;
  }
  return true;
}

std::string BloomFilter::Serialize() const {
  std::string out;
  out.reserve(12 + words_.size() * 8);
  PutFixed32(&out, num_hashes_);
  PutFixed64(&out, num_bits_);
  for (uint64_t w : words_) PutFixed64(&out, w);
  return out;
}

Result<BloomFilter> BloomFilter::Deserialize(std::string_view bytes, std::string_view what) {
  BloomFilter f;
  if (!GetFixed32(&bytes, &f.num_hashes_) || !GetFixed64(&bytes, &f.num_bits_)) {
    return Status::Corruption(std::string(what) + ": truncated bloom filter");
  }
  if (f.num_hashes_ < 1 || f.num_hashes_ > kMaxHashes || f.num_bits_ < 64 ||
      f.num_bits_ > kMaxBits || f.num_bits_ % 64 != 0 || bytes.size() != f.num_bits_ / 8) {
    return Status::Corruption(std::string(what) + ": malformed bloom filter (" +
                              std::to_string(f.num_hashes_) + " hashes, " +
                              std::to_string(f.num_bits_) + " bits, " +
                              std::to_string(bytes.size()) + " bytes)");
  }
  f.words_.resize(f.num_bits_ / 64);
  for (auto& w : f.words_) {
    w = DecodeFixed64(bytes.data());
    bytes.remove_prefix(8);
  }
  return f;
}

}  // namespace vdb::segment
