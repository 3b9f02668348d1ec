#include "crash/crash_load.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace vdb::test {

namespace {

using nlohmann::json;

constexpr int64_t kIdsPerClient = 1'000'000'000;

// Retries `path` on any failure for up to a minute: verification runs right after restarts.
Result<json> CallWithRetry(VdbdHarness* vdbd, const std::string& path, const json& body) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  Result<json> last = Status::Internal("not called");
  while (std::chrono::steady_clock::now() < deadline) {
    last = vdbd->Call(path, body, 20000);
    if (last.ok()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return last;
}

int64_t IdOf(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
  return -1;
}

// For a failure message: the chunks of `ids` where count(*) over `id in [chunk]` exceeds the
// distinct ids get returned, i.e. where some row exists twice.
std::string DuplicateChunks(VdbdHarness* vdbd, const std::string& collection,
                            const std::vector<int64_t>& ids,
                            const std::unordered_map<int64_t, int>& seen) {
  std::string out;
  constexpr size_t kChunk = 1000;
  for (size_t i = 0; i < ids.size(); i += kChunk) {
    std::vector<int64_t> chunk(ids.begin() + i, ids.begin() + std::min(ids.size(), i + kChunk));
    std::string filter = "id in [";
    int64_t distinct = 0;
    for (size_t k = 0; k < chunk.size(); ++k) {
      filter += (k ? "," : "") + std::to_string(chunk[k]);
      distinct += seen.count(chunk[k]) ? 1 : 0;
    }
    filter += "]";
    auto r = vdbd->Call("/v2/vectordb/entities/query", {{"collectionName", collection},
                                                        {"filter", filter},
                                                        {"outputFields", {"count(*)"}},
                                                        {"consistencyLevel", "Strong"}});
    if (!r.ok() || !(*r)["data"].is_array() || (*r)["data"].empty()) continue;
    int64_t n = (*r)["data"][0].value("count(*)", int64_t{-1});
    if (n != distinct) {
      out += "; ids " + std::to_string(chunk.front()) + ".." + std::to_string(chunk.back()) +
             " count " + std::to_string(n) + " but " + std::to_string(distinct) + " distinct";
    }
  }
  return out;
}

}  // namespace

uint64_t CrashSeed(uint64_t fallback) {
  const char* env = std::getenv("VDB_CRASH_SEED");
  return env != nullptr && *env ? std::strtoull(env, nullptr, 10) : fallback;
}

Status CreateCrashCollection(VdbdHarness* vdbd, const std::string& collection, int dim) {
  json create = {{"collectionName", collection},
                 {"dimension", dim},
                 {"metricType", "L2"},
                 {"params", {{"consistencyLevel", "Strong"}}}};
  VDB_ASSIGN_OR_RETURN(json created, vdbd->Call("/v2/vectordb/collections/create", create));
  (void)created;
  json state;
  bool loaded = WaitFor(
      [&] {
        auto r =
            vdbd->Call("/v2/vectordb/collections/get_load_state", {{"collectionName", collection}});
        if (!r.ok()) return false;
        state = *r;
        return (*r)["data"].is_object() && (*r)["data"].value("loadState", "") == "LoadStateLoaded";
      },
      30000, 100);
  if (!loaded) return Status::Unavailable(collection + " not loaded: " + state.dump());
  return Status::OK();
}

InsertLoad::InsertLoad(VdbdHarness* vdbd, LoadOptions options)
    : vdbd_(vdbd), options_(std::move(options)) {}

InsertLoad::~InsertLoad() { Stop(); }

void InsertLoad::Start() {
  for (int i = 0; i < options_.clients; ++i) threads_.emplace_back([this, i] { Client(i); });
}

void InsertLoad::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

bool InsertLoad::WaitForMoreAcks(uint64_t n, int64_t timeout_ms) const {
  uint64_t target = acked_rows() + n;
  return WaitFor([&] { return acked_rows() >= target; }, timeout_ms, 10);
}

std::string InsertLoad::FailureSummary() const {
  std::string out;
  for (const auto& [message, count] : failures_) {
    out += "  " + std::to_string(count) + "x " + message + "\n";
  }
  return out;
}

void InsertLoad::Client(int index) {
  std::mt19937_64 rng(options_.seed * 1000003 + static_cast<uint64_t>(index));
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  int64_t next_id = (index + 1) * kIdsPerClient;
  while (!stop_) {
    std::vector<int64_t> ids;
    json rows = json::array();
    for (int r = 0; r < options_.batch_rows; ++r) {
      std::vector<float> v(static_cast<size_t>(options_.dim));
      for (float& x : v) x = value(rng);
      ids.push_back(next_id);
      rows.push_back({{"id", next_id++}, {"vector", v}});
    }
    json body = {{"collectionName", options_.collection}, {"data", std::move(rows)}};
    auto r = vdbd_->Call("/v2/vectordb/entities/insert", body, options_.request_timeout_ms);
    bool ok = r.ok() && r->contains("data") && (*r)["data"].is_object() &&
              (*r)["data"].value("insertCount", 0) == options_.batch_rows;
    if (ok) {
      std::lock_guard<std::mutex> lock(mu_);
      acked_.insert(acked_.end(), ids.begin(), ids.end());
      acked_rows_ += ids.size();
      continue;
    }
    std::string message =
        r.ok() ? "bad answer " + r->dump().substr(0, 200) : r.status().ToString().substr(0, 160);
    {
      std::lock_guard<std::mutex> lock(mu_);
      maybe_.insert(maybe_.end(), ids.begin(), ids.end());
      ++failed_requests_;
      auto it = std::find_if(failures_.begin(), failures_.end(),
                             [&](const auto& f) { return f.first == message; });
      if (it == failures_.end()) {
        failures_.emplace_back(message, 1);
      } else {
        ++it->second;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // back off, then fresh ids
  }
}

::testing::AssertionResult VerifyRows(VdbdHarness* vdbd, const std::string& collection,
                                      const std::vector<int64_t>& acked,
                                      const std::vector<int64_t>& maybe, size_t* found_maybe) {
  std::unordered_set<int64_t> acked_set(acked.begin(), acked.end());
  std::unordered_set<int64_t> maybe_set(maybe.begin(), maybe.end());
  if (acked_set.size() != acked.size()) {
    return ::testing::AssertionFailure() << "the load acknowledged an id twice (test bug)";
  }
  // get by id, in chunks: every known id, counting how often each comes back.
  std::unordered_map<int64_t, int> seen;
  std::vector<int64_t> all = acked;
  all.insert(all.end(), maybe.begin(), maybe.end());
  constexpr size_t kChunk = 1000;
  for (size_t i = 0; i < all.size(); i += kChunk) {
    std::vector<int64_t> chunk(all.begin() + i, all.begin() + std::min(all.size(), i + kChunk));
    json body = {{"collectionName", collection},
                 {"id", chunk},
                 {"outputFields", {"id"}},
                 {"consistencyLevel", "Strong"}};
    auto r = CallWithRetry(vdbd, "/v2/vectordb/entities/get", body);
    if (!r.ok()) return ::testing::AssertionFailure() << "get: " << r.status().ToString();
    const json& rows = (*r)["data"];
    if (!rows.is_array()) return ::testing::AssertionFailure() << "get answered " << r->dump();
    for (const auto& row : rows) {
      if (!row.is_object() || !row.contains("id")) {
        return ::testing::AssertionFailure() << "get row without id: " << row.dump();
      }
      ++seen[IdOf(row["id"])];
    }
  }
  size_t missing = 0, doubled = 0, unknown = 0, maybe_found = 0;
  std::string examples;
  for (int64_t id : acked) {
    int n = seen.count(id) ? seen[id] : 0;
    if (n == 0 && ++missing <= 5) examples += " missing " + std::to_string(id);
    if (n > 1 && ++doubled <= 5) examples += " doubled " + std::to_string(id);
  }
  for (int64_t id : maybe) {
    int n = seen.count(id) ? seen[id] : 0;
    if (n > 0) ++maybe_found;
    if (n > 1 && ++doubled <= 5) examples += " doubled " + std::to_string(id);
  }
  for (const auto& [id, n] : seen) {
    if (!acked_set.count(id) && !maybe_set.count(id) && ++unknown <= 5) {
      examples += " unknown " + std::to_string(id);
    }
  }
  if (missing + doubled + unknown > 0) {
    return ::testing::AssertionFailure()
           << missing << " acknowledged ids missing, " << doubled << " ids twice, " << unknown
           << " unknown ids (of " << acked.size() << " acked, " << maybe.size()
           << " maybe):" << examples;
  }
  // count(*) sees every row, so a second copy of a row or a row nobody sent shows here.
  json count_body = {{"collectionName", collection},
                     {"filter", ""},
                     {"outputFields", {"count(*)"}},
                     {"consistencyLevel", "Strong"}};
  auto count = CallWithRetry(vdbd, "/v2/vectordb/entities/query", count_body);
  if (!count.ok()) return ::testing::AssertionFailure() << "count: " << count.status().ToString();
  const json& data = (*count)["data"];
  if (!data.is_array() || data.size() != 1 || !data[0].is_object()) {
    return ::testing::AssertionFailure() << "count answered " << count->dump();
  }
  int64_t rows = data[0].value("count(*)", int64_t{-1});
  size_t expected = acked.size() + maybe_found;
  if (rows != static_cast<int64_t>(expected)) {
    return ::testing::AssertionFailure()
           << "count(*) is " << rows << ", expected " << expected << " (" << acked.size()
           << " acked + " << maybe_found << " of " << maybe.size() << " maybe)"
           << DuplicateChunks(vdbd, collection, all, seen);
  }
  if (found_maybe != nullptr) *found_maybe = maybe_found;
  return ::testing::AssertionSuccess();
}

}  // namespace vdb::test
