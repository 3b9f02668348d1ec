// Result<T>: either a value or a non-OK Status. Like absl::StatusOr, without exceptions.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "common/check.h"
#include "common/status.h"

namespace vdb {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok(); an OK status without a value is a bug.
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    VDB_CHECK(!status_.ok());
  }
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                                    !std::is_same_v<std::decay_t<U>, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Status>>>
  Result(U&& value) : value_(std::forward<U>(value)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return status_.ok(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok().
  T& value() & {
    VDB_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    VDB_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    VDB_CHECK(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vdb

// Evaluates `rexpr` (a Result<T>); on error returns its Status, otherwise moves the value into
// `lhs`, which may be a declaration: VDB_ASSIGN_OR_RETURN(auto file, env->OpenForRead(path));
#define VDB_ASSIGN_OR_RETURN(lhs, rexpr) \
  VDB_ASSIGN_OR_RETURN_IMPL(VDB_CONCAT(vdb_result_tmp_, __LINE__), lhs, rexpr)
#define VDB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()
