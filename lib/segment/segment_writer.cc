#include "segment/segment_writer.h"

#include <algorithm>

#include "common/crc32c.h"
#include "segment/column_file.h"
#include "segment/segment_stats.h"
#include "storage/object_store.h"

namespace vdb::segment {
namespace {

Status CheckColumn(const FieldSchema& field, const ColumnData& column, size_t rows) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("column of field \"" + field.name + "\": " + why);
  };
  if (column.type() != field.type || column.element_type() != field.element_type ||
      column.nullable() != field.nullable ||
      (IsDenseVector(field.type) && column.dim() != field.dim)) {
    return bad("type, dim or nullability differs from the schema");
  }
  if (column.size() != rows) {
    return bad(std::to_string(column.size()) + " rows, expected " + std::to_string(rows));
  }
  for (size_t r = 0; r < column.size(); ++r) {
    if (column.IsNull(r) || !column.is_variable()) continue;
    size_t bytes = column.RowBytes(r).size();
    if (bytes > UINT32_MAX) return bad("row " + std::to_string(r) + " is 4 GiB or more");
    if (field.type == DataType::kVarChar && bytes > static_cast<uint64_t>(field.max_length)) {
      return bad("row " + std::to_string(r) + " is " + std::to_string(bytes) +
                 " bytes, more than max_length " + std::to_string(field.max_length));
    }
  }
  Status rows_ok = column.ValidateRows("column of field \"" + field.name + "\"");
  if (!rows_ok.ok()) return Status::InvalidArgument(rows_ok.message());
  if (field.type == DataType::kArray) {
    for (size_t r = 0; r < column.size(); ++r) {
      if (!column.IsNull(r) &&
          column.GetArray(r).size() > static_cast<size_t>(field.max_capacity)) {
        return bad("row " + std::to_string(r) + " has more than max_capacity " +
                   std::to_string(field.max_capacity) + " elements");
      }
    }
  }
  return Status::OK();
}

}  // namespace

std::string SegmentPrefix(CollectionId collection, PartitionId partition, SegmentId segment) {
  return collection.ToString() + "/" + partition.ToString() + "/" + segment.ToString() + "/";
}

Status ValidateSegmentData(const SegmentData& data) {
  VDB_RETURN_IF_ERROR(data.schema.Validate());
  if (data.columns.size() != data.schema.fields.size()) {
    return Status::InvalidArgument(std::to_string(data.columns.size()) + " columns for " +
                                   std::to_string(data.schema.fields.size()) + " fields");
  }
  size_t rows = data.timestamps.size();
  for (size_t i = 0; i < data.columns.size(); ++i) {
    VDB_RETURN_IF_ERROR(CheckColumn(data.schema.fields[i], data.columns[i], rows));
  }
  bool int_keys = data.schema.PrimaryKeyField()->type == DataType::kInt64;
  for (const auto& d : data.deletes) {
    if (std::holds_alternative<int64_t>(d.pk) != int_keys) {
      return Status::InvalidArgument("delete of key " + PrimaryKeyToString(d.pk) +
                                     " does not match the primary key's type");
    }
  }
  return Status::OK();
}

Status SegmentWriter::PutFile(const std::string& prefix, ManifestFile file, std::string_view bytes,
                              Manifest* manifest) {
  file.size = bytes.size();
  file.crc32c = crc32c::Value(bytes);
  VDB_RETURN_IF_ERROR(store_->Put(prefix + file.key, bytes));
  manifest->files.push_back(std::move(file));
  return Status::OK();
}

Result<Manifest> SegmentWriter::Write(const std::string& prefix_in, const SegmentData& data) {
  VDB_RETURN_IF_ERROR(ValidateSegmentData(data));
  std::string prefix = prefix_in;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  Manifest m;
  m.format_version = kFormatVersion;
  m.segment_id = data.segment_id;
  m.collection_id = data.collection_id;
  m.partition_id = data.partition_id;
  m.row_count = data.timestamps.size();
  m.schema = data.schema;
  std::vector<Timestamp> all_ts = data.timestamps;
  for (const auto& d : data.deletes) all_ts.push_back(d.ts);
  if (!all_ts.empty()) {
    auto [lo, hi] = std::minmax_element(all_ts.begin(), all_ts.end());
    m.min_timestamp = *lo;
    m.max_timestamp = *hi;
  }
  ColumnFileOptions col_opts{options_.target_block_bytes, options_.zstd_level};
  for (size_t i = 0; i < data.columns.size(); ++i) {
    FieldId id = data.schema.fields[i].id;
    VDB_RETURN_IF_ERROR(PutFile(prefix, {"column", id, id.ToString() + ".col", 0, 0},
                                EncodeColumnFile(id, data.columns[i], col_opts), &m));
  }
  ColumnData ts(DataType::kInt64);
  ts.Reserve(data.timestamps.size(), data.timestamps.size() * 8);
  for (Timestamp t : data.timestamps) ts.AppendInt(static_cast<int64_t>(t));
  VDB_RETURN_IF_ERROR(PutFile(prefix, {"timestamps", FieldId(0), std::string(kTimestampsKey), 0, 0},
                              EncodeColumnFile(FieldId(0), ts, col_opts), &m));
  DataType pk_type = data.schema.PrimaryKeyField()->type;
  VDB_RETURN_IF_ERROR(PutFile(prefix, {"deletes", FieldId(0), std::string(kDeletesKey), 0, 0},
                              EncodeDeletes(pk_type, data.deletes, options_.zstd_level), &m));
  SegmentStats stats = ComputeStats(data.schema, data.columns, options_.bloom_fp_rate);
  VDB_RETURN_IF_ERROR(PutFile(prefix, {"stats", FieldId(0), std::string(kStatsKey), 0, 0},
                              EncodeStats(stats, options_.zstd_level), &m));
  VDB_RETURN_IF_ERROR(store_->Put(prefix + std::string(kManifestKey), EncodeManifest(m)));
  return m;
}

}  // namespace vdb::segment
