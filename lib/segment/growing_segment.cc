#include "segment/growing_segment.h"

#include <mutex>

#include "common/check.h"
#include "segment/column_codec.h"

namespace vdb::segment {

PrimaryKey PrimaryKeyAt(const ColumnData& pk_column, size_t row) {
  if (pk_column.type() == DataType::kVarChar) return std::string(pk_column.GetString(row));
  return pk_column.GetInt(row);
}

GrowingSegment::GrowingSegment(CollectionId collection_id, PartitionId partition_id,
                               CollectionSchema schema)
    : collection_id_(collection_id), partition_id_(partition_id), schema_(std::move(schema)) {
  columns_.reserve(schema_.fields.size());
  bool found = false;
  for (size_t i = 0; i < schema_.fields.size(); ++i) {
    columns_.emplace_back(schema_.fields[i]);
    if (schema_.fields[i].primary_key) {
      pk_index_ = i;
      found = true;
    }
  }
  VDB_CHECK(found);
}

Status GrowingSegment::Append(const std::vector<ColumnData>& columns, Timestamp ts) {
  if (columns.size() != schema_.fields.size()) {
    return Status::InvalidArgument(std::to_string(columns.size()) + " columns for " +
                                   std::to_string(schema_.fields.size()) + " fields");
  }
  size_t rows = columns[0].size();
  for (size_t i = 0; i < columns.size(); ++i) {
    VDB_RETURN_IF_ERROR(CheckColumnForField(schema_.fields[i], columns[i], rows));
  }
  std::unique_lock lock(mu_);
  size_t base = timestamps_.size();
  if (base + rows > UINT32_MAX) return Status::InvalidArgument("growing segment is full");
  for (size_t i = 0; i < columns.size(); ++i) columns_[i].AppendRows(columns[i], 0, rows);
  timestamps_.insert(timestamps_.end(), rows, ts);
  const ColumnData& pk_column = columns[pk_index_];
  for (size_t r = 0; r < rows; ++r) {
    pks_.Add(PrimaryKeyAt(pk_column, r), static_cast<uint32_t>(base + r));
  }
  num_rows_.store(base + rows, std::memory_order_release);
  return Status::OK();
}

Timestamp GrowingSegment::min_ts() const {
  std::shared_lock lock(mu_);
  return timestamps_.empty() ? 0 : timestamps_.front();
}

Timestamp GrowingSegment::max_ts() const {
  std::shared_lock lock(mu_);
  return timestamps_.empty() ? 0 : timestamps_.back();
}

PrimaryKey GrowingSegment::ReadView::pk(size_t row) const {
  return PrimaryKeyAt(segment_->columns_[segment_->pk_index_], row);
}

const float* GrowingSegment::ReadView::float_vectors(size_t field_index) const {
  const ColumnData& column = segment_->columns_[field_index];
  if (column.type() != DataType::kFloatVector) return nullptr;
  return reinterpret_cast<const float*>(column.values().data());
}

SegmentData GrowingSegment::ToSegmentData(SegmentId segment_id) const {
  std::shared_lock lock(mu_);
  SegmentData data;
  data.segment_id = segment_id;
  data.collection_id = collection_id_;
  data.partition_id = partition_id_;
  data.schema = schema_;
  data.columns = columns_;
  data.timestamps = timestamps_;
  return data;
}

}  // namespace vdb::segment
