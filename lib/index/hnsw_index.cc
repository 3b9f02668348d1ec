// HNSW: an hnswlib graph (built by hnswlib's addPoint) searched by our own routine, which adds
// what hnswlib 0.6.2 lacks: per-request ef, row filters, concurrent searches without shared
// mutable state, and in-memory serialization validated before any byte reaches hnswlib.
// hnswlib exceptions stop here and become a Status.

// hnswlib 0.6.2's SSE prefetches read one link past the end of a full upper-level list (a
// harmless over-read in practice that AddressSanitizer reports), so sanitizer builds turn them off.
#if defined(__SANITIZE_ADDRESS__)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>
#include <queue>
#include <random>
#include <vector>

#include "common/coding.h"
#include "index/distance.h"
#include "index/hnswlib_raw.h"
#include "index/index_impl.h"
#include "index/top_k.h"

namespace vdb::index::internal {
namespace {

using Graph = hnswlib::HierarchicalNSW<float>;
using hnswlib::labeltype;
using hnswlib::linklistsizeint;
using hnswlib::tableint;

// Below this share of allowed rows a filtered search scans the allowed rows exactly: the graph
// walk would visit about ef / share nodes to collect ef allowed ones, more than the scan costs.
constexpr double kBruteForceShare = 0.02;
constexpr uint32_t kNone = 0xffffffffu;
constexpr int kMaxLevel = 64;

// hnswlib reads *(size_t*)param as the dimension, so d stays first.
struct SpaceParam {
  size_t d;
  float (*fn)(const float*, const float*, size_t);
};

float L2Dist(const void* a, const void* b, const void* p) {
  const auto* s = static_cast<const SpaceParam*>(p);
  return s->fn(static_cast<const float*>(a), static_cast<const float*>(b), s->d);
}

// Inner product as a distance: negated, so smaller is better and scores stay exact.
float NegIpDist(const void* a, const void* b, const void* p) {
  const auto* s = static_cast<const SpaceParam*>(p);
  return -s->fn(static_cast<const float*>(a), static_cast<const float*>(b), s->d);
}

class Space final : public hnswlib::SpaceInterface<float> {
 public:
  Space(size_t d, bool ip) : param_{d, ip ? Kernels().inner_product : Kernels().l2_sqr}, ip_(ip) {}
  size_t get_data_size() override { return param_.d * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return ip_ ? NegIpDist : L2Dist; }
  void* get_dist_func_param() override { return &param_; }
  const SpaceParam& param() const { return param_; }

 private:
  SpaceParam param_;
  bool ip_;
};

using Candidate = std::pair<float, tableint>;  // (distance, internal id)

class HnswIndex final : public VectorIndex {
 public:
  HnswIndex(IndexSpec spec, Metric metric, int d, int ef_construction, int num_threads,
            uint64_t seed)
      : VectorIndex(std::move(spec), metric, d),
        space_(static_cast<size_t>(d), metric != Metric::kL2),
        ef_construction_(ef_construction),
        num_threads_(num_threads),
        level_rng_(seed) {}

  // Allocates an empty graph for `capacity` nodes. hnswlib throws on allocation failure.
  Status Init(size_t capacity) {
    try {
      graph_ = std::make_unique<Graph>(&space_, std::max<size_t>(capacity, 1),
                                       static_cast<size_t>(this->spec().m),
                                       static_cast<size_t>(ef_construction_));
    } catch (const std::exception& e) {
      return Status::Internal("HNSW index: " + std::string(e.what()));
    }
    return Status::OK();
  }

  Status Add(int64_t n, const float* x) override;
  Status Search(int64_t nq, const float* x, int k, const SearchParams& params,
                const RowFilter* filter, SearchResults* out) const override;
  int64_t size() const override { return static_cast<int64_t>(graph_->cur_element_count); }
  Status SerializeBody(std::string* out) const override;

  // Load: fills a graph Init()-ed for size_hint nodes from a serialized body, validating every
  // size and link first.
  void set_size_hint(int64_t n) { size_hint_ = n; }
  Status Restore(std::string_view body);

 private:
  const float* Vector(tableint id) const {
    return reinterpret_cast<const float*>(graph_->getDataByInternalId(id));
  }
  float Distance(const float* q, tableint id) const {
    float v = space_.param().fn(q, Vector(id), space_.param().d);
    return metric() == Metric::kL2 ? v : -v;
  }
  bool Allowed(const RowFilter* filter, tableint id) const {
    return filter == nullptr || filter->Allows(static_cast<int64_t>(graph_->getExternalLabel(id)));
  }
  // Greedy descent through the upper levels to the best level-0 entry node for q.
  tableint Descend(const float* q) const;
  // Beam search of width ef on level 0, keeping only allowed nodes as results.
  void SearchLevel0(const float* q, tableint entry, size_t ef, const RowFilter* filter,
                    TopK* top) const;
  // Exact scan of the allowed rows (all rows for a null filter).
  void ScanAllowed(const float* q, const RowFilter* filter, TopK* top) const;

  Space space_;
  int ef_construction_;
  int num_threads_;
  std::mt19937_64 level_rng_;
  std::unique_ptr<Graph> graph_;
  std::vector<tableint> row_to_id_;  // row -> internal id
  int64_t size_hint_ = 0;
};

Status HnswIndex::Add(int64_t n, const float* x) {
  if (n < 0) return Status::InvalidArgument("HNSW index: n must be >= 0");
  if (n == 0) return Status::OK();
  const size_t d = static_cast<size_t>(this->d());
  const size_t old = graph_->cur_element_count;
  if (old + static_cast<size_t>(n) > size_t{kNone} - 1) {
    return Status::InvalidArgument("HNSW index: more than 2^32 - 2 vectors");
  }
  std::vector<float> normalized;
  if (metric() == Metric::kCosine) {
    normalized.assign(x, x + static_cast<size_t>(n) * d);
    NormalizeL2(normalized.data(), static_cast<size_t>(n), d);
    x = normalized.data();
  }
  // Levels come from our own seeded generator, drawn serially, so the graph's shape does not
  // depend on thread timing; hnswlib's generator is neutralised (mult_ = 0 draws level 0).
  std::vector<int> levels(static_cast<size_t>(n));
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double mult = 1.0 / std::log(static_cast<double>(spec().m));
  for (int& level : levels) {
    level = std::min(kMaxLevel, static_cast<int>(-std::log(1.0 - uniform(level_rng_)) * mult));
  }
  try {
    if (old + static_cast<size_t>(n) > graph_->max_elements_) {
      graph_->resizeIndex(std::max(old + static_cast<size_t>(n), graph_->max_elements_ * 2));
    }
    graph_->mult_ = 0;
    auto add_one = [&](size_t i) {
      graph_->addPoint(x + i * d, static_cast<labeltype>(old + i), levels[i]);
    };
    size_t start = 0;
    if (old == 0) add_one(start++);  // the entry point, before threads race for it
    const int threads = std::max(1, num_threads_);
    std::atomic<size_t> next{start};
    std::exception_ptr error;
    std::mutex error_mu;
    RunOnThreads(threads, [&](int) {
      try {
        for (size_t i = next++; i < static_cast<size_t>(n); i = next++) add_one(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        error = std::current_exception();
        next = static_cast<size_t>(n);
      }
    });
    graph_->mult_ = mult;
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return Status::Internal("HNSW index: add failed: " + std::string(e.what()));
  }
  row_to_id_.resize(graph_->cur_element_count);
  for (size_t id = old; id < graph_->cur_element_count; ++id) {
    row_to_id_[graph_->getExternalLabel(static_cast<tableint>(id))] = static_cast<tableint>(id);
  }
  return Status::OK();
}

tableint HnswIndex::Descend(const float* q) const {
  tableint current = graph_->enterpoint_node_;
  float current_dist = Distance(q, current);
  for (int level = graph_->maxlevel_; level > 0; --level) {
    bool changed = true;
    while (changed) {
      changed = false;
      const linklistsizeint* list = graph_->get_linklist(current, level);
      const auto* links = reinterpret_cast<const tableint*>(list + 1);
      for (size_t i = 0, count = (*list & 0xffffu); i < count; ++i) {
        float dist = Distance(q, links[i]);
        if (dist < current_dist) {
          current_dist = dist;
          current = links[i];
          changed = true;
        }
      }
    }
  }
  return current;
}

void HnswIndex::SearchLevel0(const float* q, tableint entry, size_t ef, const RowFilter* filter,
                             TopK* out) const {
  hnswlib::VisitedList* visited = graph_->visited_list_pool_->getFreeVisitedList();
  hnswlib::vl_type* marks = visited->mass;
  const hnswlib::vl_type tag = visited->curV;
  // results: max-heap of the best ef allowed nodes; frontier: min-heap via negated distances.
  std::priority_queue<Candidate> results;
  std::priority_queue<Candidate> frontier;
  float bound = std::numeric_limits<float>::infinity();
  float entry_dist = Distance(q, entry);
  if (Allowed(filter, entry)) {
    results.emplace(entry_dist, entry);
    bound = entry_dist;
  }
  frontier.emplace(-entry_dist, entry);
  marks[entry] = tag;
  while (!frontier.empty()) {
    auto [neg_dist, node] = frontier.top();
    if (-neg_dist > bound && results.size() >= ef) break;
    frontier.pop();
    const linklistsizeint* list = graph_->get_linklist0(node);
    const auto* links = reinterpret_cast<const tableint*>(list + 1);
    const size_t count = (*list & 0xffffu);
    for (size_t i = 0; i < count; ++i) {
      if (i + 1 < count) __builtin_prefetch(graph_->getDataByInternalId(links[i + 1]));
      tableint next = links[i];
      if (marks[next] == tag) continue;
      marks[next] = tag;
      float dist = Distance(q, next);
      if (results.size() >= ef && dist >= bound) continue;
      frontier.emplace(-dist, next);
      if (!Allowed(filter, next)) continue;
      results.emplace(dist, next);
      if (results.size() > ef) results.pop();
      bound = results.top().first;
    }
  }
  graph_->visited_list_pool_->releaseVisitedList(visited);
  for (; !results.empty(); results.pop()) {
    auto [dist, id] = results.top();
    out->Push(dist, static_cast<int64_t>(graph_->getExternalLabel(id)));
  }
}

void HnswIndex::ScanAllowed(const float* q, const RowFilter* filter, TopK* top) const {
  int64_t n = size();
  if (filter != nullptr) n = std::min(n, static_cast<int64_t>(filter->n()));
  for (int64_t row = 0; row < n; ++row) {
    if (filter != nullptr && (row & 63) == 0 && filter->words()[row >> 6] == 0) {
      row += 63;
      continue;
    }
    if (filter != nullptr && !filter->Allows(row)) continue;
    top->Push(Distance(q, row_to_id_[static_cast<size_t>(row)]), row);
  }
}

Status HnswIndex::Search(int64_t nq, const float* x, int k, const SearchParams& params,
                         const RowFilter* filter, SearchResults* out) const {
  VDB_RETURN_IF_ERROR(ValidateSearch(nq, k));
  out->Resize(nq, k);
  const size_t d = static_cast<size_t>(this->d());
  const int64_t n = size();
  size_t allowed = static_cast<size_t>(n);
  if (filter != nullptr) {
    allowed = filter->n() <= static_cast<size_t>(n)
                  ? filter->CountAllowed()
                  : RowFilter(filter->words(), static_cast<size_t>(n)).CountAllowed();
  }
  const size_t want = std::min(static_cast<size_t>(k), allowed);
  const bool scan =
      filter != nullptr && static_cast<double>(allowed) < kBruteForceShare * static_cast<double>(n);
  const size_t ef = static_cast<size_t>(std::max(params.ef, k));
  const bool negate = HigherIsBetter(metric());
  const int threads =
      static_cast<int>(std::clamp<int64_t>(params.num_threads, 1, std::max<int64_t>(nq, 1)));
  RunOnThreads(threads, [&](int t) {
    std::vector<float> normalized(metric() == Metric::kCosine ? d : 0);
    TopK top(k);
    for (int64_t qi = nq * t / threads; qi < nq * (t + 1) / threads; ++qi) {
      const float* q = x + static_cast<size_t>(qi) * d;
      if (!normalized.empty()) {
        std::memcpy(normalized.data(), q, d * sizeof(float));
        NormalizeL2(normalized.data(), 1, d);
        q = normalized.data();
      }
      if (want > 0 && !scan) {
        SearchLevel0(q, Descend(q), ef, filter, &top);
      }
      if (top.size() < want) {  // a selective filter, or the walk found too few allowed rows
        top.Clear();
        ScanAllowed(q, filter, &top);
      }
      size_t offset = static_cast<size_t>(qi) * static_cast<size_t>(k);
      top.Extract(negate, out->rows.data() + offset, out->distances.data() + offset);
    }
  });
  return Status::OK();
}

Status HnswIndex::SerializeBody(std::string* out) const {
  static_assert(std::endian::native == std::endian::little, "HNSW body is little-endian");
  const size_t n = graph_->cur_element_count;
  PutFixed32(out, static_cast<uint32_t>(spec().m));
  PutFixed32(out, static_cast<uint32_t>(graph_->ef_construction_));
  PutFixed32(out, n == 0 ? kNone : static_cast<uint32_t>(graph_->maxlevel_));
  PutFixed32(out, n == 0 ? kNone : graph_->enterpoint_node_);
  out->append(graph_->data_level0_memory_, n * graph_->size_data_per_element_);
  for (size_t i = 0; i < n; ++i) {
    int level = graph_->element_levels_[i];
    PutFixed32(out, static_cast<uint32_t>(level));
    if (level > 0) {
      out->append(graph_->linkLists_[i],
                  static_cast<size_t>(level) * graph_->size_links_per_element_);
    }
  }
  return Status::OK();
}

// Checks one link list: at most `max_count` links, each to a node < n whose level >= `level`.
bool ValidLinks(const char* list, size_t max_count, int level, const std::vector<int>& levels) {
  uint32_t count = DecodeFixed32(list);
  if (count > max_count) return false;
  for (uint32_t j = 0; j < count; ++j) {
    uint32_t link = DecodeFixed32(list + 4 + 4 * j);
    if (link >= levels.size() || levels[link] < level) return false;
  }
  return true;
}

Status HnswIndex::Restore(std::string_view body) {
  auto corrupt = [](const std::string& what) { return Status::Corruption("HNSW index: " + what); };
  const size_t n = static_cast<size_t>(size_hint_);
  uint32_t m = 0, ef_construction = 0, max_level = 0, entry = 0;
  if (!GetFixed32(&body, &m) || !GetFixed32(&body, &ef_construction) ||
      !GetFixed32(&body, &max_level) || !GetFixed32(&body, &entry)) {
    return corrupt("truncated graph header");
  }
  if (m != static_cast<uint32_t>(spec().m)) return corrupt("M does not match the spec");
  if (ef_construction < 1 || ef_construction > (1u << 20)) return corrupt("bad ef_construction");
  if (n == 0) {
    if (max_level != kNone || entry != kNone || !body.empty()) return corrupt("bad empty graph");
    return Status::OK();
  }
  if (max_level > static_cast<uint32_t>(kMaxLevel) || entry >= n) {
    return corrupt("bad entry point or top level");
  }
  const size_t element = graph_->size_data_per_element_;
  const size_t upper = graph_->size_links_per_element_;
  if (body.size() / element < n) return corrupt("truncated level 0");
  std::string_view level0 = body.substr(0, n * element);
  body.remove_prefix(n * element);
  // Pass 1: levels and upper-level offsets, all sizes bounded by the bytes present.
  std::vector<int> levels(n);
  std::vector<std::string_view> upper_lists(n);
  uint32_t top = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t level = 0;
    if (!GetFixed32(&body, &level)) return corrupt("truncated level of node " + std::to_string(i));
    if (level > max_level) return corrupt("node " + std::to_string(i) + " above the top level");
    if (body.size() / upper < level) return corrupt("truncated links of node " + std::to_string(i));
    upper_lists[i] = body.substr(0, level * upper);
    body.remove_prefix(level * upper);
    levels[i] = static_cast<int>(level);
    top = std::max(top, level);
  }
  if (!body.empty()) return corrupt(std::to_string(body.size()) + " trailing bytes");
  if (top != max_level || static_cast<uint32_t>(levels[entry]) != max_level) {
    return corrupt("entry point is not on the top level");
  }
  // Pass 2: every link and row.
  std::vector<bool> seen(n);
  for (size_t i = 0; i < n; ++i) {
    const char* node = level0.data() + i * element;
    if (!ValidLinks(node, graph_->maxM0_, 0, levels)) {
      return corrupt("bad level-0 links of node " + std::to_string(i));
    }
    uint64_t row = DecodeFixed64(node + graph_->label_offset_);
    if (row >= n || seen[row]) return corrupt("bad row of node " + std::to_string(i));
    seen[row] = true;
    for (int l = 1; l <= levels[i]; ++l) {
      if (!ValidLinks(upper_lists[i].data() + (l - 1) * upper, graph_->maxM_, l, levels)) {
        return corrupt("bad level-" + std::to_string(l) + " links of node " + std::to_string(i));
      }
    }
  }
  // Install. cur_element_count grows with each node so the graph's destructor frees exactly
  // what was allocated if an allocation fails half-way.
  std::memcpy(graph_->data_level0_memory_, level0.data(), level0.size());
  graph_->ef_construction_ = ef_construction;
  row_to_id_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    graph_->element_levels_[i] = levels[i];
    graph_->linkLists_[i] = nullptr;
    if (levels[i] > 0) {
      graph_->linkLists_[i] = static_cast<char*>(malloc(upper_lists[i].size()));
      if (graph_->linkLists_[i] == nullptr) {
        graph_->element_levels_[i] = 0;
        return Status::Internal("HNSW index: out of memory loading links");
      }
      std::memcpy(graph_->linkLists_[i], upper_lists[i].data(), upper_lists[i].size());
    }
    graph_->cur_element_count = i + 1;
    labeltype row = graph_->getExternalLabel(static_cast<tableint>(i));
    graph_->label_lookup_[row] = static_cast<tableint>(i);
    row_to_id_[row] = static_cast<tableint>(i);
  }
  graph_->maxlevel_ = static_cast<int>(max_level);
  graph_->enterpoint_node_ = entry;
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<VectorIndex>> NewHnswIndex(const IndexSpec& spec,
                                                  const IndexOptions& options) {
  if (options.ef_construction < 1 || options.ef_construction > (1 << 20)) {
    return Status::InvalidArgument("HNSW index: ef_construction must be in [1, 2^20]");
  }
  auto index = std::make_unique<HnswIndex>(spec, options.metric, options.d, options.ef_construction,
                                           options.num_threads, options.seed);
  VDB_RETURN_IF_ERROR(index->Init(1024));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

Result<std::unique_ptr<VectorIndex>> LoadHnswIndex(const IndexHeader& header,
                                                   std::string_view body) {
  // Bound n by the bytes present before allocating a graph for it.
  const size_t element = static_cast<size_t>(8 * header.spec.m + 4) +
                         static_cast<size_t>(header.d) * sizeof(float) + sizeof(labeltype);
  if (static_cast<uint64_t>(header.n) > body.size() / element ||
      static_cast<uint64_t>(header.n) >= kNone) {
    return Status::Corruption("HNSW index: " + std::to_string(header.n) +
                              " vectors do not fit in a body of " + std::to_string(body.size()) +
                              " bytes");
  }
  auto index = std::make_unique<HnswIndex>(header.spec, header.metric, header.d, 200, 1, 100);
  index->set_size_hint(header.n);
  VDB_RETURN_IF_ERROR(index->Init(static_cast<size_t>(header.n)));
  VDB_RETURN_IF_ERROR(index->Restore(body));
  return std::unique_ptr<VectorIndex>(std::move(index));
}

}  // namespace vdb::index::internal

// ---- RawHnswlib (hnswlib_raw.h) --------------------------------------------------------------
// Here rather than in its own file: hnswlib 0.6.2 defines non-inline globals in its headers, so
// only one translation unit may include them.

namespace vdb::index {
namespace {

class RawHnswlibImpl final : public RawHnswlib {
 public:
  RawHnswlibImpl(int d, size_t n, int m, int ef_construction)
      : space_(static_cast<size_t>(d)),
        graph_(&space_, std::max<size_t>(n, 1), static_cast<size_t>(m),
               static_cast<size_t>(ef_construction)) {}

  Status Add(int64_t n, int d, const float* x, int num_threads) {
    std::atomic<int64_t> next{0};
    std::atomic<bool> failed{false};
    auto add = [&](int64_t i) {
      graph_.addPoint(x + static_cast<size_t>(i) * static_cast<size_t>(d),
                      static_cast<hnswlib::labeltype>(i));
    };
    try {
      if (n > 0) add(next++);
    } catch (const std::exception&) {
      return Status::Internal("hnswlib: add failed");
    }
    RunOnThreads(std::max(1, num_threads), [&](int) {
      try {
        for (int64_t i = next++; i < n; i = next++) add(i);
      } catch (const std::exception&) {
        failed = true;
        next = n;
      }
    });
    return failed ? Status::Internal("hnswlib: add failed") : Status::OK();
  }

  Status Search(const float* q, int k, int ef, int64_t* rows) override {
    try {
      graph_.setEf(static_cast<size_t>(std::max(ef, k)));
      auto result = graph_.searchKnn(q, static_cast<size_t>(k));
      for (int i = k - 1; i >= 0; --i) {
        if (result.empty()) {
          rows[i] = -1;
          continue;
        }
        rows[i] = static_cast<int64_t>(result.top().second);
        result.pop();
      }
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib: ") + e.what());
    }
    return Status::OK();
  }

 private:
  hnswlib::L2Space space_;
  hnswlib::HierarchicalNSW<float> graph_;
};

}  // namespace

Result<std::unique_ptr<RawHnswlib>> RawHnswlib::Build(int64_t n, int d, const float* x, int m,
                                                      int ef_construction, int num_threads) {
  std::unique_ptr<RawHnswlibImpl> index;
  try {
    index = std::make_unique<RawHnswlibImpl>(d, static_cast<size_t>(n), m, ef_construction);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("hnswlib: ") + e.what());
  }
  VDB_RETURN_IF_ERROR(index->Add(n, d, x, num_threads));
  return std::unique_ptr<RawHnswlib>(std::move(index));
}

}  // namespace vdb::index
