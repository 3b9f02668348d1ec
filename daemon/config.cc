#include "daemon/config.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/logging.h"

namespace vdb::daemon {

namespace {

OptionSpec Str(const char* name, const char* def, const char* help,
               std::string DaemonConfig::*field) {
  return {name, OptionType::kString, def, 0, 0, help, field, nullptr};
}
OptionSpec Int(const char* name, const char* def, int64_t lo, int64_t hi, const char* help,
               int64_t DaemonConfig::*field) {
  return {name, OptionType::kInt, def, lo, hi, help, nullptr, field};
}

std::string Normalize(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

}  // namespace

const std::vector<OptionSpec>& DaemonOptions() {
  static const std::vector<OptionSpec> kOptions = {
      Str("data-dir", "./vdb-data", "directory holding meta/, wal/, objects/, logs/ and run/",
          &DaemonConfig::data_dir),
      Str("host", "127.0.0.1", "address the proxies listen on", &DaemonConfig::host),
      Int("port", "19530", 0, 65535,
          "public port of proxy 1 (proxy N uses port+N-1); 0 picks free ports",
          &DaemonConfig::port),
      Int("proxies", "1", 1, 64, "number of proxy processes", &DaemonConfig::proxies),
      Int("streaming-nodes", "1", 1, 64, "number of streaming node processes",
          &DaemonConfig::streaming_nodes),
      Int("query-nodes", "1", 1, 64, "number of query node processes", &DaemonConfig::query_nodes),
      Int("data-nodes", "1", 1, 64, "number of data node processes", &DaemonConfig::data_nodes),
      Int("startup-timeout-ms", "30000", 100, 3600000,
          "give up starting when some child is not healthy after this long",
          &DaemonConfig::startup_timeout_ms),
      Int("stop-timeout-ms", "10000", 10, 600000,
          "wait this long after SIGTERM before SIGKILL when stopping a child",
          &DaemonConfig::stop_timeout_ms),
      Int("restart-backoff-initial-ms", "100", 1, 600000,
          "delay before restarting a child that died; doubles on each further failure",
          &DaemonConfig::restart_backoff_initial_ms),
      Int("restart-backoff-max-ms", "5000", 1, 3600000, "upper bound of the restart delay",
          &DaemonConfig::restart_backoff_max_ms),
      Int("stable-run-ms", "10000", 0, 3600000,
          "a child running this long counts as stable and its restart delay resets",
          &DaemonConfig::stable_run_ms),
      Str("log-level", "info", "debug | info | warning | error", &DaemonConfig::log_level),
  };
  return kOptions;
}

const OptionSpec* FindOption(std::string_view name) {
  std::string wanted = Normalize(name);
  for (const auto& spec : DaemonOptions()) {
    if (wanted == spec.name) return &spec;
  }
  return nullptr;
}

Status ApplyOption(const OptionSpec& spec, std::string_view value, DaemonConfig* config) {
  if (spec.type == OptionType::kString) {
    if (spec.string_field == &DaemonConfig::log_level) {
      LogLevel level;
      if (!ParseLogLevel(std::string(value), &level)) {
        return Status::InvalidArgument("option log-level: '" + std::string(value) +
                                       "' is not one of debug, info, warning, error");
      }
    }
    if (value.empty()) {
      return Status::InvalidArgument(std::string("option ") + spec.name + ": must not be empty");
    }
    config->*spec.string_field = std::string(value);
    return Status::OK();
  }
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
    return Status::InvalidArgument(std::string("option ") + spec.name + ": '" + std::string(value) +
                                   "' is not an integer");
  }
  if (parsed < spec.min_value || parsed > spec.max_value) {
    return Status::InvalidArgument(
        std::string("option ") + spec.name + ": " + std::to_string(parsed) + " is outside [" +
        std::to_string(spec.min_value) + ", " + std::to_string(spec.max_value) + "]");
  }
  config->*spec.int_field = parsed;
  return Status::OK();
}

DaemonConfig DefaultConfig() {
  DaemonConfig config;
  for (const auto& spec : DaemonOptions()) {
    Status s = ApplyOption(spec, spec.default_value, &config);
    VDB_CHECK(s.ok());  // the table's defaults are ours
  }
  return config;
}

Status ApplyConfigJson(std::string_view text, std::string_view source, DaemonConfig* config) {
  std::string where(source);
  nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::InvalidArgument(where + ": not valid JSON");
  if (!root.is_object()) return Status::InvalidArgument(where + ": expected a JSON object");
  for (const auto& [key, value] : root.items()) {
    const OptionSpec* spec = FindOption(key);
    if (spec == nullptr) return Status::InvalidArgument(where + ": unknown option '" + key + "'");
    std::string text_value;
    if (value.is_string()) {
      text_value = value.get<std::string>();
    } else if (spec->type == OptionType::kInt && value.is_number_integer()) {
      text_value = value.dump();
    } else {
      return Status::InvalidArgument(where + ": option '" + key + "' must be " +
                                     (spec->type == OptionType::kInt ? "an integer" : "a string"));
    }
    VDB_RETURN_IF_ERROR(ApplyOption(*spec, text_value, config).WithContext(where));
  }
  return Status::OK();
}

Result<DaemonConfig> BuildConfig(Env* env, const std::string& config_path,
                                 const std::vector<std::pair<std::string, std::string>>& flags) {
  DaemonConfig config = DefaultConfig();
  if (!config_path.empty()) {
    auto text = ReadFileToString(env, config_path);
    if (!text.ok()) return text.status().WithContext("config file");
    VDB_RETURN_IF_ERROR(ApplyConfigJson(*text, "config file " + config_path, &config));
  }
  for (const auto& [name, value] : flags) {
    const OptionSpec* spec = FindOption(name);
    if (spec == nullptr) return Status::InvalidArgument("unknown option --" + name);
    VDB_RETURN_IF_ERROR(ApplyOption(*spec, value, &config));
  }
  if (config.restart_backoff_initial_ms > config.restart_backoff_max_ms) {
    return Status::InvalidArgument(
        "restart-backoff-initial-ms (" + std::to_string(config.restart_backoff_initial_ms) +
        ") exceeds restart-backoff-max-ms (" + std::to_string(config.restart_backoff_max_ms) + ")");
  }
  if (config.port != 0 && config.port + config.proxies - 1 > 65535) {
    return Status::InvalidArgument("port " + std::to_string(config.port) + " with " +
                                   std::to_string(config.proxies) +
                                   " proxies runs past port 65535");
  }
  return config;
}

}  // namespace vdb::daemon
