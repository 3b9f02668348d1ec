// RawHnswlib: hnswlib exactly as shipped (its own L2Space and searchKnn), kept as the baseline
// index_bench measures our HNSW against. Not for serving: one search at a time (ef lives on the
// index), no filters, no serialization.
#pragma once

#include <cstdint>
#include <memory>

#include "common/result.h"

namespace vdb::index {

class RawHnswlib {
 public:
  virtual ~RawHnswlib() = default;
  // Builds an L2 graph over n vectors of d floats with num_threads threads.
  static Result<std::unique_ptr<RawHnswlib>> Build(int64_t n, int d, const float* x, int m,
                                                   int ef_construction, int num_threads);
  // The k nearest rows of q, best first, into rows[0, k) (-1 padded). Not thread-safe.
  virtual Status Search(const float* q, int k, int ef, int64_t* rows) = 0;
};

}  // namespace vdb::index
