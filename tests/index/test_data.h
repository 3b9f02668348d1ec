// Seeded random data and a naive exact search for the index tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "index/metric.h"

namespace vdb::index::test {

inline std::vector<float> RandomVectors(int64_t n, int d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n) * static_cast<size_t>(d));
  for (float& v : x) v = dist(rng);
  return x;
}

// Embedding-like data: a 12-dimensional latent mapped linearly to d dimensions plus a little
// noise, so neighbours are meaningful (uniform noise in 64-d has almost none) and recall figures
// reflect the graph rather than the data.
inline std::vector<float> EmbeddingLikeVectors(int64_t n, int d, uint64_t seed) {
  const int latent = 12;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> projection = RandomVectors(latent, d, seed + 1);
  std::vector<float> x(static_cast<size_t>(n) * static_cast<size_t>(d));
  std::vector<float> z(latent);
  for (int64_t i = 0; i < n; ++i) {
    for (float& v : z) v = gauss(rng);
    for (int j = 0; j < d; ++j) {
      float sum = 0.05f * gauss(rng);
      for (int l = 0; l < latent; ++l) sum += z[l] * projection[static_cast<size_t>(l) * d + j];
      x[static_cast<size_t>(i) * d + j] = sum;
    }
  }
  return x;
}

// Naive double-precision score, lower is better.
inline double NaiveScore(const float* a, const float* b, int d, Metric metric) {
  double l2 = 0, ip = 0, na = 0, nb = 0;
  for (int j = 0; j < d; ++j) {
    l2 += (double(a[j]) - b[j]) * (double(a[j]) - b[j]);
    ip += double(a[j]) * b[j];
    na += double(a[j]) * a[j];
    nb += double(b[j]) * b[j];
  }
  if (metric == Metric::kL2) return l2;
  if (metric == Metric::kInnerProduct) return -ip;
  return na > 0 && nb > 0 ? -ip / std::sqrt(na * nb) : 0.0;
}

// The exact k best rows for one query (allowed(row) decides membership), best first.
template <typename Allowed>
std::vector<int64_t> NaiveTopK(const float* x, int64_t n, int d, const float* q, int k,
                               Metric metric, Allowed allowed) {
  std::vector<std::pair<double, int64_t>> all;
  for (int64_t i = 0; i < n; ++i) {
    if (allowed(i)) all.emplace_back(NaiveScore(q, x + i * d, d, metric), i);
  }
  size_t keep = std::min(all.size(), static_cast<size_t>(k));
  std::partial_sort(all.begin(), all.begin() + static_cast<long>(keep), all.end());
  std::vector<int64_t> rows;
  for (size_t i = 0; i < keep; ++i) rows.push_back(all[i].second);
  return rows;
}

}  // namespace vdb::index::test
