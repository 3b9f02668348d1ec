#include "query/sealed_segment.h"

#include <utility>

#include "index/brute_force.h"
#include "index/metric.h"
#include "index/vector_index.h"
#include "segment/growing_segment.h"
#include "segment/segment_reader.h"
#include "storage/object_store.h"

namespace vdb::query {
namespace {

constexpr int kDefaultEf = 64;

std::string Name(const rpc::SegmentInfo& info) { return "segment " + info.id.ToString(); }

}  // namespace

SealedSegment::SealedSegment(rpc::SegmentInfo info, std::unique_ptr<segment::SegmentReader> reader)
    : info_(std::move(info)), reader_(std::move(reader)) {}

SealedSegment::~SealedSegment() = default;

const CollectionSchema& SealedSegment::schema() const { return reader_->schema(); }

Result<std::shared_ptr<SealedSegment>> SealedSegment::Load(storage::ObjectStore* store,
                                                           const rpc::SegmentInfo& info) {
  VDB_ASSIGN_OR_RETURN(auto reader, segment::SegmentReader::Open(store, info.object_prefix));
  std::shared_ptr<SealedSegment> seg(new SealedSegment(info, std::move(reader)));
  VDB_RETURN_IF_ERROR(seg->ReadKeys());
  VDB_RETURN_IF_ERROR(seg->reader_->ReadStats().status());
  for (const FieldSchema& field : seg->schema().fields) {
    if (field.type != DataType::kFloatVector) continue;
    VDB_ASSIGN_OR_RETURN(auto vectors, seg->reader_->MapFloatVectors(field.id));
    if (vectors->rows() != seg->rows()) {
      return Status::Corruption(Name(info) + ": field " + field.name + " holds " +
                                std::to_string(vectors->rows()) + " vectors for " +
                                std::to_string(seg->rows()) + " rows");
    }
    seg->vectors_.emplace(field.id, std::move(vectors));
  }
  return seg;
}

Status SealedSegment::ReadKeys() {
  const FieldSchema* pk_field = schema().PrimaryKeyField();
  if (pk_field == nullptr) return Status::Corruption(Name(info_) + ": no primary key field");
  VDB_ASSIGN_OR_RETURN(segment::ColumnData keys, reader_->ReadColumn(pk_field->id));
  VDB_ASSIGN_OR_RETURN(timestamps_, reader_->ReadTimestamps());
  if (keys.size() != reader_->row_count() || timestamps_.size() != keys.size()) {
    return Status::Corruption(Name(info_) + ": " + std::to_string(keys.size()) + " keys and " +
                              std::to_string(timestamps_.size()) + " timestamps for " +
                              std::to_string(reader_->row_count()) + " rows");
  }
  const bool int_keys = pk_field->type == DataType::kInt64;
  pk_index_.Reserve(keys.size(), int_keys);
  for (size_t row = 0; row < keys.size(); ++row) {
    pk_index_.Add(segment::PrimaryKeyAt(keys, row), static_cast<uint32_t>(row));
  }
  keys_ = std::move(keys);
  return Status::OK();
}

PrimaryKey SealedSegment::pk(size_t row) const { return segment::PrimaryKeyAt(keys_, row); }

std::shared_ptr<const index::VectorIndex> SealedSegment::index(FieldId field) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = indexes_.find(field);
  return it == indexes_.end() ? nullptr : it->second.index;
}

std::string SealedSegment::index_key(FieldId field) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = indexes_.find(field);
  return it == indexes_.end() ? std::string() : it->second.key;
}

size_t SealedSegment::index_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return indexes_.size();
}

Status SealedSegment::LoadIndex(storage::ObjectStore* store, FieldId field,
                                const std::string& key) {
  auto vectors = vectors_.find(field);
  if (vectors == vectors_.end()) {
    return Status::InvalidArgument(Name(info_) + ": field " + field.ToString() +
                                   " is not a FloatVector field");
  }
  VDB_ASSIGN_OR_RETURN(std::string bytes, store->Get(key));
  auto loaded = index::VectorIndex::Load(bytes);
  if (!loaded.ok()) return loaded.status().WithContext("index " + key);
  std::shared_ptr<const index::VectorIndex> idx(std::move(*loaded));
  if (idx->size() != static_cast<int64_t>(rows()) || idx->d() != vectors->second->dim()) {
    return Status::Corruption("index " + key + " holds " + std::to_string(idx->size()) +
                              " vectors of dim " + std::to_string(idx->d()) + ", " + Name(info_) +
                              " has " + std::to_string(rows()) + " of dim " +
                              std::to_string(vectors->second->dim()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  indexes_[field] = InstalledIndex{key, std::move(idx)};
  return Status::OK();
}

Status SealedSegment::Search(const rpc::SearchRequest& request, const index::RowFilter& filter,
                             std::vector<std::vector<rpc::SearchHit>>* hits) const {
  auto vectors = vectors_.find(request.field_id);
  if (vectors == vectors_.end()) {
    return Status::InvalidArgument(Name(info_) + ": field " + request.field_id.ToString() +
                                   " is not a FloatVector field");
  }
  const auto metric = static_cast<index::Metric>(request.metric);
  const int k = static_cast<int>(request.k);
  index::SearchResults results;
  std::shared_ptr<const index::VectorIndex> idx = index(request.field_id);
  if (idx != nullptr && idx->metric() == metric) {
    index::SearchParams params;
    params.ef = request.ef > 0 ? static_cast<int>(request.ef) : kDefaultEf;
    VDB_RETURN_IF_ERROR(
        idx->Search(request.nq, request.vectors.data(), k, params, &filter, &results));
  } else {
    const segment::VectorData& data = *vectors->second;
    index::FloatVectors base{data.floats(), static_cast<int64_t>(data.rows()),
                             static_cast<int>(data.dim()), nullptr};
    index::BruteForceParams params;
    params.metric = metric;
    params.k = k;
    params.filter = &filter;
    VDB_RETURN_IF_ERROR(
        index::BruteForceSearch(base, request.nq, request.vectors.data(), params, &results));
  }
  hits->resize(static_cast<size_t>(request.nq));
  for (int64_t q = 0; q < request.nq; ++q) {
    for (int j = 0; j < k; ++j) {
      const int64_t row = results.rows_of(q)[j];
      if (row < 0) break;
      const auto r = static_cast<size_t>(row);
      (*hits)[static_cast<size_t>(q)].push_back(
          rpc::SearchHit{pk(r), results.distances_of(q)[j], timestamps_[r], info_.id, row});
    }
  }
  return Status::OK();
}

std::shared_ptr<const std::vector<uint64_t>> SealedSegment::Visibility(
    const segment::DeleteBuffer& deletes, uint64_t deletes_version, Timestamp read_ts) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (visibility_.words != nullptr && visibility_.deletes_version == deletes_version &&
        visibility_.read_ts == read_ts) {
      return visibility_.words;
    }
  }
  auto words = std::make_shared<std::vector<uint64_t>>();
  deletes.BuildVisibility(pk_index_, timestamps_.data(), rows(), read_ts, words.get());
  std::lock_guard<std::mutex> lock(mu_);
  visibility_ = CachedVisibility{deletes_version, read_ts, words};
  return words;
}

Result<std::shared_ptr<const segment::ColumnData>> SealedSegment::Column(FieldId field) const {
  const FieldSchema* pk_field = schema().PrimaryKeyField();
  if (pk_field != nullptr && pk_field->id == field) {
    // Already decoded: share it without a copy (the segment outlives every read holding it).
    return std::shared_ptr<const segment::ColumnData>(std::shared_ptr<void>(), &keys_);
  }
  std::lock_guard<std::mutex> lock(columns_mu_);
  auto it = columns_.find(field);
  if (it != columns_.end()) return it->second;
  VDB_ASSIGN_OR_RETURN(segment::ColumnData column, reader_->ReadColumn(field));
  if (column.size() != rows()) {
    return Status::Corruption(Name(info_) + ": field " + field.ToString() + " holds " +
                              std::to_string(column.size()) + " values for " +
                              std::to_string(rows()) + " rows");
  }
  auto shared = std::make_shared<const segment::ColumnData>(std::move(column));
  columns_.emplace(field, shared);
  return shared;
}

Status SealedSegment::AppendRow(FieldId field, size_t row, segment::ColumnData* out) const {
  if (row >= rows()) {
    return Status::InvalidArgument(Name(info_) + ": row " + std::to_string(row) + " of " +
                                   std::to_string(rows()));
  }
  auto vectors = vectors_.find(field);
  if (vectors != vectors_.end()) {
    out->AppendFloatVector(vectors->second->floats() +
                           row * static_cast<size_t>(vectors->second->dim()));
    return Status::OK();
  }
  VDB_ASSIGN_OR_RETURN(std::shared_ptr<const segment::ColumnData> column, Column(field));
  out->AppendRows(*column, row, 1);
  return Status::OK();
}

Result<std::vector<segment::DeleteRecord>> SealedSegment::ReadDeletes() const {
  return reader_->ReadDeletes();
}

}  // namespace vdb::query
