// Column files (byte layout in format.h): EncodeColumnFile turns a ColumnData into the bytes of
// one "<field_id>.col" object; ColumnFileReader reads row ranges of such an object with ranged
// gets, touching only the blocks it needs. A ColumnFileReader is immutable once opened and safe
// to use from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "segment/column_data.h"
#include "segment/format.h"

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::segment {

struct ColumnFileOptions {
  uint64_t target_block_bytes = kDefaultTargetBlockBytes;
  int zstd_level = 3;
};

// The column file of `column` for field `field_id`.
// REQUIRES: every variable row is shorter than 4 GiB.
std::string EncodeColumnFile(FieldId field_id, const ColumnData& column,
                             const ColumnFileOptions& options);

// What a column file is expected to hold; anything else is kCorruption.
struct ColumnFileSpec {
  FieldId field_id;
  DataType type = DataType::kNone;
  DataType element_type = DataType::kNone;
  int64_t dim = 0;
  bool nullable = false;
  uint64_t row_count = 0;
  uint64_t file_size = 0;
};
ColumnFileSpec SpecForField(const FieldSchema& field, uint64_t row_count, uint64_t file_size);

struct BlockInfo {
  uint64_t first_row = 0;
  uint32_t row_count = 0;
  uint64_t offset = 0;
  uint32_t stored_size = 0;
  uint32_t raw_size = 0;
  uint32_t masked_crc = 0;
  BlockCodec codec = BlockCodec::kNone;
};

class ColumnFileReader {
 public:
  // Reads and checks the header, trailer and footer of object `key`. `store` must outlive the
  // reader. kCorruption naming the key when the object does not match `spec` or is damaged.
  static Result<std::unique_ptr<ColumnFileReader>> Open(storage::ObjectStore* store,
                                                        std::string key,
                                                        const ColumnFileSpec& spec);
  ColumnFileReader(const ColumnFileReader&) = delete;
  ColumnFileReader& operator=(const ColumnFileReader&) = delete;

  const std::string& key() const { return key_; }
  uint64_t row_count() const { return spec_.row_count; }
  uint64_t null_count() const { return null_count_; }
  const std::vector<BlockInfo>& blocks() const { return blocks_; }

  // Rows [row_begin, row_end), fetched with one ranged get of the blocks that hold them.
  // kInvalidArgument when the range is outside [0, row_count()); kCorruption on damage.
  Result<ColumnData> ReadRows(uint64_t row_begin, uint64_t row_end) const;

  // Dense vectors: checks every block of `file` (the whole object, e.g. a mapping) against its
  // CRC and returns the row_count * row_bytes vector bytes, which start at offset 64.
  Result<std::string_view> VectorBytes(std::string_view file) const;

 private:
  ColumnFileReader(storage::ObjectStore* store, std::string key, const ColumnFileSpec& spec)
      : store_(store), key_(std::move(key)), spec_(spec) {}
  Status ParseHeader(std::string_view header) const;
  Status ParseFooter(std::string_view trailer, storage::ObjectStore* store);
  Status CheckBlocks() const;
  Status DecodeBlock(size_t index, std::string_view stored, uint64_t row_begin, uint64_t row_end,
                     ColumnData* out) const;
  Status Corrupt(const std::string& why) const;

  storage::ObjectStore* store_;
  std::string key_;
  ColumnFileSpec spec_;
  ColumnLayout layout_ = ColumnLayout::kFixed;
  size_t row_width_ = 0;
  uint64_t footer_offset_ = 0;
  uint64_t null_count_ = 0;
  std::vector<BlockInfo> blocks_;
};

}  // namespace vdb::segment
