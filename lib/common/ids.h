// Distinct integer types for distinct meanings, so a SegmentId cannot be passed as a
// CollectionId. Zero-cost wrappers around an integer.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace vdb {

template <typename Tag, typename Rep = int64_t>
class StrongId {
 public:
  using rep_type = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value_(v) {}
  constexpr Rep value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  std::string ToString() const { return std::to_string(value_); }

 private:
  Rep value_ = 0;
};

using DatabaseId = StrongId<struct DatabaseIdTag>;
using CollectionId = StrongId<struct CollectionIdTag>;
using PartitionId = StrongId<struct PartitionIdTag>;
using SegmentId = StrongId<struct SegmentIdTag>;
using FieldId = StrongId<struct FieldIdTag>;
using NodeId = StrongId<struct NodeIdTag>;
using IndexBuildId = StrongId<struct IndexBuildIdTag>;
// A position in a shard's write-ahead log; increases across segment files.
using Lsn = StrongId<struct LsnTag, uint64_t>;

}  // namespace vdb

template <typename Tag, typename Rep>
struct std::hash<vdb::StrongId<Tag, Rep>> {
  size_t operator()(const vdb::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>()(id.value());
  }
};
