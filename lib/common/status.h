// Status: the outcome of an operation, OK or a code with a message naming what was wrong.
// Immutable value type; safe to copy and share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace vdb {

enum class StatusCode : uint8_t {
  kOk = 0,
  kNotFound,
  kAlreadyExists,
  kInvalidArgument,
  kCorruption,
  kIOError,
  kUnavailable,
  kDeadlineExceeded,
  kNotSupported,
  kInternal,
  kAborted,  // a compare-and-set lost, a transaction conflicted; retrying may succeed
};

// Returns a stable lower-case name such as "corruption"; used in messages and logs.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) {
    return {StatusCode::kDeadlineExceeded, std::move(msg)};
  }
  static Status NotSupported(std::string msg) {
    return {StatusCode::kNotSupported, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status Aborted(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsAborted() const { return code_ == StatusCode::kAborted; }

  // "corruption: wal segment 0001.log: bad checksum at offset 64" or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Status of a failed POSIX call: "<what>: <strerror(errno)>", mapped to kNotFound for ENOENT,
// kAlreadyExists for EEXIST and kIOError otherwise.
Status ErrnoStatus(std::string_view what, int err);

}  // namespace vdb

#define VDB_CONCAT_INNER(a, b) a##b
#define VDB_CONCAT(a, b) VDB_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define VDB_RETURN_IF_ERROR(expr)                      \
  do {                                                 \
    ::vdb::Status vdb_status_tmp_ = (expr);            \
    if (!vdb_status_tmp_.ok()) return vdb_status_tmp_; \
  } while (0)
