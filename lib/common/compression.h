// zstd compression of byte blocks. The only place that includes zstd.h. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace vdb {

// Compresses `input` at `level` (1 = fast .. 19 = small; 3 is zstd's default).
std::string ZstdCompress(std::string_view input, int level = 3);

// Decompresses a frame made by ZstdCompress. `expected_size` is the original size, stored by the
// caller beside the frame; a frame that does not decode to exactly that many bytes is kCorruption.
// `what` names the data in error messages (e.g. "segment file 3/vec.col block 7").
Result<std::string> ZstdDecompress(std::string_view frame, size_t expected_size,
                                   std::string_view what);

}  // namespace vdb
