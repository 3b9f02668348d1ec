// search_bench: latency of single-vector searches (limit 10, L2) on a FLAT collection of
// 100,000 x 128-d float32 rows through vdbd's HTTP API (entities/search), beside in-process exact
// search of the same data and queries measured in the same run: lib/index BruteForceSearch and
// FAISS IndexFlatL2 (through lib/index's FAISS adapter, spec "Flat"), one thread each.
//
//   search_bench [--rows 100000] [--dim 128] [--queries 1000] [--limit 10]
//                [--consistency Bounded] [--no-flush] [--dir /tmp/vdb-search-bench] [--vdbd PATH]
//
// Goal: vdbd adds <= 1 ms at p50 over the in-process baseline. The rows are flushed (sealed and
// served by the query node) before measuring unless --no-flush; vdbd's answers are checked against
// the baseline's top hit.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "common/env.h"
#include "index/brute_force.h"
#include "index/faiss_index.h"
#include "index/vector_index.h"
#include "rpc/http.h"
#include "util/vdbd_harness.h"

namespace {

using nlohmann::json;
using vdb::bench::Clock;
using vdb::bench::Die;
using vdb::bench::ElapsedUs;

struct Flags {
  int64_t rows = 100000;
  int dim = 128;
  int queries = 1000;
  int limit = 10;
  std::string consistency = "Bounded";
  bool flush = true;
  std::string dir = "/tmp/vdb-search-bench";
  std::string vdbd = VDBD_PATH;
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  bool no_flush = false;
  CLI::App app{"search_bench: latency of single-vector searches through vdbd's HTTP API"};
  app.option_defaults()->always_capture_default();
  app.add_option("--rows", f.rows, "rows in the collection");
  app.add_option("--dim", f.dim, "vector dimension (at least 2)");
  app.add_option("--queries", f.queries, "single-vector queries to time (at least 1)");
  app.add_option("--limit", f.limit, "top-k of each search (at least 1)");
  app.add_option("--consistency", f.consistency, "consistency level timed beside Strong");
  app.add_flag("--no-flush", no_flush, "search the growing data instead of flushing first");
  app.add_option("--dir", f.dir, "scratch directory");
  app.add_option("--vdbd", f.vdbd, "the vdbd binary");
  vdb::bench::ParseFlagsOrExit(&app, argc, argv);
  f.dim = std::max(2, f.dim);
  f.queries = std::max(1, f.queries);
  f.limit = std::max(1, f.limit);
  f.flush = !no_flush;
  return f;
}

// Latencies in microseconds.
struct Latency {
  std::vector<double> us;
  double Pct(double p) { return vdb::bench::Percentile(&us, p); }
  std::string Summary() { return vdb::bench::P50P99(&us, 8, 0, "us"); }
};

// Creates the FLAT collection, inserts `data` in batches of 1,000 and flushes unless --no-flush.
void Load(vdb::test::VdbdHarness* vdbd, const Flags& f, const std::vector<float>& data) {
  json create = {{"collectionName", "bench"},
                 {"schema",
                  {{"autoID", false},
                   {"fields",
                    {{{"fieldName", "id"}, {"dataType", "Int64"}, {"isPrimary", true}},
                     {{"fieldName", "vector"},
                      {"dataType", "FloatVector"},
                      {"elementTypeParams", {{"dim", f.dim}}}}}}}},
                 {"indexParams",
                  {{{"fieldName", "vector"},
                    {"indexName", "vector"},
                    {"indexType", "FLAT"},
                    {"metricType", "L2"}}}}};
  vdb::bench::CreateLoadedCollection(vdbd, create);
  vdb::rpc::HttpClient client(vdbd->proxy_address());
  constexpr int64_t kBatch = 1000;
  for (int64_t first = 0; first < f.rows; first += kBatch) {
    std::vector<std::string> vectors;
    for (int64_t r = first; r < std::min(f.rows, first + kBatch); ++r) {
      vectors.push_back(vdb::test::VectorJson(&data[static_cast<size_t>(r * f.dim)], f.dim));
    }
    std::string body = vdb::test::InsertBody("bench", vectors, first);
    vdb::bench::DieUnlessInserted(
        client.Post("/v2/vectordb/entities/insert", body, "application/json", 60000), "insert");
  }
  if (f.flush) {
    auto flushed =
        vdbd->Call("/v2/vectordb/collections/flush", {{"collectionName", "bench"}}, 120000);
    if (!flushed.ok()) {
      std::printf("  (flush failed, searching growing data: %s)\n",
                  flushed.status().ToString().c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  vdb::bench::SetProgramName("search_bench");
  Flags f = ParseFlags(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures show up as they come, also piped
  vdb::Env* env = vdb::Env::Default();
  if (!env->CreateDirs(f.dir).ok()) Die("cannot create " + f.dir);
  std::printf("search_bench: %lld x %d-d float32, FLAT L2, %d single-vector queries, limit %d\n",
              static_cast<long long>(f.rows), f.dim, f.queries, f.limit);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  std::vector<float> data(static_cast<size_t>(f.rows * f.dim));
  for (float& x : data) x = value(rng);
  std::vector<float> queries(static_cast<size_t>(f.queries) * f.dim);
  for (float& x : queries) x = value(rng);

  // Baselines, in process, one thread, one query per call.
  vdb::index::FloatVectors base{data.data(), f.rows, f.dim, nullptr};
  vdb::index::BruteForceParams params;
  params.k = f.limit;
  Latency brute;
  std::vector<int64_t> expected_top(static_cast<size_t>(f.queries));
  for (int q = 0; q < f.queries; ++q) {
    vdb::index::SearchResults out;
    auto t0 = Clock::now();
    vdb::Status s = vdb::index::BruteForceSearch(base, 1, &queries[static_cast<size_t>(q) * f.dim],
                                                 params, &out);
    brute.us.push_back(ElapsedUs(t0));
    vdb::bench::CheckOk(s);
    expected_top[static_cast<size_t>(q)] = out.rows_of(0)[0];
  }
  vdb::index::IndexOptions faiss_options;
  faiss_options.spec = "Flat";
  faiss_options.d = f.dim;
  auto faiss = vdb::index::CreateFaissIndex(faiss_options);
  Latency flat;
  if (faiss.ok() && (*faiss)->Build(f.rows, data.data()).ok()) {
    for (int q = 0; q < f.queries; ++q) {
      vdb::index::SearchResults out;
      auto t0 = Clock::now();
      vdb::Status s = (*faiss)->Search(1, &queries[static_cast<size_t>(q) * f.dim], f.limit,
                                       vdb::index::SearchParams(), nullptr, &out);
      flat.us.push_back(ElapsedUs(t0));
      vdb::bench::CheckOk(s);
    }
  }

  // Through vdbd.
  std::string data_dir = vdb::JoinPath(f.dir, "vdbd");
  auto vdbd = vdb::bench::StartVdbd(f.vdbd, data_dir);
  auto load_start = Clock::now();
  Load(vdbd.get(), f, data);
  std::printf("  loaded in %.1f s\n", vdb::bench::Seconds(load_start));
  vdb::rpc::HttpClient client(vdbd->proxy_address());
  auto search = [&](int q, const std::string& level, bool check) {
    std::string body = R"({"collectionName":"bench","limit":)" + std::to_string(f.limit) +
                       R"(,"consistencyLevel":")" + level + R"(","data":[)" +
                       vdb::test::VectorJson(&queries[static_cast<size_t>(q) * f.dim], f.dim) +
                       "]}";
    auto resp = client.Post("/v2/vectordb/entities/search", body, "application/json", 30000);
    if (!resp.ok()) Die("search: " + resp.status().ToString());
    if (!check) return 0;
    json parsed = json::parse(resp->body, nullptr, false);
    if (parsed.value("code", -1) != 0 || parsed["data"].size() != static_cast<size_t>(f.limit)) {
      Die("search answer: " + resp->body.substr(0, 300));
    }
    return parsed["data"][0]["id"] == expected_top[static_cast<size_t>(q)] ? 1 : 0;
  };
  // Warm-up: a weaker level may trail the last inserts by its staleness bound, so wait until it
  // sees all the rows (the first queries agree with the baseline), then measure.
  int warm = std::min(f.queries, 20);
  auto warm_start = Clock::now();
  vdb::test::WaitFor(
      [&] {
        int agree = 0;
        for (int q = 0; q < warm; ++q) agree += search(q, f.consistency, true);
        return agree == warm;
      },
      60000, 200);
  std::printf("  warm-up until %s reads see every row: %.1f s\n", f.consistency.c_str(),
              vdb::bench::Seconds(warm_start));
  // Both levels, interleaved so that drift on a shared machine hits both alike.
  Latency http, strong;
  int agree = 0, strong_agree = 0;
  for (int q = 0; q < f.queries; ++q) {
    auto t0 = Clock::now();
    search(q, f.consistency, false);
    http.us.push_back(ElapsedUs(t0));
    t0 = Clock::now();
    search(q, "Strong", false);
    strong.us.push_back(ElapsedUs(t0));
    agree += search(q, f.consistency, true);  // checked outside the timed calls
    strong_agree += search(q, "Strong", true);
  }
  vdb::bench::StopVdbd(vdbd.get());
  (void)vdb::RemoveAll(env, data_dir);

  double base_p50 = brute.Pct(0.5);
  std::printf("  %-46s %s\n", "baseline: lib/index BruteForceSearch", brute.Summary().c_str());
  if (!flat.us.empty()) {
    std::printf("  %-46s %s\n", "baseline: FAISS IndexFlatL2 (\"Flat\")", flat.Summary().c_str());
  } else {
    std::printf("  baseline: FAISS IndexFlatL2 unavailable: %s\n",
                faiss.ok() ? "build failed" : faiss.status().ToString().c_str());
  }
  std::string name = "vdbd HTTP entities/search (" + f.consistency + ")";
  std::printf("  %-46s %s  top hit = baseline in %d/%d\n", name.c_str(), http.Summary().c_str(),
              agree, f.queries);
  std::printf("  %-46s %s  top hit = baseline in %d/%d\n", "vdbd HTTP entities/search (Strong)",
              strong.Summary().c_str(), strong_agree, f.queries);
  double added_ms = (http.Pct(0.5) - base_p50) / 1000;
  std::printf("  added at p50 over BruteForceSearch: %.2f ms %s, %.2f ms Strong (goal <= 1 ms)\n",
              added_ms, f.consistency.c_str(), (strong.Pct(0.5) - base_p50) / 1000);
  return 0;
}
