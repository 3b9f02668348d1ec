// Index builds for data nodes: how a Milvus index description (index_type, metric_type and
// build params with Milvus's names and defaults) becomes a vdb::index build, and the build of
// one sealed segment's vector column into serialized index bytes. Pure functions over their
// arguments; thread-safe for distinct stores or a thread-safe store.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "index/vector_index.h"
#include "rpc/catalog.h"

namespace vdb::storage {
class ObjectStore;
}  // namespace vdb::storage

namespace vdb::data {

// Milvus's build defaults (knowhere's configs and milvus.yaml's autoIndex.params.build).
inline constexpr int kHnswDefaultM = 30;
inline constexpr int kHnswDefaultEfConstruction = 360;
inline constexpr int kAutoIndexM = 18;
inline constexpr int kAutoIndexEfConstruction = 240;
inline constexpr int kIvfDefaultNlist = 128;
inline constexpr int kIvfMaxNlist = 65536;
inline constexpr int kPqDefaultNbits = 8;

// The index to build for `job` over `rows` vectors of the job's dim:
//   FLAT                        -> "FLAT"
//   HNSW {M=30, efConstruction=360}  -> "HNSW<M>"; DISKANN is built the same way (an in-memory
//                                       graph serves the same searches)
//   AUTOINDEX                   -> "HNSW18", efConstruction 240 (user params are ignored, as in
//                                  Milvus)
//   IVF_FLAT / SCANN {nlist=128}     -> "IVF<nlist>,Flat"
//   IVF_SQ8 {nlist=128}              -> "IVF<nlist>,SQ8"
//   IVF_PQ {nlist=128, m (required, divides dim), nbits=8}  -> "IVF<nlist>,PQ<m>x<nbits>"
// FAISS trains IVF quantizers on the segment itself, so nlist is capped at `rows`, and an IVF
// index over fewer rows than its quantizers need (none, or fewer than 2^nbits for PQ) is FLAT:
// exact, and small anyway. The type names are case-insensitive; the params are Milvus's
// case-sensitive names with decimal integer values; unknown params are ignored.
// Errors: kNotSupported for a field type or index type this node cannot build;
// kInvalidArgument for a bad metric, dim or param value (naming it).
Result<index::IndexOptions> ResolveIndexOptions(const rpc::IndexJob& job, int64_t rows);

struct BuildOptions {
  int num_threads = 1;  // threads used while adding vectors to a graph index
  // Vectors are added in batches of this many rows, checking `cancel` between batches.
  int64_t batch_rows = 16384;
  // When set and true, the build stops at the next batch with kAborted. Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

struct BuiltIndex {
  std::string bytes;  // VectorIndex::Serialize() output
  std::string spec;   // the spec actually built (see ResolveIndexOptions)
  int64_t rows = 0;
};

// Opens the segment at job.object_prefix, maps the job's vector field and builds the index.
// Errors: the segment reader's (kNotFound without a manifest, kCorruption for damaged files),
// kCorruption when the stored column disagrees with the job (type or dim), ResolveIndexOptions'
// errors, the index library's, kAborted when cancelled.
Result<BuiltIndex> BuildSegmentIndex(storage::ObjectStore* store, const rpc::IndexJob& job,
                                     const BuildOptions& options);

// "index/<collection>/<segment>/<index name>/<job id>-<node id>.idx": unique per job and
// builder, so two nodes racing on one job (a lease that expired under a live node) never write
// the same key, and a committed key is never overwritten.
std::string IndexObjectKey(const rpc::IndexJob& job, NodeId node);

}  // namespace vdb::data
