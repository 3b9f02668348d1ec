// Byte layouts of a sealed segment's files in object storage, and why they look this way.
// Constants only; the encoders and decoders live in column_file.cc, blob_file.cc, manifest.cc.
//
// A sealed segment is a set of immutable objects under one prefix
// ("<collection>/<partition>/<segment>/"):
//
//   <field_id>.col   one column file per schema field
//   timestamps.col   the insert timestamp of every row, an Int64 column file (MVCC reads)
//   deletes.bin      (primary key, timestamp) pairs deleted while the segment grew
//   stats.bin        row count, primary-key range and bloom filter, scalar min/max, null counts
//   manifest.json    written LAST: the segment exists once, and only once, its manifest does
//
// Every integer is little-endian. Every byte of every file is covered by a CRC32C (stored
// masked, see common/crc32c.h), so any damage reads back as kCorruption naming the object, never
// as wrong data or a crash.
//
// ---- Column file ("<field_id>.col", "timestamps.col") -------------------------------------
//
//   [header: 64 bytes][block 0][block 1]...[block n-1][footer][trailer: 32 bytes]
//
//   header   0  magic "VDBCOL01"            8 bytes
//            8  format version              u32 (kFormatVersion)
//           12  data type                   u8  (DataType, Milvus numbering)
//           13  element type                u8  (arrays; else 0)
//           14  layout                      u8  (ColumnLayout)
//           15  flags                       u8  (bit 0: nullable)
//           16  field id                    i64
//           24  dim                         i64 (dense vectors; else 0)
//           32  row count                   u64
//           40  reserved, zero              20 bytes
//           60  masked crc32c of bytes 0..59
//
//   Blocks follow the header back to back (block 0 at offset 64, block i+1 where block i ends),
//   each holding a run of whole rows. Their payload ("raw" bytes) by layout:
//     kFixed        (Bool as one byte 0/1, Int8..Int64, Float, Double):
//                   [validity bitmap][row_count values of the type's width]
//     kVariable     (VarChar, JSON, Array, SparseFloatVector):
//                   [validity bitmap][row_count u32 byte lengths][the rows' bytes, concatenated]
//     kDenseVector  (Float/Binary/Float16/BFloat16 vectors): row_count * row_bytes, nothing else.
//   The validity bitmap is present only for nullable fields: ceil(row_count / 8) bytes, bit i
//   (LSB first) set when row i holds a value. A null row still occupies its slot (zero bytes for
//   fixed widths, an empty row for variable ones) so offsets stay simple.
//   Variable rows: VarChar and JSON are their bytes; an Array row is its elements back to back,
//   raw values for fixed-width element types, varint-length-prefixed strings for VarChar; a
//   sparse vector row is (u32 index, f32 value) pairs.
//   kFixed and kVariable blocks are stored zstd-compressed (codec kZstd) unless that would not
//   make them smaller (codec kNone). kDenseVector blocks are always stored raw: since the header
//   is 64 bytes and blocks are contiguous, the file holds all n * row_bytes vector bytes as one
//   64-byte-aligned run starting at offset 64, which a reader can memory-map and hand out as a
//   const float* (a page-aligned mapping + 64). Blocks are sized to ~target_block_bytes of raw
//   data (1 MiB by default): small enough that reading a row range costs little over-read, big
//   enough for zstd to do well.
//
//   footer   block count                    u32
//            per block (33 bytes): first row u64, row count u32, file offset u64,
//              stored size u32, raw size u32, masked crc32c of the stored bytes u32, codec u8
//            null count                     u64
//   trailer  0  footer offset               u64
//            8  footer size                 u64
//           16  masked crc32c of the footer u32
//           20  masked crc32c of trailer bytes 0..19
//           24  magic "VDBCOL01"            8 bytes
//
//   A reader fetches the trailer (a ranged get of the last 32 bytes, the object size coming from
//   the manifest), then the footer, then exactly the blocks covering the rows it wants; it never
//   touches the rest. It checks that blocks tile [64, footer offset) and rows [0, row count)
//   with no gap or overlap, that raw sizes match the layout, and each block's CRC.
//
// ---- Blob files ("deletes.bin", "stats.bin") ----------------------------------------------
//
//   0  magic ("VDBDEL01" / "VDBSTA01")  8 bytes
//   8  format version                   u32
//  12  codec                            u8, then 3 zero bytes
//  16  raw size                         u64
//  24  stored size                      u64
//  32  payload                          stored size bytes (zstd unless that does not shrink it)
//  ..  masked crc32c of every byte before it
//   Small files read whole, so one CRC over everything is enough.
//
//   deletes payload: key type u8 (DataType kInt64 or kVarChar), count varint64, then per entry
//     sorted by (key, timestamp): Int64 key fixed64 or VarChar key length-prefixed, timestamp
//     fixed64.
//   stats payload: row count varint64; key type u8; has key range u8; [min key, max key];
//     bloom filter length-prefixed (see bloom_filter.h); field count varint32; per field:
//     field id varsint64, type u8, null count varint64, min/max kind u8 (0 none, 1 int64,
//     2 double), [min, max as fixed64 (int64, or double bits)].
//
// ---- Manifest ("manifest.json") -----------------------------------------------------------
//
//   Pretty-printed JSON (two-space indent, keys sorted) so an operator can read it:
//   {"checksum": <crc32c of the compact dump of everything else>, "format_version": 1,
//    "segment_id", "collection_id", "partition_id", "row_count", "min_timestamp",
//    "max_timestamp", "schema": {...}, "files": [{"kind", "field_id", "key", "size",
//    "crc32c"}]}. File keys are relative to the segment prefix. The reader re-serialises what it
//   parsed and requires the exact bytes back, and the checksum, so no edit goes unnoticed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vdb::segment {

constexpr uint32_t kFormatVersion = 1;

constexpr std::string_view kColumnMagic{"VDBCOL01", 8};
constexpr std::string_view kDeletesMagic{"VDBDEL01", 8};
constexpr std::string_view kStatsMagic{"VDBSTA01", 8};

constexpr size_t kColumnHeaderSize = 64;
constexpr size_t kColumnTrailerSize = 32;
constexpr size_t kBlockIndexEntrySize = 33;
constexpr size_t kBlobHeaderSize = 32;
constexpr size_t kBlobTrailerSize = 4;
// Dense vector data starts at this alignment (the header size), for SIMD-friendly mapping.
constexpr size_t kVectorAlignment = 64;
static_assert(kColumnHeaderSize % kVectorAlignment == 0);

constexpr uint64_t kDefaultTargetBlockBytes = uint64_t{1} << 20;

enum class ColumnLayout : uint8_t { kFixed = 1, kVariable = 2, kDenseVector = 3 };
enum class BlockCodec : uint8_t { kNone = 0, kZstd = 1 };

constexpr std::string_view kManifestKey = "manifest.json";
constexpr std::string_view kTimestampsKey = "timestamps.col";
constexpr std::string_view kDeletesKey = "deletes.bin";
constexpr std::string_view kStatsKey = "stats.bin";

}  // namespace vdb::segment
