// Binary bodies for node-to-node messages, so vectors and result sets never travel as JSON text.
// A message is a sequence of fields written and read back in the same order; the reader checks
// every length against the remaining bytes. Not thread-safe (one owner per writer/reader).
//
// Encodings (little-endian, common/coding.h):
//   u8/u32/u64  fixed width        i64     zig-zag varint      f32/f64  IEEE-754 fixed width
//   string      varint length + bytes
//   floats      varint count + count * 4 raw bytes (memcpy of the host's little-endian floats)
//   i64s        varint count + count * 8 fixed64
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vdb::rpc {

class WireWriter {
 public:
  WireWriter() = default;

  void PutU8(uint8_t v);
  void PutU32(uint32_t v);
  void PutU64(uint64_t v);
  void PutI64(int64_t v);
  void PutF32(float v);
  void PutF64(double v);
  void PutString(std::string_view v);
  void PutFloats(std::span<const float> v);
  void PutI64s(std::span<const int64_t> v);

  size_t size() const { return buf_.size(); }
  // Moves the encoded bytes out; the writer is empty afterwards.
  std::string Finish() { return std::move(buf_); }

 private:
  std::string buf_;
};

// Reads fields from `data`, which must outlive the reader. Each Get* returns kCorruption naming
// `field` and the byte offset when the input is truncated or malformed; after an error the
// reader's position is unspecified.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data), rest_(data) {}

  Status GetU8(std::string_view field, uint8_t* v);
  Status GetU32(std::string_view field, uint32_t* v);
  Status GetU64(std::string_view field, uint64_t* v);
  Status GetI64(std::string_view field, int64_t* v);
  Status GetF32(std::string_view field, float* v);
  Status GetF64(std::string_view field, double* v);
  // `v` views the input: valid while the input lives.
  Status GetString(std::string_view field, std::string_view* v);
  Status GetString(std::string_view field, std::string* v);
  Status GetFloats(std::string_view field, std::vector<float>* v);
  Status GetI64s(std::string_view field, std::vector<int64_t>* v);

  bool done() const { return rest_.empty(); }
  // kCorruption when bytes remain (a message must be consumed exactly).
  Status ExpectEnd() const;
  size_t offset() const { return data_.size() - rest_.size(); }

 private:
  Status Truncated(std::string_view field) const;

  std::string_view data_;
  std::string_view rest_;
};

}  // namespace vdb::rpc
