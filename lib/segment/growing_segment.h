// GrowingSegment: the in-memory, append-only rows of one (channel, partition): a column per
// schema field, the hidden insert timestamp of every row, and primary key -> rows. Serves brute
// force search (float vectors are contiguous) and becomes a sealed segment via ToSegmentData.
// Thread-safe: Append takes the writer lock; a ReadView holds the reader lock and sees a
// consistent prefix of whole rows (the row count is published after the rows are written).
#pragma once

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/timestamp.h"
#include "segment/column_data.h"
#include "segment/delete_buffer.h"
#include "segment/segment_writer.h"

namespace vdb::segment {

class GrowingSegment {
 public:
  // REQUIRES: schema.Validate() is OK.
  GrowingSegment(CollectionId collection_id, PartitionId partition_id, CollectionSchema schema);
  GrowingSegment(const GrowingSegment&) = delete;
  GrowingSegment& operator=(const GrowingSegment&) = delete;

  // Appends a batch (one column per schema field, in schema order, all of one length) written at
  // `ts`. kInvalidArgument (nothing appended) when the columns do not match the schema.
  Status Append(const std::vector<ColumnData>& columns, Timestamp ts);

  CollectionId collection_id() const { return collection_id_; }
  PartitionId partition_id() const { return partition_id_; }
  const CollectionSchema& schema() const { return schema_; }
  size_t pk_field_index() const { return pk_index_; }
  // Rows published so far.
  size_t num_rows() const { return num_rows_.load(std::memory_order_acquire); }
  // Insert timestamps of the first and last row; 0 when empty.
  Timestamp min_ts() const;
  Timestamp max_ts() const;

  // A consistent snapshot for reading: holds the reader lock (appends wait) while it lives.
  class ReadView {
   public:
    explicit ReadView(const GrowingSegment* segment)
        : segment_(segment), lock_(segment->mu_), rows_(segment->num_rows()) {}
    size_t rows() const { return rows_; }
    const ColumnData& column(size_t field_index) const { return segment_->columns_[field_index]; }
    const Timestamp* timestamps() const { return segment_->timestamps_.data(); }
    const PkRowIndex& pk_index() const { return segment_->pks_; }
    PrimaryKey pk(size_t row) const;
    // Row-major float vectors of a FloatVector field; nullptr for any other field index.
    const float* float_vectors(size_t field_index) const;

   private:
    const GrowingSegment* segment_;
    std::shared_lock<std::shared_mutex> lock_;
    size_t rows_;
  };
  ReadView Read() const { return ReadView(this); }

  // Every row as a sealed segment's data, deletes left empty (the caller adds them).
  SegmentData ToSegmentData(SegmentId segment_id) const;

 private:
  const CollectionId collection_id_;
  const PartitionId partition_id_;
  const CollectionSchema schema_;
  size_t pk_index_ = 0;

  mutable std::shared_mutex mu_;
  std::vector<ColumnData> columns_;    // GUARDED_BY(mu_)
  std::vector<Timestamp> timestamps_;  // GUARDED_BY(mu_)
  PkRowIndex pks_;                     // GUARDED_BY(mu_)
  std::atomic<size_t> num_rows_{0};
};

// The primary key of `row` of a pk column (Int64 or VarChar).
PrimaryKey PrimaryKeyAt(const ColumnData& pk_column, size_t row);

}  // namespace vdb::segment
