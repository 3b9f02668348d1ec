#include "segment/column_file.h"

#include <algorithm>

#include "common/check.h"
#include "common/coding.h"
#include "common/compression.h"
#include "common/crc32c.h"
#include "storage/object_store.h"

namespace vdb::segment {
namespace {

ColumnLayout LayoutOf(DataType type) {
  if (IsFixedWidth(type)) return ColumnLayout::kFixed;
  if (IsDenseVector(type)) return ColumnLayout::kDenseVector;
  return ColumnLayout::kVariable;
}

size_t BitmapBytes(uint64_t rows) { return static_cast<size_t>((rows + 7) / 8); }

// Bits [begin, begin + count) of an LSB-first bitmap, re-based to start at bit 0.
void AppendBits(std::string_view bits, size_t begin, size_t count, std::string* out) {
  size_t start = out->size();
  out->append(BitmapBytes(count), '\0');
  for (size_t i = 0; i < count; ++i) {
    size_t b = begin + i;
    if (static_cast<uint8_t>(bits[b / 8]) >> (b % 8) & 1) {
      (*out)[start + i / 8] = static_cast<char>((*out)[start + i / 8] | (1 << (i % 8)));
    }
  }
}

// The raw payload of rows [begin, end) of a fixed or variable column.
std::string BlockPayload(const ColumnData& column, size_t begin, size_t end) {
  std::string raw;
  size_t count = end - begin;
  if (column.nullable()) AppendBits(column.validity(), begin, count, &raw);
  if (!column.is_variable()) {
    raw.append(column.values().substr(begin * column.row_width(), count * column.row_width()));
    return raw;
  }
  const auto& offsets = column.offsets();
  for (size_t r = begin; r < end; ++r) {
    uint64_t len = offsets[r + 1] - offsets[r];
    VDB_CHECK(len <= UINT32_MAX);
    PutFixed32(&raw, static_cast<uint32_t>(len));
  }
  raw.append(column.values().substr(offsets[begin], offsets[end] - offsets[begin]));
  return raw;
}

// Where each block ends: rows are grouped until their raw bytes reach the target.
std::vector<size_t> BlockEnds(const ColumnData& column, uint64_t target_bytes) {
  std::vector<size_t> ends;
  target_bytes = std::clamp<uint64_t>(target_bytes, 1, uint64_t{1} << 30);
  uint64_t acc = 0;
  for (size_t r = 0; r < column.size(); ++r) {
    acc += column.is_variable() ? 4 + column.RowBytes(r).size() : column.row_width();
    if (acc >= target_bytes) {
      ends.push_back(r + 1);
      acc = 0;
    }
  }
  if (ends.empty() ? column.size() > 0 : ends.back() != column.size()) {
    ends.push_back(column.size());
  }
  return ends;
}

void PutBlockInfo(std::string* out, const BlockInfo& b) {
  PutFixed64(out, b.first_row);
  PutFixed32(out, b.row_count);
  PutFixed64(out, b.offset);
  PutFixed32(out, b.stored_size);
  PutFixed32(out, b.raw_size);
  PutFixed32(out, b.masked_crc);
  PutFixed8(out, static_cast<uint8_t>(b.codec));
}

}  // namespace

ColumnFileSpec SpecForField(const FieldSchema& field, uint64_t row_count, uint64_t file_size) {
  return ColumnFileSpec{field.id,       field.type, field.element_type, field.dim,
                        field.nullable, row_count,  file_size};
}

std::string EncodeColumnFile(FieldId field_id, const ColumnData& column,
                             const ColumnFileOptions& options) {
  ColumnLayout layout = LayoutOf(column.type());
  std::string out;
  out.append(kColumnMagic);
  PutFixed32(&out, kFormatVersion);
  PutFixed8(&out, static_cast<uint8_t>(column.type()));
  PutFixed8(&out, static_cast<uint8_t>(column.element_type()));
  PutFixed8(&out, static_cast<uint8_t>(layout));
  PutFixed8(&out, column.nullable() ? 1 : 0);
  PutFixed64(&out, static_cast<uint64_t>(field_id.value()));
  PutFixed64(&out, static_cast<uint64_t>(column.dim()));
  PutFixed64(&out, column.size());
  out.append(kColumnHeaderSize - 4 - out.size(), '\0');
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out)));
  VDB_DCHECK(out.size() == kColumnHeaderSize);

  std::vector<size_t> ends = BlockEnds(column, options.target_block_bytes);
  if (layout == ColumnLayout::kDenseVector) {
    // Exact size, so hundreds of megabytes of vectors are never copied by a reallocation.
    out.reserve(kColumnHeaderSize + column.values().size() + 12 +
                ends.size() * kBlockIndexEntrySize + kColumnTrailerSize);
  }
  std::vector<BlockInfo> blocks;
  size_t begin = 0;
  for (size_t end : ends) {
    BlockInfo b;
    b.first_row = begin;
    b.row_count = static_cast<uint32_t>(end - begin);
    b.offset = out.size();
    size_t stored_start = out.size();
    if (layout == ColumnLayout::kDenseVector) {
      std::string_view raw =
          column.values().substr(begin * column.row_width(), (end - begin) * column.row_width());
      out.append(raw);
      b.raw_size = static_cast<uint32_t>(raw.size());
    } else {
      std::string raw = BlockPayload(column, begin, end);
      std::string packed = ZstdCompress(raw, options.zstd_level);
      b.raw_size = static_cast<uint32_t>(raw.size());
      if (packed.size() < raw.size()) {
        b.codec = BlockCodec::kZstd;
        out.append(packed);
      } else {
        out.append(raw);
      }
    }
    b.stored_size = static_cast<uint32_t>(out.size() - stored_start);
    b.masked_crc = crc32c::Mask(crc32c::Value(out.data() + stored_start, b.stored_size));
    blocks.push_back(b);
    begin = end;
  }

  std::string footer;
  PutFixed32(&footer, static_cast<uint32_t>(blocks.size()));
  for (const auto& b : blocks) PutBlockInfo(&footer, b);
  PutFixed64(&footer, column.null_count());
  uint64_t footer_offset = out.size();
  out.append(footer);

  std::string trailer;
  PutFixed64(&trailer, footer_offset);
  PutFixed64(&trailer, footer.size());
  PutFixed32(&trailer, crc32c::Mask(crc32c::Value(footer)));
  PutFixed32(&trailer, crc32c::Mask(crc32c::Value(trailer)));
  trailer.append(kColumnMagic);
  VDB_DCHECK(trailer.size() == kColumnTrailerSize);
  out.append(trailer);
  return out;
}

Status ColumnFileReader::Corrupt(const std::string& why) const {
  return Status::Corruption("column file " + key_ + ": " + why);
}

Result<std::unique_ptr<ColumnFileReader>> ColumnFileReader::Open(storage::ObjectStore* store,
                                                                 std::string key,
                                                                 const ColumnFileSpec& spec) {
  std::unique_ptr<ColumnFileReader> r(new ColumnFileReader(store, std::move(key), spec));
  r->layout_ = LayoutOf(spec.type);
  r->row_width_ =
      IsFixedWidth(spec.type) ? ElementWidth(spec.type) : VectorRowBytes(spec.type, spec.dim);
  if (spec.file_size < kColumnHeaderSize + kColumnTrailerSize) {
    return r->Corrupt("truncated: " + std::to_string(spec.file_size) + " bytes");
  }
  VDB_ASSIGN_OR_RETURN(std::string header, store->GetRange(r->key_, 0, kColumnHeaderSize));
  if (header.size() != kColumnHeaderSize) return r->Corrupt("truncated header");
  VDB_RETURN_IF_ERROR(r->ParseHeader(header));
  VDB_ASSIGN_OR_RETURN(
      std::string trailer,
      store->GetRange(r->key_, spec.file_size - kColumnTrailerSize, kColumnTrailerSize));
  if (trailer.size() != kColumnTrailerSize) return r->Corrupt("truncated trailer");
  VDB_RETURN_IF_ERROR(r->ParseFooter(trailer, store));
  VDB_RETURN_IF_ERROR(r->CheckBlocks());
  return r;
}

Status ColumnFileReader::ParseHeader(std::string_view h) const {
  if (h.substr(0, 8) != kColumnMagic) return Corrupt("bad magic in header");
  uint32_t stored = DecodeFixed32(h.data() + 60);
  if (crc32c::Unmask(stored) != crc32c::Value(h.data(), 60)) return Corrupt("bad header checksum");
  uint32_t version = DecodeFixed32(h.data() + 8);
  if (version != kFormatVersion) {
    return Corrupt("unknown format version " + std::to_string(version));
  }
  auto type = static_cast<DataType>(static_cast<uint8_t>(h[12]));
  auto element_type = static_cast<DataType>(static_cast<uint8_t>(h[13]));
  auto layout = static_cast<ColumnLayout>(static_cast<uint8_t>(h[14]));
  bool nullable = (h[15] & 1) != 0;
  auto field_id = static_cast<int64_t>(DecodeFixed64(h.data() + 16));
  auto dim = static_cast<int64_t>(DecodeFixed64(h.data() + 24));
  uint64_t rows = DecodeFixed64(h.data() + 32);
  int64_t expected_dim = IsDenseVector(spec_.type) ? spec_.dim : 0;
  if (type != spec_.type || element_type != spec_.element_type || layout != layout_ ||
      nullable != spec_.nullable || (h[15] & ~1) != 0 || field_id != spec_.field_id.value() ||
      dim != expected_dim) {
    return Corrupt("header (field " + std::to_string(field_id) + ", type " +
                   std::to_string(static_cast<int>(type)) + ", dim " + std::to_string(dim) +
                   ") does not match field " + spec_.field_id.ToString() + " of the manifest");
  }
  if (rows != spec_.row_count) {
    return Corrupt("holds " + std::to_string(rows) + " rows, manifest says " +
                   std::to_string(spec_.row_count));
  }
  return Status::OK();
}

Status ColumnFileReader::ParseFooter(std::string_view t, storage::ObjectStore* store) {
  if (t.substr(24, 8) != kColumnMagic) return Corrupt("bad magic in trailer");
  if (crc32c::Unmask(DecodeFixed32(t.data() + 20)) != crc32c::Value(t.data(), 20)) {
    return Corrupt("bad trailer checksum");
  }
  footer_offset_ = DecodeFixed64(t.data());
  uint64_t footer_size = DecodeFixed64(t.data() + 8);
  uint32_t footer_crc = crc32c::Unmask(DecodeFixed32(t.data() + 16));
  uint64_t body_end = spec_.file_size - kColumnTrailerSize;
  if (footer_offset_ < kColumnHeaderSize || footer_size > body_end ||
      footer_offset_ != body_end - footer_size || footer_size < 12) {
    return Corrupt("footer at offset " + std::to_string(footer_offset_) + " size " +
                   std::to_string(footer_size) + " does not fit the file");
  }
  VDB_ASSIGN_OR_RETURN(std::string footer, store->GetRange(key_, footer_offset_, footer_size));
  if (footer.size() != footer_size) return Corrupt("truncated footer");
  if (crc32c::Value(footer) != footer_crc) {
    return Corrupt("bad footer checksum at offset " + std::to_string(footer_offset_));
  }
  uint32_t count = DecodeFixed32(footer.data());
  if (footer_size != 4 + uint64_t{count} * kBlockIndexEntrySize + 8) {
    return Corrupt("footer of " + std::to_string(footer_size) + " bytes for " +
                   std::to_string(count) + " blocks");
  }
  blocks_.resize(count);
  const char* p = footer.data() + 4;
  for (auto& b : blocks_) {
    b.first_row = DecodeFixed64(p);
    b.row_count = DecodeFixed32(p + 8);
    b.offset = DecodeFixed64(p + 12);
    b.stored_size = DecodeFixed32(p + 20);
    b.raw_size = DecodeFixed32(p + 24);
    b.masked_crc = DecodeFixed32(p + 28);
    b.codec = static_cast<BlockCodec>(static_cast<uint8_t>(p[32]));
    p += kBlockIndexEntrySize;
  }
  null_count_ = DecodeFixed64(p);
  return Status::OK();
}

Status ColumnFileReader::CheckBlocks() const {
  uint64_t next_row = 0, next_offset = kColumnHeaderSize;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const BlockInfo& b = blocks_[i];
    std::string where = "block " + std::to_string(i);
    if (b.first_row != next_row || b.row_count == 0 || b.offset != next_offset) {
      return Corrupt(where + " at offset " + std::to_string(b.offset) +
                     " does not follow the previous block");
    }
    uint64_t validity = spec_.nullable ? BitmapBytes(b.row_count) : 0;
    bool sizes_ok = false;
    switch (layout_) {
      case ColumnLayout::kDenseVector:
        sizes_ok = b.codec == BlockCodec::kNone && b.raw_size == uint64_t{b.row_count} * row_width_;
        break;
      case ColumnLayout::kFixed:
        sizes_ok = b.raw_size == validity + uint64_t{b.row_count} * row_width_;
        break;
      case ColumnLayout::kVariable:
        sizes_ok = b.raw_size >= validity + uint64_t{b.row_count} * 4;
        break;
    }
    if (b.codec != BlockCodec::kNone && b.codec != BlockCodec::kZstd) sizes_ok = false;
    if (b.codec == BlockCodec::kNone && b.stored_size != b.raw_size) sizes_ok = false;
    if (!sizes_ok) return Corrupt(where + ": sizes do not match the column's layout");
    next_row += b.row_count;
    next_offset += b.stored_size;
  }
  if (next_row != spec_.row_count) {
    return Corrupt("blocks hold " + std::to_string(next_row) + " rows, header says " +
                   std::to_string(spec_.row_count));
  }
  if (next_offset != footer_offset_) return Corrupt("blocks do not end where the footer starts");
  if (null_count_ > spec_.row_count || (!spec_.nullable && null_count_ != 0)) {
    return Corrupt("null count " + std::to_string(null_count_) + " is impossible");
  }
  return Status::OK();
}

Result<ColumnData> ColumnFileReader::ReadRows(uint64_t row_begin, uint64_t row_end) const {
  if (row_begin > row_end || row_end > spec_.row_count) {
    return Status::InvalidArgument("column file " + key_ + ": rows [" + std::to_string(row_begin) +
                                   ", " + std::to_string(row_end) + ") outside [0, " +
                                   std::to_string(spec_.row_count) + ")");
  }
  ColumnData out(spec_.type, spec_.dim, spec_.nullable, spec_.element_type);
  if (row_begin == row_end) return out;
  auto after = [](uint64_t row, const BlockInfo& b) { return row < b.first_row; };
  size_t first =
      std::upper_bound(blocks_.begin(), blocks_.end(), row_begin, after) - blocks_.begin() - 1;
  size_t last =
      std::upper_bound(blocks_.begin(), blocks_.end(), row_end - 1, after) - blocks_.begin() - 1;
  uint64_t offset = blocks_[first].offset;
  uint64_t length = blocks_[last].offset + blocks_[last].stored_size - offset;
  VDB_ASSIGN_OR_RETURN(std::string bytes, store_->GetRange(key_, offset, length));
  if (bytes.size() != length) {
    return Corrupt("truncated: block " + std::to_string(last) + " ends past the object");
  }
  if (row_width_ != 0) out.Reserve(row_end - row_begin, (row_end - row_begin) * row_width_);
  for (size_t i = first; i <= last; ++i) {
    std::string_view stored(bytes.data() + (blocks_[i].offset - offset), blocks_[i].stored_size);
    VDB_RETURN_IF_ERROR(DecodeBlock(i, stored, row_begin, row_end, &out));
  }
  VDB_RETURN_IF_ERROR(out.ValidateRows("column file " + key_));
  return out;
}

Status ColumnFileReader::DecodeBlock(size_t index, std::string_view stored, uint64_t row_begin,
                                     uint64_t row_end, ColumnData* out) const {
  const BlockInfo& b = blocks_[index];
  std::string where = "block " + std::to_string(index) + " at offset " + std::to_string(b.offset);
  if (crc32c::Unmask(b.masked_crc) != crc32c::Value(stored)) {
    return Corrupt("bad checksum in " + where);
  }
  std::string decompressed;
  std::string_view raw = stored;
  if (b.codec == BlockCodec::kZstd) {
    VDB_ASSIGN_OR_RETURN(decompressed,
                         ZstdDecompress(stored, b.raw_size, "column file " + key_ + " " + where));
    raw = decompressed;
  }
  uint64_t begin = std::max(row_begin, b.first_row) - b.first_row;
  uint64_t end = std::min<uint64_t>(row_end, b.first_row + b.row_count) - b.first_row;
  std::string_view validity;
  if (spec_.nullable) {
    validity = raw.substr(0, BitmapBytes(b.row_count));
    raw.remove_prefix(validity.size());
  }
  auto valid = [&](uint64_t r) {
    return validity.empty() || (static_cast<uint8_t>(validity[r / 8]) >> (r % 8) & 1) != 0;
  };
  if (layout_ != ColumnLayout::kVariable) {
    if (!spec_.nullable) {
      out->AppendRawFixedRows(raw.substr(begin * row_width_, (end - begin) * row_width_),
                              end - begin, nullptr);
      return Status::OK();
    }
    for (uint64_t r = begin; r < end; ++r) {
      out->AppendRawRow(raw.substr(r * row_width_, row_width_), valid(r));
    }
    return Status::OK();
  }
  std::string_view lengths = raw.substr(0, uint64_t{b.row_count} * 4);
  std::string_view data = raw.substr(lengths.size());
  uint64_t total = 0, skip = 0;
  for (uint64_t r = 0; r < b.row_count; ++r) {
    uint64_t len = DecodeFixed32(lengths.data() + r * 4);
    if (r < begin) skip += len;
    total += len;
  }
  if (total != data.size()) {
    return Corrupt(where + ": row lengths sum to " + std::to_string(total) +
                   " bytes, block holds " + std::to_string(data.size()));
  }
  data.remove_prefix(skip);
  for (uint64_t r = begin; r < end; ++r) {
    uint64_t len = DecodeFixed32(lengths.data() + r * 4);
    out->AppendRawRow(data.substr(0, len), valid(r));
    data.remove_prefix(len);
  }
  return Status::OK();
}

Result<std::string_view> ColumnFileReader::VectorBytes(std::string_view file) const {
  if (layout_ != ColumnLayout::kDenseVector) {
    return Status::InvalidArgument("column file " + key_ + " does not hold dense vectors");
  }
  if (file.size() != spec_.file_size) {
    return Corrupt("object is " + std::to_string(file.size()) + " bytes, manifest says " +
                   std::to_string(spec_.file_size));
  }
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const BlockInfo& b = blocks_[i];
    if (crc32c::Unmask(b.masked_crc) != crc32c::Value(file.data() + b.offset, b.stored_size)) {
      return Corrupt("bad checksum in block " + std::to_string(i) + " at offset " +
                     std::to_string(b.offset));
    }
  }
  return file.substr(kColumnHeaderSize, spec_.row_count * row_width_);
}

}  // namespace vdb::segment
