#include "bench/bench_util.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "common/env.h"
#include "rpc/http.h"
#include "util/vdbd_harness.h"

namespace vdb::bench {

namespace {

const char* program_name = "bench";

}  // namespace

void SetProgramName(const char* name) { program_name = name; }

void Die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_name, what.c_str());
  std::exit(1);
}

void CheckOk(const Status& s) {
  if (!s.ok()) Die(s.ToString());
}

void DieUnlessInserted(const Result<rpc::Response>& resp, const std::string& what) {
  if (!resp.ok()) Die(what + ": " + resp.status().ToString());
  if (resp->body.find("\"code\":0") == std::string::npos) {
    Die(what + ": " + resp->body.substr(0, 300));
  }
}

void ParseFlagsOrExit(CLI::App* app, int argc, char** argv) {
  try {
    app->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app->exit(e);
    std::exit(rc == 0 ? 0 : 2);
  }
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double ElapsedUs(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

std::string P50P99(std::vector<double>* values, int width, int precision, const char* unit) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "p50 %*.*f %s  p99 %*.*f %s", width, precision,
                Percentile(values, 0.50), unit, width, precision, Percentile(values, 0.99), unit);
  return buf;
}

std::unique_ptr<test::VdbdHarness> StartVdbd(const std::string& vdbd_path,
                                             const std::string& data_dir,
                                             int64_t start_timeout_ms) {
  (void)RemoveAll(Env::Default(), data_dir);
  test::VdbdOptions options;
  options.vdbd_path = vdbd_path;
  options.data_dir = data_dir;
  options.start_timeout_ms = start_timeout_ms;
  auto vdbd = std::make_unique<test::VdbdHarness>(options);
  CheckOk(vdbd->Start());
  return vdbd;
}

void CreateLoadedCollection(test::VdbdHarness* vdbd, const nlohmann::json& create) {
  auto created = vdbd->Call("/v2/vectordb/collections/create", create);
  if (!created.ok()) Die(created.status().ToString());
  std::string name = create.value("collectionName", "");
  bool loaded = test::WaitFor(
      [&] {
        auto r = vdbd->Call("/v2/vectordb/collections/get_load_state", {{"collectionName", name}});
        return r.ok() && (*r)["data"].value("loadState", "") == "LoadStateLoaded";
      },
      30000, 50);
  if (!loaded) Die("collection " + name + " not loaded");
}

void StopVdbd(test::VdbdHarness* vdbd) {
  Status stopped = vdbd->Stop();
  if (!stopped.ok())
    std::fprintf(stderr, "%s: stop: %s\n", program_name, stopped.ToString().c_str());
}

}  // namespace vdb::bench
