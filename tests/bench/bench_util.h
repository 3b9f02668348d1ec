// Helpers shared by the benchmarks in tests/bench: dying with the program's name, timing,
// percentiles of latency samples, and a vdbd on a scratch dir with one loaded collection.
// Thread-safety: Die, CheckOk and DieUnlessInserted may be called from any thread; the rest from
// the thread that owns their arguments.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "rpc/http.h"
#include "util/vdbd_harness.h"

namespace CLI {
class App;
}  // namespace CLI

namespace vdb::bench {

using Clock = std::chrono::steady_clock;

// The name Die() prefixes its messages with ("insert_bench"). Call once at the start of main.
void SetProgramName(const char* name);
// Prints "<program>: <what>" to stderr and exits with status 1.
[[noreturn]] void Die(const std::string& what);
// Die(s.ToString()) unless `s` is OK.
void CheckOk(const Status& s);
// Dies with "<what>: <detail>" unless `resp` is an HTTP answer whose envelope has "code":0;
// the detail is the transport error or the first 300 bytes of the body.
void DieUnlessInserted(const Result<rpc::Response>& resp, const std::string& what);

// Parses argv into `app`'s options. --help prints the usage and exits 0; a bad flag prints the
// error and usage and exits 2 (what the benches' hand-rolled parsers did).
void ParseFlagsOrExit(CLI::App* app, int argc, char** argv);

// Wall time since `start`.
double Seconds(Clock::time_point start);
double ElapsedUs(Clock::time_point start);

// The sample at fraction `p` (0..1) of `values` in ascending order: index min(n-1, floor(p*n)),
// so p=0.5 is the upper median; 0 when empty. Sorts `values` in place.
template <typename T>
T Percentile(std::vector<T>* values, double p) {
  if (values->empty()) return T{};
  if (!std::is_sorted(values->begin(), values->end())) std::sort(values->begin(), values->end());
  size_t n = values->size();
  return (*values)[std::min(n - 1, static_cast<size_t>(p * static_cast<double>(n)))];
}
// "p50 <v> <unit>  p99 <v> <unit>", each value printed with printf's %<width>.<precision>f.
std::string P50P99(std::vector<double>* values, int width, int precision, const char* unit);

// Starts `vdbd start` on a fresh `data_dir` (removed first) and waits until it is up; dies if it
// does not come up in `start_timeout_ms`.
std::unique_ptr<test::VdbdHarness> StartVdbd(const std::string& vdbd_path,
                                             const std::string& data_dir,
                                             int64_t start_timeout_ms = 60000);
// Posts `create` to collections/create and waits up to 30 s until the collection it names
// ("collectionName") is loaded; dies otherwise.
void CreateLoadedCollection(test::VdbdHarness* vdbd, const nlohmann::json& create);
// Stops vdbd gracefully; a failure is printed ("<program>: stop: ...") but not fatal.
void StopVdbd(test::VdbdHarness* vdbd);

}  // namespace vdb::bench
