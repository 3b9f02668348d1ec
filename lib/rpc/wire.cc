#include "rpc/wire.h"

#include <bit>
#include <cstring>

#include "common/coding.h"

namespace vdb::rpc {

// Float arrays are copied raw; that is only the documented little-endian layout on such hosts.
static_assert(std::endian::native == std::endian::little, "wire format assumes little-endian");

void WireWriter::PutU8(uint8_t v) { PutFixed8(&buf_, v); }
void WireWriter::PutU32(uint32_t v) { PutFixed32(&buf_, v); }
void WireWriter::PutU64(uint64_t v) { PutFixed64(&buf_, v); }
void WireWriter::PutI64(int64_t v) { PutVarsint64(&buf_, v); }
void WireWriter::PutF32(float v) { PutFloat(&buf_, v); }
void WireWriter::PutF64(double v) { PutDouble(&buf_, v); }
void WireWriter::PutString(std::string_view v) { PutLengthPrefixed(&buf_, v); }

void WireWriter::PutFloats(std::span<const float> v) {
  PutVarint64(&buf_, v.size());
  buf_.append(reinterpret_cast<const char*>(v.data()), v.size_bytes());
}

void WireWriter::PutI64s(std::span<const int64_t> v) {
  PutVarint64(&buf_, v.size());
  size_t at = buf_.size();
  buf_.resize(at + v.size() * 8);
  for (size_t i = 0; i < v.size(); ++i)
    EncodeFixed64(&buf_[at + i * 8], static_cast<uint64_t>(v[i]));
}

Status WireReader::Truncated(std::string_view field) const {
  return Status::Corruption("wire message: field '" + std::string(field) +
                            "' truncated or malformed at offset " + std::to_string(offset()) +
                            " of " + std::to_string(data_.size()));
}

Status WireReader::GetU8(std::string_view field, uint8_t* v) {
  return GetFixed8(&rest_, v) ? Status::OK() : Truncated(field);
}
Status WireReader::GetU32(std::string_view field, uint32_t* v) {
  return GetFixed32(&rest_, v) ? Status::OK() : Truncated(field);
}
Status WireReader::GetU64(std::string_view field, uint64_t* v) {
  return GetFixed64(&rest_, v) ? Status::OK() : Truncated(field);
}
Status WireReader::GetI64(std::string_view field, int64_t* v) {
  return GetVarsint64(&rest_, v) ? Status::OK() : Truncated(field);
}
Status WireReader::GetF32(std::string_view field, float* v) {
  return GetFloat(&rest_, v) ? Status::OK() : Truncated(field);
}
Status WireReader::GetF64(std::string_view field, double* v) {
  return GetDouble(&rest_, v) ? Status::OK() : Truncated(field);
}
Status WireReader::GetString(std::string_view field, std::string_view* v) {
  return GetLengthPrefixed(&rest_, v) ? Status::OK() : Truncated(field);
}
Status WireReader::GetString(std::string_view field, std::string* v) {
  std::string_view view;
  VDB_RETURN_IF_ERROR(GetString(field, &view));
  v->assign(view);
  return Status::OK();
}

Status WireReader::GetFloats(std::string_view field, std::vector<float>* v) {
  std::string_view before = rest_;
  uint64_t count = 0;
  // Divide rather than multiply so a huge count cannot overflow the size check.
  if (!GetVarint64(&rest_, &count) || count > rest_.size() / sizeof(float)) {
    rest_ = before;
    return Truncated(field);
  }
  v->resize(count);
  if (count > 0) std::memcpy(v->data(), rest_.data(), count * sizeof(float));
  rest_.remove_prefix(count * sizeof(float));
  return Status::OK();
}

Status WireReader::GetI64s(std::string_view field, std::vector<int64_t>* v) {
  std::string_view before = rest_;
  uint64_t count = 0;
  if (!GetVarint64(&rest_, &count) || count > rest_.size() / 8) {
    rest_ = before;
    return Truncated(field);
  }
  v->resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    (*v)[i] = static_cast<int64_t>(DecodeFixed64(rest_.data() + i * 8));
  }
  rest_.remove_prefix(count * 8);
  return Status::OK();
}

Status WireReader::ExpectEnd() const {
  if (done()) return Status::OK();
  return Status::Corruption("wire message: " + std::to_string(rest_.size()) +
                            " unexpected trailing bytes at offset " + std::to_string(offset()));
}

}  // namespace vdb::rpc
