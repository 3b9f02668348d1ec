// DeleteBuffer: the (primary key, timestamp) deletes of one channel held in memory, and the
// visibility rule of lib/README.md "Time": row (pk, ts) is visible at T iff ts <= T and no delete
// (pk, dts) has ts < dts <= T. Thread-safe: Add/Prune take a writer lock, reads a reader lock.
#pragma once

#include <cstdint>
#include <deque>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "common/schema.h"
#include "common/timestamp.h"
#include "segment/delete_file.h"
#include "segment/pk_row_index.h"

namespace vdb::segment {

class DeleteBuffer {
 public:
  DeleteBuffer() = default;
  DeleteBuffer(const DeleteBuffer&) = delete;
  DeleteBuffer& operator=(const DeleteBuffer&) = delete;

  // Records a delete. Deletes normally arrive in timestamp order (the WAL's); out-of-order ones
  // are accepted and kept sorted.
  void Add(const PrimaryKey& pk, Timestamp ts);
  size_t size() const;

  // Deletes with after_ts < ts <= until_ts, in timestamp order.
  std::vector<DeleteRecord> Range(Timestamp after_ts, Timestamp until_ts) const;
  // Forgets deletes with ts <= ts_floor (already written to committed segments and no longer
  // needed by rows kept in memory).
  void PruneUpTo(Timestamp ts_floor);

  // True when a delete of `pk` hides a row written at row_ts from a read at read_ts.
  bool Hides(const PrimaryKey& pk, Timestamp row_ts, Timestamp read_ts) const;

  // Sets *words to a bitset (RowFilter layout: bit r % 64 of word r / 64) of the first n rows
  // visible at read_ts. `index` maps keys to rows (rows >= n are ignored); row_ts holds at least
  // n insert timestamps. O(n / 64 + deletes or keys, whichever is fewer).
  void BuildVisibility(const PkRowIndex& index, const Timestamp* row_ts, size_t n,
                       Timestamp read_ts, std::vector<uint64_t>* words) const;

 private:
  bool HidesLocked(const std::vector<Timestamp>& dts, Timestamp row_ts, Timestamp read_ts) const;
  void ClearHidden(const PkRowIndex::Rows& rows, const std::vector<Timestamp>& dts,
                   const Timestamp* row_ts, size_t n, Timestamp read_ts,
                   std::vector<uint64_t>* words) const;

  mutable std::shared_mutex mu_;
  std::unordered_map<PrimaryKey, std::vector<Timestamp>> by_key_;  // GUARDED_BY(mu_); sorted
  std::deque<DeleteRecord> log_;                                   // GUARDED_BY(mu_); sorted by ts
};

}  // namespace vdb::segment
