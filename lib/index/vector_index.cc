#include "index/vector_index.h"

#include "common/coding.h"
#include "common/crc32c.h"
#include "index/format.h"
#include "index/index_impl.h"

namespace vdb::index {

namespace internal {
Status ValidateSearch(int64_t nq, int k) {
  if (k < 1) return Status::InvalidArgument("index search: k must be >= 1");
  if (nq < 0) return Status::InvalidArgument("index search: nq must be >= 0");
  return Status::OK();
}
}  // namespace internal

Result<std::unique_ptr<VectorIndex>> VectorIndex::Create(const IndexOptions& options) {
  VDB_ASSIGN_OR_RETURN(IndexSpec spec, ParseIndexSpec(options.spec));
  if (options.d < 1 || options.d > format::kMaxDimension) {
    return Status::InvalidArgument("index \"" + spec.text + "\": d must be in [1, 32768], got " +
                                   std::to_string(options.d));
  }
  if (IsBinaryMetric(options.metric)) {
    return Status::InvalidArgument("index \"" + spec.text + "\": metric " +
                                   std::string(MetricName(options.metric)) +
                                   " needs binary vectors");
  }
  switch (spec.type) {
    case IndexType::kFlat:
      return internal::NewFlatIndex(spec, options);
    case IndexType::kHnsw:
      return internal::NewHnswIndex(spec, options);
    case IndexType::kFaiss:
      break;
  }
  return internal::NewFaissIndex(spec, options);
}

Status VectorIndex::Build(int64_t n, const float* x) {
  if (size() != 0) {
    return Status::InvalidArgument("index \"" + spec_.text + "\": Build on a non-empty index");
  }
  return Add(n, x);
}

Result<std::string> VectorIndex::Serialize() const {
  std::string out(format::kMagic);
  PutFixed32(&out, format::kFormatVersion);
  PutLengthPrefixed(&out, spec_.text);
  PutFixed8(&out, static_cast<uint8_t>(metric_));
  PutFixed32(&out, static_cast<uint32_t>(d_));
  PutFixed64(&out, static_cast<uint64_t>(size()));
  size_t length_at = out.size();
  PutFixed64(&out, 0);
  VDB_RETURN_IF_ERROR(SerializeBody(&out));
  EncodeFixed64(out.data() + length_at, out.size() - length_at - 8);
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out)));
  return out;
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(std::string_view bytes) {
  if (bytes.size() < format::kMinSize) {
    return Status::Corruption("index: " + std::to_string(bytes.size()) + " bytes is too short");
  }
  uint32_t stored_crc = DecodeFixed32(bytes.data() + bytes.size() - 4);
  std::string_view in = bytes.substr(0, bytes.size() - 4);
  if (crc32c::Unmask(stored_crc) != crc32c::Value(in)) {
    return Status::Corruption("index: checksum mismatch");
  }
  if (in.substr(0, format::kMagic.size()) != format::kMagic) {
    return Status::Corruption("index: bad magic");
  }
  in.remove_prefix(format::kMagic.size());
  uint32_t version = 0, d = 0;
  uint8_t metric = 0;
  uint64_t n = 0, body_length = 0;
  std::string_view spec_text;
  if (!GetFixed32(&in, &version)) return Status::Corruption("index: truncated header");
  if (version != format::kFormatVersion) {
    return Status::Corruption("index: format version " + std::to_string(version) +
                              " is not supported (want " + std::to_string(format::kFormatVersion) +
                              ")");
  }
  if (!GetLengthPrefixed(&in, &spec_text) || !GetFixed8(&in, &metric) || !GetFixed32(&in, &d) ||
      !GetFixed64(&in, &n) || !GetFixed64(&in, &body_length)) {
    return Status::Corruption("index: truncated header");
  }
  internal::IndexHeader header;
  auto spec = ParseIndexSpec(spec_text);
  if (!spec.ok()) return Status::Corruption("index: " + spec.status().message());
  header.spec = std::move(spec).value();
  if (metric > static_cast<uint8_t>(Metric::kJaccard) ||
      IsBinaryMetric(static_cast<Metric>(metric))) {
    return Status::Corruption("index: bad metric " + std::to_string(metric));
  }
  if (d < 1 || d > static_cast<uint32_t>(format::kMaxDimension)) {
    return Status::Corruption("index: bad dimension " + std::to_string(d));
  }
  if (n > (uint64_t{1} << 40) || body_length != in.size()) {
    return Status::Corruption("index: body length " + std::to_string(body_length) +
                              " does not match the " + std::to_string(in.size()) +
                              " bytes present");
  }
  header.metric = static_cast<Metric>(metric);
  header.d = static_cast<int>(d);
  header.n = static_cast<int64_t>(n);
  switch (header.spec.type) {
    case IndexType::kFlat:
      return internal::LoadFlatIndex(header, in);
    case IndexType::kHnsw:
      return internal::LoadHnswIndex(header, in);
    case IndexType::kFaiss:
      break;
  }
  return internal::LoadFaissIndex(header, in);
}

}  // namespace vdb::index
