#include "segment/segment_reader.h"

#include <set>

#include "common/check.h"
#include "common/crc32c.h"
#include "common/env.h"
#include "segment/column_file.h"
#include "segment/format.h"
#include "storage/object_store.h"

namespace vdb::segment {
namespace {

FieldSchema TimestampField() {
  FieldSchema f;
  f.id = FieldId(0);
  f.name = "timestamp";
  f.type = DataType::kInt64;
  return f;
}

// Every file the manifest must list, once each, with the key the writer gives it.
Status CheckFiles(const Manifest& m, std::string_view what) {
  std::set<std::string> keys;
  for (const auto& f : m.files) {
    if (!keys.insert(f.key).second || !storage::ValidateKey(f.key).ok()) {
      return Status::Corruption(std::string(what) + ": bad or duplicate file key " + f.key);
    }
  }
  auto expect = [&](std::string_view kind, FieldId id, const std::string& key) {
    const ManifestFile* f = m.FindFile(kind, id);
    if (f == nullptr || f->key != key) {
      return Status::Corruption(std::string(what) + ": no " + std::string(kind) + " file " + key);
    }
    return Status::OK();
  };
  for (const auto& field : m.schema.fields) {
    VDB_RETURN_IF_ERROR(expect("column", field.id, field.id.ToString() + ".col"));
  }
  VDB_RETURN_IF_ERROR(expect("timestamps", FieldId(0), std::string(kTimestampsKey)));
  VDB_RETURN_IF_ERROR(expect("deletes", FieldId(0), std::string(kDeletesKey)));
  VDB_RETURN_IF_ERROR(expect("stats", FieldId(0), std::string(kStatsKey)));
  if (m.files.size() != m.schema.fields.size() + 3) {
    return Status::Corruption(std::string(what) + ": unexpected files");
  }
  return Status::OK();
}

}  // namespace

VectorData::VectorData(std::unique_ptr<MappedFile> mapping, std::string owned,
                       std::string_view bytes, DataType type, int64_t dim, uint64_t rows)
    : mapping_(std::move(mapping)),
      owned_(std::move(owned)),
      bytes_(bytes),
      type_(type),
      dim_(dim),
      rows_(rows) {}

VectorData::~VectorData() = default;

const float* VectorData::floats() const {
  VDB_CHECK(type_ == DataType::kFloatVector);
  return reinterpret_cast<const float*>(bytes_.data());
}

SegmentReader::~SegmentReader() = default;

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(storage::ObjectStore* store,
                                                           std::string prefix) {
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  std::string key = prefix + std::string(kManifestKey);
  VDB_ASSIGN_OR_RETURN(std::string bytes, store->Get(key));
  std::string what = "segment manifest " + key;
  VDB_ASSIGN_OR_RETURN(Manifest m, DecodeManifest(bytes, what));
  VDB_RETURN_IF_ERROR(CheckFiles(m, what));
  return std::unique_ptr<SegmentReader>(new SegmentReader(store, std::move(prefix), std::move(m)));
}

Result<const FieldSchema*> SegmentReader::Field(FieldId field_id) const {
  const FieldSchema* field = manifest_.schema.FindField(field_id);
  if (field == nullptr) {
    return Status::NotFound("segment " + prefix_ + " has no field " + field_id.ToString());
  }
  return field;
}

Result<const ManifestFile*> SegmentReader::File(std::string_view kind, FieldId field_id) const {
  const ManifestFile* file = manifest_.FindFile(kind, field_id);
  VDB_CHECK(file != nullptr);  // CheckFiles guaranteed it at Open
  return file;
}

Result<std::shared_ptr<const ColumnFileReader>> SegmentReader::OpenColumn(
    const ManifestFile& file, const FieldSchema& field) {
  std::string key = prefix_ + file.key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = columns_.find(key);
    if (it != columns_.end()) return it->second;
  }
  // Opened outside the lock (it does I/O); a racing open of the same file is harmless.
  VDB_ASSIGN_OR_RETURN(storage::ObjectInfo info, store_->Stat(key));
  if (info.size != file.size) {
    return Status::Corruption("column file " + key + ": object is " + std::to_string(info.size) +
                              " bytes, manifest says " + std::to_string(file.size));
  }
  VDB_ASSIGN_OR_RETURN(
      std::unique_ptr<ColumnFileReader> reader,
      ColumnFileReader::Open(store_, key, SpecForField(field, manifest_.row_count, file.size)));
  std::shared_ptr<const ColumnFileReader> shared(std::move(reader));
  std::lock_guard<std::mutex> lock(mu_);
  columns_.emplace(key, shared);
  return shared;
}

Result<ColumnData> SegmentReader::ReadColumn(FieldId field_id) {
  return ReadRows(field_id, 0, manifest_.row_count);
}

Result<ColumnData> SegmentReader::ReadRows(FieldId field_id, uint64_t row_begin, uint64_t row_end) {
  VDB_ASSIGN_OR_RETURN(const FieldSchema* field, Field(field_id));
  VDB_ASSIGN_OR_RETURN(const ManifestFile* file, File("column", field_id));
  VDB_ASSIGN_OR_RETURN(auto reader, OpenColumn(*file, *field));
  return reader->ReadRows(row_begin, row_end);
}

Result<std::vector<Timestamp>> SegmentReader::ReadTimestamps() {
  VDB_ASSIGN_OR_RETURN(const ManifestFile* file, File("timestamps", FieldId(0)));
  VDB_ASSIGN_OR_RETURN(auto reader, OpenColumn(*file, TimestampField()));
  VDB_ASSIGN_OR_RETURN(ColumnData column, reader->ReadRows(0, manifest_.row_count));
  std::vector<Timestamp> out(column.size());
  for (size_t i = 0; i < column.size(); ++i) out[i] = static_cast<Timestamp>(column.GetInt(i));
  return out;
}

Result<std::unique_ptr<VectorData>> SegmentReader::MapFloatVectors(FieldId field_id) {
  VDB_ASSIGN_OR_RETURN(const FieldSchema* field, Field(field_id));
  if (!IsDenseVector(field->type)) {
    return Status::InvalidArgument("field " + field->name + " is not a dense vector field");
  }
  VDB_ASSIGN_OR_RETURN(const ManifestFile* file, File("column", field_id));
  VDB_ASSIGN_OR_RETURN(auto reader, OpenColumn(*file, *field));
  std::string key = prefix_ + file->key;
  std::unique_ptr<MappedFile> mapping;
  std::string owned;
  std::string_view whole;
  auto mapped = store_->Map(key);
  if (mapped.ok()) {
    mapping = std::move(*mapped);
    whole = mapping->data();
  } else if (mapped.status().code() == StatusCode::kNotSupported) {
    VDB_ASSIGN_OR_RETURN(owned, store_->Get(key));
    whole = owned;
  } else {
    return mapped.status();
  }
  VDB_ASSIGN_OR_RETURN(std::string_view bytes, reader->VectorBytes(whole));
  return std::make_unique<VectorData>(std::move(mapping), std::move(owned), bytes, field->type,
                                      field->dim, manifest_.row_count);
}

Result<std::string> SegmentReader::ReadWholeFile(const ManifestFile& file) {
  std::string key = prefix_ + file.key;
  VDB_ASSIGN_OR_RETURN(std::string bytes, store_->Get(key));
  if (bytes.size() != file.size) {
    return Status::Corruption(key + ": object is " + std::to_string(bytes.size()) +
                              " bytes, manifest says " + std::to_string(file.size));
  }
  if (crc32c::Value(bytes) != file.crc32c) {
    return Status::Corruption(key + ": checksum differs from the manifest's");
  }
  return bytes;
}

Result<std::vector<DeleteRecord>> SegmentReader::ReadDeletes() {
  VDB_ASSIGN_OR_RETURN(const ManifestFile* file, File("deletes", FieldId(0)));
  VDB_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(*file));
  return DecodeDeletes(bytes, manifest_.schema.PrimaryKeyField()->type,
                       "delete file " + prefix_ + file->key);
}

Result<SegmentStats> SegmentReader::ReadStats() {
  VDB_ASSIGN_OR_RETURN(const ManifestFile* file, File("stats", FieldId(0)));
  VDB_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(*file));
  std::string what = "stats file " + prefix_ + file->key;
  VDB_ASSIGN_OR_RETURN(SegmentStats stats, DecodeStats(bytes, what));
  if (stats.row_count != manifest_.row_count) {
    return Status::Corruption(what + ": " + std::to_string(stats.row_count) +
                              " rows, manifest says " + std::to_string(manifest_.row_count));
  }
  return stats;
}

Status SegmentReader::Verify() {
  for (const auto& file : manifest_.files) {
    VDB_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(file));
    (void)bytes;
  }
  return Status::OK();
}

}  // namespace vdb::segment
