// Internal to lib/index: the per-type factories VectorIndex::Create and Load dispatch to.
#pragma once

#include <memory>
#include <string_view>

#include "index/vector_index.h"

namespace vdb::index::internal {

// Header fields of a serialized index, already validated (format.h).
struct IndexHeader {
  IndexSpec spec;
  Metric metric = Metric::kL2;
  int d = 0;
  int64_t n = 0;
};

Result<std::unique_ptr<VectorIndex>> NewFlatIndex(const IndexSpec& spec,
                                                  const IndexOptions& options);
Result<std::unique_ptr<VectorIndex>> LoadFlatIndex(const IndexHeader& header,
                                                   std::string_view body);
Result<std::unique_ptr<VectorIndex>> NewHnswIndex(const IndexSpec& spec,
                                                  const IndexOptions& options);
Result<std::unique_ptr<VectorIndex>> LoadHnswIndex(const IndexHeader& header,
                                                   std::string_view body);
Result<std::unique_ptr<VectorIndex>> NewFaissIndex(const IndexSpec& spec,
                                                   const IndexOptions& options);
Result<std::unique_ptr<VectorIndex>> LoadFaissIndex(const IndexHeader& header,
                                                    std::string_view body);

// Shared argument checks for Search implementations.
Status ValidateSearch(int64_t nq, int k);

}  // namespace vdb::index::internal
