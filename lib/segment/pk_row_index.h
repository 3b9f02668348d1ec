// PkRowIndex: primary key -> the rows of a segment holding it (every version, ascending), built
// row by row and read by gets, deletes and scans. Int64 keys live in an int64-keyed map (about
// 56 bytes a key instead of ~136 for a variant key with a vector of rows); one row is stored
// inline and a heap list only appears for a key written twice into the same segment.
// Not thread-safe: the owning segment guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/schema.h"

namespace vdb::segment {

class PkRowIndex {
 public:
  // The rows of one key, ascending (rows are added in order).
  class Rows {
   public:
    explicit Rows(uint32_t row) : one_(row) {}
    const uint32_t* begin() const { return more_ ? more_->data() : &one_; }
    const uint32_t* end() const { return more_ ? more_->data() + more_->size() : &one_ + 1; }
    size_t size() const { return more_ ? more_->size() : 1; }
    void Add(uint32_t row) {
      if (!more_) more_ = std::make_unique<std::vector<uint32_t>>(1, one_);
      more_->push_back(row);
    }

   private:
    uint32_t one_;
    std::unique_ptr<std::vector<uint32_t>> more_;  // every row once there are two
  };

  void Reserve(size_t keys, bool int_keys) {
    if (int_keys) {
      ints_.reserve(keys);
    } else {
      others_.reserve(keys);
    }
  }
  // Distinct keys.
  size_t size() const { return ints_.size() + others_.size(); }

  // Records that `row` holds `pk`. REQUIRES: rows of one key are added in ascending order.
  void Add(const PrimaryKey& pk, uint32_t row) {
    if (const int64_t* i = std::get_if<int64_t>(&pk)) {
      Insert(&ints_, *i, row);
    } else {
      Insert(&others_, pk, row);
    }
  }

  // The rows holding `pk`; nullptr when none does.
  const Rows* Find(const PrimaryKey& pk) const {
    if (const int64_t* i = std::get_if<int64_t>(&pk)) {
      auto it = ints_.find(*i);
      return it == ints_.end() ? nullptr : &it->second;
    }
    auto it = others_.find(pk);
    return it == others_.end() ? nullptr : &it->second;
  }

  // Calls fn(const PrimaryKey&, const Rows&) once per key, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [key, rows] : ints_) fn(PrimaryKey(key), rows);
    for (const auto& [key, rows] : others_) fn(key, rows);
  }

 private:
  template <typename Map, typename Key>
  static void Insert(Map* map, const Key& key, uint32_t row) {
    auto [it, inserted] = map->try_emplace(key, row);
    if (!inserted) it->second.Add(row);
  }

  std::unordered_map<int64_t, Rows> ints_;
  std::unordered_map<PrimaryKey, Rows> others_;  // VarChar keys
};

}  // namespace vdb::segment
