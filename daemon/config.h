// vdbd configuration: one table of options (name, type, default, bounds, help) from which the
// command-line flags, the config file keys and the help text are all derived. Defaults come from
// the table, then the config file (JSON), then flags; later sources win. Every option needs a
// restart to take effect. Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace vdb {
class Env;
}

namespace vdb::daemon {

struct DaemonConfig {
  std::string data_dir;
  std::string host;
  int64_t port = 0;
  int64_t proxies = 0;
  int64_t streaming_nodes = 0;
  int64_t query_nodes = 0;
  int64_t data_nodes = 0;
  int64_t startup_timeout_ms = 0;
  int64_t stop_timeout_ms = 0;
  int64_t restart_backoff_initial_ms = 0;
  int64_t restart_backoff_max_ms = 0;
  int64_t stable_run_ms = 0;
  std::string log_level;
};

enum class OptionType : uint8_t { kString, kInt };

struct OptionSpec {
  const char* name;  // flag "--name"; config key "name" (or with '_' for '-')
  OptionType type;
  const char* default_value;
  int64_t min_value;  // kInt only
  int64_t max_value;  // kInt only
  const char* help;
  std::string DaemonConfig::*string_field;  // set for kString
  int64_t DaemonConfig::*int_field;         // set for kInt
};

// The table, in help order.
const std::vector<OptionSpec>& DaemonOptions();
// The table entry named `name` ('_' and '-' are equivalent), or nullptr.
const OptionSpec* FindOption(std::string_view name);

// A config with every option at its default.
DaemonConfig DefaultConfig();

// Parses `value` for `spec` and stores it; kInvalidArgument naming the option when it is not a
// number or out of bounds.
Status ApplyOption(const OptionSpec& spec, std::string_view value, DaemonConfig* config);

// Applies a JSON object of option values (numbers or numeric strings for ints, strings for
// strings). Unknown keys and wrong types are kInvalidArgument naming `source` and the key.
Status ApplyConfigJson(std::string_view text, std::string_view source, DaemonConfig* config);

// Defaults, then the file at `config_path` (skipped when empty), then `flags` (option name,
// value) in order. Also checks cross-option rules (backoff initial <= max).
Result<DaemonConfig> BuildConfig(Env* env, const std::string& config_path,
                                 const std::vector<std::pair<std::string, std::string>>& flags);

}  // namespace vdb::daemon
