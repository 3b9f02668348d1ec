// Exact (brute-force) top-k search over n contiguous vectors, with an optional row filter: serves
// growing and un-indexed sealed segments and is the FLAT index's search. Thread-safe: no state.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "index/metric.h"
#include "index/row_filter.h"
#include "index/search_result.h"

namespace vdb::index {

// A borrowed row-major matrix of n float32 vectors of d dimensions.
struct FloatVectors {
  const float* x = nullptr;
  int64_t n = 0;
  int d = 0;
  // Optional Euclidean norms of the n rows, used by kCosine (computed on the fly when null).
  const float* norms = nullptr;
};

// A borrowed matrix of n packed binary vectors of d bits ((d + 7) / 8 bytes per row).
struct BinaryVectors {
  const uint8_t* x = nullptr;
  int64_t n = 0;
  int d = 0;
};

struct BruteForceParams {
  Metric metric = Metric::kL2;
  int k = 10;
  const RowFilter* filter = nullptr;  // null: every row allowed
  int num_threads = 1;                // std::threads for this call; 1 searches inline
};

// Searches nq queries (row-major, base.d dimensions each) and fills *out with the k best rows of
// each, best first: ascending squared L2, descending IP or cosine similarity. Ties go to the lower
// row. kInvalidArgument for k < 1, d < 1, nq < 0 or a binary metric.
Status BruteForceSearch(const FloatVectors& base, int64_t nq, const float* queries,
                        const BruteForceParams& params, SearchResults* out);

// As above for packed binary vectors with kHamming or kJaccard (ascending).
Status BruteForceSearchBinary(const BinaryVectors& base, int64_t nq, const uint8_t* queries,
                              const BruteForceParams& params, SearchResults* out);

}  // namespace vdb::index
