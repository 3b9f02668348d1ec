// VectorIndex: a searchable index over n float32 vectors whose rows are 0..n-1 in insertion order
// (the caller maps rows to primary keys). Implementations: FLAT (exact), HNSW (hnswlib graph) and
// FAISS-backed specs. Thread-safety: Search and Serialize are const and may run concurrently with
// each other; Add needs exclusive access.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "index/index_spec.h"
#include "index/metric.h"
#include "index/row_filter.h"
#include "index/search_result.h"

namespace vdb::index {

// Build-time description of an index; spec, metric and d are stored with the serialized bytes.
struct IndexOptions {
  std::string spec = "FLAT";  // see index_spec.h
  Metric metric = Metric::kL2;
  int d = 0;
  int ef_construction = 200;  // HNSW: candidate list size while linking a node
  int num_threads = 1;        // threads used by Add; 1 is deterministic for a given seed
  uint64_t seed = 100;        // HNSW: level generator seed
};

// Per-request knobs (never stored on the index).
struct SearchParams {
  int ef = 64;          // HNSW: candidate list size, raised to k when smaller
  int nprobe = 8;       // FAISS IVF specs: inverted lists scanned
  int num_threads = 1;  // queries are split across this many threads
};

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // An empty index. kInvalidArgument for a bad spec, d outside [1, 32768], a binary metric, or
  // options the spec's type cannot honour.
  static Result<std::unique_ptr<VectorIndex>> Create(const IndexOptions& options);

  // Rebuilds an index from Serialize() output. kCorruption for bytes that are truncated, fail
  // the checksum, carry another format version, or describe an impossible index. Never crashes
  // on bad input. The bytes are copied; they need not outlive the call.
  static Result<std::unique_ptr<VectorIndex>> Load(std::string_view bytes);

  // Appends n vectors (row-major, d floats each) as rows size() .. size() + n - 1.
  virtual Status Add(int64_t n, const float* x) = 0;
  // Add on an empty index; kInvalidArgument if it already holds vectors.
  Status Build(int64_t n, const float* x);

  // The k best rows for each of nq queries (row-major) into *out, best first (see
  // search_result.h for distances and padding). Only rows the filter allows are returned; a null
  // filter allows all. k rows are returned whenever k allowed rows exist, even for very
  // selective filters. kInvalidArgument for k < 1 or nq < 0.
  virtual Status Search(int64_t nq, const float* x, int k, const SearchParams& params,
                        const RowFilter* filter, SearchResults* out) const = 0;

  // The index as bytes in the layout of format.h.
  Result<std::string> Serialize() const;

  virtual int64_t size() const = 0;
  const IndexSpec& spec() const { return spec_; }
  Metric metric() const { return metric_; }
  int d() const { return d_; }

 protected:
  VectorIndex(IndexSpec spec, Metric metric, int d)
      : spec_(std::move(spec)), metric_(metric), d_(d) {}
  // Appends the type-specific body (format.h) to *out.
  virtual Status SerializeBody(std::string* out) const = 0;

 private:
  IndexSpec spec_;
  Metric metric_;
  int d_;
};

}  // namespace vdb::index
