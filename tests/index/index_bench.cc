// index_bench: brute-force and HNSW throughput of lib/index next to FAISS and raw hnswlib on the
// same data, single-threaded single-query search. Runs on 100k x 128 random vectors and, when
// present, Fashion-MNIST (bench-data/fashion-mnist-784-euclidean.{base,query}.fvecs, made by
// ../shared/data/fashion-mnist.py). Usage: index_bench [data_dir] [--quick]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "index/brute_force.h"
#include "index/distance.h"
#include "index/faiss_index.h"
#include "index/hnswlib_raw.h"
#include "index/vector_index.h"

namespace vdb::index {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Dataset {
  std::string name;
  int d = 0;
  int64_t n = 0, nq = 0;
  std::vector<float> x, q;
  std::vector<int64_t> truth;  // nq * 10 exact neighbours
};

std::vector<float> ReadFvecs(const std::string& path, int* d, int64_t* n) {
  std::ifstream in(path, std::ios::binary);
  std::vector<float> out;
  int32_t dim = 0;
  *n = 0;
  while (in.read(reinterpret_cast<char*>(&dim), 4)) {
    size_t old = out.size();
    out.resize(old + static_cast<size_t>(dim));
    in.read(reinterpret_cast<char*>(out.data() + old), dim * 4);
    *d = dim;
    ++*n;
  }
  return out;
}

void ComputeTruth(Dataset* ds) {
  SearchResults out;
  BruteForceParams params{Metric::kL2, 10, nullptr, 2};
  if (!BruteForceSearch({ds->x.data(), ds->n, ds->d, nullptr}, ds->nq, ds->q.data(), params, &out)
           .ok()) {
    std::abort();
  }
  ds->truth = out.rows;
}

double Recall(const Dataset& ds, const std::vector<int64_t>& rows) {
  double hits = 0;
  for (int64_t i = 0; i < ds.nq; ++i) {
    std::set<int64_t> want(ds.truth.begin() + i * 10, ds.truth.begin() + (i + 1) * 10);
    for (int j = 0; j < 10; ++j) hits += want.count(rows[static_cast<size_t>(i * 10 + j)]);
  }
  return hits / static_cast<double>(ds.nq * 10);
}

// Runs search(i, rows + i * 10) for queries one at a time; returns QPS.
double SingleQueryQps(const Dataset& ds, int64_t nq, std::vector<int64_t>* rows,
                      const std::function<void(int64_t, int64_t*)>& search) {
  rows->assign(static_cast<size_t>(ds.nq * 10), -1);
  auto start = Clock::now();
  for (int64_t i = 0; i < nq; ++i) search(i, rows->data() + i * 10);
  return static_cast<double>(nq) / Seconds(start);
}

void Row(const char* engine, const std::string& config, double build_s, double recall, double qps) {
  std::printf("| %-26s | %-22s | %7.1f s | %6.3f | %9.0f |\n", engine, config.c_str(), build_s,
              recall, qps);
}

void VectorIndexSearch(const VectorIndex& index, const Dataset& ds, int ef, int64_t i,
                       int64_t* rows) {
  SearchResults out;
  SearchParams params;
  params.ef = ef;
  if (!index.Search(1, ds.q.data() + i * ds.d, 10, params, nullptr, &out).ok()) std::abort();
  std::memcpy(rows, out.rows.data(), 10 * sizeof(int64_t));
}

void Run(const Dataset& ds, bool quick) {
  std::printf("\n%s: n=%lld d=%d queries=%lld, kernels=%s\n", ds.name.c_str(),
              static_cast<long long>(ds.n), ds.d, static_cast<long long>(ds.nq),
              SimdLevelName(DetectedSimdLevel()));
  std::printf(
      "| engine                     | config                 | build     | recall | QPS(1thr) |\n");
  std::printf("|---|---|---|---|---|\n");
  std::vector<int64_t> rows;
  const int64_t flat_nq = std::min<int64_t>(ds.nq, quick ? 50 : 200);
  Dataset sub = ds;
  sub.nq = flat_nq;
  double qps = SingleQueryQps(ds, flat_nq, &rows, [&](int64_t i, int64_t* r) {
    SearchResults out;
    if (!BruteForceSearch({ds.x.data(), ds.n, ds.d, nullptr}, 1, ds.q.data() + i * ds.d,
                          {Metric::kL2, 10, nullptr, 1}, &out)
             .ok()) {
      std::abort();
    }
    std::memcpy(r, out.rows.data(), 10 * sizeof(int64_t));
  });
  Row("vdb brute force", "FLAT", 0, Recall(sub, rows), qps);
  IndexOptions options;
  options.d = ds.d;
  options.spec = "Flat";
  auto faiss_flat = CreateFaissIndex(options);
  if (!faiss_flat.ok() || !(*faiss_flat)->Add(ds.n, ds.x.data()).ok()) std::abort();
  qps = SingleQueryQps(ds, flat_nq, &rows, [&](int64_t i, int64_t* r) {
    VectorIndexSearch(**faiss_flat, ds, 0, i, r);
  });
  Row("FAISS IndexFlatL2", "Flat", 0, Recall(sub, rows), qps);
  faiss_flat->reset();

  const int m = 16, efc = 200;
  const int threads = 2;
  options.ef_construction = efc;
  options.num_threads = threads;
  options.spec = "HNSW16";
  auto start = Clock::now();
  auto ours = VectorIndex::Create(options);
  if (!ours.ok() || !(*ours)->Build(ds.n, ds.x.data()).ok()) std::abort();
  double ours_build = Seconds(start);
  start = Clock::now();
  auto faiss_hnsw = CreateFaissIndex(options);
  if (!faiss_hnsw.ok() || !(*faiss_hnsw)->Add(ds.n, ds.x.data()).ok()) std::abort();
  double faiss_build = Seconds(start);
  start = Clock::now();
  auto raw = RawHnswlib::Build(ds.n, ds.d, ds.x.data(), m, efc, threads);
  if (!raw.ok()) std::abort();
  double raw_build = Seconds(start);
  for (int ef : {16, 32, 64, 128}) {
    std::string config = "M=16 efC=200 ef=" + std::to_string(ef);
    qps = SingleQueryQps(ds, ds.nq, &rows,
                         [&](int64_t i, int64_t* r) { VectorIndexSearch(**ours, ds, ef, i, r); });
    Row("vdb HNSW (hnswlib graph)", config, ours_build, Recall(ds, rows), qps);
    qps = SingleQueryQps(ds, ds.nq, &rows, [&](int64_t i, int64_t* r) {
      VectorIndexSearch(**faiss_hnsw, ds, ef, i, r);
    });
    Row("FAISS IndexHNSWFlat", config, faiss_build, Recall(ds, rows), qps);
    qps = SingleQueryQps(ds, ds.nq, &rows, [&](int64_t i, int64_t* r) {
      if (!(*raw)->Search(ds.q.data() + i * ds.d, 10, ef, r).ok()) std::abort();
    });
    Row("raw hnswlib 0.6.2", config, raw_build, Recall(ds, rows), qps);
  }
}

}  // namespace
}  // namespace vdb::index

int main(int argc, char** argv) {
  using namespace vdb::index;
  std::string dir = "bench-data";
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else {
      dir = argv[i];
    }
  }
  std::printf("HNSW builds use 2 threads; searches are one query per call on one thread.\n");
  Dataset random;
  random.name = "random-uniform";
  random.d = 128;
  random.n = quick ? 20000 : 100000;
  random.nq = 1000;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<float> dist(0, 1);
  random.x.resize(static_cast<size_t>(random.n * random.d));
  random.q.resize(static_cast<size_t>(random.nq * random.d));
  for (float& v : random.x) v = dist(rng);
  for (float& v : random.q) v = dist(rng);
  ComputeTruth(&random);
  Run(random, quick);

  Dataset fm;
  fm.name = "fashion-mnist-784";
  int64_t nq = 0;
  int dq = 0;
  fm.x = ReadFvecs(dir + "/fashion-mnist-784-euclidean.base.fvecs", &fm.d, &fm.n);
  fm.q = ReadFvecs(dir + "/fashion-mnist-784-euclidean.query.fvecs", &dq, &nq);
  if (fm.n == 0 || nq == 0 || dq != fm.d) {
    std::printf("\n(no Fashion-MNIST under %s; skipped)\n", dir.c_str());
    return 0;
  }
  fm.nq = std::min<int64_t>(nq, quick ? 500 : 2000);
  fm.q.resize(static_cast<size_t>(fm.nq * fm.d));
  ComputeTruth(&fm);
  Run(fm, quick);
  return 0;
}
