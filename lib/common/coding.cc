#include "common/coding.h"

#include <bit>

namespace vdb {

void PutFixed8(std::string* dst, uint8_t v) { dst->push_back(static_cast<char>(v)); }
void PutFixed16(std::string* dst, uint16_t v) {
  dst->push_back(static_cast<char>(v));
  dst->push_back(static_cast<char>(v >> 8));
}
void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32(buf, v);
  dst->append(buf, 4);
}
void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64(buf, v);
  dst->append(buf, 8);
}
void PutVarint32(std::string* dst, uint32_t v) { PutVarint64(dst, v); }
void PutVarint64(std::string* dst, uint64_t v) {
  while (v >= 0x80) {
    dst->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  dst->push_back(static_cast<char>(v));
}
void PutVarsint64(std::string* dst, int64_t v) {
  PutVarint64(dst, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void PutLengthPrefixed(std::string* dst, std::string_view value) {
  PutVarint64(dst, value.size());
  dst->append(value);
}
void PutFloat(std::string* dst, float v) { PutFixed32(dst, std::bit_cast<uint32_t>(v)); }
void PutDouble(std::string* dst, double v) { PutFixed64(dst, std::bit_cast<uint64_t>(v)); }

bool GetFixed8(std::string_view* in, uint8_t* v) {
  if (in->size() < 1) return false;
  *v = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}
bool GetFixed16(std::string_view* in, uint16_t* v) {
  if (in->size() < 2) return false;
  const auto* u = reinterpret_cast<const uint8_t*>(in->data());
  *v = static_cast<uint16_t>(u[0] | (u[1] << 8));
  in->remove_prefix(2);
  return true;
}
bool GetFixed32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeFixed32(in->data());
  in->remove_prefix(4);
  return true;
}
bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeFixed64(in->data());
  in->remove_prefix(8);
  return true;
}
bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; shift <= 63 && i < static_cast<int>(in->size()); shift += 7, ++i) {
    uint64_t byte = static_cast<uint8_t>((*in)[i]);
    if (shift == 63 && byte > 1) return false;  // overflows 64 bits
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      in->remove_prefix(static_cast<size_t>(i) + 1);
      return true;
    }
  }
  return false;
}
bool GetVarint32(std::string_view* in, uint32_t* v) {
  std::string_view copy = *in;
  uint64_t wide;
  if (!GetVarint64(&copy, &wide) || wide > UINT32_MAX) return false;
  *v = static_cast<uint32_t>(wide);
  *in = copy;
  return true;
}
bool GetVarsint64(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}
bool GetLengthPrefixed(std::string_view* in, std::string_view* value) {
  std::string_view copy = *in;
  uint64_t len;
  if (!GetVarint64(&copy, &len) || len > copy.size()) return false;
  *value = copy.substr(0, len);
  copy.remove_prefix(len);
  *in = copy;
  return true;
}
bool GetFloat(std::string_view* in, float* v) {
  uint32_t u;
  if (!GetFixed32(in, &u)) return false;
  *v = std::bit_cast<float>(u);
  return true;
}
bool GetDouble(std::string_view* in, double* v) {
  uint64_t u;
  if (!GetFixed64(in, &u)) return false;
  *v = std::bit_cast<double>(u);
  return true;
}

int VarintLength(uint64_t v) {
  int len = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++len;
  }
  return len;
}

}  // namespace vdb
