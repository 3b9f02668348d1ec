// TopK: keeps the k lowest (score, row) pairs seen; internal to lib/index. Not thread-safe.
// Scores are "lower is better"; callers negate similarities before pushing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>
#include <utility>
#include <vector>

namespace vdb::index {

class TopK {
 public:
  explicit TopK(int k) : k_(static_cast<size_t>(k)) { heap_.reserve(k_); }

  // The score a new candidate must beat to enter (infinity until k are held).
  float threshold() const {
    return heap_.size() < k_ ? std::numeric_limits<float>::infinity() : heap_.front().first;
  }
  void Push(float score, int64_t row) {
    if (heap_.size() < k_) {
      heap_.emplace_back(score, row);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (std::pair(score, row) < heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = {score, row};
      std::push_heap(heap_.begin(), heap_.end());
    }
  }
  void Merge(const TopK& other) {
    for (const auto& [score, row] : other.heap_) Push(score, row);
  }
  size_t size() const { return heap_.size(); }
  void Clear() { heap_.clear(); }

  // Writes k entries best first, padding with (-1, NaN); `negate` turns scores back into
  // similarities. Empties the heap.
  void Extract(bool negate, int64_t* rows, float* distances) {
    std::sort_heap(heap_.begin(), heap_.end());
    for (size_t i = 0; i < k_; ++i) {
      if (i < heap_.size()) {
        rows[i] = heap_[i].second;
        distances[i] = negate ? -heap_[i].first : heap_[i].first;
      } else {
        rows[i] = -1;
        distances[i] = std::numeric_limits<float>::quiet_NaN();
      }
    }
    heap_.clear();
  }

 private:
  size_t k_;
  std::vector<std::pair<float, int64_t>> heap_;  // max-heap: front is the worst kept
};

// Runs fn(t) for t in [0, num_threads) on num_threads - 1 extra std::threads plus the caller.
template <typename Fn>
void RunOnThreads(int num_threads, Fn&& fn) {
  if (num_threads <= 1) {
    fn(0);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(num_threads - 1));
  for (int t = 1; t < num_threads; ++t) threads.emplace_back([&fn, t] { fn(t); });
  fn(0);
  for (auto& th : threads) th.join();
}
}  // namespace vdb::index
