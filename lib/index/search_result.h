// SearchResults: the k best (row, distance) pairs for each of nq queries, best first.
// Plain value type; not synchronised.
#pragma once

#include <cstdint>
#include <vector>

namespace vdb::index {

struct SearchResults {
  int64_t nq = 0;
  int k = 0;
  // nq * k entries, query i at [i * k, (i + 1) * k). When fewer than k rows qualify, the tail is
  // padded with row -1 and distance NaN. Distances are squared L2, inner product, cosine
  // similarity, Hamming or Jaccard distance, as the metric says (see metric.h).
  std::vector<int64_t> rows;
  std::vector<float> distances;

  void Resize(int64_t new_nq, int new_k);
  const int64_t* rows_of(int64_t q) const { return rows.data() + q * k; }
  const float* distances_of(int64_t q) const { return distances.data() + q * k; }
};

}  // namespace vdb::index
