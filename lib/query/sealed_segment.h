// SealedSegment: one sealed segment loaded for serving on a query node: the primary keys and a
// key -> rows index, the insert timestamps, the dense float vectors (memory-mapped when the store
// allows) and, once built, a vector index per field that is swapped in atomically. Searches keep
// running on brute force until an index is installed, and on the index they started with after.
// Thread-safe: everything but the index table is immutable after Load; the table has its own
// mutex. Shared (shared_ptr) by the node and the reads in flight.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/timestamp.h"
#include "index/row_filter.h"
#include "rpc/catalog.h"
#include "rpc/data_plane.h"
#include "segment/column_data.h"
#include "segment/delete_buffer.h"
#include "segment/delete_file.h"

namespace vdb::index {
class VectorIndex;
}  // namespace vdb::index

namespace vdb::segment {
class SegmentReader;
class VectorData;
}  // namespace vdb::segment

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::query {

class SealedSegment {
 public:
  // Opens the segment at info.object_prefix and reads its keys, timestamps, stats and the
  // vectors of every dense float vector field. `store` must outlive the segment. Errors: the
  // reader's (kNotFound without a manifest, kCorruption for damaged files), kCorruption when the
  // files disagree with each other (row counts).
  static Result<std::shared_ptr<SealedSegment>> Load(storage::ObjectStore* store,
                                                     const rpc::SegmentInfo& info);
  ~SealedSegment();
  SealedSegment(const SealedSegment&) = delete;
  SealedSegment& operator=(const SealedSegment&) = delete;

  SegmentId id() const { return info_.id; }
  // The catalog entry the segment was loaded from.
  const rpc::SegmentInfo& info() const { return info_; }
  const CollectionSchema& schema() const;
  size_t rows() const { return keys_.size(); }
  // The primary key of `row`. REQUIRES: row < rows().
  PrimaryKey pk(size_t row) const;
  const segment::PkRowIndex& pk_index() const { return pk_index_; }
  const std::vector<Timestamp>& timestamps() const { return timestamps_; }

  // The installed index of `field`, or nullptr (searches then use brute force).
  std::shared_ptr<const index::VectorIndex> index(FieldId field) const;
  // The object key the installed index of `field` came from; "" without one.
  std::string index_key(FieldId field) const;
  size_t index_count() const;
  // Loads the serialized index at `key` and installs it for `field`, replacing any other.
  // kCorruption when the bytes do not load or describe another row count or dimension than the
  // segment's field; store errors as they come. The previous index serves until the swap.
  Status LoadIndex(storage::ObjectStore* store, FieldId field, const std::string& key);

  // The k best visible rows of each query (filter: the visible rows), best first, as hits of
  // this segment. Uses the field's index when one is installed for the request's metric, with
  // ef from the request, else brute force. REQUIRES: the request was validated against the
  // schema (a dense FloatVector field of its dim, 1 <= k).
  Status Search(const rpc::SearchRequest& request, const index::RowFilter& filter,
                std::vector<std::vector<rpc::SearchHit>>* hits) const;

  // The bitset (RowFilter layout) of the rows visible at read_ts under `deletes`, whose contents
  // `deletes_version` names: the same version must mean the same deletes. The last answer is
  // cached, so repeated reads at one timestamp (Eventually, Bounded) build it once.
  std::shared_ptr<const std::vector<uint64_t>> Visibility(const segment::DeleteBuffer& deletes,
                                                          uint64_t deletes_version,
                                                          Timestamp read_ts) const;

  // Appends row `row` of `field` to *out (a column of the field's type). Dense float vectors
  // come from the mapped vectors; any other field is decoded whole on first use and kept, so a
  // read of many rows decodes each column file once, not one compressed block per row.
  Status AppendRow(FieldId field, size_t row, segment::ColumnData* out) const;
  // The segment's own delete file, sorted by (pk, ts).
  Result<std::vector<segment::DeleteRecord>> ReadDeletes() const;

 private:
  SealedSegment(rpc::SegmentInfo info, std::unique_ptr<segment::SegmentReader> reader);
  Status ReadKeys();
  // The decoded column of `field`, read on first use; shared with the reads in flight.
  Result<std::shared_ptr<const segment::ColumnData>> Column(FieldId field) const;

  const rpc::SegmentInfo info_;
  const std::unique_ptr<segment::SegmentReader> reader_;
  segment::ColumnData keys_;  // the primary key column, decoded (8 bytes a row for int64 keys)
  segment::PkRowIndex pk_index_;
  std::vector<Timestamp> timestamps_;
  std::map<FieldId, std::unique_ptr<segment::VectorData>> vectors_;

  struct InstalledIndex {
    std::string key;
    std::shared_ptr<const index::VectorIndex> index;
  };
  struct CachedVisibility {
    uint64_t deletes_version = 0;
    Timestamp read_ts = 0;
    std::shared_ptr<const std::vector<uint64_t>> words;
  };
  mutable std::mutex mu_;
  std::map<FieldId, InstalledIndex> indexes_;  // GUARDED_BY(mu_)
  mutable CachedVisibility visibility_;        // GUARDED_BY(mu_)
  // Decoded scalar columns, filled by Column(); columns_mu_ is held while one decodes, so
  // concurrent first reads of a field decode it once (never taken with mu_ held).
  mutable std::mutex columns_mu_;
  using ColumnMap = std::map<FieldId, std::shared_ptr<const segment::ColumnData>>;
  mutable ColumnMap columns_;  // GUARDED_BY(columns_mu_)
};

}  // namespace vdb::query
