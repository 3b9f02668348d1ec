// Deletes recorded against a sealed segment ("deletes.bin", layout in format.h): (primary key,
// timestamp) pairs, kept sorted so a reader can merge or binary-search them. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/schema.h"
#include "common/timestamp.h"

namespace vdb::segment {

struct DeleteRecord {
  PrimaryKey pk;
  Timestamp ts = 0;
  auto operator<=>(const DeleteRecord&) const = default;
};

// REQUIRES: every key is of `key_type` (kInt64 or kVarChar); records need not be sorted.
std::string EncodeDeletes(DataType key_type, std::vector<DeleteRecord> records, int zstd_level);
// Sorted by (pk, ts). kCorruption naming `what` on damage or a key of the wrong type.
Result<std::vector<DeleteRecord>> DecodeDeletes(std::string_view bytes, DataType key_type,
                                                std::string_view what);

}  // namespace vdb::segment
