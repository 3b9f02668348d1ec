// Byte layout of a serialized vector index (VectorIndex::Serialize / Load). Constants only.
//
//   magic          8 bytes   "VDBINDEX"
//   version        fixed32   kFormatVersion; any other value is kCorruption
//   spec           varint32 length + bytes, e.g. "HNSW32" (see index_spec.h)
//   metric         fixed8    Metric (metric.h)
//   d              fixed32   dimensions, 1..kMaxDimension
//   n              fixed64   vectors held
//   body_length    fixed64   bytes of body that follow
//   body           per index type, below
//   crc            fixed32   masked CRC32C (crc32c::Mask) of every preceding byte
//
// All integers little-endian. The CRC covers the whole file so a flipped bit anywhere is caught
// before any field is trusted; the loaders still bound-check every size and graph link, because
// a checksum is not a proof and a corrupt file must never crash a query node.
//
// FLAT body: n * d float32, row-major (little-endian IEEE-754).
//
// HNSW body (hnswlib's in-memory layout, x86-64 little-endian, so loading is a copy):
//   m              fixed32   links per node on upper levels (2 * m on level 0)
//   ef_construction fixed32
//   max_level      fixed32   top level of the graph (0xffffffff when n == 0)
//   entry_point    fixed32   internal id of the entry node (0xffffffff when n == 0)
//   level0         n * (4 + 8m + 4d + 8) bytes: per node a link count (uint32), 2m link slots
//                  (uint32 internal ids), the d floats and the row (uint64)
//   per node i     fixed32 level L_i (<= max_level), then L_i blocks of (4 + 4m) bytes: link
//                  count and m slots for levels 1..L_i
//   Links name internal ids < n whose level is >= the list's level; rows are a permutation of
//   [0, n). Vectors of COSINE indexes are stored normalized.
//
// FAISS body (specs other than FLAT/HNSW): faiss::write_index output.
#pragma once

#include <cstdint>
#include <string_view>

namespace vdb::index::format {

constexpr std::string_view kMagic = "VDBINDEX";
constexpr uint32_t kFormatVersion = 1;
constexpr int kMaxDimension = 32768;
// magic + version + (1-byte spec length) + metric + d + n + body_length + crc
constexpr size_t kMinSize = 8 + 4 + 1 + 1 + 4 + 8 + 8 + 4;

}  // namespace vdb::index::format
