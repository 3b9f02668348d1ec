// RowFilter: a borrowed bitset naming the rows a search may return. Read-only, so one filter may
// be shared by concurrent searches; the words must outlive every search that uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vdb::index {

// Row r is allowed when bit (r % 64) of words[r / 64] is set; rows >= n() are never allowed.
// The layout is the little-endian byte order FAISS's IDSelectorBitmap reads, so it can be passed
// to FAISS without copying.
class RowFilter {
 public:
  // REQUIRES: words holds at least (n + 63) / 64 elements.
  RowFilter(const uint64_t* words, size_t n) : words_(words), n_(n) {}

  bool Allows(int64_t row) const {
    return row >= 0 && static_cast<size_t>(row) < n_ &&
           ((words_[static_cast<size_t>(row) >> 6] >> (row & 63)) & 1) != 0;
  }
  size_t n() const { return n_; }
  const uint64_t* words() const { return words_; }

  // Number of allowed rows (a popcount over the words; O(n / 64)).
  size_t CountAllowed() const {
    size_t count = 0;
    size_t full = n_ / 64;
    for (size_t i = 0; i < full; ++i) count += static_cast<size_t>(__builtin_popcountll(words_[i]));
    if (n_ % 64 != 0) {
      count += static_cast<size_t>(
          __builtin_popcountll(words_[full] & ((uint64_t{1} << (n_ % 64)) - 1)));
    }
    return count;
  }

 private:
  const uint64_t* words_;
  size_t n_;
};

// A small owning bitset for building filters (tests, callers without their own bitmap).
class RowBitset {
 public:
  explicit RowBitset(size_t n, bool value = false)
      : words_((n + 63) / 64, value ? ~uint64_t{0} : 0), n_(n) {}
  void Set(size_t row) { words_[row >> 6] |= uint64_t{1} << (row & 63); }
  void Clear(size_t row) { words_[row >> 6] &= ~(uint64_t{1} << (row & 63)); }
  RowFilter filter() const { return RowFilter(words_.data(), n_); }

 private:
  std::vector<uint64_t> words_;
  size_t n_;
};

}  // namespace vdb::index
