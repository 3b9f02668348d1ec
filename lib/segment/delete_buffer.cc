#include "segment/delete_buffer.h"

#include <algorithm>
#include <mutex>

namespace vdb::segment {

void DeleteBuffer::Add(const PrimaryKey& pk, Timestamp ts) {
  std::unique_lock lock(mu_);
  auto& dts = by_key_[pk];
  dts.insert(std::upper_bound(dts.begin(), dts.end(), ts), ts);
  DeleteRecord record{pk, ts};
  if (log_.empty() || log_.back().ts <= ts) {
    log_.push_back(std::move(record));
  } else {
    auto at = std::upper_bound(log_.begin(), log_.end(), ts,
                               [](Timestamp t, const DeleteRecord& d) { return t < d.ts; });
    log_.insert(at, std::move(record));
  }
}

size_t DeleteBuffer::size() const {
  std::shared_lock lock(mu_);
  return log_.size();
}

std::vector<DeleteRecord> DeleteBuffer::Range(Timestamp after_ts, Timestamp until_ts) const {
  std::shared_lock lock(mu_);
  std::vector<DeleteRecord> out;
  auto it = std::upper_bound(log_.begin(), log_.end(), after_ts,
                             [](Timestamp t, const DeleteRecord& d) { return t < d.ts; });
  for (; it != log_.end() && it->ts <= until_ts; ++it) out.push_back(*it);
  return out;
}

void DeleteBuffer::PruneUpTo(Timestamp ts_floor) {
  std::unique_lock lock(mu_);
  while (!log_.empty() && log_.front().ts <= ts_floor) {
    auto it = by_key_.find(log_.front().pk);
    if (it != by_key_.end()) {
      auto& dts = it->second;
      dts.erase(dts.begin(), std::upper_bound(dts.begin(), dts.end(), ts_floor));
      if (dts.empty()) by_key_.erase(it);
    }
    log_.pop_front();
  }
}

bool DeleteBuffer::HidesLocked(const std::vector<Timestamp>& dts, Timestamp row_ts,
                               Timestamp read_ts) const {
  // The first delete after the row; it hides the row iff it is not after the read.
  auto it = std::upper_bound(dts.begin(), dts.end(), row_ts);
  return it != dts.end() && *it <= read_ts;
}

bool DeleteBuffer::Hides(const PrimaryKey& pk, Timestamp row_ts, Timestamp read_ts) const {
  std::shared_lock lock(mu_);
  auto it = by_key_.find(pk);
  return it != by_key_.end() && HidesLocked(it->second, row_ts, read_ts);
}

void DeleteBuffer::ClearHidden(const PkRowIndex::Rows& rows, const std::vector<Timestamp>& dts,
                               const Timestamp* row_ts, size_t n, Timestamp read_ts,
                               std::vector<uint64_t>* words) const {
  for (uint32_t r : rows) {
    if (r >= n) break;  // rows are in order
    if (HidesLocked(dts, row_ts[r], read_ts)) (*words)[r >> 6] &= ~(uint64_t{1} << (r & 63));
  }
}

void DeleteBuffer::BuildVisibility(const PkRowIndex& index, const Timestamp* row_ts, size_t n,
                                   Timestamp read_ts, std::vector<uint64_t>* words) const {
  words->assign((n + 63) / 64, 0);
  for (size_t r = 0; r < n; ++r) {
    if (row_ts[r] <= read_ts) (*words)[r >> 6] |= uint64_t{1} << (r & 63);
  }
  std::shared_lock lock(mu_);
  if (by_key_.empty()) return;
  if (by_key_.size() <= index.size()) {
    for (const auto& [pk, dts] : by_key_) {
      if (const PkRowIndex::Rows* rows = index.Find(pk)) {
        ClearHidden(*rows, dts, row_ts, n, read_ts, words);
      }
    }
  } else {
    index.ForEach([&](const PrimaryKey& pk, const PkRowIndex::Rows& rows) {
      auto it = by_key_.find(pk);
      if (it != by_key_.end()) ClearHidden(rows, it->second, row_ts, n, read_ts, words);
    });
  }
}

}  // namespace vdb::segment
