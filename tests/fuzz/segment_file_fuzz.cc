// Fuzzes the sealed-segment readers: the input's first byte picks what it is — a column file of
// one of a few field shapes, a delete file, a stats file or a manifest — and the rest is put in
// an in-memory object store and read. Any outcome but a crash or a sanitizer report is fine.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/coding.h"
#include "common/env.h"
#include "segment/column_file.h"
#include "segment/delete_file.h"
#include "segment/format.h"
#include "segment/manifest.h"
#include "segment/segment_stats.h"
#include "storage/object_store.h"

namespace {

using vdb::DataType;
using vdb::FieldId;

vdb::segment::ColumnFileSpec SpecFor(uint8_t selector, uint64_t size) {
  vdb::segment::ColumnFileSpec spec;
  spec.field_id = FieldId(100 + selector % 6);
  spec.file_size = size;
  switch (selector % 6) {
    case 0:
      spec.type = DataType::kInt64;
      break;
    case 1:
      spec.type = DataType::kVarChar;
      spec.nullable = true;
      break;
    case 2:
      spec.type = DataType::kFloatVector;
      spec.dim = 4;
      break;
    case 3:
      spec.type = DataType::kArray;
      spec.element_type = DataType::kVarChar;
      break;
    case 4:
      spec.type = DataType::kSparseFloatVector;
      break;
    default:
      spec.type = DataType::kInt32;
      spec.nullable = true;
      break;
  }
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t selector = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (selector >> 5) {
    case 0:
      (void)vdb::segment::DecodeManifest(bytes, "fuzz");
      return 0;
    case 1:
      (void)vdb::segment::DecodeDeletes(bytes, DataType::kInt64, "fuzz");
      return 0;
    case 2:
      (void)vdb::segment::DecodeDeletes(bytes, DataType::kVarChar, "fuzz");
      return 0;
    case 3:
      (void)vdb::segment::DecodeStats(bytes, "fuzz");
      return 0;
    default:
      break;
  }
  auto store = vdb::storage::NewMemoryObjectStore();
  if (!store->Put("f.col", bytes).ok()) return 0;
  // The row count comes from the header itself (at offset 32) so that valid files get read.
  auto spec = SpecFor(selector, bytes.size());
  spec.row_count = bytes.size() >= 40 ? vdb::DecodeFixed64(bytes.data() + 32) : 0;
  auto reader = vdb::segment::ColumnFileReader::Open(store.get(), "f.col", spec);
  if (!reader.ok()) return 0;
  (void)(*reader)->ReadRows(0, (*reader)->row_count());
  if ((*reader)->row_count() > 2) (void)(*reader)->ReadRows(1, (*reader)->row_count() - 1);
  if (spec.type == DataType::kFloatVector) (void)(*reader)->VectorBytes(bytes);
  return 0;
}
