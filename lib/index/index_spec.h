// Index spec strings in FAISS index_factory style ("FLAT", "HNSW32", "IVF1024,Flat"): parsing
// into a typed description. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace vdb::index {

enum class IndexType : uint8_t {
  kFlat,   // "FLAT" / "Flat": exact search over the stored vectors
  kHnsw,   // "HNSW<M>" or "HNSW<M>,Flat": hnswlib graph, M links per node (2..256; "HNSW" = 32)
  kFaiss,  // anything else FAISS's index_factory accepts ("IVF1024,Flat", "IVF256,PQ16", ...)
};

struct IndexSpec {
  IndexType type = IndexType::kFlat;
  int m = 0;         // kHnsw only
  std::string text;  // the spec as given; what Serialize stores
};

// kInvalidArgument for an empty spec or a malformed HNSW one; FAISS specs are checked when the
// index is created.
Result<IndexSpec> ParseIndexSpec(std::string_view spec);

}  // namespace vdb::index
