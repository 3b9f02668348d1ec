// The manifest of a sealed segment ("manifest.json", layout in format.h): ids, row count,
// timestamp range, schema, and the key, size and CRC32C of every other file. Written last, so a
// segment exists once its manifest does. Value types and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/timestamp.h"

namespace vdb::segment {

struct ManifestFile {
  std::string kind;  // "column", "timestamps", "deletes", "stats"
  FieldId field_id;  // columns; 0 otherwise
  std::string key;   // relative to the segment prefix
  uint64_t size = 0;
  uint32_t crc32c = 0;  // of the whole object, unmasked
  bool operator==(const ManifestFile&) const = default;
};

struct Manifest {
  uint32_t format_version = 0;
  SegmentId segment_id;
  CollectionId collection_id;
  PartitionId partition_id;
  uint64_t row_count = 0;
  // Over the inserted rows and the deletes; both 0 for a segment with neither.
  Timestamp min_timestamp = 0;
  Timestamp max_timestamp = 0;
  CollectionSchema schema;
  std::vector<ManifestFile> files;

  // nullptr when absent.
  const ManifestFile* FindFile(std::string_view kind, FieldId field_id = FieldId(0)) const;
  bool operator==(const Manifest&) const = default;
};

std::string EncodeManifest(const Manifest& manifest);
// kCorruption naming `what` unless `bytes` is exactly what EncodeManifest makes of a manifest
// with a valid schema, a known version and consistent files.
Result<Manifest> DecodeManifest(std::string_view bytes, std::string_view what);

}  // namespace vdb::segment
