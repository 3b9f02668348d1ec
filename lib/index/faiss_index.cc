// FAISS-backed indexes for specs we do not implement natively ("IVF1024,Flat", "IVF256,PQ16",
// ...), built with faiss::index_factory. FAISS exceptions stop here and become a Status.

#include "index/faiss_index.h"

#include <faiss/Index.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <omp.h>

#include <cmath>
#include <exception>
#include <mutex>
#include <vector>

#include "index/distance.h"
#include "index/index_impl.h"

namespace vdb::index {
namespace {

faiss::MetricType ToFaiss(Metric metric) {
  return metric == Metric::kL2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT;
}

Status FromException(const std::string& spec, const char* what) {
  return Status::Internal("FAISS index \"" + spec + "\": " + what);
}

class FaissIndex final : public VectorIndex {
 public:
  FaissIndex(IndexSpec spec, Metric metric, int d, std::unique_ptr<faiss::Index> index)
      : VectorIndex(std::move(spec), metric, d), index_(std::move(index)) {}

  Status Add(int64_t n, const float* x) override {
    if (n < 0) return Status::InvalidArgument("FAISS index: n must be >= 0");
    std::vector<float> normalized;
    if (metric() == Metric::kCosine) {
      normalized.assign(x, x + static_cast<size_t>(n) * static_cast<size_t>(d()));
      NormalizeL2(normalized.data(), static_cast<size_t>(n), static_cast<size_t>(d()));
      x = normalized.data();
    }
    try {
      if (!index_->is_trained) index_->train(n, x);
      index_->add(n, x);
    } catch (const std::exception& e) {
      return FromException(spec().text, e.what());
    }
    return Status::OK();
  }

  Status Search(int64_t nq, const float* x, int k, const SearchParams& params,
                const RowFilter* filter, SearchResults* out) const override {
    VDB_RETURN_IF_ERROR(internal::ValidateSearch(nq, k));
    std::vector<float> normalized;
    if (metric() == Metric::kCosine) {
      normalized.assign(x, x + static_cast<size_t>(nq) * static_cast<size_t>(d()));
      NormalizeL2(normalized.data(), static_cast<size_t>(nq), static_cast<size_t>(d()));
      x = normalized.data();
    }
    // IDSelectorBitmap reads bytes LSB first: RowFilter's little-endian words, with the bits past
    // filter->n() cleared so they cannot admit rows the filter does not name.
    std::vector<uint8_t> bitmap;
    std::unique_ptr<faiss::IDSelectorBitmap> selector;
    if (filter != nullptr) {
      bitmap.assign((filter->n() + 7) / 8, 0);
      for (size_t i = 0; i < filter->n(); ++i) {
        if (filter->Allows(static_cast<int64_t>(i))) bitmap[i >> 3] |= uint8_t(1u << (i & 7));
      }
      selector = std::make_unique<faiss::IDSelectorBitmap>(bitmap.size(), bitmap.data());
    }
    faiss::SearchParametersHNSW hnsw;
    hnsw.efSearch = std::max(params.ef, k);
    faiss::SearchParametersIVF ivf;
    ivf.nprobe = static_cast<size_t>(std::max(1, params.nprobe));
    faiss::SearchParameters plain;
    faiss::SearchParameters* sp = &plain;
    if (dynamic_cast<const faiss::IndexHNSW*>(index_.get()) != nullptr) sp = &hnsw;
    if (dynamic_cast<const faiss::IndexIVF*>(index_.get()) != nullptr) sp = &ivf;
    sp->sel = selector.get();
    out->Resize(nq, k);
    try {
      omp_set_num_threads(std::max(1, params.num_threads));
      auto* graph = dynamic_cast<faiss::IndexHNSW*>(index_.get());
      if (graph != nullptr) {
        // FAISS 1.7.3's IndexHNSW::search reads efSearch from the index, not from the
        // parameters, so HNSW searches set it and run one at a time.
        std::lock_guard<std::mutex> lock(hnsw_mu_);
        graph->hnsw.efSearch = hnsw.efSearch;
        index_->search(nq, x, k, out->distances.data(), out->rows.data(), sp);
      } else {
        index_->search(nq, x, k, out->distances.data(), out->rows.data(), sp);
      }
    } catch (const std::exception& e) {
      return FromException(spec().text, e.what());
    }
    for (size_t i = 0; i < out->rows.size(); ++i) {
      if (out->rows[i] < 0) {
        out->rows[i] = -1;
        out->distances[i] = std::nanf("");
      }
    }
    return Status::OK();
  }

  int64_t size() const override { return index_->ntotal; }

  Status SerializeBody(std::string* out) const override {
    faiss::VectorIOWriter writer;
    try {
      faiss::write_index(index_.get(), &writer);
    } catch (const std::exception& e) {
      return FromException(spec().text, e.what());
    }
    out->append(reinterpret_cast<const char*>(writer.data.data()), writer.data.size());
    return Status::OK();
  }

 private:
  std::unique_ptr<faiss::Index> index_;
  mutable std::mutex hnsw_mu_;  // serialises searches of FAISS HNSW indexes (see Search)
};

}  // namespace

Result<std::unique_ptr<VectorIndex>> CreateFaissIndex(const IndexOptions& options) {
  VDB_ASSIGN_OR_RETURN(IndexSpec spec, ParseIndexSpec(options.spec));
  if (options.d < 1 || IsBinaryMetric(options.metric)) {
    return Status::InvalidArgument("FAISS index \"" + spec.text + "\": bad d or metric");
  }
  spec.type = IndexType::kFaiss;
  return internal::NewFaissIndex(spec, options);
}

namespace internal {

Result<std::unique_ptr<VectorIndex>> NewFaissIndex(const IndexSpec& spec,
                                                   const IndexOptions& options) {
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::index_factory(options.d, spec.text.c_str(), ToFaiss(options.metric)));
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index.get())) {
      hnsw->hnsw.efConstruction = options.ef_construction;
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument("index spec \"" + spec.text + "\": " + e.what());
  }
  return std::unique_ptr<VectorIndex>(
      new FaissIndex(spec, options.metric, options.d, std::move(index)));
}

Result<std::unique_ptr<VectorIndex>> LoadFaissIndex(const IndexHeader& header,
                                                    std::string_view body) {
  faiss::VectorIOReader reader;
  reader.data.assign(body.begin(), body.end());
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(&reader));
  } catch (const std::exception& e) {
    return Status::Corruption("FAISS index \"" + header.spec.text + "\": " + e.what());
  }
  if (index->d != header.d || index->ntotal != header.n ||
      index->metric_type != ToFaiss(header.metric)) {
    return Status::Corruption("FAISS index \"" + header.spec.text +
                              "\": d, n or metric disagree with the header");
  }
  return std::unique_ptr<VectorIndex>(
      new FaissIndex(header.spec, header.metric, header.d, std::move(index)));
}

}  // namespace internal
}  // namespace vdb::index
