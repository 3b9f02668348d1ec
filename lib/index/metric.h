// Metric: how two vectors are compared, and which direction of the score is "better".
// Plain value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace vdb::index {

// Persisted in index files (see format.h): never renumber.
enum class Metric : uint8_t {
  kL2 = 0,            // squared Euclidean distance, smaller is better
  kInnerProduct = 1,  // dot product, larger is better
  kCosine = 2,        // cosine similarity, larger is better
  kHamming = 3,       // differing bits of packed binary vectors, smaller is better
  kJaccard = 4,       // 1 - |a&b| / |a|b| of packed binary vectors, smaller is better
};

// "L2", "IP", "COSINE", "HAMMING", "JACCARD" (Milvus spelling).
std::string_view MetricName(Metric metric);
// Case-insensitive inverse of MetricName; kInvalidArgument for anything else.
Result<Metric> ParseMetric(std::string_view name);

// True when larger scores are better (IP, COSINE); results are then sorted descending.
inline bool HigherIsBetter(Metric metric) {
  return metric == Metric::kInnerProduct || metric == Metric::kCosine;
}
inline bool IsBinaryMetric(Metric metric) {
  return metric == Metric::kHamming || metric == Metric::kJaccard;
}

}  // namespace vdb::index
