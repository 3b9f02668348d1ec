#include "data/index_build.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "index/metric.h"
#include "segment/segment_reader.h"
#include "storage/object_store.h"

namespace vdb::data {

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The integer param `name` of `params` in [lo, hi], or `fallback` when absent.
Result<int64_t> IntParam(const rpc::StringMap& params, const std::string& name, int64_t fallback,
                         int64_t lo, int64_t hi) {
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  const std::string& text = it->second;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status::InvalidArgument("index param " + name + "=\"" + text + "\" is not an integer");
  }
  if (v < lo || v > hi) {
    return Status::InvalidArgument("index param " + name + "=" + text + " is outside [" +
                                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

Result<index::IndexOptions> HnswOptions(const rpc::StringMap& params, int default_m,
                                        int default_ef) {
  // index_spec caps M at 256 (Milvus allows 2048; such graphs do not fit a one-machine node).
  VDB_ASSIGN_OR_RETURN(int64_t m, IntParam(params, "M", default_m, 2, 256));
  VDB_ASSIGN_OR_RETURN(int64_t ef, IntParam(params, "efConstruction", default_ef, 1, 1 << 20));
  index::IndexOptions options;
  options.spec = "HNSW" + std::to_string(m);
  options.ef_construction = static_cast<int>(ef);
  return options;
}

Result<index::IndexOptions> IvfOptions(const std::string& type, const rpc::IndexJob& job,
                                       int64_t rows) {
  VDB_ASSIGN_OR_RETURN(int64_t nlist,
                       IntParam(job.params, "nlist", kIvfDefaultNlist, 1, kIvfMaxNlist));
  std::string coarse_suffix = ",Flat";
  int64_t min_rows = 1;
  if (type == "IVF_SQ8") coarse_suffix = ",SQ8";
  if (type == "IVF_PQ") {
    if (job.params.count("m") == 0) {
      return Status::InvalidArgument("index param m is required for IVF_PQ");
    }
    VDB_ASSIGN_OR_RETURN(int64_t m, IntParam(job.params, "m", 0, 1, job.dim));
    if (job.dim % m != 0) {
      return Status::InvalidArgument("index param m=" + std::to_string(m) + " must divide dim " +
                                     std::to_string(job.dim));
    }
    VDB_ASSIGN_OR_RETURN(int64_t nbits, IntParam(job.params, "nbits", kPqDefaultNbits, 1, 16));
    coarse_suffix = ",PQ" + std::to_string(m) + "x" + std::to_string(nbits);
    min_rows = int64_t{1} << nbits;
  }
  index::IndexOptions options;
  if (rows < min_rows) {
    options.spec = "FLAT";  // too few rows to train the quantizers
  } else {
    options.spec = "IVF" + std::to_string(std::min(nlist, rows)) + coarse_suffix;
  }
  return options;
}

}  // namespace

Result<index::IndexOptions> ResolveIndexOptions(const rpc::IndexJob& job, int64_t rows) {
  if (job.field_type != DataType::kFloatVector) {
    return Status::NotSupported("index " + job.index_name + ": building indexes on " +
                                std::string(DataTypeName(job.field_type)) +
                                " fields is not supported");
  }
  if (job.dim < 1 || job.dim > 32768) {
    return Status::InvalidArgument("index " + job.index_name + ": bad dim " +
                                   std::to_string(job.dim));
  }
  auto metric = index::ParseMetric(job.metric_type);
  if (!metric.ok() || index::IsBinaryMetric(*metric)) {
    return Status::InvalidArgument("index " + job.index_name + ": metric type \"" +
                                   job.metric_type + "\" does not apply to float vectors");
  }
  const std::string type = Upper(job.index_type);
  Result<index::IndexOptions> options = Status::NotSupported(
      "index " + job.index_name + ": index type \"" + job.index_type + "\" is not supported");
  if (type == "FLAT") {
    options = index::IndexOptions{};
    options->spec = "FLAT";
  } else if (type == "HNSW" || type == "DISKANN") {
    options = HnswOptions(job.params, kHnswDefaultM, kHnswDefaultEfConstruction);
  } else if (type == "AUTOINDEX") {
    options = HnswOptions({}, kAutoIndexM, kAutoIndexEfConstruction);
  } else if (type == "IVF_FLAT" || type == "SCANN" || type == "IVF_SQ8" || type == "IVF_PQ") {
    options = IvfOptions(type == "SCANN" ? "IVF_FLAT" : type, job, rows);
  }
  if (!options.ok()) return options.status().WithContext("index " + job.index_name);
  options->metric = *metric;
  options->d = static_cast<int>(job.dim);
  return options;
}

Result<BuiltIndex> BuildSegmentIndex(storage::ObjectStore* store, const rpc::IndexJob& job,
                                     const BuildOptions& options) {
  auto cancelled = [&] {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
  };
  VDB_ASSIGN_OR_RETURN(auto reader, segment::SegmentReader::Open(store, job.object_prefix));
  VDB_ASSIGN_OR_RETURN(auto vectors, reader->MapFloatVectors(job.field_id));
  if (vectors->type() != DataType::kFloatVector || vectors->dim() != job.dim) {
    return Status::Corruption(
        "segment " + job.object_prefix + ": field " + job.field_id.ToString() + " holds " +
        std::string(DataTypeName(vectors->type())) + " of dim " + std::to_string(vectors->dim()) +
        ", the index expects " + std::string(DataTypeName(job.field_type)) + " of dim " +
        std::to_string(job.dim));
  }
  const auto n = static_cast<int64_t>(vectors->rows());
  VDB_ASSIGN_OR_RETURN(index::IndexOptions index_options, ResolveIndexOptions(job, n));
  index_options.num_threads = std::max(1, options.num_threads);
  VDB_ASSIGN_OR_RETURN(auto index, index::VectorIndex::Create(index_options));
  const float* x = vectors->floats();
  // FAISS trains on its first Add, so it gets every row at once; graphs grow batch by batch.
  const bool trains = index->spec().type == index::IndexType::kFaiss;
  const int64_t batch = trains ? std::max<int64_t>(n, 1) : std::max<int64_t>(1, options.batch_rows);
  for (int64_t begin = 0; begin < n; begin += batch) {
    if (cancelled()) return Status::Aborted("index build of " + job.object_prefix + " cancelled");
    const int64_t count = std::min(batch, n - begin);
    VDB_RETURN_IF_ERROR(index->Add(count, x + begin * job.dim));
  }
  if (cancelled()) return Status::Aborted("index build of " + job.object_prefix + " cancelled");
  BuiltIndex built;
  VDB_ASSIGN_OR_RETURN(built.bytes, index->Serialize());
  built.spec = index_options.spec;
  built.rows = n;
  return built;
}

std::string IndexObjectKey(const rpc::IndexJob& job, NodeId node) {
  return "index/" + job.collection_id.ToString() + "/" + job.segment_id.ToString() + "/" +
         job.index_name + "/" + std::to_string(job.job_id) + "-" + node.ToString() + ".idx";
}

}  // namespace vdb::data
