#include "index/brute_force.h"

#include <algorithm>
#include <string>
#include <vector>

#include "index/distance.h"
#include "index/top_k.h"

namespace vdb::index {

void SearchResults::Resize(int64_t new_nq, int new_k) {
  nq = new_nq;
  k = new_k;
  rows.assign(static_cast<size_t>(new_nq) * static_cast<size_t>(new_k), -1);
  distances.assign(rows.size(), 0.0f);
}

namespace {

// Rows per block: the block (about 256 KiB) stays in L2 while every query of a worker scans it.
int64_t BlockRows(int d) {
  return std::max<int64_t>(16, (256 << 10) / (static_cast<int64_t>(d) * 4));
}

// True when every row of [begin, end) passes the filter, so the block can use the batch kernel.
bool AllAllowed(const RowFilter& filter, int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; ++r) {
    if ((r & 63) == 0 && r + 64 <= end) {
      if (filter.words()[r >> 6] != ~uint64_t{0}) return false;
      r += 63;
    } else if (!filter.Allows(r)) {
      return false;
    }
  }
  return true;
}

struct FloatScan {
  const FloatVectors& base;
  const float* queries;
  const float* query_norms;  // kCosine only
  Metric metric;
  const RowFilter* filter;
  const DistanceKernels& kernels;

  // Converts a raw kernel value into a lower-is-better score.
  float Score(float raw, int64_t q, const float* block_norms, int64_t i) const {
    switch (metric) {
      case Metric::kL2:
        return raw;
      case Metric::kInnerProduct:
        return -raw;
      default: {
        float denom = query_norms[q] * block_norms[i];
        return denom > 0 ? -(raw / denom) : -0.0f;
      }
    }
  }

  // Scans rows [row_begin, row_end) for queries [q_begin, q_end); heaps[q - q_begin].
  void Run(int64_t q_begin, int64_t q_end, int64_t row_begin, int64_t row_end,
           std::vector<TopK>* heaps) const {
    const size_t d = static_cast<size_t>(base.d);
    const int64_t block = BlockRows(base.d);
    std::vector<float> dist(static_cast<size_t>(block));
    std::vector<float> norms_buf(metric == Metric::kCosine ? static_cast<size_t>(block) : 0);
    auto batch = metric == Metric::kL2 ? kernels.l2_sqr_batch : kernels.inner_product_batch;
    auto single = metric == Metric::kL2 ? kernels.l2_sqr : kernels.inner_product;
    for (int64_t b0 = row_begin; b0 < row_end; b0 += block) {
      int64_t b1 = std::min(row_end, b0 + block);
      const float* xb = base.x + static_cast<size_t>(b0) * d;
      const float* block_norms = nullptr;
      if (metric == Metric::kCosine) {
        if (base.norms != nullptr) {
          block_norms = base.norms + b0;
        } else {
          L2Norms(xb, static_cast<size_t>(b1 - b0), d, norms_buf.data());
          block_norms = norms_buf.data();
        }
      }
      bool dense = filter == nullptr || AllAllowed(*filter, b0, b1);
      for (int64_t q = q_begin; q < q_end; ++q) {
        const float* xq = queries + static_cast<size_t>(q) * d;
        TopK& heap = (*heaps)[static_cast<size_t>(q - q_begin)];
        if (dense) {
          batch(xq, xb, static_cast<size_t>(b1 - b0), d, dist.data());
          float threshold = heap.threshold();
          for (int64_t i = 0; i < b1 - b0; ++i) {
            float s = Score(dist[static_cast<size_t>(i)], q, block_norms, i);
            if (s <= threshold) {
              heap.Push(s, b0 + i);
              threshold = heap.threshold();
            }
          }
        } else {
          for (int64_t r = b0; r < b1; ++r) {
            if (!filter->Allows(r)) continue;
            float raw = single(xq, base.x + static_cast<size_t>(r) * d, d);
            heap.Push(Score(raw, q, block_norms, r - b0), r);
          }
        }
      }
    }
  }
};

Status ValidateParams(int64_t nq, int d, const BruteForceParams& params) {
  if (params.k < 1) return Status::InvalidArgument("brute-force search: k must be >= 1");
  if (d < 1) return Status::InvalidArgument("brute-force search: d must be >= 1");
  if (nq < 0) return Status::InvalidArgument("brute-force search: nq must be >= 0");
  return Status::OK();
}

// Splits the work across threads by queries when there are enough of them, otherwise by rows
// (each thread keeps its own heaps, merged at the end). `scan(q0, q1, r0, r1, heaps)`.
template <typename Scan>
void Parallel(int64_t nq, int64_t n, const BruteForceParams& params, bool negate,
              SearchResults* out, const Scan& scan) {
  int threads = std::max(1, params.num_threads);
  threads = static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(1, n / 1024)));
  out->Resize(nq, params.k);
  auto extract = [&](std::vector<TopK>& heaps, int64_t q0) {
    for (size_t i = 0; i < heaps.size(); ++i) {
      size_t offset = (static_cast<size_t>(q0) + i) * static_cast<size_t>(params.k);
      heaps[i].Extract(negate, out->rows.data() + offset, out->distances.data() + offset);
    }
  };
  if (threads == 1 || nq >= 2 * threads) {
    RunOnThreads(threads, [&](int t) {
      int64_t q0 = nq * t / threads, q1 = nq * (t + 1) / threads;
      std::vector<TopK> heaps(static_cast<size_t>(q1 - q0), TopK(params.k));
      scan(q0, q1, 0, n, &heaps);
      extract(heaps, q0);
    });
    return;
  }
  std::vector<std::vector<TopK>> partial(static_cast<size_t>(threads));
  RunOnThreads(threads, [&](int t) {
    partial[static_cast<size_t>(t)].assign(static_cast<size_t>(nq), TopK(params.k));
    scan(0, nq, n * t / threads, n * (t + 1) / threads, &partial[static_cast<size_t>(t)]);
  });
  for (int t = 1; t < threads; ++t) {
    for (size_t q = 0; q < static_cast<size_t>(nq); ++q) {
      partial[0][q].Merge(partial[static_cast<size_t>(t)][q]);
    }
  }
  extract(partial[0], 0);
}

}  // namespace

Status BruteForceSearch(const FloatVectors& base, int64_t nq, const float* queries,
                        const BruteForceParams& params, SearchResults* out) {
  VDB_RETURN_IF_ERROR(ValidateParams(nq, base.d, params));
  if (IsBinaryMetric(params.metric)) {
    return Status::InvalidArgument("brute-force search: metric " +
                                   std::string(MetricName(params.metric)) +
                                   " needs binary vectors");
  }
  std::vector<float> query_norms;
  if (params.metric == Metric::kCosine) {
    query_norms.resize(static_cast<size_t>(nq));
    L2Norms(queries, static_cast<size_t>(nq), static_cast<size_t>(base.d), query_norms.data());
  }
  FloatScan scan{base, queries, query_norms.data(), params.metric, params.filter, Kernels()};
  Parallel(nq, base.n, params, HigherIsBetter(params.metric), out,
           [&](int64_t q0, int64_t q1, int64_t r0, int64_t r1, std::vector<TopK>* heaps) {
             scan.Run(q0, q1, r0, r1, heaps);
           });
  return Status::OK();
}

Status BruteForceSearchBinary(const BinaryVectors& base, int64_t nq, const uint8_t* queries,
                              const BruteForceParams& params, SearchResults* out) {
  VDB_RETURN_IF_ERROR(ValidateParams(nq, base.d, params));
  if (!IsBinaryMetric(params.metric)) {
    return Status::InvalidArgument("brute-force search: metric " +
                                   std::string(MetricName(params.metric)) + " needs float vectors");
  }
  const size_t bytes = (static_cast<size_t>(base.d) + 7) / 8;
  const DistanceKernels& kernels = Kernels();
  const bool hamming = params.metric == Metric::kHamming;
  Parallel(nq, base.n, params, false, out,
           [&](int64_t q0, int64_t q1, int64_t r0, int64_t r1, std::vector<TopK>* heaps) {
             for (int64_t r = r0; r < r1; ++r) {
               if (params.filter != nullptr && !params.filter->Allows(r)) continue;
               const uint8_t* xr = base.x + static_cast<size_t>(r) * bytes;
               for (int64_t q = q0; q < q1; ++q) {
                 const uint8_t* xq = queries + static_cast<size_t>(q) * bytes;
                 float s = hamming ? static_cast<float>(kernels.hamming(xq, xr, bytes))
                                   : kernels.jaccard(xq, xr, bytes);
                 (*heaps)[static_cast<size_t>(q - q0)].Push(s, r);
               }
             }
           });
  return Status::OK();
}

}  // namespace vdb::index
