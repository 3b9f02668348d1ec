// FLAT: the vectors themselves, searched exactly with BruteForceSearch.

#include <cstring>
#include <vector>

#include "common/coding.h"
#include "index/brute_force.h"
#include "index/distance.h"
#include "index/index_impl.h"

namespace vdb::index::internal {
namespace {

class FlatIndex final : public VectorIndex {
 public:
  FlatIndex(IndexSpec spec, Metric metric, int d) : VectorIndex(std::move(spec), metric, d) {}

  Status Add(int64_t n, const float* x) override {
    if (n < 0) return Status::InvalidArgument("FLAT index: n must be >= 0");
    size_t old = x_.size();
    x_.insert(x_.end(), x, x + static_cast<size_t>(n) * static_cast<size_t>(d()));
    if (metric() == Metric::kCosine) {
      norms_.resize(norms_.size() + static_cast<size_t>(n));
      L2Norms(x_.data() + old, static_cast<size_t>(n), static_cast<size_t>(d()),
              norms_.data() + norms_.size() - static_cast<size_t>(n));
    }
    return Status::OK();
  }

  Status Search(int64_t nq, const float* x, int k, const SearchParams& params,
                const RowFilter* filter, SearchResults* out) const override {
    VDB_RETURN_IF_ERROR(ValidateSearch(nq, k));
    FloatVectors base{x_.data(), size(), d(), norms_.empty() ? nullptr : norms_.data()};
    BruteForceParams bf{metric(), k, filter, params.num_threads};
    return BruteForceSearch(base, nq, x, bf, out);
  }

  int64_t size() const override { return static_cast<int64_t>(x_.size()) / d(); }

  Status SerializeBody(std::string* out) const override {
    static_assert(std::endian::native == std::endian::little, "FLAT body is little-endian");
    out->append(reinterpret_cast<const char*>(x_.data()), x_.size() * sizeof(float));
    return Status::OK();
  }

 private:
  std::vector<float> x_;      // size() * d, row-major
  std::vector<float> norms_;  // kCosine only: norm of each row
};

}  // namespace

Result<std::unique_ptr<VectorIndex>> NewFlatIndex(const IndexSpec& spec,
                                                  const IndexOptions& options) {
  return std::unique_ptr<VectorIndex>(new FlatIndex(spec, options.metric, options.d));
}

Result<std::unique_ptr<VectorIndex>> LoadFlatIndex(const IndexHeader& header,
                                                   std::string_view body) {
  uint64_t floats = static_cast<uint64_t>(header.n) * static_cast<uint64_t>(header.d);
  if (body.size() != floats * sizeof(float)) {
    return Status::Corruption("FLAT index: body of " + std::to_string(body.size()) +
                              " bytes, want " + std::to_string(floats * sizeof(float)));
  }
  std::vector<float> x(floats);
  if (floats != 0) std::memcpy(x.data(), body.data(), body.size());
  auto index = std::make_unique<FlatIndex>(header.spec, header.metric, header.d);
  VDB_RETURN_IF_ERROR(index->Add(header.n, x.data()));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

}  // namespace vdb::index::internal
