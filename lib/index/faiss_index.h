// Direct access to the FAISS adapter, for comparisons such as index_bench: VectorIndex::Create
// sends only non-native specs here, while this builds any index_factory spec with FAISS
// ("Flat", "HNSW16", "IVF1024,Flat"). Thread-safety as VectorIndex.
#pragma once

#include <memory>

#include "common/result.h"
#include "index/vector_index.h"

namespace vdb::index {

// An empty FAISS index for options.spec; SearchParams::ef maps to efSearch, nprobe to nprobe,
// num_threads to the OpenMP thread count of the call. kInvalidArgument when FAISS rejects the
// spec.
Result<std::unique_ptr<VectorIndex>> CreateFaissIndex(const IndexOptions& options);

}  // namespace vdb::index
