// SegmentReader: opens a sealed segment by its manifest and reads its columns (whole, or a row
// range fetching only the blocks needed), float vectors (memory-mapped when the store allows),
// deletes and stats. Every kind of damage is kCorruption naming the object key, never a crash.
// Thread-safe: concurrent reads share the parsed column footers under one mutex.
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
#include "segment/column_data.h"
#include "segment/delete_file.h"
#include "segment/manifest.h"
#include "segment/segment_stats.h"

namespace vdb {
class MappedFile;
}  // namespace vdb

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::segment {

class ColumnFileReader;

// The dense vectors of one field, contiguous: row i is bytes()[i * row_bytes, (i+1) * row_bytes).
// Holds either a memory mapping of the column file or an owned copy; the pointers stay valid
// while this object lives.
class VectorData {
 public:
  VectorData(std::unique_ptr<MappedFile> mapping, std::string owned, std::string_view bytes,
             DataType type, int64_t dim, uint64_t rows);
  ~VectorData();
  VectorData(const VectorData&) = delete;
  VectorData& operator=(const VectorData&) = delete;

  DataType type() const { return type_; }
  int64_t dim() const { return dim_; }
  uint64_t rows() const { return rows_; }
  bool is_mapped() const { return mapping_ != nullptr; }
  std::string_view bytes() const { return bytes_; }
  // REQUIRES: type() == kFloatVector. rows() * dim() floats, 64-byte aligned when mapped.
  const float* floats() const;

 private:
  std::unique_ptr<MappedFile> mapping_;
  std::string owned_;
  std::string_view bytes_;
  DataType type_;
  int64_t dim_;
  uint64_t rows_;
};

class SegmentReader {
 public:
  // Reads and validates the manifest at prefix + "manifest.json" (a '/' is added to a
  // non-empty prefix without one). kNotFound when there is no manifest (no segment), kCorruption
  // when it is damaged. `store` must outlive the reader.
  static Result<std::unique_ptr<SegmentReader>> Open(storage::ObjectStore* store,
                                                     std::string prefix);
  ~SegmentReader();
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  const Manifest& manifest() const { return manifest_; }
  const CollectionSchema& schema() const { return manifest_.schema; }
  uint64_t row_count() const { return manifest_.row_count; }

  // kNotFound for a field the schema does not have.
  Result<ColumnData> ReadColumn(FieldId field_id);
  // Rows [row_begin, row_end); kInvalidArgument when outside [0, row_count()].
  Result<ColumnData> ReadRows(FieldId field_id, uint64_t row_begin, uint64_t row_end);
  Result<std::vector<Timestamp>> ReadTimestamps();
  // The vectors of a dense vector field: mapped when the store can map, else read into memory.
  // kInvalidArgument for a field that is not a dense vector. Block CRCs are checked either way.
  Result<std::unique_ptr<VectorData>> MapFloatVectors(FieldId field_id);
  // Sorted by (pk, ts).
  Result<std::vector<DeleteRecord>> ReadDeletes();
  Result<SegmentStats> ReadStats();
  // Reads every file whole and checks its size and CRC32C against the manifest.
  Status Verify();

 private:
  SegmentReader(storage::ObjectStore* store, std::string prefix, Manifest manifest)
      : store_(store), prefix_(std::move(prefix)), manifest_(std::move(manifest)) {}
  Result<const FieldSchema*> Field(FieldId field_id) const;
  Result<const ManifestFile*> File(std::string_view kind, FieldId field_id) const;
  Result<std::shared_ptr<const ColumnFileReader>> OpenColumn(const ManifestFile& file,
                                                             const FieldSchema& field);
  // A small file read whole, checked against the manifest's size and CRC.
  Result<std::string> ReadWholeFile(const ManifestFile& file);

  storage::ObjectStore* store_;
  std::string prefix_;
  Manifest manifest_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ColumnFileReader>> columns_;  // GUARDED_BY(mu_)
};

}  // namespace vdb::segment
