// The envelope of small whole-read segment files (deletes.bin, stats.bin; layout in format.h):
// magic, version, sizes, a zstd payload and one CRC over everything. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace vdb::segment {

std::string EncodeBlob(std::string_view magic, std::string_view payload, int zstd_level);
// The payload of a blob with `magic`; kCorruption naming `what` (the object key) on any damage.
Result<std::string> DecodeBlob(std::string_view magic, std::string_view bytes,
                               std::string_view what);

}  // namespace vdb::segment
