#include "segment/segment_stats.h"

#include <cmath>
#include <cstring>

#include "common/coding.h"
#include "segment/blob_file.h"
#include "segment/format.h"

namespace vdb::segment {
namespace {

PrimaryKey KeyAt(const ColumnData& column, size_t row) {
  if (column.type() == DataType::kInt64) return column.GetInt(row);
  return std::string(column.GetString(row));
}

FieldStats StatsOf(const FieldSchema& field, const ColumnData& column) {
  FieldStats fs;
  fs.field_id = field.id;
  fs.type = field.type;
  fs.null_count = column.null_count();
  bool is_int = IsIntegral(field.type) || field.type == DataType::kBool;
  bool is_real = field.type == DataType::kFloat || field.type == DataType::kDouble;
  for (size_t r = 0; r < column.size(); ++r) {
    if (column.IsNull(r)) continue;
    if (is_int) {
      int64_t v = field.type == DataType::kBool ? column.GetBool(r) : column.GetInt(r);
      bool first = fs.kind == FieldStats::Kind::kNone;
      fs.kind = FieldStats::Kind::kInt;
      fs.min_int = first ? v : std::min(fs.min_int, v);
      fs.max_int = first ? v : std::max(fs.max_int, v);
    } else if (is_real) {
      double v = field.type == DataType::kFloat ? column.GetFloat(r) : column.GetDouble(r);
      if (std::isnan(v)) continue;
      bool first = fs.kind == FieldStats::Kind::kNone;
      fs.kind = FieldStats::Kind::kDouble;
      fs.min_double = first ? v : std::min(fs.min_double, v);
      fs.max_double = first ? v : std::max(fs.max_double, v);
    }
  }
  return fs;
}

void PutKey(std::string* out, const PrimaryKey& pk) {
  if (const auto* i = std::get_if<int64_t>(&pk)) {
    PutFixed64(out, static_cast<uint64_t>(*i));
  } else {
    PutLengthPrefixed(out, std::get<std::string>(pk));
  }
}

bool GetKey(std::string_view* in, DataType type, PrimaryKey* pk) {
  if (type == DataType::kInt64) {
    uint64_t v = 0;
    if (!GetFixed64(in, &v)) return false;
    *pk = static_cast<int64_t>(v);
    return true;
  }
  std::string_view s;
  if (!GetLengthPrefixed(in, &s)) return false;
  *pk = std::string(s);
  return true;
}

uint64_t DoubleBits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

double BitsDouble(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

}  // namespace

const FieldStats* SegmentStats::Find(FieldId id) const {
  for (const auto& f : fields) {
    if (f.field_id == id) return &f;
  }
  return nullptr;
}

SegmentStats ComputeStats(const CollectionSchema& schema, const std::vector<ColumnData>& columns,
                          double bloom_fp_rate) {
  SegmentStats stats;
  stats.row_count = columns.empty() ? 0 : columns[0].size();
  stats.pk_filter = BloomFilter(stats.row_count, bloom_fp_rate);
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldSchema& field = schema.fields[i];
    const ColumnData& column = columns[i];
    stats.fields.push_back(StatsOf(field, column));
    if (!field.primary_key) continue;
    stats.pk_type = field.type;
    for (size_t r = 0; r < column.size(); ++r) {
      PrimaryKey pk = KeyAt(column, r);
      stats.pk_filter.Add(pk);
      if (!stats.min_pk || pk < *stats.min_pk) stats.min_pk = pk;
      if (!stats.max_pk || *stats.max_pk < pk) stats.max_pk = pk;
    }
  }
  return stats;
}

std::string EncodeStats(const SegmentStats& stats, int zstd_level) {
  std::string p;
  PutVarint64(&p, stats.row_count);
  PutFixed8(&p, static_cast<uint8_t>(stats.pk_type));
  PutFixed8(&p, stats.min_pk ? 1 : 0);
  if (stats.min_pk) {
    PutKey(&p, *stats.min_pk);
    PutKey(&p, *stats.max_pk);
  }
  PutLengthPrefixed(&p, stats.pk_filter.Serialize());
  PutVarint32(&p, static_cast<uint32_t>(stats.fields.size()));
  for (const auto& f : stats.fields) {
    PutVarsint64(&p, f.field_id.value());
    PutFixed8(&p, static_cast<uint8_t>(f.type));
    PutVarint64(&p, f.null_count);
    PutFixed8(&p, static_cast<uint8_t>(f.kind));
    if (f.kind == FieldStats::Kind::kInt) {
      PutFixed64(&p, static_cast<uint64_t>(f.min_int));
      PutFixed64(&p, static_cast<uint64_t>(f.max_int));
    } else if (f.kind == FieldStats::Kind::kDouble) {
      PutFixed64(&p, DoubleBits(f.min_double));
      PutFixed64(&p, DoubleBits(f.max_double));
    }
  }
  return EncodeBlob(kStatsMagic, p, zstd_level);
}

Result<SegmentStats> DecodeStats(std::string_view bytes, std::string_view what) {
  VDB_ASSIGN_OR_RETURN(std::string payload, DecodeBlob(kStatsMagic, bytes, what));
  auto bad = [&](const std::string& why) {
    return Status::Corruption(std::string(what) + ": " + why);
  };
  std::string_view in = payload;
  SegmentStats s;
  uint8_t pk_type = 0, has_range = 0;
  if (!GetVarint64(&in, &s.row_count) || !GetFixed8(&in, &pk_type) || !GetFixed8(&in, &has_range)) {
    return bad("truncated stats");
  }
  s.pk_type = static_cast<DataType>(pk_type);
  if ((s.pk_type != DataType::kInt64 && s.pk_type != DataType::kVarChar) || has_range > 1) {
    return bad("bad primary key type or range flag");
  }
  if (has_range) {
    PrimaryKey lo, hi;
    if (!GetKey(&in, s.pk_type, &lo) || !GetKey(&in, s.pk_type, &hi)) {
      return bad("truncated key range");
    }
    s.min_pk = std::move(lo);
    s.max_pk = std::move(hi);
  }
  std::string_view filter;
  if (!GetLengthPrefixed(&in, &filter)) return bad("truncated bloom filter");
  VDB_ASSIGN_OR_RETURN(s.pk_filter, BloomFilter::Deserialize(filter, what));
  uint32_t count = 0;
  if (!GetVarint32(&in, &count) || count > in.size() / 4) return bad("bad field count");
  for (uint32_t i = 0; i < count; ++i) {
    FieldStats f;
    int64_t id = 0;
    uint8_t type = 0, kind = 0;
    if (!GetVarsint64(&in, &id) || !GetFixed8(&in, &type) || !GetVarint64(&in, &f.null_count) ||
        !GetFixed8(&in, &kind) || kind > 2) {
      return bad("truncated or bad field stats " + std::to_string(i));
    }
    f.field_id = FieldId(id);
    f.type = static_cast<DataType>(type);
    f.kind = static_cast<FieldStats::Kind>(kind);
    uint64_t lo = 0, hi = 0;
    if (f.kind != FieldStats::Kind::kNone && (!GetFixed64(&in, &lo) || !GetFixed64(&in, &hi))) {
      return bad("truncated field stats " + std::to_string(i));
    }
    if (f.kind == FieldStats::Kind::kInt) {
      f.min_int = static_cast<int64_t>(lo);
      f.max_int = static_cast<int64_t>(hi);
    } else if (f.kind == FieldStats::Kind::kDouble) {
      f.min_double = BitsDouble(lo);
      f.max_double = BitsDouble(hi);
    }
    s.fields.push_back(f);
  }
  if (!in.empty()) return bad(std::to_string(in.size()) + " trailing bytes");
  return s;
}

}  // namespace vdb::segment
