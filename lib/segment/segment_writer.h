// SegmentWriter: writes a sealed segment — one column file per field, the row timestamps, the
// deletes, the stats and, last, the manifest — through an ObjectStore under one prefix.
// Stateless between calls; safe to use from several threads for different prefixes.
#pragma once

#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/timestamp.h"
#include "segment/column_data.h"
#include "segment/delete_file.h"
#include "segment/format.h"
#include "segment/manifest.h"

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::segment {

struct SegmentWriterOptions {
  uint64_t target_block_bytes = kDefaultTargetBlockBytes;
  int zstd_level = 3;
  double bloom_fp_rate = 0.001;
};

// Everything a sealed segment holds.
struct SegmentData {
  SegmentId segment_id;
  CollectionId collection_id;
  PartitionId partition_id;
  CollectionSchema schema;
  std::vector<ColumnData> columns;    // one per schema field, in schema order
  std::vector<Timestamp> timestamps;  // the insert timestamp of each row
  std::vector<DeleteRecord> deletes;  // any order; keys of the primary key's type
};

// "<collection>/<partition>/<segment>/", the conventional prefix of a segment's objects.
std::string SegmentPrefix(CollectionId collection, PartitionId partition, SegmentId segment);

class SegmentWriter {
 public:
  // `store` must outlive the writer.
  explicit SegmentWriter(storage::ObjectStore* store, SegmentWriterOptions options = {})
      : store_(store), options_(options) {}
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Writes `data` under `prefix` ("" or ending in '/'; one is added otherwise), manifest last,
  // and returns the manifest. kInvalidArgument when the schema is invalid or the columns,
  // timestamps or deletes do not match it (nothing is written then); store errors as they come.
  // A failure part-way leaves no manifest, so no segment.
  Result<Manifest> Write(const std::string& prefix, const SegmentData& data);

 private:
  Status PutFile(const std::string& prefix, ManifestFile file, std::string_view bytes,
                 Manifest* manifest);

  storage::ObjectStore* store_;
  SegmentWriterOptions options_;
};

// Checks `data` as Write does, without writing.
Status ValidateSegmentData(const SegmentData& data);

}  // namespace vdb::segment
